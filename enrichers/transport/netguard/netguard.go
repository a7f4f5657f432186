// Package netguard is footprint's SSRF guard for fetches to hosts derived
// from user input (a subject's email domain, a link found on a profile).
//
// It works at two layers:
//
//   - CheckURL and CheckRedirect refuse URLs that obviously aim inward
//     (non-HTTP schemes, credentials, odd ports, private IP literals,
//     numeric or local-only host names) before any I/O;
//   - Dialer resolves the host itself and connects only to public
//     addresses on ports 80 and 443. Because the check runs at dial time,
//     on the address actually connected to, it also covers DNS rebinding
//     and redirects that CheckURL cannot see.
//
// Every refusal is a *Error; callers detect it with errors.As.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error is a refusal by the guard.
type Error struct {
	// Host is the host (name or literal) that was refused.
	Host string
	// Addr is the offending resolved address, when the refusal is about one.
	Addr string
	// Reason says why, e.g. "loopback address" or "port 8080 not allowed".
	Reason string
}

// Error is the refusal as a client may read it: the host it named and, for
// an address the guard will not reach, only "non-public address" — never
// the address a name resolved to or which range it is in (Detail says, for
// the debug log).
func (e *Error) Error() string {
	reason := e.Reason
	if e.Addr != "" && !strings.HasPrefix(reason, "port ") {
		reason = "non-public address"
	}
	return "netguard: refused " + strconv.Quote(e.Host) + ": " + reason
}

// Detail is the refusal with the resolved address and the exact reason, for
// the debug log only.
func (e *Error) Detail() string {
	msg := "netguard: refused " + strconv.Quote(e.Host)
	if e.Addr != "" && e.Addr != e.Host {
		msg += " (" + e.Addr + ")"
	}
	return msg + ": " + e.Reason
}

// IsRefusal reports whether err is, or wraps, a *Error, and returns it.
func IsRefusal(err error) (*Error, bool) {
	var ge *Error
	if errors.As(err, &ge) {
		return ge, true
	}
	return nil, false
}

// Resolver resolves host names; *net.Resolver implements it.
type Resolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Options configures the guard.
type Options struct {
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver Resolver
	// Allow exempts addresses from every check, the port check included.
	// It exists only for the simulated-web upstream and tests; production
	// configuration leaves it empty.
	Allow []netip.Prefix
	// DialTimeout bounds one connection attempt (default 5s).
	DialTimeout time.Duration
	// KeepAlive is the TCP keep-alive period (default 30s).
	KeepAlive time.Duration
}

func (o Options) allowed(a netip.Addr) bool {
	a = a.WithZone("")
	for _, p := range o.Allow {
		if p.Contains(a) || (a.Is4In6() && p.Contains(a.Unmap())) {
			return true
		}
	}
	return false
}

// MaxRedirects is how many redirects CheckRedirect follows.
const MaxRedirects = 5

// allowedPort reports whether a port may be connected to.
func allowedPort(p string) bool { return p == "80" || p == "443" }

// Dialer returns a DialContext for http.Transport that connects only to
// allowed addresses: it resolves the host itself, drops every disallowed
// address (see Disallowed), and refuses with a *Error when none is left or
// the port is not 80/443. Addresses inside opts.Allow are exempt.
func Dialer(opts Options) func(ctx context.Context, network, addr string) (net.Conn, error) {
	res := opts.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	d := &net.Dialer{Timeout: opts.DialTimeout, KeepAlive: opts.KeepAlive}
	if d.Timeout <= 0 {
		d.Timeout = 5 * time.Second
	}
	if d.KeepAlive == 0 {
		d.KeepAlive = 30 * time.Second
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		switch network {
		case "tcp", "tcp4", "tcp6":
		default:
			return nil, &Error{Host: addr, Reason: "network " + strconv.Quote(network) + " not allowed"}
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, &Error{Host: addr, Reason: "malformed address"}
		}
		ips, err := resolve(ctx, res, host, opts)
		if err != nil {
			return nil, err
		}
		var (
			ok    []netip.Addr
			first *Error
		)
		for _, ip := range ips {
			if (network == "tcp4" && !ip.Unmap().Is4()) || (network == "tcp6" && ip.Unmap().Is4()) {
				continue
			}
			switch {
			case opts.allowed(ip):
			case !allowedPort(port):
				if first == nil {
					first = &Error{Host: host, Addr: ip.String(), Reason: "port " + port + " not allowed"}
				}
				continue
			default:
				if reason, bad := Disallowed(ip); bad {
					if first == nil {
						first = &Error{Host: host, Addr: ip.String(), Reason: reason}
					}
					continue
				}
			}
			ok = append(ok, ip)
		}
		if len(ok) == 0 {
			if first == nil {
				first = &Error{Host: host, Reason: "no usable address"}
			}
			return nil, first
		}
		var lastErr error
		for _, ip := range ok {
			// Dial the literal: the connection goes exactly where the
			// check looked, with no second resolution.
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
			if err == nil {
				return c, nil
			}
			lastErr = err
			if ctx.Err() != nil {
				break
			}
		}
		return nil, lastErr
	}
}

// resolve returns the host's addresses. A local-only name (localhost, a
// single label, *.internal) is refused without a lookup, unless Allow is
// set and every address it resolves to is exempt (the simulated web at
// "sim:8080" or "localhost:8081").
func resolve(ctx context.Context, res Resolver, host string, opts Options) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	if reason, bad := badName(host); bad {
		refusal := &Error{Host: host, Reason: reason}
		if len(opts.Allow) == 0 {
			return nil, refusal
		}
		ips, err := lookup(ctx, res, host)
		if err != nil || len(ips) == 0 {
			return nil, refusal
		}
		for _, ip := range ips {
			if !opts.allowed(ip) {
				return nil, refusal
			}
		}
		return ips, nil
	}
	return lookup(ctx, res, host)
}

func lookup(ctx context.Context, res Resolver, host string) ([]netip.Addr, error) {
	addrs, err := res.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, 0, len(addrs))
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		// A 4-byte or 16-byte slice of an IPv4 address: normalise to the
		// 4-byte form so the checks see IPv4 rules.
		out = append(out, ip.Unmap().WithZone(a.Zone))
	}
	return out, nil
}

// badName refuses names that only ever mean something inside a network.
func badName(host string) (string, bool) {
	h := strings.TrimRight(strings.ToLower(host), ".")
	switch {
	case h == "":
		return "empty host", true
	case h == "metadata.google.internal" || h == "metadata" || h == "instance-data" || strings.HasSuffix(h, ".metadata.google.internal"):
		return "cloud metadata host", true
	case h == "localhost" || strings.HasSuffix(h, ".localhost"):
		return "localhost", true
	}
	for _, suf := range localSuffixes {
		if strings.HasSuffix(h, "."+suf) || h == suf {
			return "local-only name (." + suf + ")", true
		}
	}
	if !strings.Contains(h, ".") {
		return "single-label host name", true
	}
	if endsInNumber(h) {
		return "numeric host name", true
	}
	return "", false
}

// localSuffixes are names that resolve only inside a network.
var localSuffixes = []string{"local", "internal", "localdomain", "home.arpa", "lan", "intranet", "corp", "arpa"}

// endsInNumber is the WHATWG URL "ends in a number" test: a host whose last
// label is all digits or a 0x hex number is parsed as an IPv4 address by
// browsers and by many resolvers (2130706433, 0177.0.0.1, 0x7f.1).
func endsInNumber(h string) bool {
	labels := strings.Split(h, ".")
	last := labels[len(labels)-1]
	if last == "" && len(labels) > 1 {
		last = labels[len(labels)-2]
	}
	if last == "" {
		return false
	}
	if isDigits(last) {
		return true
	}
	if strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X") {
		rest := last[2:]
		for _, r := range rest {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		return true
	}
	return false
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

type block struct {
	p      netip.Prefix
	reason string
}

func mustBlocks(pairs ...string) []block {
	out := make([]block, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, block{netip.MustParsePrefix(pairs[i]), pairs[i+1]})
	}
	return out
}

// Order matters: the first match gives the reason, so the specific
// metadata addresses come before the ranges that contain them.
var blocked = mustBlocks(
	"169.254.169.254/32", "cloud metadata address",
	"fd00:ec2::254/128", "cloud metadata address",
	"0.0.0.0/8", "\"this network\" address",
	"10.0.0.0/8", "private address",
	"100.64.0.0/10", "carrier-grade NAT address",
	"127.0.0.0/8", "loopback address",
	"169.254.0.0/16", "link-local address",
	"172.16.0.0/12", "private address",
	"192.0.0.0/24", "IETF protocol assignment address",
	"192.0.2.0/24", "documentation address",
	"192.88.99.0/24", "6to4 relay anycast address",
	"192.168.0.0/16", "private address",
	"198.18.0.0/15", "benchmarking address",
	"198.51.100.0/24", "documentation address",
	"203.0.113.0/24", "documentation address",
	"224.0.0.0/4", "multicast address",
	"255.255.255.255/32", "broadcast address",
	"240.0.0.0/4", "reserved address",
	"::/128", "unspecified address",
	"::1/128", "loopback address",
	"::/96", "IPv4-compatible IPv6 address",
	"64:ff9b:1::/48", "local-use NAT64 address",
	"100::/64", "discard-only address",
	"2001::/32", "Teredo address",
	"2001:db8::/32", "documentation address",
	"fc00::/7", "private (unique local) address",
	"fe80::/10", "link-local address",
	"fec0::/10", "site-local address",
	"ff00::/8", "multicast address",
)

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// Disallowed reports whether the guard refuses to connect to ip, and why.
// IPv4-mapped, NAT64 (64:ff9b::/96) and 6to4 (2002::/16) addresses are
// judged by the IPv4 address they embed.
func Disallowed(ip netip.Addr) (reason string, bad bool) {
	if !ip.IsValid() {
		return "invalid address", true
	}
	ip = ip.WithZone("")
	if ip.Is4In6() {
		if r, b := Disallowed(ip.Unmap()); b {
			return "IPv4-mapped " + r, true
		}
		return "", false
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			if r, bad := Disallowed(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); bad {
				return "NAT64 " + r, true
			}
			return "", false
		case sixTo4.Contains(ip):
			if r, bad := Disallowed(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); bad {
				return "6to4 " + r, true
			}
		}
	}
	for _, bl := range blocked {
		if bl.p.Contains(ip) {
			return bl.reason, true
		}
	}
	// Belt and braces for anything the table might miss.
	switch {
	case ip.IsLoopback():
		return "loopback address", true
	case ip.IsPrivate():
		return "private address", true
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local address", true
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast address", true
	case ip.IsUnspecified():
		return "unspecified address", true
	}
	return "", false
}

// CheckURL refuses URLs the guard will not fetch: schemes other than http
// and https, userinfo, ports other than 80/443, disallowed IP literals,
// numeric hosts (2130706433, 0177.0.0.1), single-label names and
// local-only names (localhost, *.local, *.internal, …). It does no I/O;
// names that resolve to disallowed addresses are caught by Dialer.
func CheckURL(u *url.URL) error {
	return checkURL(u, Options{})
}

func checkURL(u *url.URL, opts Options) error {
	if u == nil {
		return &Error{Reason: "no URL"}
	}
	host := u.Host
	if !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https") {
		return &Error{Host: host, Reason: "scheme " + strconv.Quote(u.Scheme) + " not allowed"}
	}
	if u.Opaque != "" {
		return &Error{Host: host, Reason: "opaque URL"}
	}
	if u.User != nil {
		return &Error{Host: host, Reason: "credentials in URL"}
	}
	name := u.Hostname()
	if name == "" {
		return &Error{Host: host, Reason: "empty host"}
	}
	port := u.Port()
	if ip, err := netip.ParseAddr(name); err == nil {
		if opts.allowed(ip) {
			return nil
		}
		if port != "" && !allowedPort(port) {
			return &Error{Host: name, Reason: "port " + port + " not allowed"}
		}
		if reason, bad := Disallowed(ip); bad {
			return &Error{Host: name, Addr: ip.String(), Reason: reason}
		}
		return nil
	}
	if strings.HasPrefix(host, "[") {
		return &Error{Host: host, Reason: "malformed IP literal"}
	}
	if port != "" && !allowedPort(port) {
		return &Error{Host: name, Reason: "port " + port + " not allowed"}
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`\%@/?#[]`, r) {
			return &Error{Host: name, Reason: "invalid character in host"}
		}
	}
	if reason, bad := badName(name); bad {
		return &Error{Host: name, Reason: reason}
	}
	return nil
}

// CheckRedirect is an http.Client CheckRedirect: it applies CheckURL to
// every hop and stops after MaxRedirects redirects.
func CheckRedirect(req *http.Request, via []*http.Request) error {
	return RedirectChecker(Options{})(req, via)
}

// RedirectChecker is CheckRedirect honouring opts.Allow for IP-literal
// hosts (for the simulated-web upstream, whose redirects point back at it).
func RedirectChecker(opts Options) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= MaxRedirects {
			return &Error{Host: req.URL.Host, Reason: fmt.Sprintf("more than %d redirects", MaxRedirects)}
		}
		return checkURL(req.URL, opts)
	}
}
