// footprint console: plain JavaScript, no dependencies, no build step.
// Every value from the API is put into the page as text nodes, never
// parsed as markup: profiles carry text scraped from the web.
"use strict";
(function () {
  const KEY = "footprint.apiKey";
  const page = document.body.dataset.page;

  // ------------------------------------------------------------ helpers
  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "text") el.textContent = v;
      else if (k === "vars") for (const [n, x] of Object.entries(v)) el.style.setProperty(n, String(x));
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    append(el, kids);
    return el;
  }
  function append(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k === null || k === undefined || k === false) continue;
      el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
    return el;
  }
  const $ = (id) => document.getElementById(id);
  // rerender runs fn, which rebuilds part of the page, and gives the focus
  // back to the control that had it (matched by data-key): polling must
  // not pull the focus from under a keyboard user.
  function rerender(fn) {
    const a = document.activeElement;
    const key = a && a.dataset ? a.dataset.key : null;
    fn();
    if (key) {
      const b = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
      if (b && b !== document.activeElement) b.focus({ preventScroll: true });
    }
  }
  const fill = (el, ...kids) => { el.replaceChildren(); return append(el, kids); };
  const pct = (p) => (p === null || p === undefined ? "–" : Math.round(p * 100) + " %");
  const clamp01 = (x) => Math.max(0, Math.min(1, Number(x) || 0));
  const fmtInt = (n) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"));
  const fmtNum = (n, d = 1) => (n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US", { maximumFractionDigits: d }));
  const signed = (n, d = 2) => (n > 0 ? "+" : n < 0 ? "−" : "") + Math.abs(n).toFixed(d);
  function duration(s) {
    if (s === null || s === undefined || !isFinite(s)) return "–";
    s = Math.max(0, Math.round(s));
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min" + (s % 60 ? " " + (s % 60) + " s" : "");
    if (s < 86400) return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
    return Math.floor(s / 86400) + " d " + Math.floor((s % 86400) / 3600) + " h";
  }
  function when(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }
  const safeURL = (u) => { try { const x = new URL(u); return x.protocol === "https:" || x.protocol === "http:" ? x.href : null; } catch { return null; } };
  function bar(p, cls) {
    return h("div", { class: "bar" + (cls ? " " + cls : ""), "aria-hidden": "true" }, h("span", { vars: { "--p": clamp01(p) } }));
  }
  function meter(p, label, cls) {
    return h("div", { class: "meter" }, h("span", { class: "sr-only", text: label + ": " }), bar(p, cls), h("span", { class: "pct", text: pct(p) }));
  }
  const STATUS_LABEL = { ok: "ok", not_found: "not found", skipped: "skipped", timeout: "timeout", rate_limited: "rate limited",
    circuit_open: "circuit open", blocked: "blocked", error: "error" };
  const UNANSWERED = ["timeout", "rate_limited", "circuit_open", "blocked", "error"];

  // ------------------------------------------------------------ API key
  const store = { get: () => { try { return sessionStorage.getItem(KEY) || ""; } catch { return ""; } },
    set: (v) => { try { v ? sessionStorage.setItem(KEY, v) : sessionStorage.removeItem(KEY); } catch { /* storage off */ } } };
  function showKeyState() {
    const set = !!store.get();
    $("key-state").textContent = set ? "API key: set for this tab" : "API key: none";
    $("keybox").dataset.set = set ? "1" : "0";
  }
  function initKey() {
    showKeyState();
    $("key-form").addEventListener("submit", (e) => {
      e.preventDefault();
      store.set($("api-key").value.trim());
      $("api-key").value = "";
      showKeyState();
      $("keybox").open = false;
    });
    $("key-clear").addEventListener("click", () => { store.set(""); $("api-key").value = ""; showKeyState(); });
  }

  // ------------------------------------------------------------ API calls
  // data-root leads from the page to the server's root ("../" or "").
  const apiURL = (path) => new URL((document.body.dataset.root || "") + path, location.href).href;
  class Problem extends Error {
    constructor(status, doc) {
      super((doc && (doc.detail || doc.title)) || "HTTP " + status);
      this.status = status; this.doc = doc || {};
    }
  }
  async function call(method, path, opts = {}) {
    const headers = new Headers(opts.headers || {});
    const key = store.get();
    if (key) headers.set("Authorization", "Bearer " + key);
    let res;
    try {
      res = await fetch(apiURL(path), { method, headers, body: opts.body, cache: "no-store", credentials: "same-origin", signal: opts.signal });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Problem(0, { title: "The server did not answer", detail: String(err.message || err) });
    }
    if (!res.ok) {
      let doc = null;
      try { doc = await res.json(); } catch { /* not JSON */ }
      throw new Problem(res.status, doc);
    }
    return res;
  }
  function problemBox(err) {
    if (!(err instanceof Problem)) err = new Problem(0, { title: "Unexpected error", detail: String(err && err.message || err) });
    const d = err.doc;
    const auth = err.status === 401 || err.status === 403;
    const title = auth
      ? (err.status === 401 ? "This server needs an API key" : "This API key may not do that")
      : (d.title || "Request failed") + (err.status ? " (" + err.status + ")" : "");
    return h("div", { class: "alert bad", role: "alert" },
      h("h3", { text: title }),
      auth ? h("p", {}, err.status === 401
        ? "Enter a key under “API key” at the top of the page (it stays in this tab), then try again."
        : "The key you entered is not allowed this operation; use a key with the right scope.") : null,
      d.detail ? h("p", { text: (auth ? "Server: " : "") + d.detail }) : null,
      Array.isArray(d.errors) && d.errors.length
        ? h("ul", {}, d.errors.map((e) => h("li", {}, h("code", { text: e.field || "request" }), ": ", e.reason || ""))) : null,
      d.request_id ? h("p", { class: "small-text" }, "Request id ", h("code", { text: d.request_id })) : null);
  }
  async function copyText(text) {
    try { await navigator.clipboard.writeText(text); return true; } catch { /* fall back */ }
    const ta = h("textarea", { class: "sr-only", "aria-hidden": "true" });
    ta.value = text; document.body.append(ta); ta.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    ta.remove();
    return ok;
  }

  // ------------------------------------------------------------ sources
  let sourcesCache = null;
  async function loadSources() {
    if (!sourcesCache) sourcesCache = call("GET", "v1/sources").then((r) => r.json()).then((d) => d.sources || []);
    try { return await sourcesCache; } catch (e) { sourcesCache = null; throw e; }
  }

  // ============================================================ lookup
  function initLookup() {
    const form = $("lookup-form");
    let picked = null; // null: every source
    let lastReq = null;
    const pickState = () => {
      const boxes = [...document.querySelectorAll("#sources-list input[type=checkbox]")];
      const on = boxes.filter((b) => b.checked).map((b) => b.value);
      picked = boxes.length && on.length === boxes.length ? null : on;
      $("sources-pick-state").textContent = picked === null ? "all" : picked.length + " of " + boxes.length;
    };
    loadSources().then((srcs) => {
      fill($("sources-list"), srcs.map((s) => h("label", { title: s.description },
        h("input", { type: "checkbox", value: s.name, checked: s.enabled, disabled: !s.enabled }), s.name,
        s.enabled ? null : h("span", { class: "sr-only", text: " (disabled: " + (s.disabled_reason || "off") + ")" }))));
      // Disabled sources cannot run: "all" means every enabled one.
      document.querySelectorAll("#sources-list input").forEach((b) => b.addEventListener("change", pickState));
      const boxes = [...document.querySelectorAll("#sources-list input:not([disabled])")];
      picked = null;
      $("sources-pick-state").textContent = "all (" + boxes.length + " enabled)";
    }).catch((err) => fill($("sources-list"), problemBox(err)));
    $("sources-all").addEventListener("click", () => { document.querySelectorAll("#sources-list input:not([disabled])").forEach((b) => { b.checked = true; }); pickState(); });
    $("sources-none").addEventListener("click", () => { document.querySelectorAll("#sources-list input").forEach((b) => { b.checked = false; }); pickState(); });

    function request() {
      const v = (n) => form.elements[n].value.trim();
      const req = {};
      for (const n of ["email", "phone", "name", "country"]) if (v(n)) req[n] = v(n);
      const options = {};
      if (v("timeout_ms")) options.timeout_ms = Number(v("timeout_ms"));
      if (v("purpose")) options.purpose = v("purpose");
      if ($("f-candidates").checked) options.include_candidates = true;
      if (picked !== null) {
        const enabled = [...document.querySelectorAll("#sources-list input:not([disabled])")];
        if (enabled.some((b) => !b.checked)) options.sources = picked;
      }
      if (Object.keys(options).length) req.options = options;
      return req;
    }
    function deepLink(req) {
      const q = new URLSearchParams();
      for (const n of ["email", "phone", "name", "country"]) if (req[n]) q.set(n, req[n]);
      if (req.options && req.options.purpose) q.set("purpose", req.options.purpose);
      const s = q.toString();
      history.replaceState(null, "", location.pathname + (s ? "?" + s : ""));
    }
    let inflight = null;
    async function run(req) {
      if (!req.email && !req.phone) {
        form.elements.email.setAttribute("aria-invalid", "true");
        $("lookup-status").textContent = "Enter an email address or a phone number.";
        form.elements.email.focus();
        return;
      }
      form.elements.email.removeAttribute("aria-invalid");
      if (req.options && req.options.sources && !req.options.sources.length) {
        $("lookup-status").textContent = "Choose at least one source.";
        $("sources-pick").open = true;
        return;
      }
      if (inflight) inflight.abort();
      const ctl = new AbortController();
      inflight = ctl;
      lastReq = req;
      fill($("lookup-error"));
      $("lookup-submit").disabled = true;
      $("lookup-status").textContent = "Looking up…";
      document.body.setAttribute("aria-busy", "true");
      const t0 = performance.now();
      try {
        const res = await call("POST", "v1/enrich", { body: JSON.stringify(req), headers: { "Content-Type": "application/json" }, signal: ctl.signal });
        const profile = await res.json();
        const ms = Math.round(performance.now() - t0);
        renderProfile(profile, req);
        const answered = profile.sources.filter((s) => s.status === "ok" || s.status === "not_found").length;
        $("lookup-status").textContent = "Profile ready in " + ms + " ms: " + profile.accounts.length + " accounts, " +
          answered + " of " + profile.sources.length + " sources answered" + (profile.complete ? "." : "; partial, see the warning.");
      } catch (err) {
        if (err.name === "AbortError") return;
        $("result").hidden = true;
        fill($("lookup-error"), problemBox(err));
        $("lookup-status").textContent = "The lookup failed.";
      } finally {
        if (inflight === ctl) { inflight = null; $("lookup-submit").disabled = false; document.body.removeAttribute("aria-busy"); }
      }
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); const req = request(); deepLink(req); run(req); });

    // Tabs: arrow keys move between them (WAI-ARIA tabs pattern).
    const tabs = [$("tab-profile"), $("tab-raw")];
    const select = (t) => {
      for (const x of tabs) {
        const on = x === t;
        x.setAttribute("aria-selected", String(on));
        x.tabIndex = on ? 0 : -1;
        $(x.getAttribute("aria-controls")).hidden = !on;
      }
    };
    tabs.forEach((t, i) => {
      t.addEventListener("click", () => select(t));
      t.addEventListener("keydown", (e) => {
        const d = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!d) return;
        e.preventDefault();
        const n = tabs[(i + d + tabs.length) % tabs.length];
        select(n); n.focus();
      });
    });
    $("copy-curl").addEventListener("click", async () => {
      if (!lastReq) return;
      const q = (s) => "'" + s.replace(/'/g, "'\\''") + "'";
      const cmd = "curl -sS " + q(apiURL("v1/enrich")) + " \\\n  -H 'Content-Type: application/json'" +
        (store.get() ? " \\\n  -H \"Authorization: Bearer $FOOTPRINT_API_KEY\"" : "") +
        " \\\n  -d " + q(JSON.stringify(lastReq));
      const out = $("curl-out");
      out.textContent = cmd;
      out.hidden = false;
      const ok = await copyText(cmd);
      $("lookup-status").textContent = ok ? "curl command copied to the clipboard." : "Copy the curl command shown below the buttons.";
    });

    // Deep link: /console/lookup?email=…&phone=… runs on load.
    const q = new URLSearchParams(location.search);
    for (const n of ["email", "phone", "name", "country", "purpose"]) if (q.get(n)) form.elements[n].value = q.get(n);
    if (q.get("email") || q.get("phone")) run(request());
  }

  function renderProfile(p, req) {
    $("result").hidden = false;
    $("raw-json").textContent = JSON.stringify(p, null, 2);
    const minMatch = (req.options && req.options.min_match) || 0.5;
    const panel = $("panel-profile");
    const unanswered = p.sources.filter((s) => UNANSWERED.includes(s.status));
    const subj = p.subject || {};
    const who = [subj.email && subj.email.address, subj.phone && (subj.phone.e164 || subj.phone.input)].filter(Boolean).join(" · ");
    fill(panel,
      h("div", { class: "subject-line" },
        h("span", { class: "who", text: who || "Subject" }),
        p.simulated ? h("span", { class: "pill warn", text: "simulated" }) : null,
        p.complete ? h("span", { class: "pill good", text: "complete" }) : h("span", { class: "pill bad", text: "partial" }),
        p.purpose ? h("span", { class: "pill info", text: "purpose: " + p.purpose }) : null,
        h("span", { class: "muted small-text", text: "generated " + when(p.generated_at) })),
      p.complete ? null : h("div", { class: "alert warn", role: "alert", id: "partial-warning" },
        h("h3", { text: "Partial profile: complete is false" }),
        h("p", {}, unanswered.length + (unanswered.length === 1 ? " source" : " sources") +
          " gave no definitive answer, so accounts or facts may be missing. Asking again later may find more."),
        h("ul", {}, unanswered.map((s) => h("li", {}, h("b", { text: s.name }), ": " + STATUS_LABEL[s.status] + (s.detail ? " — " + s.detail : ""))))),
      p.withheld && p.withheld.length ? h("div", { class: "alert info", id: "withheld-note", role: "note" },
        h("p", {}, "Purpose ", h("b", { text: p.purpose || "default" }), " withholds: " + p.withheld.join(", ") +
          ". Choose another purpose if yours allows it.")) : null,
      h("div", { class: "grid3" }, subjectCard(p), riskCard(p.risk), influenceCard(p.influence)),
      accountsSection(p.accounts || [], minMatch),
      p.withheld && p.withheld.includes("interests") ? null : interestsSection(p.interests || []),
      sourcesSection(p.sources || []));
  }

  function yesNo(v, goodWhen) {
    if (v === null || v === undefined) return h("span", { class: "na", text: "unknown" });
    const good = v === goodWhen;
    return h("span", { class: good ? "good" : "bad" }, (good ? "✓ " : "✗ ") + (v ? "yes" : "no"));
  }
  function subjectCard(p) {
    const rows = [];
    const add = (k, v) => rows.push(h("dt", { text: k }), h("dd", {}, v));
    const s = p.subject || {}, e = p.email, ph = p.phone, v = p.verification || {};
    if (s.email) {
      add("Email", s.email.address);
      if (s.email.canonical && s.email.canonical !== s.email.address) add("Canonical", s.email.canonical);
      add("Deliverable", yesNo(v.email_deliverable, true));
      if (e) {
        add("Valid", e.valid ? yesNo(true, true) : h("span", { class: "bad", text: "✗ no" + (e.reason ? " (" + e.reason + ")" : "") }));
        add("Disposable", yesNo(e.disposable, false));
        add("Free provider", e.free_provider === undefined ? yesNo(null) : h("span", { text: e.free_provider ? "yes" : "no" }));
        add("Role account", yesNo(e.role_account, false));
        if (e.typo_suggestion) add("Did you mean", h("span", { class: "warn", text: e.typo_suggestion }));
      }
      if (p.dns) add("Accepts mail", yesNo(p.dns.has_mx, true));
      if (p.domain && p.domain.age_days !== undefined) add("Domain age", fmtNum(p.domain.age_days / 365.25, 1) + " years");
      if (p.company && p.company.name) add("Company", p.company.name + (p.company.industry ? " · " + p.company.industry : ""));
      if (p.breach) add("Breaches", h("span", { class: p.breach.count ? "bad" : "good", text: fmtInt(p.breach.count) }));
    }
    if (s.phone) {
      add("Phone", ph && ph.international || s.phone.e164 || s.phone.input || "–");
      add("Phone valid", yesNo(ph ? ph.valid : v.phone_valid, true));
      if (ph) {
        add("Type", (ph.line_type || "unknown").replace(/_/g, " "));
        add("Carrier", ph.carrier || h("span", { class: "na", text: "unknown" }));
        if (ph.location || ph.country) add("Location", [ph.location, ph.country].filter(Boolean).join(", "));
        if (ph.time_zones && ph.time_zones.length) add("Time zone", ph.time_zones.join(", "));
      }
    }
    if (v.first_seen) add("First seen", when(v.first_seen));
    return h("section", { class: "card", "aria-labelledby": "h-subject" }, h("h2", { id: "h-subject", text: "Subject & offline checks" }),
      h("dl", { class: "checks-list" }, rows));
  }
  function riskCard(r) {
    if (!r) return null;
    const cls = { approve: "good", review: "warn", decline: "bad" }[r.verdict] || "neutral";
    const max = Math.max(0.01, ...r.reasons.map((x) => Math.abs(x.contribution)));
    return h("section", { class: "card", id: "risk", "aria-labelledby": "h-risk" }, h("h2", { id: "h-risk", text: "Risk" }),
      h("div", { class: "row" }, h("span", { class: "pill verdict " + cls, text: r.verdict }),
        h("span", {}, h("span", { class: "big", text: fmtNum(r.score, 0) }), h("span", { class: "muted", text: " / 100" })),
        h("span", { class: "muted", text: "p = " + pct(r.probability) })),
      r.reasons.length ? h("ul", { class: "reasons", "aria-label": "Reasons, in log-odds" }, r.reasons.map((x) =>
        h("li", {},
          h("div", { class: "reason-top" }, h("span", { text: x.description }), h("span", { class: "spacer" }),
            h("span", { class: "num " + (x.contribution > 0 ? "bad" : "good"), text: signed(x.contribution) })),
          h("div", { class: "reason-top" }, h("code", { text: x.code }),
            h("div", { class: "diverge", "aria-hidden": "true" },
              h("div", { class: "neg" }, h("span", { vars: { "--p": x.contribution < 0 ? -x.contribution / max : 0 } })),
              h("div", { class: "pos" }, h("span", { vars: { "--p": x.contribution > 0 ? x.contribution / max : 0 } }))),
            h("span", { class: "sr-only", text: x.contribution > 0 ? "raises the risk" : "lowers the risk" })))))
        : h("p", { class: "muted", text: "No risk signal." }));
  }
  function influenceCard(f) {
    if (!f) return null;
    const reach = f.reach || {};
    return h("section", { class: "card", id: "influence", "aria-labelledby": "h-influence" }, h("h2", { id: "h-influence", text: "Influence" }),
      h("div", { class: "row" }, h("span", {}, h("span", { class: "big", text: fmtNum(f.score, 0) }), h("span", { class: "muted", text: " / 100" })),
        h("span", { class: "pill info", text: "tier: " + f.tier })),
      meter(f.score / 100, "Influence score"),
      h("dl", { class: "checks-list" },
        h("dt", { text: "Expected reach" }), h("dd", { text: fmtInt(Math.round(reach.expected || 0)) }),
        h("dt", { text: "Reach interval" }), h("dd", { text: fmtInt(Math.round(reach.low || 0)) + " – " + fmtInt(Math.round(reach.high || 0)) + " (10th–90th percentile)" }),
        h("dt", { text: "P(influencer)" }), h("dd", { text: pct(f.probability_influencer) })),
      f.evidence && f.evidence.length ? h("details", { class: "evidence" }, h("summary", { text: "Reach by account (" + f.evidence.length + ")" }),
        h("ul", {}, f.evidence.map((x) => h("li", {}, (x.account ? x.source + "/" + x.account : x.source) + ": " + x.signal + " ≈ " + fmtInt(Math.round(x.contribution)) +
          (x.weight !== undefined ? " (match " + pct(x.weight) + ")" : ""))))) : null);
  }
  function initials(a) {
    const name = (a.display_name || a.username || a.source || "?").replace(/[^\p{L}\p{N}\s._-]/gu, " ").trim();
    const parts = name.split(/[\s._-]+/).filter(Boolean);
    const s = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
    return s.toUpperCase();
  }
  function hue(s) { let x = 0; for (const c of s) x = (x * 31 + c.codePointAt(0)) % 360; return x; }
  function accountCard(a) {
    const m = a.match || { probability: null, evidence: [] };
    const url = safeURL(a.url);
    const cls = m.probability >= 0.8 ? "good" : m.probability >= 0.5 ? "" : "warn";
    const stats = [["followers", a.followers], ["following", a.following], ["repos", a.repos], ["stars", a.stars], ["karma", a.karma]]
      .filter(([, v]) => v !== undefined && v !== null);
    const id = "acct-" + a.source + "-" + (a.username || "").replace(/[^A-Za-z0-9_-]/g, "_");
    return h("article", { class: "card account", "aria-labelledby": id, "data-source": a.source },
      h("div", { class: "account-head" },
        h("div", { class: "avatar", "aria-hidden": "true", vars: { "--hue": hue(a.source + a.username) }, text: initials(a) }),
        h("div", {}, h("h3", { id, text: a.display_name || a.username }),
          h("div", { class: "platform" }, h("b", { text: a.source }), " · @" + a.username))),
      h("div", { class: "row" }, h("span", { class: "small-text muted", text: "Match" }), meter(m.probability, "Match probability", cls)),
      h("div", { class: "row small-text" },
        a.verified ? h("span", { class: "pill good", text: "verified by the platform" }) : null,
        h("span", { class: "muted", text: "found by " + (a.method || "").replace(/_/g, " ") })),
      stats.length ? h("div", { class: "stats" }, stats.map(([k, v]) => h("span", {}, h("b", { text: fmtInt(v) }), " " + k))) : null,
      url ? h("a", { href: url, target: "_blank", rel: "noopener noreferrer nofollow" }, "Open profile", h("span", { class: "sr-only", text: " " + a.source + " " + a.username + " (new tab)" }), " ↗") : null,
      h("details", { class: "evidence" }, h("summary", { text: "Evidence" }),
        h("ul", {}, (m.evidence || []).map((x) => h("li", { text: x }))),
        a.bio ? h("p", { class: "bio" }, h("b", { text: "Bio: " }), a.bio) : null,
        a.location ? h("p", { class: "bio" }, h("b", { text: "Location: " }), a.location) : null,
        a.company || a.job_title ? h("p", { class: "bio" }, h("b", { text: "Work: " }), [a.job_title, a.company].filter(Boolean).join(" at ")) : null,
        a.created_at ? h("p", { class: "bio" }, h("b", { text: "Created: " }), when(a.created_at)) : null));
  }
  function accountsSection(accts, minMatch) {
    const sorted = [...accts].sort((x, y) => ((y.match && y.match.probability) || 0) - ((x.match && x.match.probability) || 0));
    const likely = sorted.filter((a) => !a.match || a.match.probability >= minMatch);
    const cands = sorted.filter((a) => a.match && a.match.probability < minMatch);
    return h("section", { class: "section", id: "accounts", "aria-labelledby": "h-accounts" },
      h("h2", { id: "h-accounts" }, "Accounts ", h("span", { class: "count", text: "(" + likely.length + ")" })),
      likely.length ? h("div", { class: "accounts" }, likely.map(accountCard)) : h("p", { class: "muted", text: "No account matched above " + pct(minMatch) + "." }),
      cands.length ? h("details", { class: "candidates", id: "candidates" },
        h("summary", { text: cands.length + " unlikely " + (cands.length === 1 ? "candidate" : "candidates") + " (match below " + pct(minMatch) + ")" }),
        h("div", { class: "accounts" }, cands.map(accountCard))) : null);
  }
  function evidenceTable(ev, unit) {
    return h("table", { class: "evidence" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Source" }), h("th", { scope: "col", text: "Account" }), h("th", { scope: "col", text: "Signal" }),
        h("th", { scope: "col", text: unit }), h("th", { scope: "col", text: "Weight" }))),
      h("tbody", {}, ev.map((x) => h("tr", {}, h("td", { text: x.source }), h("td", { text: x.account || "–" }), h("td", { text: x.signal }),
        h("td", { class: "n", text: signed(x.contribution) }), h("td", { class: "n", text: x.weight === undefined ? "–" : pct(x.weight) })))));
  }
  function interestsSection(list) {
    return h("section", { class: "section", id: "interests", "aria-labelledby": "h-interests" },
      h("h2", { id: "h-interests" }, "Interests ", h("span", { class: "count", text: "(" + list.length + ")" })),
      list.length ? h("ul", { class: "interests card" }, list.map((i) =>
        h("li", { "data-interest": i.id }, h("span", { text: i.name }), meter(i.probability, i.name),
          i.evidence && i.evidence.length ? h("details", { class: "evidence" }, h("summary", { text: "Evidence (" + i.evidence.length + ")" }), evidenceTable(i.evidence, "Log-odds")) : null)))
        : h("p", { class: "muted", text: "No interest above the threshold." }));
  }
  function sourceChip(s) {
    const meta = [];
    if (s.status !== "skipped") meta.push(fmtInt(s.latency_ms) + " ms");
    if (s.cached) meta.push("cached" + (s.age_s !== undefined ? ", " + duration(s.age_s) + " old" : ""));
    return h("li", { class: "chip st-" + s.status, "data-source": s.name, "data-status": s.status, title: s.detail || null },
      h("span", { class: "chip-top" }, h("span", { class: "name", text: s.name }), h("span", { text: STATUS_LABEL[s.status] || s.status }),
        meta.length ? h("span", { class: "meta", text: "· " + meta.join(" · ") }) : null),
      s.detail && s.status !== "ok" && s.status !== "not_found" ? h("span", { class: "detail", text: s.detail }) : null);
  }
  function sourcesSection(list) {
    const counts = {};
    for (const s of list) counts[s.status] = (counts[s.status] || 0) + 1;
    return h("section", { class: "section", id: "sources", "aria-labelledby": "h-sources" },
      h("h2", { id: "h-sources" }, "Sources ", h("span", { class: "count", text: "(" + list.length + ")" })),
      h("p", { class: "legend" }, Object.keys(STATUS_LABEL).filter((k) => counts[k]).map((k) => h("span", { class: "pill chip st-" + k, text: counts[k] + " " + STATUS_LABEL[k] }))),
      h("ul", { class: "chips", "aria-label": "Every source's status" }, list.map(sourceChip)));
  }

  // ============================================================ batch
  function initBatch() {
    const form = $("job-form"), input = $("job-file"), zone = $("dropzone");
    let file = null, selected = null, timer = null, lastAnnounced = "";
    const formatOf = (f) => /\.(ndjson|jsonl)$/i.test(f.name) || /ndjson|jsonl/.test(f.type) ? "ndjson" : "csv";
    const choose = (f) => {
      file = f || null;
      $("file-chosen").textContent = file ? file.name + " · " + fmtInt(file.size) + " bytes · " + formatOf(file).toUpperCase() : "";
    };
    input.addEventListener("change", () => choose(input.files[0]));
    ["dragenter", "dragover"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((t) => zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.remove("over"); }));
    zone.addEventListener("drop", (e) => { const f = e.dataTransfer && e.dataTransfer.files[0]; if (f) choose(f); });

    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!file) { $("upload-status").textContent = "Choose a CSV or NDJSON file first."; input.focus(); return; }
      const q = new URLSearchParams();
      for (const n of ["timeout_ms", "sources", "exclude_sources", "cache", "min_match"]) {
        const v = form.elements[n].value.trim().replace(/\s*,\s*/g, ",");
        if (v) q.set(n, v);
      }
      if ($("j-candidates").checked) q.set("include_candidates", "true");
      // XMLHttpRequest, not fetch: it reports the upload's progress.
      const xhr = new XMLHttpRequest();
      xhr.open("POST", apiURL("v1/jobs") + (q.toString() ? "?" + q : ""));
      xhr.setRequestHeader("Content-Type", formatOf(file) === "ndjson" ? "application/x-ndjson" : "text/csv");
      const key = store.get();
      if (key) xhr.setRequestHeader("Authorization", "Bearer " + key);
      xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) $("upload-status").textContent = "Uploading… " + pct(ev.loaded / ev.total); };
      xhr.onload = () => {
        $("job-submit").disabled = false;
        let doc = null;
        try { doc = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
        if (xhr.status >= 200 && xhr.status < 300 && doc) {
          $("upload-status").textContent = "Job " + doc.id + " created; " + fmtInt(doc.total) + " rows queued.";
          fill($("jobs-error"));
          selected = doc.id;
          refresh();
        } else {
          $("upload-status").textContent = "The upload was refused.";
          fill($("jobs-error"), problemBox(new Problem(xhr.status, doc)));
        }
      };
      xhr.onerror = () => {
        $("job-submit").disabled = false;
        $("upload-status").textContent = "The upload failed.";
        fill($("jobs-error"), problemBox(new Problem(0, { title: "The server did not answer" })));
      };
      $("job-submit").disabled = true;
      $("upload-status").textContent = "Uploading…";
      xhr.send(file);
    });

    const active = (j) => j.state === "queued" || j.state === "running";
    const stateCls = { queued: "neutral", running: "info", paused: "warn", succeeded: "good", failed: "bad", cancelled: "neutral" };
    const statePill = (s) => h("span", { class: "pill " + (stateCls[s] || "neutral"), text: s });
    const resultsURL = (j, fmt) => apiURL("v1/jobs/" + encodeURIComponent(j.id) + "/results?format=" + fmt);
    async function act(j, what) {
      try {
        if (what === "delete") await call("DELETE", "v1/jobs/" + encodeURIComponent(j.id));
        else await call("POST", "v1/jobs/" + encodeURIComponent(j.id) + "/" + what);
        fill($("jobs-error"));
        $("job-live").textContent = "Job " + j.id + ": " + what + " requested.";
        if (what === "delete" && selected === j.id) selected = null;
      } catch (err) { fill($("jobs-error"), problemBox(err)); }
      refresh();
    }
    function download(e) {
      // With a key, the browser cannot add the header to a plain link:
      // fetch the results and hand them over as a blob.
      if (!store.get()) return;
      e.preventDefault();
      const a = e.currentTarget;
      call("GET", new URL(a.href).pathname.replace(/^.*?\/v1\//, "v1/") + new URL(a.href).search).then((r) => r.blob()).then((b) => {
        const u = URL.createObjectURL(b);
        const t = h("a", { href: u, download: a.getAttribute("download") });
        document.body.append(t); t.click(); t.remove();
        setTimeout(() => URL.revokeObjectURL(u), 10000);
      }).catch((err) => fill($("jobs-error"), problemBox(err)));
    }
    function downloads(j, where) {
      return h("span", { class: "row" },
        h("a", { href: resultsURL(j, "csv"), download: "footprint-" + j.id + ".csv", class: "dl", "data-format": "csv", "data-key": where + "csv:" + j.id, onclick: download }, "CSV", h("span", { class: "sr-only", text: " results of job " + j.id })),
        h("a", { href: resultsURL(j, "ndjson"), download: "footprint-" + j.id + ".ndjson", class: "dl", "data-format": "ndjson", "data-key": where + "ndjson:" + j.id, onclick: download }, "NDJSON", h("span", { class: "sr-only", text: " results of job " + j.id })));
    }
    function actions(j) {
      const b = (what, label, cls) => h("button", { type: "button", class: "small " + (cls || "secondary"), "data-action": what, "data-key": what + ":" + j.id, onclick: () => act(j, what) }, label);
      return [
        active(j) ? b("pause", "Pause") : null,
        j.state === "paused" ? b("resume", "Resume") : null,
        active(j) || j.state === "paused" ? b("cancel", "Cancel", "danger") : null,
        !active(j) ? b("delete", "Delete", "danger") : null,
      ];
    }
    function stat(k, v, id) { return h("div", { class: "stat" }, h("div", { class: "v", id, text: v }), h("div", { class: "k", text: k })); }
    function renderDetail(j) {
      const sec = $("job-detail");
      if (!j) { sec.hidden = true; return; }
      sec.hidden = false;
      fill($("job-title"), "Job ", h("code", { text: j.id }), " ", statePill(j.state));
      const total = j.total || 0;
      fill($("job-body"),
        h("label", { for: "job-progress", class: "sr-only", text: "Rows done" }),
        h("progress", { id: "job-progress", max: Math.max(total, 1), value: j.done }),
        h("div", { class: "stats-grid" },
          stat("rows done", fmtInt(j.done) + " / " + fmtInt(total), "job-rows"),
          stat("rows / s", fmtNum(j.rows_per_s, 1), "job-rate"),
          stat("time left", active(j) ? duration(j.eta_s) : "–", "job-eta"),
          stat("failed", fmtInt(j.failed), "job-failed"),
          stat("incomplete", fmtInt(j.incomplete), "job-incomplete")),
        j.error ? h("div", { class: "alert bad", role: "alert", text: j.error }) : null,
        h("div", { class: "row" }, actions(j), h("span", { class: "spacer" }), h("span", { class: "muted", text: "Download results:" }), downloads(j, "detail-")),
        h("p", { class: "muted small-text", text: j.format.toUpperCase() + " · " + fmtInt(j.input_bytes) + " bytes · created " + when(j.created_at) +
          (j.finished_at ? " · finished " + when(j.finished_at) : "") }));
      // Announce state changes and every quarter, not every tick.
      const quarter = total ? Math.floor((4 * j.done) / total) : 0;
      const say = j.id + j.state + quarter;
      if (say !== lastAnnounced) {
        lastAnnounced = say;
        $("job-live").textContent = "Job " + j.state + ": " + fmtInt(j.done) + " of " + fmtInt(total) + " rows done" +
          (j.failed ? ", " + j.failed + " failed" : "") + (j.incomplete ? ", " + j.incomplete + " incomplete" : "") + ".";
      }
    }
    function renderList(jobs) {
      if (!jobs.length) { fill($("jobs-list"), h("p", { class: "muted", text: "No job yet: upload a file above." })); return; }
      fill($("jobs-list"), h("table", { class: "list", id: "jobs-table" },
        h("caption", { class: "sr-only", text: "Every job, newest first" }),
        h("thead", {}, h("tr", {}, ["Job", "State", "Created", "Progress", "Rows/s", "Failed", "Incomplete", "Results"].map((t) => h("th", { scope: "col", text: t })))),
        h("tbody", {}, jobs.map((j) => h("tr", { class: j.id === selected ? "selected" : null, "data-job": j.id },
          h("td", {}, h("button", { type: "button", class: "small secondary", "data-key": "show:" + j.id, onclick: () => { selected = j.id; refresh(); } }, h("span", { class: "sr-only", text: "Show job " }), h("code", { text: j.id.slice(0, 10) }))),
          h("td", {}, statePill(j.state)),
          h("td", { text: when(j.created_at) }),
          h("td", {}, h("div", { class: "meter" }, bar(j.total ? j.done / j.total : 0), h("span", { class: "small-text", text: fmtInt(j.done) + "/" + fmtInt(j.total) }))),
          h("td", { class: "n", text: fmtNum(j.rows_per_s, 1) }),
          h("td", { class: "n", text: fmtInt(j.failed) }),
          h("td", { class: "n", text: fmtInt(j.incomplete) }),
          h("td", {}, downloads(j, "list-")))))));
    }
    async function refresh() {
      clearTimeout(timer);
      let jobs = null;
      try {
        jobs = (await (await call("GET", "v1/jobs")).json()).jobs || [];
        if ($("jobs-error").firstChild && $("jobs-error").dataset.from === "list") fill($("jobs-error"));
        if (!selected && jobs.length && active(jobs[0])) selected = jobs[0].id;
        rerender(() => { renderList(jobs); renderDetail(jobs.find((j) => j.id === selected)); });
        $("jobs-updated").textContent = "updated " + new Date().toLocaleTimeString();
      } catch (err) {
        $("jobs-error").dataset.from = "list";
        fill($("jobs-error"), problemBox(err));
      }
      // Poll fast while a job runs, slowly otherwise; not at all while hidden.
      const busy = jobs && jobs.some(active);
      timer = setTimeout(() => { if (!document.hidden) refresh(); else timer = setTimeout(refresh, 5000); }, busy ? 700 : 5000);
    }
    document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
    refresh();
  }

  // ============================================================ sources page
  function initSources() {
    let timer = null;
    const breakerCls = { closed: "good", half_open: "warn", open: "bad" };
    function mix(recent) {
      const counts = (recent && recent.counts) || {};
      const keys = Object.keys(STATUS_LABEL).filter((k) => counts[k]);
      const total = keys.reduce((a, k) => a + counts[k], 0);
      if (!total) return h("span", { class: "muted small-text", text: "no calls" });
      return h("div", {},
        h("div", { class: "mixbar", "aria-hidden": "true" }, keys.map((k) => h("span", { class: "m-" + k, vars: { "--n": counts[k] } }))),
        h("div", { class: "mixtext", text: keys.map((k) => counts[k] + " " + STATUS_LABEL[k]).join(" · ") }));
    }
    async function refresh() {
      clearTimeout(timer);
      try {
        const srcs = (await (await call("GET", "v1/sources")).json()).sources || [];
        fill($("sources-error"));
        if (srcs[0] && srcs[0].recent) $("window").textContent = duration(srcs[0].recent.window_s);
        fill($("sources-table"), h("table", { class: "list", id: "sources-list-table" },
          h("caption", { class: "sr-only", text: "Every source with its limits, breaker and recent calls" }),
          h("thead", {}, h("tr", {}, ["Source", "Inputs", "Rate limit", "Timeout", "Breaker", "Recent calls", "State"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, srcs.map((s) => h("tr", { "data-source": s.name },
            h("td", {}, h("b", { text: s.name }), h("div", { class: "small-text muted", text: s.description })),
            h("td", { text: (s.inputs || []).join(", ") }),
            h("td", { class: "n" }, s.network ? fmtNum(s.rate_per_s, 2) + "/s" : "offline", s.network ? h("div", { class: "small-text muted", text: "burst " + s.burst }) : null),
            h("td", { class: "n", text: fmtInt(s.timeout_ms) + " ms" }),
            h("td", {}, h("span", { class: "pill " + (breakerCls[s.breaker.state] || "neutral"), "data-breaker": s.breaker.state, text: s.breaker.state.replace("_", " ") }),
              h("div", { class: "small-text muted", text: s.breaker.failures + " failures → open " + duration(s.breaker.open_for_ms / 1000) })),
            h("td", {}, mix(s.recent)),
            h("td", {}, s.enabled ? h("span", { class: "pill good", text: "enabled" }) : h("span", {}, h("span", { class: "pill neutral", text: "disabled" }),
              h("div", { class: "small-text muted", text: s.disabled_reason || "" }))))))));
        $("sources-updated").textContent = "updated " + new Date().toLocaleTimeString();
      } catch (err) {
        fill($("sources-error"), problemBox(err));
      }
      timer = setTimeout(() => { if (!document.hidden) refresh(); else timer = setTimeout(refresh, 5000); }, 5000);
    }
    $("sources-refresh").addEventListener("click", refresh);
    refresh();
  }

  initKey();
  if (page === "lookup") initLookup();
  else if (page === "batch") initBatch();
  else if (page === "sources") initSources();
})();
