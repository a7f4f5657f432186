package sim

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// ServeDNS answers DNS queries read from pc until ctx is done. It does not
// close pc (it stops by setting a past read deadline on it). Faults set for "dns" apply: latency, hang (no answer),
// rate_limit_rps (REFUSED), error_rate (SERVFAIL).
func (s *Sim) ServeDNS(ctx context.Context, pc net.PacketConn) error {
	stop := context.AfterFunc(ctx, func() { _ = pc.SetReadDeadline(time.Now()) })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	buf := make([]byte, 65535)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		req := new(dns.Msg)
		if err := req.Unpack(buf[:n]); err != nil || len(req.Question) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp := s.answerDNS(ctx, req); resp != nil {
				if b, err := resp.Pack(); err == nil {
					_, _ = pc.WriteTo(b, addr)
				}
			}
		}()
	}
}

// answerDNS builds the response to req, or nil when no answer is sent.
func (s *Sim) answerDNS(ctx context.Context, req *dns.Msg) *dns.Msg {
	s.count(srcDNS, func(st *SourceStats) { st.Requests++ })
	d := s.decide(srcDNS)
	if d.delay > 0 {
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil
		}
	}
	m := new(dns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	switch {
	case d.hang:
		return nil
	case d.throttled:
		m.Rcode = dns.RcodeRefused
		return m
	case d.errStatus != 0:
		m.Rcode = dns.RcodeServerFailure
		return m
	}
	q := req.Question[0]
	m.Authoritative = true
	name := strings.ToLower(strings.TrimSuffix(q.Name, "."))
	ans, exists := s.records(name, q.Qtype)
	for _, rr := range ans {
		rr.Header().Name = q.Name
		m.Answer = append(m.Answer, rr)
	}
	if !exists {
		m.Rcode = dns.RcodeNameError
	}
	if len(m.Answer) == 0 {
		zone := name
		if i := strings.Index(zone, "."); exists && i >= 0 && s.w.domains[zone] == nil {
			zone = zone[i+1:]
		}
		m.Ns = append(m.Ns, soa(zone))
	}
	size := dns.MinMsgSize
	if o := req.IsEdns0(); o != nil {
		size = int(o.UDPSize())
		m.SetEdns0(o.UDPSize(), false)
	}
	m.Truncate(size)
	return m
}

func soa(zone string) dns.RR {
	return &dns.SOA{
		Hdr: dns.RR_Header{Name: dns.Fqdn(zone), Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: 1800},
		Ns:  "ns1." + dns.Fqdn(zone), Mbox: "hostmaster." + dns.Fqdn(zone),
		Serial: 2026110101, Refresh: 7200, Retry: 3600, Expire: 1209600, Minttl: 3600,
	}
}

// records returns the answers for name/qtype and whether the name exists.
func (s *Sim) records(name string, qtype uint16) ([]dns.RR, bool) {
	hdr := func(t uint16, ttl uint32) dns.RR_Header {
		return dns.RR_Header{Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
	}
	a := func(ip [4]byte) dns.RR {
		return &dns.A{Hdr: hdr(dns.TypeA, 300), A: net.IPv4(ip[0], ip[1], ip[2], ip[3]).To4()}
	}
	txt := func(v string) dns.RR { return &dns.TXT{Hdr: hdr(dns.TypeTXT, 3600), Txt: splitTXT(v)} }
	if dom, ok := strings.CutPrefix(name, "_dmarc."); ok {
		d := s.w.domains[dom]
		if d == nil || d.dmarc == "" {
			return nil, false
		}
		if qtype == dns.TypeTXT || qtype == dns.TypeANY {
			return []dns.RR{txt(d.dmarc)}, true
		}
		return nil, true
	}
	if d := s.w.domains[name]; d != nil {
		var out []dns.RR
		if qtype == dns.TypeA || qtype == dns.TypeANY {
			out = append(out, a(d.ip))
		}
		if qtype == dns.TypeMX || qtype == dns.TypeANY {
			for _, m := range d.mx {
				out = append(out, &dns.MX{Hdr: hdr(dns.TypeMX, 3600), Preference: m.pref, Mx: dns.Fqdn(m.host)})
			}
		}
		if qtype == dns.TypeTXT || qtype == dns.TypeANY {
			if d.spf != "" {
				out = append(out, txt(d.spf))
			}
			for _, t := range d.txt {
				out = append(out, txt(t))
			}
		}
		if qtype == dns.TypeNS || qtype == dns.TypeANY {
			for _, ns := range []string{"ns1.", "ns2."} {
				out = append(out, &dns.NS{Hdr: hdr(dns.TypeNS, 86400), Ns: ns + dns.Fqdn(d.name)})
			}
		}
		return out, true
	}
	if ip, ok := s.w.hosts[name]; ok {
		if qtype == dns.TypeA || qtype == dns.TypeANY {
			return []dns.RR{a(ip)}, true
		}
		return nil, true
	}
	return nil, false
}

// splitTXT splits a TXT value into 255-byte character strings.
func splitTXT(v string) []string {
	var out []string
	for len(v) > 255 {
		out = append(out, v[:255])
		v = v[255:]
	}
	return append(out, v)
}
