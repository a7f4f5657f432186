package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// consoleShots, when set, is where TestConsoleBrowser writes its
// screenshots (docs/img keeps two of them:
// go test ./cmd/footprint -run TestConsoleBrowser -args -console-shots=../../docs/img).
var consoleShots = flag.String("console-shots", "", "write the console's screenshots to this folder (default: the test's temp folder)")

// chromiumPath finds Debian's chromium (or another Chromium build).
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserErrors collects what the page reports as broken: uncaught
// exceptions, console.error calls and the browser's own error entries
// (a CSP violation, a failed load — such as any request that is not to
// this server, which the dead proxy below refuses).
type browserErrors struct {
	mu     sync.Mutex
	errs   []string
	ignore func(string) bool
}

func (b *browserErrors) add(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ignore != nil && b.ignore(s) {
		return
	}
	b.errs = append(b.errs, s)
}

func (b *browserErrors) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	e := b.errs
	b.errs = nil
	return e
}

func (b *browserErrors) setIgnore(f func(string) bool) {
	b.mu.Lock()
	b.ignore = f
	b.mu.Unlock()
}

// TestConsoleBrowser drives /console of a `serve --demo` in headless
// Chromium: a lookup from the form and from a deep link renders accounts,
// interests, influence, risk and a chip for every source; complete:false
// is flagged; a 401 problem is shown and the API key travels as a Bearer
// header, never in the URL; a CSV upload runs to completion with its
// progress updating, pauses and resumes, and its results download; the
// sources page lists every source; axe-core finds no serious or critical
// violation on any page. It writes a screenshot of each page. It skips
// only when no Chromium is installed (CI installs Debian's chromium).
func TestConsoleBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("no chromium found (apt-get install -y chromium): the console's browser test needs it")
	}
	axeJS, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	shots := *consoleShots
	if shots == "" {
		shots = t.TempDir()
	}

	// The demo's population, as the server generates it (same seed and
	// size as startDemo), to pick subjects with accounts; drawn while the
	// server starts.
	start := time.Now()
	drawn := make(chan []sim.Person, 1)
	go func() { drawn <- sim.New(sim.Config{Seed: 1, People: 1000}).People() }()
	base, simURL := startConsoleServer(t)
	sources := getSources(t, base)
	people := <-drawn
	slices.SortStableFunc(people, func(a, b sim.Person) int { return len(b.Truth.Accounts) - len(a.Truth.Accounts) })
	formSubject, linkSubject, partialSubject := people[0], people[1], people[2]
	t.Logf("serve --demo ready and the population drawn in %v", time.Since(start).Round(time.Millisecond))

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		// Every request that is not to loopback goes to a closed port: a
		// CDN, a web font or an avatar would fail and be reported below.
		chromedp.ProxyServer("http://127.0.0.1:9"),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	// The first Run starts the browser: no timeout on that context.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	errs := &browserErrors{}
	if err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			errs.add("exception: " + e.ExceptionDetails.Text + describeException(e.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				errs.add("console.error: " + strings.Join(parts, " "))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				errs.add("log " + string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL)
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	noErrors := func(t *testing.T) {
		t.Helper()
		for _, e := range errs.take() {
			t.Errorf("browser reported: %s", e)
		}
	}
	step := func(t *testing.T, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, d)
		defer scancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			t.Fatalf("%v\npage text:\n%.2000s", err, pageText(ctx))
		}
	}
	shoot := func(t *testing.T, name string) {
		t.Helper()
		sctx, scancel := context.WithTimeout(ctx, 20*time.Second)
		defer scancel()
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		p := filepath.Join(shots, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s (%d bytes)", p, len(png))
	}
	axe := func(t *testing.T) {
		t.Helper()
		// Open every folded part so that it is checked too.
		evalJS[bool](t, ctx, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		if !evalJS[bool](t, ctx, `typeof axe === "object"`) {
			evalJS[bool](t, ctx, string(axeJS)+"\n;true")
		}
		res := evalJS[[]axeViolation](t, ctx, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations.map(v => ({
			id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))`)
		for _, v := range res {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("axe: %s (%s): %s at %v", v.ID, v.Impact, v.Help, v.Nodes)
			} else {
				t.Logf("axe (%s, allowed): %s: %s at %v", v.Impact, v.ID, v.Help, v.Nodes)
			}
		}
	}
	// profileRendered waits for a profile of subject and checks every part.
	profileRendered := func(t *testing.T, subject sim.Person) {
		t.Helper()
		step(t, 30*time.Second, until(`document.querySelector("#panel-profile #sources") !== null`))
		var p struct {
			Complete bool `json:"complete"`
			Accounts []struct {
				Source   string `json:"source"`
				Username string `json:"username"`
			} `json:"accounts"`
			Interests []json.RawMessage `json:"interests"`
			Sources   []struct {
				Name, Status string
			} `json:"sources"`
		}
		if err := json.Unmarshal([]byte(evalJS[string](t, ctx, `document.getElementById("raw-json").textContent`)), &p); err != nil {
			t.Fatalf("raw JSON tab: %v", err)
		}
		if len(p.Accounts) == 0 || len(p.Interests) == 0 {
			t.Fatalf("the demo found no account or no interest for the subject: pick another (%d accounts, %d interests)", len(p.Accounts), len(p.Interests))
		}
		cards := evalJS[int](t, ctx, `document.querySelectorAll("#accounts article.account").length`)
		if cards != len(p.Accounts) {
			t.Errorf("%d account cards, want one per account (%d)", cards, len(p.Accounts))
		}
		for _, a := range p.Accounts {
			if !evalJS[bool](t, ctx, fmt.Sprintf(`[...document.querySelectorAll("#accounts article.account")].some(c => c.dataset.source === %q && c.textContent.includes(%q))`, a.Source, a.Username)) {
				t.Errorf("no card for account %s/%s", a.Source, a.Username)
			}
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#accounts .avatar").length`); n != cards {
			t.Errorf("%d avatars for %d cards", n, cards)
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#interests li[data-interest] .bar").length`); n != len(p.Interests) {
			t.Errorf("%d interest bars, want %d", n, len(p.Interests))
		}
		for _, sel := range []string{"#influence .big", "#influence .pill", "#risk .verdict", "#h-subject"} {
			if !evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector(%q) !== null && document.querySelector(%q).textContent.trim() !== ""`, sel, sel)) {
				t.Errorf("%s is missing or empty", sel)
			}
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#risk ul.reasons li").length`); n == 0 {
			t.Error("risk shows no reason")
		}
		chips := evalJS[map[string]string](t, ctx, `Object.fromEntries([...document.querySelectorAll("#sources li.chip")].map(c => [c.dataset.source, c.dataset.status]))`)
		if len(chips) != len(sources) || len(p.Sources) != len(sources) {
			t.Errorf("%d source chips and %d sources in the profile, want %d", len(chips), len(p.Sources), len(sources))
		}
		for _, s := range p.Sources {
			if chips[s.Name] != s.Status {
				t.Errorf("chip of %s says %q, the profile %q", s.Name, chips[s.Name], s.Status)
			}
		}
		if shown := evalJS[bool](t, ctx, `document.getElementById("partial-warning") !== null`); shown == p.Complete {
			t.Errorf("partial warning shown = %v with complete = %v", shown, p.Complete)
		}
		if want := subject.Email; !evalJS[bool](t, ctx, fmt.Sprintf(`document.querySelector(".subject-line").textContent.includes(%q)`, strings.ToLower(want))) {
			t.Errorf("the subject line does not show %s", want)
		}
	}

	t.Run("lookup from the form", func(t *testing.T) {
		step(t, 20*time.Second,
			// /console itself is the lookup page.
			chromedp.Navigate(base+"/console"),
			chromedp.WaitVisible(chromedp.CSS("#f-email")),
			// The sources list arrives from GET /v1/sources.
			until(`document.querySelectorAll("#sources-list input").length > 0`),
			chromedp.SendKeys(chromedp.CSS("#f-email"), formSubject.Email),
			chromedp.SendKeys(chromedp.CSS("#f-phone"), formSubject.Phone),
			chromedp.SetValue(chromedp.CSS("#f-purpose"), "analytics"),
			chromedp.Click(chromedp.CSS("#lookup-submit")),
		)
		profileRendered(t, formSubject)
		loc := evalJS[string](t, ctx, `location.search`)
		q, _ := url.ParseQuery(strings.TrimPrefix(loc, "?"))
		if q.Get("email") != formSubject.Email || q.Get("phone") != formSubject.Phone || q.Get("purpose") != "analytics" {
			t.Errorf("the URL after a lookup is not its deep link: %s", loc)
		}
		if st := evalJS[string](t, ctx, `document.getElementById("lookup-status").textContent`); !strings.HasPrefix(st, "Profile ready") {
			t.Errorf("status line: %q", st)
		}
		// Candidates are folded away; evidence opens on demand.
		if evalJS[bool](t, ctx, `(() => { const d = document.getElementById("candidates"); return d !== null && d.open; })()`) {
			t.Error("candidates are not folded away")
		}
		step(t, 5*time.Second, chromedp.Click(chromedp.CSS("#accounts article.account details.evidence summary")))
		if !evalJS[bool](t, ctx, `document.querySelector("#accounts article.account details.evidence").open && document.querySelector("#accounts article.account details.evidence li") !== null`) {
			t.Error("an account's evidence does not open")
		}
		// Raw JSON tab, by keyboard: ArrowRight moves to it.
		step(t, 5*time.Second, chromedp.Focus(chromedp.CSS("#tab-profile")), chromedp.KeyEvent(kb.ArrowRight))
		if !evalJS[bool](t, ctx, `!document.getElementById("panel-raw").hidden && document.getElementById("panel-profile").hidden && document.activeElement.id === "tab-raw"`) {
			t.Error("ArrowRight on the Profile tab does not show the raw JSON tab")
		}
		step(t, 5*time.Second, chromedp.Click(chromedp.CSS("#tab-profile")), chromedp.Click(chromedp.CSS("#copy-curl")))
		curl := evalJS[string](t, ctx, `document.getElementById("curl-out").textContent`)
		if !strings.HasPrefix(curl, "curl -sS '"+base+"/v1/enrich'") || !strings.Contains(curl, formSubject.Email) {
			t.Errorf("copy as curl: %q", curl)
		}
		noErrors(t)
		shoot(t, "console-lookup.png")
		axe(t)
	})

	t.Run("lookup from a deep link", func(t *testing.T) {
		link := base + "/console/lookup?" + url.Values{"email": {linkSubject.Email}, "phone": {linkSubject.Phone}, "purpose": {"analytics"}}.Encode()
		step(t, 20*time.Second, chromedp.Navigate(link))
		profileRendered(t, linkSubject)
		if v := evalJS[string](t, ctx, `document.getElementById("f-email").value`); v != linkSubject.Email {
			t.Errorf("the form shows %q, want the link's email", v)
		}
		noErrors(t)
	})

	t.Run("a purpose that withholds outputs says so", func(t *testing.T) {
		link := base + "/console/lookup?" + url.Values{"email": {linkSubject.Email}, "purpose": {"fraud_prevention"}}.Encode()
		step(t, 20*time.Second, chromedp.Navigate(link), until(`document.getElementById("withheld-note") !== null`))
		note := evalJS[string](t, ctx, `document.getElementById("withheld-note").textContent`)
		if !strings.Contains(note, "fraud_prevention") || !strings.Contains(note, "interests") || !strings.Contains(note, "influence") {
			t.Errorf("withheld note: %q", note)
		}
		if evalJS[bool](t, ctx, `document.getElementById("interests") !== null || document.getElementById("influence") !== null`) {
			t.Error("withheld blocks are drawn")
		}
		if !evalJS[bool](t, ctx, `document.getElementById("risk") !== null`) {
			t.Error("the risk block, allowed for fraud_prevention, is not drawn")
		}
		noErrors(t)
	})

	t.Run("partial profile", func(t *testing.T) {
		// A subject not looked up yet, with a 10 ms budget: the network
		// sources cannot all answer.
		step(t, 20*time.Second,
			chromedp.Navigate(base+"/console/lookup"),
			chromedp.WaitVisible(chromedp.CSS("#f-email")),
			chromedp.SendKeys(chromedp.CSS("#f-email"), partialSubject.Email),
			chromedp.SetValue(chromedp.CSS("#f-budget"), "10"),
			chromedp.Click(chromedp.CSS("#lookup-submit")),
			until(`document.querySelector("#panel-profile #sources") !== null`),
		)
		raw := evalJS[string](t, ctx, `document.getElementById("raw-json").textContent`)
		if !strings.Contains(raw, `"complete": false`) {
			t.Fatalf("a first lookup with a 10 ms budget was complete: cannot check the partial warning\n%.500s", raw)
		}
		if !evalJS[bool](t, ctx, `(() => { const w = document.getElementById("partial-warning"); return w !== null && w.getAttribute("role") === "alert" && w.querySelectorAll("li").length > 0; })()`) {
			t.Error("complete:false is not flagged with the unanswered sources")
		}
		if !evalJS[bool](t, ctx, `document.querySelector(".subject-line .pill.bad").textContent === "partial"`) {
			t.Error("no partial badge")
		}
		noErrors(t)
	})

	t.Run("API key and 401", func(t *testing.T) {
		// The server has no keys configured: answer /v1/enrich here with
		// the 401 problem a keyed server sends, and look at the request.
		type seen struct{ url, auth string }
		got := make(chan seen, 1)
		if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*/v1/enrich*"}}}); err != nil {
			t.Fatal(err)
		}
		defer func() { _, _ = chromedp.Call(ctx, fetch.Disable, cdp.Empty{}) }()
		paused := chromedp.Events(ctx, fetch.RequestPaused)
		errs.setIgnore(func(s string) bool { return strings.Contains(s, "401") })
		defer errs.setIgnore(nil)
		const key = "fp_test_0123456789abcdef"
		step(t, 10*time.Second,
			chromedp.Navigate(base+"/console/lookup"),
			chromedp.Click(chromedp.CSS("#keybox summary")),
			// Enter in the field submits the key form.
			chromedp.SendKeys(chromedp.CSS("#api-key"), key+kb.Enter),
			chromedp.SendKeys(chromedp.CSS("#f-email"), formSubject.Email),
			chromedp.Click(chromedp.CSS("#lookup-submit")),
		)
		pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
		defer pcancel()
		for ev, err := range paused {
			if err != nil {
				t.Fatal(err)
			}
			got <- seen{url: ev.Request.URL, auth: headerOf(map[string]any(ev.Request.Headers), "Authorization")}
			body := `{"type":"about:blank","title":"Unauthorized","status":401,"detail":"This server needs an API key.","request_id":"r-401"}`
			if _, err := chromedp.Call(pctx, fetch.FulfillRequest, fetch.FulfillRequestParams{RequestID: ev.RequestID, ResponseCode: 401,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "application/problem+json"}}, Body: []byte(body)}); err != nil {
				t.Fatal(err)
			}
			break
		}
		s := <-got
		if s.auth != "Bearer "+key {
			t.Errorf("Authorization header %q, want the key as a Bearer token", s.auth)
		}
		if strings.Contains(s.url, key) || strings.Contains(evalJS[string](t, ctx, `location.href`), key) {
			t.Error("the API key appears in a URL")
		}
		step(t, 10*time.Second, until(`document.querySelector("#lookup-error [role=alert]") !== null`))
		msg := evalJS[string](t, ctx, `document.getElementById("lookup-error").textContent`)
		if !strings.Contains(msg, "needs an API key") || !strings.Contains(msg, "r-401") {
			t.Errorf("the 401 is not shown clearly: %q", msg)
		}
		if evalJS[string](t, ctx, `sessionStorage.getItem("footprint.apiKey")`) != key {
			t.Error("the key is not in session storage")
		}
		// Forget it again for the next pages.
		step(t, 5*time.Second, chromedp.Click(chromedp.CSS("#keybox summary")), chromedp.Click(chromedp.CSS("#key-clear")))
		if evalJS[bool](t, ctx, `sessionStorage.getItem("footprint.apiKey") !== null`) {
			t.Error("Forget left the key in session storage")
		}
		noErrors(t)
	})

	t.Run("batch job", func(t *testing.T) {
		const rows = 20
		csvPath := filepath.Join(t.TempDir(), "people.csv")
		if err := os.WriteFile(csvPath, []byte(peopleCSV(people[3:3+rows])), 0o644); err != nil {
			t.Fatal(err)
		}
		downloads := t.TempDir()
		if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptrTo(true)}); err != nil {
			t.Fatal(err)
		}
		progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
		step(t, 20*time.Second,
			chromedp.Navigate(base+"/console/batch"),
			chromedp.WaitVisible(chromedp.CSS("#job-file")),
			chromedp.SetUploadFiles(chromedp.CSS("#job-file"), []string{csvPath}),
			chromedp.SetValue(chromedp.CSS("#j-timeout"), "5000"),
			// The sources that answer email and phone (no username
			// rounds) keep the job short on a busy machine.
			chromedp.SendKeys(chromedp.CSS("#j-sources"), "email, phone, dns, rdap, website, gravatar, github"),
			// Record every value the progress takes, to see it move
			// without a reload.
			chromedp.Evaluate[chromedp.Void](`window.__rows = [];
				new MutationObserver(() => { const r = document.getElementById("job-rows"); if (r && window.__rows.at(-1) !== r.textContent) window.__rows.push(r.textContent); })
					.observe(document.getElementById("job-body"), {childList: true, subtree: true, characterData: true}); undefined`),
			chromedp.Click(chromedp.CSS("#job-submit")),
			until(`document.querySelector("#job-title .pill") !== null`),
		)
		if st := evalJS[string](t, ctx, `document.getElementById("file-chosen").textContent`); !strings.Contains(st, "people.csv") {
			t.Errorf("chosen file: %q", st)
		}
		step(t, 120*time.Second, until(`document.querySelector("#job-title .pill").textContent === "succeeded"`))
		opts := evalJS[string](t, ctx, `fetch("../v1/jobs/" + document.querySelector("#job-title code").textContent).then(r => r.json()).then(j => JSON.stringify([j.options.sources, j.options.timeout_ms]))`)
		if opts != `[["email","phone","dns","rdap","website","gravatar","github"],5000]` {
			t.Errorf("the job's options: %s", opts)
		}
		seen := evalJS[[]string](t, ctx, `window.__rows`)
		if final := fmt.Sprintf("%d / %d", rows, rows); len(seen) == 0 || seen[len(seen)-1] != final {
			t.Errorf("progress did not reach %q on the page: %q", final, seen)
		}
		for _, id := range []string{"job-rate", "job-failed", "job-incomplete", "job-eta"} {
			if evalJS[string](t, ctx, fmt.Sprintf(`document.getElementById(%q).textContent`, id)) == "" {
				t.Errorf("#%s is empty", id)
			}
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#jobs-table tbody tr").length`); n < 1 {
			t.Error("the jobs list is empty")
		}
		shoot(t, "console-batch.png")

		// Download the CSV through its link.
		step(t, 10*time.Second, chromedp.Click(chromedp.CSS(`#job-body a.dl[data-format="csv"]`)))
		dctx, dcancel := context.WithTimeout(ctx, 20*time.Second)
		defer dcancel()
		var file string
		for ev, err := range progress {
			if err != nil {
				t.Fatal(err)
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				file = filepath.Join(downloads, ev.GUID)
				break
			}
			if ev.State == browser.DownloadProgressStateCanceled || dctx.Err() != nil {
				t.Fatalf("download %s", ev.State)
			}
		}
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		lines := 0
		for sc.Scan() {
			if lines == 0 && !strings.HasPrefix(sc.Text(), "email,phone,name,crm_id,row,status") {
				t.Errorf("downloaded CSV header: %.200s", sc.Text())
			}
			lines++
		}
		if lines != rows+1 {
			t.Errorf("downloaded CSV has %d lines, want %d", lines, rows+1)
		}
		noErrors(t)
		axe(t)
	})

	t.Run("dropped job: live progress, pause, resume, cancel", func(t *testing.T) {
		// A job too long to end during the test, dropped on the drop
		// zone as a browser would drop a file: its rows ask only reddit,
		// which the simulated web slows to a second an answer, so the job
		// lasts a minute whatever the machine's speed (the demo lifts
		// every rate limit).
		resp, err := http.Post(simURL+"/_sim/faults", "application/json", strings.NewReader(`{"source":"reddit","latency_ms":1000}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("POST /_sim/faults: %s", resp.Status)
		}
		big := peopleCSV(people[3+20:])
		pill := `document.querySelector("#job-title .pill").textContent`
		done := `Number(document.getElementById("job-rows").textContent.split(" / ")[0].replace(/,/g, ""))`
		step(t, 30*time.Second,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
				const dt = new DataTransfer();
				dt.items.add(new File([%q], "dropped.csv", {type: "text/csv"}));
				document.getElementById("dropzone").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			})()`, big)),
			until(`document.getElementById("file-chosen").textContent.startsWith("dropped.csv")`),
			chromedp.SetValue(chromedp.CSS("#j-sources"), "reddit"),
			chromedp.Click(chromedp.CSS("#job-submit")),
			until(`document.querySelector("#job-title code") !== null && document.getElementById("upload-status").textContent.includes(document.querySelector("#job-title code").textContent)`),
			// The page shows rows being done, without a reload.
			until(pill+` === "running" && `+done+` > 0`),
			clickJS(`#job-body button[data-action="pause"]`),
			until(pill+` === "paused"`),
		)
		paused := evalJS[int](t, ctx, done)
		step(t, 30*time.Second,
			clickJS(`#job-body button[data-action="resume"]`),
			until(pill+` === "running" && `+done+` > `+fmt.Sprint(paused)),
			clickJS(`#job-body button[data-action="cancel"]`),
			until(pill+` === "cancelled"`),
		)
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#jobs-table tbody tr").length`); n != 2 {
			t.Errorf("the jobs list has %d jobs, want 2", n)
		}
		if live := evalJS[string](t, ctx, `document.getElementById("job-live").textContent`); !strings.HasPrefix(live, "Job cancelled") {
			t.Errorf("the live region says %q", live)
		}
		noErrors(t)
	})

	t.Run("sources", func(t *testing.T) {
		step(t, 20*time.Second,
			chromedp.Navigate(base+"/console/sources"),
			until(`document.querySelectorAll("#sources-list-table tbody tr").length > 0`),
		)
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#sources-list-table tbody tr").length`); n != len(sources) {
			t.Errorf("%d rows, want %d sources", n, len(sources))
		}
		if n := evalJS[int](t, ctx, `document.querySelectorAll("#sources-list-table [data-breaker]").length`); n != len(sources) {
			t.Errorf("%d breaker states, want %d", n, len(sources))
		}
		// The lookups and the job above called github: its recent mix shows.
		if mix := evalJS[string](t, ctx, `document.querySelector('#sources-list-table tr[data-source="github"] .mixtext').textContent`); !strings.Contains(mix, "not found") && !strings.Contains(mix, "ok") {
			t.Errorf("github's recent status mix: %q", mix)
		}
		noErrors(t)
		shoot(t, "console-sources.png")
		axe(t)
	})
}

// peopleCSV is a job input: one row per person.
func peopleCSV(people []sim.Person) string {
	var b strings.Builder
	b.WriteString("email,phone,name,crm_id\n")
	for i, p := range people {
		fmt.Fprintf(&b, "%s,%s,%s,C-%d\n", p.Email, p.Phone, p.Name, i)
	}
	return b.String()
}

type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

func ptrTo[T any](v T) *T { return &v }

func headerOf(h map[string]any, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			s, _ := v.(string)
			return s
		}
	}
	return ""
}

func describeException(d *runtime.ExceptionDetails) string {
	if d == nil || d.Exception == nil {
		return ""
	}
	return " " + d.Exception.Description
}

// clickJS clicks the element sel matches from the page's script: the job
// controls are rebuilt on every poll, so a node found by one protocol
// command may be gone by the next.
func clickJS(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).click()`, sel))
}

// until waits for a JavaScript predicate to hold, within the step's
// deadline.
func until(predicate string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](predicate, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))
}

// evalJS evaluates expr in the page (awaiting a promise) and decodes it.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ectx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ectx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %.80q: %v", expr, err)
	}
	return v
}

// pageText is the page's visible text, for failure messages.
func pageText(ctx context.Context) string {
	ectx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ectx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// startConsoleServer runs `footprint serve --demo` in-process on a free
// port until the test ends, and returns its base URL once it is ready and
// the base URL of its simulated web (for faults).
func startConsoleServer(t *testing.T) (base, simURL string) {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	logs := &syncBuffer{}
	go func() {
		done <- run(ctx, []string{"serve", "--demo", "--data-dir", t.TempDir(), "--addr", addr}, env{
			stdin: strings.NewReader(""), stdout: io.Discard, stderr: logs,
			// A deployment may let one purpose see every block: the
			// console is tested on all of them under "analytics", and on
			// what the default purpose withholds.
			lookup: func(k string) (string, bool) {
				if k == "FOOTPRINT_PRIVACY_PURPOSES_ANALYTICS_OUTPUTS" {
					return "interests,influence,risk,verification", true
				}
				return "", false
			}})
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d\n%s", code, logs.b.String())
		}
	})
	base = "http://" + addr
	upstream := regexp.MustCompile(`upstream=(127\.0\.0\.1:[0-9]+)`)
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			logs.mu.Lock()
			m := upstream.FindStringSubmatch(logs.b.String())
			logs.mu.Unlock()
			if resp.StatusCode == http.StatusOK && m != nil {
				return base, "http://" + m[1]
			}
		}
		if i == 600 {
			t.Fatalf("serve --demo did not get ready: %v\n%s", err, logs.b.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func getSources(t *testing.T, base string) []string {
	t.Helper()
	resp, err := http.Get(base + "/v1/sources")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l struct {
		Sources []struct {
			Name string `json:"name"`
		} `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range l.Sources {
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		t.Fatal(errors.New("GET /v1/sources listed no source"))
	}
	return names
}
