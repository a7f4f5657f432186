package dns

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"
	"golang.org/x/time/rate"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

// testResolver answers from testdata/zone.db over UDP and TCP, plus a few
// names that misbehave the way real resolvers do.
type testResolver struct {
	addr    string
	records map[string][]mdns.RR // "name/type"
	names   map[string]bool
	tcp     atomic.Int32
}

func startResolver(t *testing.T) *testResolver {
	t.Helper()
	f, err := os.Open("testdata/zone.db")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := &testResolver{records: map[string][]mdns.RR{}, names: map[string]bool{}}
	zp := mdns.NewZoneParser(f, ".", "zone.db")
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		h := rr.Header()
		k := strings.ToLower(h.Name) + "/" + mdns.TypeToString[h.Rrtype]
		r.records[k] = append(r.records[k], rr)
		r.names[strings.ToLower(h.Name)] = true
	}
	if err := zp.Err(); err != nil {
		t.Fatal(err)
	}
	// big.example: enough TXT data to overflow a UDP answer.
	for i := range 30 {
		r.records["big.example./TXT"] = append(r.records["big.example./TXT"],
			&mdns.TXT{Hdr: mdns.RR_Header{Name: "big.example.", Rrtype: mdns.TypeTXT, Class: mdns.ClassINET, Ttl: 60},
				Txt: []string{strings.Repeat(string(rune('a'+i%26)), 120)}})
	}
	r.records["big.example./MX"] = []mdns.RR{&mdns.MX{Hdr: mdns.RR_Header{Name: "big.example.", Rrtype: mdns.TypeMX, Class: mdns.ClassINET, Ttl: 60}, Preference: 10, Mx: "mx.big.example."}}
	r.names["big.example."] = true

	// One free port for both UDP and TCP (truncated answers retry over TCP).
	ln, pc, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = pc.LocalAddr().String()
	udp := &mdns.Server{PacketConn: pc, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, m *mdns.Msg) { r.serve(w, m, false) })}
	tcp := &mdns.Server{Listener: ln, Handler: mdns.HandlerFunc(func(w mdns.ResponseWriter, m *mdns.Msg) { r.serve(w, m, true) })}
	go func() { _ = udp.ActivateAndServe() }()
	go func() { _ = tcp.ActivateAndServe() }()
	t.Cleanup(func() { _ = udp.Shutdown(); _ = tcp.Shutdown() })
	return r
}

func (r *testResolver) serve(w mdns.ResponseWriter, req *mdns.Msg, overTCP bool) {
	if overTCP {
		r.tcp.Add(1)
	}
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	m := new(mdns.Msg)
	m.SetReply(req)
	switch {
	case strings.HasSuffix(name, "hang.example."):
		return // never answers
	case strings.HasSuffix(name, "refused.example."):
		m.Rcode = mdns.RcodeRefused
	case strings.HasSuffix(name, "servfail.example."):
		m.Rcode = mdns.RcodeServerFailure
	default:
		m.Answer = r.records[name+"/"+mdns.TypeToString[q.Qtype]]
		if !r.names[name] {
			m.Rcode = mdns.RcodeNameError
		}
		if !overTCP {
			size := mdns.MinMsgSize
			if o := req.IsEdns0(); o != nil {
				size = int(o.UDPSize())
			}
			m.Truncate(size)
		}
	}
	_ = w.WriteMsg(m)
}

func TestEnrich(t *testing.T) {
	r := startResolver(t)
	src := New(Config{Resolver: r.addr})
	tests := []struct {
		domain   string
		want     *enrichers.DNSFacts
		notFound bool
		status   enrichers.Status
	}{
		{domain: "example-corp.com", want: &enrichers.DNSFacts{
			MX: []string{"aspmx.l.google.com", "alt1.aspmx.l.google.com"}, HasMX: true,
			SPF:   "v=spf1 include:_spf.google.com ~all",
			DMARC: "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example-corp.com; pct=100", DMARCPolicy: "reject"}},
		{domain: "Example-Corp.COM.", want: &enrichers.DNSFacts{
			MX: []string{"aspmx.l.google.com", "alt1.aspmx.l.google.com"}, HasMX: true,
			SPF:   "v=spf1 include:_spf.google.com ~all",
			DMARC: "v=DMARC1; p=reject; rua=mailto:dmarc-reports@example-corp.com; pct=100", DMARCPolicy: "reject"}},
		{domain: "nullmx.example", want: &enrichers.DNSFacts{MX: []string{}, NullMX: true, SPF: "v=spf1 -all",
			DMARC: "v=DMARC1;p=quarantine", DMARCPolicy: "quarantine"}},
		{domain: "afallback.example", want: &enrichers.DNSFacts{MX: []string{}, HasMX: true}},
		{domain: "noaddr.example", want: &enrichers.DNSFacts{MX: []string{}}},
		{domain: "long-spf.example", want: &enrichers.DNSFacts{MX: []string{"mx.long-spf.example"}, HasMX: true,
			SPF: "v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.0/24 ip4:203.0.113.0/24 include:spf.protection.outlook.com include:_spf.salesforce.com include:mail.zendesk.com include:servers.mcsv.net include:sendgrid.net include:mailgun.org include:amazonses.com include:_spf.google.com ~all"}},
		{domain: "does-not-exist.example", want: &enrichers.DNSFacts{MX: []string{}}, notFound: true},
		{domain: "refused.example", status: enrichers.StatusRateLimited},
		{domain: "servfail.example", status: enrichers.StatusError},
		{domain: "hang.example", status: enrichers.StatusTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			f, err := src.Enrich(ctx, enrichers.Identifier{Kind: enrichers.KindDomain, Value: tt.domain})
			if tt.status != "" {
				if got := enrichers.StatusOf(err); got != tt.status {
					t.Fatalf("status %s (%v), want %s", got, err, tt.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.NotFound != tt.notFound {
				t.Errorf("not_found = %v", f.NotFound)
			}
			if got, want := fmtFacts(f.DNS), fmtFacts(tt.want); got != want {
				t.Errorf("facts\n got %s\nwant %s", got, want)
			}
		})
	}
}

func fmtFacts(f *enrichers.DNSFacts) string {
	if f == nil {
		return "<nil>"
	}
	return strings.Join([]string{strings.Join(f.MX, ","), boolS(f.NullMX), boolS(f.HasMX), f.SPF, f.DMARC, f.DMARCPolicy}, " | ")
}

func boolS(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func TestTruncatedAnswerRetriesOverTCP(t *testing.T) {
	r := startResolver(t)
	src := New(Config{Resolver: r.addr})
	f, err := src.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: "big.example"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.DNS.HasMX || r.tcp.Load() == 0 {
		t.Fatalf("has_mx %v after %d TCP queries", f.DNS.HasMX, r.tcp.Load())
	}
}

func TestResolverFromResolvConf(t *testing.T) {
	r := startResolver(t)
	host, _, _ := net.SplitHostPort(r.addr)
	conf := t.TempDir() + "/resolv.conf"
	if err := os.WriteFile(conf, []byte("# test\nnameserver "+host+"\noptions ndots:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	src := New(Config{ResolvConf: conf})
	if err := src.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := src.resolver; got != net.JoinHostPort(host, "53") {
		t.Fatalf("resolver %q", got)
	}
	bad := New(Config{ResolvConf: t.TempDir() + "/missing"})
	_, err := bad.Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindDomain, Value: "x.example"})
	var se *enrichers.SourceError
	if !errors.As(err, &se) || se.Status != enrichers.StatusError {
		t.Fatalf("missing resolv.conf: %v", err)
	}
}

func TestApplies(t *testing.T) {
	src := New(Config{Resolver: "127.0.0.1:1"})
	for v, want := range map[string]bool{"example.com": true, "[127.0.0.1]": false, "127.0.0.1": false, "localhost": false, "::1": false} {
		if ok, why := src.Applies(enrichers.Identifier{Kind: enrichers.KindDomain, Value: v}); ok != want {
			t.Errorf("%s: applies %v (%s)", v, ok, why)
		}
	}
}

func TestDMARCPolicy(t *testing.T) {
	for rec, want := range map[string]string{
		"v=DMARC1; p=reject":                 "reject",
		"v=DMARC1;p=Quarantine;pct=50":       "quarantine",
		"v=DMARC1; sp=reject; p = none ;":    "none",
		"v=DMARC1; rua=mailto:x@example.com": "",
		"v=DMARC1; p=bogus":                  "",
		"":                                   "",
	} {
		if got := DMARCPolicy(rec); got != want {
			t.Errorf("%q: %q, want %q", rec, got, want)
		}
	}
}

func FuzzDMARCPolicy(f *testing.F) {
	f.Add("v=DMARC1; p=reject")
	f.Add(";;=;p=")
	f.Fuzz(func(t *testing.T, s string) {
		switch DMARCPolicy(s) {
		case "", "none", "quarantine", "reject":
		default:
			t.Fatalf("unexpected policy for %q", s)
		}
	})
}

// TestEveryQueryPaysItsToken: the source's limiter takes one token per
// query (three for a domain with MX), and a lookup with no token before
// its deadline is rate_limited, held back locally.
func TestEveryQueryPaysItsToken(t *testing.T) {
	r := startResolver(t)
	lim := transport.NewLimiter(rate.Limit(0.01), 4) // no token comes back during the test
	src := New(Config{Resolver: r.addr, Limiter: lim})
	id := enrichers.Identifier{Kind: enrichers.KindDomain, Value: "example-corp.com"}
	if _, err := src.Enrich(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := lim.Wait(ctx); err != nil {
		t.Fatalf("the fourth token: %v (a lookup took more than its three queries)", err)
	}
	_, err := src.Enrich(ctx, id)
	if enrichers.StatusOf(err) != enrichers.StatusRateLimited || !errors.Is(err, transport.ErrLocalLimit) {
		t.Fatalf("with the bucket empty: %v, want rate_limited by the local limit", err)
	}
}
