package pipeline

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
)

// A profile's JSON is the largest cost of a lookup served from memory (a
// cached subject is answered in tens of microseconds, and encoding two dozen
// source statuses with their timestamps through reflection took a third of
// that). AppendJSON writes exactly what encoding/json writes for a Profile
// (TestAppendJSONMatchesEncodingJSON and FuzzAppendJSON hold it to that),
// faster:
//   - the part derived from the evidence (facts, accounts, scores) is
//     encoded once per remembered result and reused while the engine serves
//     that result (see derived);
//   - the per-request part (generated_at, subject, the sources' ages) is
//     written by hand.

// encodeDerived returns the derived fields' encoding without its braces
// (`"accounts":[...],...,"verification":{...}`).
func encodeDerived(d *Derived) ([]byte, error) {
	b, err := gojson.Marshal(d)
	if err != nil {
		return nil, err
	}
	return b[1 : len(b)-1], nil
}

// encodedDerived is what a remembered result's profiles share of their
// encoding: the derived part, made on first use, and the source statuses up
// to their ages (every repeat served from the memo reports the same
// statuses; only the ages grow), remade whenever a profile's statuses are
// not the remembered ones (the first lookup's fresh statuses, say).
type encodedDerived struct {
	once    sync.Once
	b       []byte
	err     error
	sources atomic.Pointer[encodedSources]
}

type encodedSources struct {
	st       []SourceStatus // AgeS nil
	prefixes [][]byte       // each one's encoding without its age and closing brace
}

func (e *encodedDerived) get(p *Profile) ([]byte, error) {
	e.once.Do(func() { e.b, e.err = encodeDerived(&p.Derived) })
	return e.b, e.err
}

// prefixes returns the encodings of sources up to their ages.
func (e *encodedDerived) prefixes(sources []SourceStatus) ([][]byte, error) {
	if r := e.sources.Load(); r != nil && sameStatuses(r.st, sources) {
		return r.prefixes, nil
	}
	r := &encodedSources{st: make([]SourceStatus, len(sources)), prefixes: make([][]byte, len(sources))}
	var buf []byte
	for i, st := range sources {
		st.AgeS = nil
		if st.FetchedAt != nil {
			at := *st.FetchedAt
			st.FetchedAt = &at
		}
		r.st[i] = st
		start := len(buf)
		var err error
		if buf, err = appendSourcePrefix(buf, &st); err != nil {
			return nil, err
		}
		r.prefixes[i] = buf[start:len(buf):len(buf)]
	}
	e.sources.Store(r)
	return r.prefixes, nil
}

func sameStatuses(a, b []SourceStatus) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.Name != y.Name || x.Status != y.Status || x.LatencyMS != y.LatencyMS || x.Detail != y.Detail || x.Cached != y.Cached ||
			(x.FetchedAt == nil) != (y.FetchedAt == nil) || (x.FetchedAt != nil && !sameInstantAndZone(*x.FetchedAt, *y.FetchedAt)) {
			return false
		}
	}
	return true
}

func sameInstantAndZone(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	return a.Equal(b) && ao == bo
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (p *Profile) MarshalJSON() ([]byte, error) {
	return p.AppendJSON(make([]byte, 0, 4096))
}

// AppendJSON appends p's JSON encoding (what encoding/json writes for it) to
// dst. A Profile returned by Enrich is read-only: it may share its derived
// part, and that part's encoding, with other lookups of the same evidence.
func (p *Profile) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"generated_at":`...)
	var err error
	if dst, err = appendTime(dst, p.GeneratedAt); err != nil {
		return nil, err
	}
	dst = append(dst, `,"simulated":`...)
	dst = strconv.AppendBool(dst, p.Simulated)
	dst = append(dst, `,"complete":`...)
	dst = strconv.AppendBool(dst, p.Complete)
	dst = append(dst, `,"subject":`...)
	sub, err := gojson.Marshal(p.Subject)
	if err != nil {
		return nil, err
	}
	dst = append(dst, sub...)
	var derived []byte
	if p.encoded != nil {
		derived, err = p.encoded.get(p)
	} else {
		derived, err = encodeDerived(&p.Derived)
	}
	if err != nil {
		return nil, err
	}
	dst = append(dst, ',')
	dst = append(dst, derived...)
	dst = append(dst, `,"sources":`...)
	if p.Sources == nil {
		dst = append(dst, "null"...)
	} else {
		var prefixes [][]byte
		if p.encoded != nil {
			if prefixes, err = p.encoded.prefixes(p.Sources); err != nil {
				return nil, err
			}
		}
		dst = append(dst, '[')
		for i := range p.Sources {
			if i > 0 {
				dst = append(dst, ',')
			}
			var prefix []byte
			if prefixes != nil {
				prefix = prefixes[i]
			}
			if dst, err = appendSource(dst, &p.Sources[i], prefix); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

// appendTime appends t as encoding/json writes a time.Time (RFC 3339 with
// nanoseconds, trailing zeros dropped). UTC times, which is all a profile
// holds, are written by hand: time's layout interpreter was the largest cost
// of encoding a cached profile.
func appendTime(dst []byte, t time.Time) ([]byte, error) {
	y, mo, d := t.Date()
	if _, off := t.Zone(); off != 0 || y < 0 || y > 9999 {
		if y < 0 || y > 9999 {
			// encoding/json refuses these; let it say why.
			b, err := gojson.Marshal(t)
			return append(dst, b...), err
		}
		return t.AppendFormat(dst, `"`+time.RFC3339Nano+`"`), nil
	}
	h, mi, sec := t.Clock()
	dst = append(dst, '"')
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(mo), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, h, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, mi, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	if ns := t.Nanosecond(); ns != 0 {
		dst = append(dst, '.')
		n := 9
		for ns%10 == 0 {
			ns /= 10
			n--
		}
		dst = appendDigits(dst, ns, n)
	}
	return append(dst, 'Z', '"'), nil
}

// appendDigits appends v (≥ 0) zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	var buf [9]byte
	for i := width - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, buf[:width]...)
}

// appendString appends s as encoding/json writes a string (HTML-safe
// escaping): plain printable ASCII as is, anything else through the encoder.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := gojson.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendSource appends one SourceStatus; prefix, when not nil, is its
// encoding up to its age.
func appendSource(dst []byte, s *SourceStatus, prefix []byte) ([]byte, error) {
	if prefix != nil {
		dst = append(dst, prefix...)
	} else {
		var err error
		if dst, err = appendSourcePrefix(dst, s); err != nil {
			return nil, err
		}
	}
	if s.AgeS != nil {
		dst = append(dst, `,"age_s":`...)
		dst = strconv.AppendInt(dst, *s.AgeS, 10)
	}
	return append(dst, '}'), nil
}

// appendSourcePrefix appends a SourceStatus up to its age.
func appendSourcePrefix(dst []byte, s *SourceStatus) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = appendString(dst, s.Name)
	dst = append(dst, `,"status":`...)
	dst = appendString(dst, string(s.Status))
	dst = append(dst, `,"latency_ms":`...)
	dst = strconv.AppendInt(dst, s.LatencyMS, 10)
	if s.Detail != "" {
		dst = append(dst, `,"detail":`...)
		dst = appendString(dst, s.Detail)
	}
	dst = append(dst, `,"cached":`...)
	dst = strconv.AppendBool(dst, s.Cached)
	if s.FetchedAt != nil {
		dst = append(dst, `,"fetched_at":`...)
		var err error
		if dst, err = appendTime(dst, *s.FetchedAt); err != nil {
			return nil, err
		}
	}
	return dst, nil
}
