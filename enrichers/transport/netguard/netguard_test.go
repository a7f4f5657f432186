package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDisallowed(t *testing.T) {
	tests := []struct {
		ip  string
		bad bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"::ffff:10.0.0.1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.168.1.1", true},
		{"100.64.0.1", true},
		{"100.127.255.255", true},
		{"169.254.169.254", true},
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fd00::1", true},
		{"fd00:ec2::254", true},
		{"fc00::1", true},
		{"0.0.0.0", true},
		{"0.1.2.3", true},
		{"::", true},
		{"224.0.0.1", true},
		{"ff02::1", true},
		{"255.255.255.255", true},
		{"240.0.0.1", true},
		{"192.0.0.8", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"64:ff9b::7f00:1", true},   // NAT64 of 127.0.0.1
		{"64:ff9b::a00:1", true},    // NAT64 of 10.0.0.1
		{"2002:7f00:1::1", true},    // 6to4 of 127.0.0.1
		{"::127.0.0.1", true},       // IPv4-compatible
		{"2001:db8::1", true},       // documentation
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"8.8.8.8", false},
		{"93.184.216.34", false},
		{"172.32.0.1", false},
		{"100.128.0.1", false},
		{"::ffff:8.8.8.8", false},
		{"2606:4700:4700::1111", false},
		{"2002:808:808::1", false}, // 6to4 of 8.8.8.8
	}
	for _, tt := range tests {
		reason, bad := Disallowed(netip.MustParseAddr(tt.ip))
		if bad != tt.bad {
			t.Errorf("Disallowed(%s) = %v (%q), want %v", tt.ip, bad, reason, tt.bad)
		}
		if bad && reason == "" {
			t.Errorf("Disallowed(%s): no reason", tt.ip)
		}
	}
	if r, _ := Disallowed(netip.MustParseAddr("169.254.169.254")); r != "cloud metadata address" {
		t.Errorf("metadata reason = %q", r)
	}
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw string
		ok  bool
	}{
		{"https://example.com/", true},
		{"http://example.com/path?q=1", true},
		{"https://example.com:443/", true},
		{"http://example.com:80/", true},
		{"https://example.com./", true},
		{"https://8.8.8.8/", true},
		{"https://[2606:4700:4700::1111]/", true},
		{"HTTPS://Example.COM/", true},
		{"https://bücher.de/", true},

		{"https://example.com:8080/", false},
		{"https://example.com:22/", false},
		{"ftp://example.com/", false},
		{"file:///etc/passwd", false},
		{"gopher://example.com/", false},
		{"javascript:alert(1)", false},
		{"http:example.com", false},
		{"https://user:pw@example.com/", false},
		{"https://user@example.com/", false},
		{"https:///path", false},
		{"http://127.0.0.1/", false},
		{"http://127.0.0.1:8080/", false},
		{"http://[::1]/", false},
		{"http://[::ffff:127.0.0.1]/", false},
		{"http://[::ffff:7f00:1]/", false},
		{"http://10.0.0.1/", false},
		{"http://172.16.5.4/", false},
		{"http://192.168.0.1/", false},
		{"http://100.64.0.1/", false},
		{"http://169.254.169.254/latest/meta-data/", false},
		{"http://[fe80::1]/", false},
		{"http://[fe80::1%25eth0]/", false},
		{"http://[fd00::1]/", false},
		{"http://[fd00:ec2::254]/", false},
		{"http://0.0.0.0/", false},
		{"http://2130706433/", false},
		{"http://0177.0.0.1/", false},
		{"http://0x7f.0.0.1/", false},
		{"http://0x7f000001/", false},
		{"http://127.1/", false},
		{"http://017700000001/", false},
		{"http://1.2.3.4.5/", false},
		{"http://localhost/", false},
		{"http://LOCALHOST./", false},
		{"http://foo.localhost/", false},
		{"http://printer.local/", false},
		{"http://metadata.google.internal/computeMetadata/v1/", false},
		{"http://db.internal/", false},
		{"http://intranet/", false},
		{"http://router.home.arpa/", false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.raw)
		if err != nil {
			if tt.ok {
				t.Errorf("url.Parse(%q): %v", tt.raw, err)
			}
			continue
		}
		err = CheckURL(u)
		if (err == nil) != tt.ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", tt.raw, err, tt.ok)
		}
		var ge *Error
		if err != nil && !errors.As(err, &ge) {
			t.Errorf("CheckURL(%q): error %T is not a *Error", tt.raw, err)
		}
	}
	if err := CheckURL(nil); err == nil {
		t.Error("CheckURL(nil) = nil")
	}
}

// fakeResolver answers from a map; unknown names fail like NXDOMAIN.
type fakeResolver map[string][]string

func (f fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ips, ok := f[strings.TrimSuffix(host, ".")]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]net.IPAddr, 0, len(ips))
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

func TestDialerRefuses(t *testing.T) {
	res := fakeResolver{
		"rebind.example":  {"127.0.0.1"},
		"private.example": {"10.0.0.5", "192.168.1.1"},
		"mapped.example":  {"::ffff:169.254.169.254"},
		"nat64.example":   {"64:ff9b::a9fe:a9fe"},
	}
	dial := Dialer(Options{Resolver: res, DialTimeout: time.Second})
	tests := []struct{ addr, reason string }{
		{"rebind.example:443", "loopback"},
		{"private.example:80", "private"},
		{"mapped.example:443", "metadata"},
		{"nat64.example:443", "metadata"},
		{"127.0.0.1:80", "loopback"},
		{"[::1]:443", "loopback"},
		{"169.254.169.254:80", "metadata"},
		{"[fd00:ec2::254]:80", "metadata"},
		{"metadata.google.internal:80", "metadata"},
		{"localhost:443", "localhost"},
		{"8.8.8.8:8080", "port 8080"},
		{"8.8.8.8:22", "port 22"},
	}
	for _, tt := range tests {
		c, err := dial(context.Background(), "tcp", tt.addr)
		if c != nil {
			c.Close()
		}
		var ge *Error
		if !errors.As(err, &ge) {
			t.Errorf("dial %s: err = %v, want *Error", tt.addr, err)
			continue
		}
		if !strings.Contains(ge.Reason, tt.reason) {
			t.Errorf("dial %s: reason %q, want it to mention %q", tt.addr, ge.Reason, tt.reason)
		}
	}
	if _, err := dial(context.Background(), "udp", "8.8.8.8:443"); err == nil {
		t.Error("udp dial allowed")
	}
}

// TestDialerSkipsDisallowed checks that a name with one public and one
// private address only ever connects to the public one.
func TestDialerSkipsDisallowed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	var hits atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			c.Close()
		}
	}()
	// 127.0.0.2 stands in for "public": it is the only allowed address.
	dial := Dialer(Options{
		Resolver: fakeResolver{"mixed.example": {"10.0.0.1", "127.0.0.2"}, "private.example": {"10.0.0.1"}},
		Allow:    []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
	})
	c, err := dial(context.Background(), "tcp", "mixed.example:"+port)
	if err != nil {
		t.Fatalf("dial mixed.example: %v", err)
	}
	if got := c.RemoteAddr().String(); got != "127.0.0.2:"+port {
		t.Errorf("connected to %s", got)
	}
	c.Close()
	if _, err := dial(context.Background(), "tcp", "private.example:"+port); err == nil {
		t.Error("private.example allowed")
	}
}

// listenOn starts an httptest server on a given loopback address.
func listenOn(t *testing.T, addr string, h http.Handler) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// TestRedirectToLoopback: an allowed server (on 127.0.0.2, exempted by
// Allow) redirects to a second server on 127.0.0.1, which is not exempt.
// Both guard layers must refuse on their own, and the second server must
// never be reached.
func TestRedirectToLoopback(t *testing.T) {
	var innerHits atomic.Int32
	inner := listenOn(t, "127.0.0.1:0", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		innerHits.Add(1)
		fmt.Fprint(w, "secret")
	}))
	var target atomic.Value
	outer := listenOn(t, "127.0.0.2:0", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			fmt.Fprint(w, "public")
			return
		}
		http.Redirect(w, r, target.Load().(string), http.StatusFound)
	}))
	_, innerPort, _ := net.SplitHostPort(strings.TrimPrefix(inner.URL, "http://"))
	opts := Options{
		Resolver: fakeResolver{"rebind.example": {"127.0.0.1"}},
		Allow:    []netip.Prefix{netip.MustParsePrefix("127.0.0.2/32")},
	}
	clients := map[string]*http.Client{
		"dialer only": {Transport: &http.Transport{DialContext: Dialer(opts)}, Timeout: 5 * time.Second},
		"redirect check only": {
			Transport:     &http.Transport{},
			CheckRedirect: RedirectChecker(opts), Timeout: 5 * time.Second,
		},
		"both": {
			Transport:     &http.Transport{DialContext: Dialer(opts)},
			CheckRedirect: RedirectChecker(opts), Timeout: 5 * time.Second,
		},
	}
	targets := []string{
		inner.URL + "/",
		"http://127.0.0.1:" + innerPort + "/",
		"http://rebind.example:" + innerPort + "/",
		"http://[::ffff:127.0.0.1]:" + innerPort + "/",
	}
	for name, c := range clients {
		// The allowed server itself is reachable.
		res, err := c.Get(outer.URL + "/ok")
		if err != nil {
			t.Fatalf("%s: allowed server: %v", name, err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "public" {
			t.Fatalf("%s: allowed server said %q", name, b)
		}
		for _, tgt := range targets {
			if name == "redirect check only" && strings.Contains(tgt, "rebind") {
				continue // a name resolving inward is the dialer's job
			}
			target.Store(tgt)
			res, err := c.Get(outer.URL + "/")
			if err == nil {
				res.Body.Close()
				t.Errorf("%s: redirect to %s was followed (HTTP %d)", name, tgt, res.StatusCode)
				continue
			}
			var ge *Error
			if !errors.As(err, &ge) {
				t.Errorf("%s: redirect to %s: err %v is not a *Error", name, tgt, err)
			}
		}
	}
	if n := innerHits.Load(); n != 0 {
		t.Errorf("inner server reached %d times", n)
	}
}

func TestCheckRedirectLimit(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "https://example.com/", nil)
	via := make([]*http.Request, MaxRedirects-1)
	if err := CheckRedirect(req, via); err != nil {
		t.Errorf("%d redirects refused: %v", len(via), err)
	}
	via = append(via, req)
	if err := CheckRedirect(req, via); err == nil {
		t.Errorf("%d redirects allowed", len(via))
	}
	bad := httptest.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if err := CheckRedirect(bad, nil); err == nil {
		t.Error("redirect to 127.0.0.1 allowed")
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://example.com/", "http://127.0.0.1:8080/", "http://[::ffff:127.0.0.1]/", "http://2130706433/",
		"http://0177.0.0.1/", "http://[fe80::1%25eth0]/", "https://a@b.c/", "http://0x7f.1/", "//x", "http://[::1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := url.Parse(s)
		if err != nil {
			return
		}
		err = CheckURL(u)
		if err == nil {
			// Whatever passes must be http(s) with a dotted, non-numeric host
			// on a default port.
			if u.User != nil || (u.Port() != "" && u.Port() != "80" && u.Port() != "443") {
				t.Fatalf("CheckURL(%q) passed", s)
			}
			if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
				if _, bad := Disallowed(ip); bad {
					t.Fatalf("CheckURL(%q) passed a disallowed literal", s)
				}
			}
		}
	})
}

// TestDialerAllowedLocalName: a local-only name is refused unless Allow
// covers every address it resolves to (the simulated web in compose).
func TestDialerAllowedLocalName(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	res := fakeResolver{"sim": {"127.0.0.1"}, "localhost": {"127.0.0.1", "::1"}}
	allow := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	c, err := Dialer(Options{Resolver: res, Allow: allow})(context.Background(), "tcp", "sim:"+port)
	if err != nil {
		t.Fatalf("sim with Allow: %v", err)
	}
	c.Close()
	if _, err := Dialer(Options{Resolver: res})(context.Background(), "tcp", "sim:"+port); err == nil {
		t.Error("sim without Allow: dialed")
	}
	// ::1 is not exempt, so the name as a whole is refused.
	if _, err := Dialer(Options{Resolver: res, Allow: allow})(context.Background(), "tcp", "localhost:"+port); err == nil {
		t.Error("localhost with a non-exempt address: dialed")
	}
}

// TestRefusalTextHidesTheAddress: the refusal a client reads says
// "non-public address", never the address a name resolved to (issue 22);
// Detail keeps it for the debug log.
func TestRefusalTextHidesTheAddress(t *testing.T) {
	dial := Dialer(Options{Resolver: fixedResolver{"127.0.0.1"}})
	_, err := dial(context.Background(), "tcp", "x.example:443")
	ge, ok := IsRefusal(err)
	if !ok {
		t.Fatalf("err %v, want a refusal", err)
	}
	if msg := err.Error(); strings.Contains(msg, "127.0.0.1") || strings.Contains(msg, "loopback") || !strings.Contains(msg, "non-public address") {
		t.Errorf("refusal text %q", msg)
	}
	if d := ge.Detail(); !strings.Contains(d, "127.0.0.1") {
		t.Errorf("Detail %q lacks the address", d)
	}
}

type fixedResolver struct{ ip string }

func (f fixedResolver) LookupIPAddr(context.Context, string) ([]net.IPAddr, error) {
	return []net.IPAddr{{IP: net.ParseIP(f.ip)}}, nil
}
