package sim

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startDNS serves s's DNS on a real UDP socket and returns its address.
func startDNS(t *testing.T, s *Sim) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeDNS(ctx, pc) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("ServeDNS: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Error("ServeDNS did not return after cancel")
		}
		pc.Close()
	})
	return pc.LocalAddr().String()
}

func query(t *testing.T, addr, name string, qtype uint16) *dns.Msg {
	t.Helper()
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	m.SetEdns0(1232, false)
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("query %s %s: %v", name, dns.TypeToString[qtype], err)
	}
	return r
}

func TestDNS(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 1, People: 300})
	addr := startDNS(t, s)

	r := query(t, addr, "gmail.com", dns.TypeMX)
	if r.Rcode != dns.RcodeSuccess || len(r.Answer) == 0 {
		t.Fatalf("gmail MX: %v", r)
	}
	if mx := r.Answer[0].(*dns.MX); !strings.HasSuffix(mx.Mx, "google.com.") {
		t.Fatalf("gmail MX = %v", mx)
	}
	if r := query(t, addr, "mailinator.com", dns.TypeMX); len(r.Answer) == 0 {
		t.Fatal("disposable domain without MX")
	}
	txt := query(t, addr, "gmail.com", dns.TypeTXT)
	if len(txt.Answer) == 0 || !strings.HasPrefix(strings.Join(txt.Answer[0].(*dns.TXT).Txt, ""), "v=spf1") {
		t.Fatalf("gmail SPF: %v", txt)
	}
	if r := query(t, addr, "_dmarc.yahoo.com", dns.TypeTXT); len(r.Answer) == 0 || !strings.HasPrefix(r.Answer[0].(*dns.TXT).Txt[0], "v=DMARC1") {
		t.Fatalf("yahoo DMARC: %v", r)
	}
	if r := query(t, addr, "no-such-domain-zz.com", dns.TypeMX); r.Rcode != dns.RcodeNameError {
		t.Fatalf("unknown domain rcode = %s", dns.RcodeToString[r.Rcode])
	}
	var nullMX, noMX, withMX *domainInfo
	for _, d := range s.w.domains {
		switch {
		case d.kind == "free" || d.kind == "disposable":
		case d.nullMX && (nullMX == nil || d.name < nullMX.name):
			nullMX = d
		case len(d.mx) == 0 && (noMX == nil || d.name < noMX.name):
			noMX = d
		case len(d.mx) > 0 && !d.nullMX && d.dmarc != "" && (withMX == nil || d.name < withMX.name):
			withMX = d
		}
	}
	if nullMX == nil || noMX == nil || withMX == nil {
		t.Fatal("population lacks null-MX, no-MX or MX domains")
	}
	if r := query(t, addr, nullMX.name, dns.TypeMX); len(r.Answer) != 1 || r.Answer[0].(*dns.MX).Mx != "." || r.Answer[0].(*dns.MX).Preference != 0 {
		t.Fatalf("null MX: %v", r)
	}
	if r := query(t, addr, noMX.name, dns.TypeMX); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 || len(r.Ns) == 0 {
		t.Fatalf("no MX (NODATA): %v", r)
	}
	if r := query(t, addr, noMX.name, dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("A: %v", r)
	}
	if r := query(t, addr, "_dmarc."+withMX.name, dns.TypeTXT); len(r.Answer) != 1 {
		t.Fatalf("company DMARC: %v", r)
	}
	if r := query(t, addr, withMX.mx[0].host, dns.TypeA); len(r.Answer) != 1 {
		t.Fatalf("MX host A: %v", r)
	}
	if st := s.Stats()[srcDNS]; st.Requests < 10 {
		t.Fatalf("dns stats = %+v", st)
	}

	// Faults: error_rate → SERVFAIL, rate limit → REFUSED.
	if err := s.SetFault(Fault{Source: srcDNS, ErrorRate: 1}); err != nil {
		t.Fatal(err)
	}
	if r := query(t, addr, "gmail.com", dns.TypeMX); r.Rcode != dns.RcodeServerFailure {
		t.Fatalf("with error_rate 1: %s", dns.RcodeToString[r.Rcode])
	}
	s.ClearFaults(srcDNS)
	if r := query(t, addr, "gmail.com", dns.TypeMX); r.Rcode != dns.RcodeSuccess {
		t.Fatalf("after clear: %s", dns.RcodeToString[r.Rcode])
	}
}

func post(t *testing.T, h http.Handler, url, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func del(t *testing.T, h http.Handler, url string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, url, nil))
	return rec
}

func TestFaults(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 2, People: 50})
	h := s.Handler()
	const gh = "/api.github.com/users/nobody-zz"

	// Rate limit: a bucket of one token, refilled at 0.5/s.
	if rec := post(t, h, "/_sim/faults", `{"source":"github","rate_limit_rps":0.5}`); rec.Code != 200 {
		t.Fatalf("POST fault: %d %s", rec.Code, rec.Body.String())
	}
	if rec := get(t, h, gh); rec.Code != 404 {
		t.Fatalf("first request: %d", rec.Code)
	}
	rec := get(t, h, gh)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("second request: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	st := decode[map[string]struct{ Requests, Throttled, Errors int }](t, get(t, h, "/_sim/stats"))
	if st[srcGitHub].Throttled != 1 || st[srcGitHub].Requests != 2 {
		t.Fatalf("stats after throttling = %+v", st[srcGitHub])
	}
	// Other sources are unaffected.
	if rec := get(t, h, "/dev.to/api/users/by_username?url=nobody"); rec.Code != 404 {
		t.Fatalf("devto under github fault: %d", rec.Code)
	}

	// error_rate 1 with the default and an explicit status.
	post(t, h, "/_sim/faults", `{"source":"reddit","error_rate":1}`)
	if rec := get(t, h, "/www.reddit.com/user/x/about.json"); rec.Code != 503 {
		t.Fatalf("error_rate 1: %d", rec.Code)
	}
	post(t, h, "/_sim/faults", `{"source":"reddit","error_rate":1,"error_status":500}`)
	if rec := get(t, h, "/www.reddit.com/user/x/about.json"); rec.Code != 500 {
		t.Fatalf("error_status 500: %d", rec.Code)
	}
	if s.Stats()[srcReddit].Errors != 2 {
		t.Fatalf("reddit errors = %+v", s.Stats()[srcReddit])
	}

	// Bot wall.
	post(t, h, "/_sim/faults", `{"source":"keybase","bot_wall":true}`)
	rec = get(t, h, "/keybase.io/_/api/1.0/user/lookup.json?usernames=x")
	if rec.Code != 403 || rec.Header().Get("cf-mitigated") != "challenge" || !strings.Contains(rec.Body.String(), "Just a moment...") {
		t.Fatalf("bot wall: %d %v", rec.Code, rec.Header())
	}

	// Latency with jitter.
	post(t, h, "/_sim/faults", `{"source":"devto","latency_ms":120,"jitter_ms":30}`)
	start := time.Now()
	get(t, h, "/dev.to/api/users/by_username?url=nobody")
	if el := time.Since(start); el < 120*time.Millisecond || el > 2*time.Second {
		t.Fatalf("latency: %v", el)
	}

	// Hang: held until the client goes away.
	post(t, h, "/_sim/faults", `{"source":"gitlab","hang":true}`)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/gitlab.com/api/v4/users?username=x", nil).WithContext(ctx)
	start = time.Now()
	h.ServeHTTP(httptest.NewRecorder(), req)
	if el := time.Since(start); el < 100*time.Millisecond {
		t.Fatalf("hang returned after %v", el)
	}

	// Validation.
	for _, bad := range []string{`{"source":"nope"}`, `{"source":"github","error_rate":2}`, `{"source":"github","bogus":1}`, `not json`} {
		if rec := post(t, h, "/_sim/faults", bad); rec.Code != 400 {
			t.Errorf("POST %s: %d", bad, rec.Code)
		}
	}

	// DELETE one, then all.
	if rec := del(t, h, "/_sim/faults?source=keybase"); rec.Code != 200 {
		t.Fatalf("DELETE one: %d", rec.Code)
	}
	if rec := get(t, h, "/keybase.io/_/api/1.0/user/lookup.json?usernames=x"); rec.Code != 200 {
		t.Fatalf("keybase after DELETE: %d", rec.Code)
	}
	if rec := get(t, h, "/www.reddit.com/user/x/about.json"); rec.Code != 500 {
		t.Fatalf("reddit fault removed by another source's DELETE: %d", rec.Code)
	}
	del(t, h, "/_sim/faults")
	if len(s.Faults()) != 0 {
		t.Fatalf("faults after DELETE all: %+v", s.Faults())
	}
	if rec := get(t, h, "/www.reddit.com/user/x/about.json"); rec.Code != 404 {
		t.Fatalf("reddit after DELETE all: %d", rec.Code)
	}
	if rec := get(t, h, gh); rec.Code != 404 {
		t.Fatalf("github after DELETE all: %d", rec.Code)
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	s := New(Config{Seed: 4, People: 30})
	ln, pc, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if ln.Addr().(*net.TCPAddr).Port != pc.LocalAddr().(*net.UDPAddr).Port {
		t.Fatalf("TCP %v and UDP %v on different ports", ln.Addr(), pc.LocalAddr())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, pc) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/_sim/people?n=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), s.People()[0].Email) {
		t.Fatalf("people over TCP: %d %s", resp.StatusCode, b)
	}
	if r := query(t, pc.LocalAddr().String(), "gmail.com", dns.TypeMX); len(r.Answer) == 0 {
		t.Fatal("no DNS answer on the shared port")
	}

	// A hung request is released by shutdown.
	if err := s.SetFault(Fault{Source: srcHackerNews, Hang: true}); err != nil {
		t.Fatal(err)
	}
	hung := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "/hacker-news.firebaseio.com/v0/user/x.json")
		if err == nil {
			resp.Body.Close()
		}
		hung <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	select {
	case <-hung:
	case <-time.After(5 * time.Second):
		t.Fatal("hung request not released")
	}
	if _, err := http.Get(base + "/_sim/stats"); err == nil || errors.Is(err, context.Canceled) {
		t.Fatal("server still answering after shutdown")
	}
}
