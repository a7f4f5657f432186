package cache

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

func ptime(t time.Time) *time.Time { return &t }

// shapes is one finding of every shape a source returns.
func shapes() map[string]*enrichers.Finding {
	created := time.Date(2014, 6, 7, 8, 9, 10, 0, time.UTC)
	return map[string]*enrichers.Finding{
		"empty":               {},
		"not_found":           {NotFound: true},
		"not_found_simulated": {NotFound: true, Simulated: true},
		"email": {Email: &enrichers.EmailFacts{Valid: true, Domain: "gmail.com", FreeProvider: true,
			TypoSuggestion: "gmail.com", Reason: "ok"}},
		"email_disposable_role": {Email: &enrichers.EmailFacts{Valid: false, Domain: "mailinator.com",
			Disposable: true, RoleAccount: true}},
		"phone": {Phone: &enrichers.PhoneFacts{Valid: true, Possible: true, E164: "+14155550123",
			National: "(415) 555-0123", International: "+1 415-555-0123", Country: "US", CountryCode: 1,
			Location: "San Francisco, CA", Carrier: "Ünïcode Mobile", LineType: "mobile",
			TimeZones: []string{"America/Los_Angeles"}}},
		"dns": {DNS: &enrichers.DNSFacts{MX: []string{"aspmx.l.google.com.", "alt1.aspmx.l.google.com."},
			HasMX: true, SPF: "v=spf1 include:_spf.google.com ~all", DMARC: "v=DMARC1; p=reject",
			DMARCPolicy: "reject"}},
		"dns_null_mx": {DNS: &enrichers.DNSFacts{MX: []string{}, NullMX: true}},
		"domain": {Domain: &enrichers.DomainFacts{Registered: ptime(time.Date(1997, 9, 15, 4, 0, 0, 0, time.UTC)),
			Expires: ptime(time.Date(2028, 9, 14, 4, 0, 0, 0, time.UTC)), Registrar: "MarkMonitor Inc.", AgeDays: 10000}},
		"company": {Company: &enrichers.CompanyFacts{Name: "Example GmbH", Description: "Wir bauen \"Dinge\" <b>&</b>",
			Language: "de", Industry: "software", Keywords: []string{"go", "redis"},
			SocialLinks: []string{"https://github.com/example"}, URL: "https://example.com"}},
		"breach": {Breach: &enrichers.BreachFacts{Count: 3, FirstBreach: ptime(time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)),
			Names: []string{"Adobe", "LinkedIn", "Dropbox"}}},
		"breach_none": {Breach: &enrichers.BreachFacts{}},
		"image":       {Image: &enrichers.ImageFacts{Hash: 0xfedc_ba98_7654_3210, Mirrored: 1<<63 | 1, Graphic: true, Width: 420, Height: 420}},
		"image_zero":  {Image: &enrichers.ImageFacts{}},
		"accounts": {Accounts: []enrichers.Account{{
			Source: "github", Username: "alice", URL: "https://github.com/alice", DisplayName: "Alice 🦀",
			Bio: "line1\nline2\t\u2028", Location: "Berlin", Company: "@example", JobTitle: "SRE",
			Website: "https://alice.dev", Avatar: "https://avatars.example/u/1", CreatedAt: &created,
			Followers: enrichers.Int64(1234), Following: enrichers.Int64(0), Karma: enrichers.Int64(-5),
			Stars: enrichers.Int64(1 << 40), Repos: enrichers.Int64(42),
			Links: []string{"https://mastodon.social/@alice"}, Tags: []string{"go", "rust"},
			Method: "email_search", Verified: true,
			Match: &enrichers.Match{Probability: 0.8125, Method: "email_search", Evidence: []string{"same email"}},
		}, {Source: "gitlab", Username: "alice2", Method: "linked_from:github"}}},
		"identifiers": {Identifiers: []enrichers.Identifier{
			{Kind: enrichers.KindUsername, Value: "alice", Method: "linked_from:gravatar", Origin: "gravatar", Platform: "reddit", Prior: 0.9},
			{Kind: enrichers.KindDomain, Value: "example.com", Method: "email_domain", Prior: 1},
		}},
		"everything": {Simulated: true,
			Email:   &enrichers.EmailFacts{Valid: true, Domain: "example.com"},
			DNS:     &enrichers.DNSFacts{MX: []string{"mx.example.com."}, HasMX: true},
			Domain:  &enrichers.DomainFacts{AgeDays: 1},
			Company: &enrichers.CompanyFacts{Name: "Example"},
			Breach:  &enrichers.BreachFacts{Count: 1},
			Accounts: []enrichers.Account{{Source: "mastodon", Username: "alice@mastodon.social", Method: "input",
				Followers: enrichers.Int64(7)}},
			Identifiers: []enrichers.Identifier{{Kind: enrichers.KindUsername, Value: "alice", Method: "linked_from:mastodon"}},
		},
	}
}

func TestEntryRoundTrip(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
	for name, f := range shapes() {
		t.Run(name, func(t *testing.T) {
			in := &entry{FetchedAt: at, ExpiresAt: at.Add(time.Hour), StaleUntil: at.Add(90 * time.Minute), Finding: f}
			b, err := in.encode()
			if err != nil {
				t.Fatal(err)
			}
			out, err := decode(b)
			if err != nil {
				t.Fatalf("decode(encode(%s)): %v", name, err)
			}
			if !out.FetchedAt.Equal(in.FetchedAt) || !out.ExpiresAt.Equal(in.ExpiresAt) || !out.StaleUntil.Equal(in.StaleUntil) {
				t.Errorf("times: got %v/%v/%v, want %v/%v/%v", out.FetchedAt, out.ExpiresAt, out.StaleUntil,
					in.FetchedAt, in.ExpiresAt, in.StaleUntil)
			}
			if !reflect.DeepEqual(out.Finding, f) {
				g, _ := json.Marshal(out.Finding)
				w, _ := json.Marshal(f)
				t.Errorf("finding:\n got %s\nwant %s", g, w)
			}
		})
	}
}

// TestRoundTripThroughCache: every shape comes back from the cache (a
// Fetch hit, and L1's bytes decoded) exactly as the source returned it.
func TestRoundTripThroughCache(t *testing.T) {
	c := newTestCache(t, Config{}, nil)
	d := src("shapes")
	for name, want := range shapes() {
		t.Run(name, func(t *testing.T) {
			id := enrichers.Identifier{Kind: enrichers.KindUsername, Value: name, Method: "input"}
			f := &fetcher{f: func(int64) (*enrichers.Finding, error) { return want, nil }}
			if _, cached := mustFetch(t, c, d, id, def, f); cached {
				t.Fatal("first fetch reported cached")
			}
			got, cached := mustFetch(t, c, d, id, def, f)
			if !cached || f.calls.Load() != 1 {
				t.Fatalf("second fetch: cached=%v calls=%d, want a hit", cached, f.calls.Load())
			}
			if got == want {
				t.Error("a hit returned the source's own pointer, not a decoded copy")
			}
			if !reflect.DeepEqual(got, want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(want)
				t.Errorf("finding:\n got %s\nwant %s", g, w)
			}
			peeked, _, ok := c.peek(d, id, def)
			if !ok || !reflect.DeepEqual(peeked, want) {
				t.Errorf("L1 entry = %v, %v", peeked, ok)
			}
		})
	}
}

// corruptions are byte strings decode must reject, built from a valid
// encoding.
func corruptions(t testing.TB) map[string][]byte {
	t.Helper()
	at := t0
	good, err := (&entry{FetchedAt: at, ExpiresAt: at.Add(time.Hour), StaleUntil: at.Add(2 * time.Hour),
		Finding: found(1)}).encode()
	if err != nil {
		t.Fatal(err)
	}
	nf, err := (&entry{FetchedAt: at, ExpiresAt: at.Add(time.Hour), StaleUntil: at.Add(2 * time.Hour),
		Finding: &enrichers.Finding{NotFound: true}}).encode()
	if err != nil {
		t.Fatal(err)
	}
	with := func(b []byte, f func([]byte) []byte) []byte { return f(bytes.Clone(b)) }
	// A version-1 entry: the same header, a JSON body.
	body, _ := json.Marshal(found(1))
	v1 := append(with(good[:headerLen], func(b []byte) []byte { b[0] = 1; return b }), body...)
	return map[string][]byte{
		"version 1 (json)":   v1,
		"json flag, garbage": append(with(good[:headerLen], func(b []byte) []byte { b[1] |= flagJSON; return b }), "{nope"...),
		"unknown flag":       with(good, func(b []byte) []byte { b[1] |= 0x80; return b }),
		"other shape":        with(good, func(b []byte) []byte { b[headerLen] ^= 0xff; return b }),
		"trailing byte":      append(bytes.Clone(good), 0),
		"huge slice length": append(append(bytes.Clone(good[:headerLen+4]), 0, 0, 0, 0, 0, 0, 0),
			0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f),
		"bad varint":        append(bytes.Clone(good[:headerLen+4]), bytes.Repeat([]byte{0xff}, 12)...),
		"bad bool":          with(good, func(b []byte) []byte { b[headerLen+4] = 7; return b }),
		"no body":           good[:headerLen+2],
		"empty":             {},
		"one byte":          {formatVersion},
		"header only":       good[:headerLen],
		"truncated header":  good[:headerLen-3],
		"truncated body":    good[:len(good)-5],
		"old version":       with(good, func(b []byte) []byte { b[0] = 0; return b }),
		"future version":    with(good, func(b []byte) []byte { b[0] = formatVersion + 1; return b }),
		"plain json":        []byte(`{"accounts":[{"source":"github","username":"alice"}]}`),
		"garbage":           []byte("\x01\xff\xfe garbage that is long enough to pass the length check"),
		"body not json":     append(bytes.Clone(good[:headerLen]), "not json at all"...),
		"body wrong type":   append(bytes.Clone(good[:headerLen]), `{"accounts":"alice"}`...),
		"flag says found":   with(nf, func(b []byte) []byte { b[1] = 0; return b }),
		"flag says missing": with(good, func(b []byte) []byte { b[1] = 1; return b }),
		"expires before fetched": with(good, func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[10:], binary.BigEndian.Uint64(b[2:])-1)
			return b
		}),
		"stale before expires": with(good, func(b []byte) []byte {
			binary.BigEndian.PutUint64(b[18:], binary.BigEndian.Uint64(b[10:])-1)
			return b
		}),
	}
}

func TestDecodeRejectsCorrupt(t *testing.T) {
	for name, b := range corruptions(t) {
		t.Run(name, func(t *testing.T) {
			if e, err := decode(b); !errors.Is(err, errCorrupt) {
				t.Fatalf("decode = %+v, %v; want errCorrupt", e, err)
			}
		})
	}
}

// TestKeys: keys are versioned keyed hashes — no raw identifier, stable,
// different per secret, source, version, identifier and provenance.
func TestKeys(t *testing.T) {
	k := newKeyer([]byte("0123456789abcdef"))
	d := src("github")
	base := k.Key(d, email)
	if !strings.HasPrefix(base, keyPrefix) {
		t.Fatalf("key %q lacks prefix %q", base, keyPrefix)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(base, keyPrefix)); err != nil || len(raw) != 32 {
		t.Fatalf("key %q: not a base64 HMAC-SHA256 (%v, %d bytes)", base, err, len(raw))
	}
	if k.Key(d, email) != base {
		t.Fatal("key not stable")
	}
	if got := k.Key(d, enrichers.Identifier{Kind: email.Kind, Value: email.Value, Method: email.Method, Prior: 0.1}); got != base {
		t.Error("key depends on the identifier's prior")
	}
	d2 := d
	d2.Version++
	p2 := email
	p2.Method = "linked_from:gravatar"
	p3 := email
	p3.Platform = "github"
	p4 := email
	p4.Kind = enrichers.KindUsername
	// Field boundaries are delimited: ("ab","c") and ("a","bc") differ.
	s1 := enrichers.Description{Name: "ab", Version: 1}
	s2 := enrichers.Description{Name: "a", Version: 1}
	i1 := enrichers.Identifier{Kind: "c", Value: "x"}
	i2 := enrichers.Identifier{Kind: "bc", Value: "x"}
	for name, other := range map[string]string{
		"secret":   newKeyer([]byte("fedcba9876543210")).Key(d, email),
		"source":   k.Key(src("gitlab"), email),
		"version":  k.Key(d2, email),
		"value":    k.Key(d, phone),
		"method":   k.Key(d, p2),
		"platform": k.Key(d, p3),
		"kind":     k.Key(d, p4),
	} {
		if other == base {
			t.Errorf("key does not change with the %s", name)
		}
	}
	if k.Key(s1, i1) == k.Key(s2, i2) {
		t.Error("key fields are not delimited")
	}
	for _, id := range []enrichers.Identifier{email, phone} {
		key := k.Key(d, id)
		for _, raw := range []string{id.Value, "alice", "example", "4155550123", "0123"} {
			if strings.Contains(strings.ToLower(key), strings.ToLower(raw)) {
				t.Errorf("key %q contains %q", key, raw)
			}
		}
	}
}

// FuzzDecode: decode never panics; what it accepts is well formed and
// re-encodes to an equivalent entry; what it rejects is errCorrupt, and a
// cache holding those bytes treats them as a miss, never an error.
func FuzzDecode(f *testing.F) {
	at := t0
	for _, fd := range shapes() {
		b, err := (&entry{FetchedAt: at, ExpiresAt: at.Add(time.Hour), StaleUntil: at.Add(2 * time.Hour), Finding: fd}).encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range corruptions(f) {
		f.Add(b)
	}
	c := newTestCache(f, Config{L1SizeMB: 1}, nil)
	d := src("fuzz")
	key := c.keys.Key(d, email)
	only := engine.CachePolicy{Mode: engine.CacheOnly}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decode(b)
		if err != nil {
			if !errors.Is(err, errCorrupt) {
				t.Fatalf("decode error %v is not errCorrupt", err)
			}
		} else {
			if e.Finding == nil || e.ExpiresAt.Before(e.FetchedAt) || e.StaleUntil.Before(e.ExpiresAt) {
				t.Fatalf("decode accepted a malformed entry: %+v", e)
			}
			b2, err := e.encode()
			if err != nil {
				t.Fatalf("re-encode: %v", err)
			}
			e2, err := decode(b2)
			if err != nil {
				t.Fatalf("decode(encode(decode(b))): %v", err)
			}
			j1, _ := json.Marshal(e.Finding)
			j2, _ := json.Marshal(e2.Finding)
			if !bytes.Equal(j1, j2) || !e2.FetchedAt.Equal(e.FetchedAt) || !e2.ExpiresAt.Equal(e.ExpiresAt) || !e2.StaleUntil.Equal(e.StaleUntil) {
				t.Fatalf("round trip changed the entry:\n%s\n%s", j1, j2)
			}
		}
		if err := c.l1.Set(key, b); err != nil {
			return // too big for a 1 MB L1 shard: nothing to read back
		}
		_, _, _, ferr := c.Fetch(t.Context(), d, email, only, func(context.Context) (*enrichers.Finding, error) {
			t.Error("cache-only Fetch called the source")
			return nil, errors.New("unreachable")
		})
		if ferr != nil && !isCacheMiss(ferr) {
			t.Fatalf("Fetch over stored bytes: %v, want a hit or ErrCacheMiss", ferr)
		}
	})
}

// TestJSONFallbackDecodes: entries written with the JSON body (the codec's
// fallback for a Finding it cannot express) decode.
func TestJSONFallbackDecodes(t *testing.T) {
	for name, f := range shapes() {
		body, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := (&entry{FetchedAt: t0, ExpiresAt: t0.Add(time.Hour), StaleUntil: t0.Add(time.Hour), Finding: f}).encode()
		b := append(bytes.Clone(h[:headerLen]), body...)
		b[1] |= flagJSON
		e, err := decode(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if jsonOf(e.Finding) != jsonOf(f) {
			t.Errorf("%s: got %s, want %s", name, jsonOf(e.Finding), jsonOf(f))
		}
	}
}

// TestCodecCoversFinding: the binary codec expresses every field of
// enrichers.Finding (no JSON fallback), and a Finding with every field set
// — filled by reflection, so a field added later is covered too — comes
// back equal.
func TestCodecCoversFinding(t *testing.T) {
	if findingPlanErr != nil {
		t.Fatalf("the codec cannot express enrichers.Finding (entries fall back to JSON): %v", findingPlanErr)
	}
	for seed := range 3 {
		var f enrichers.Finding
		fill(reflect.ValueOf(&f).Elem(), seed)
		f.NotFound = seed == 1
		in := &entry{FetchedAt: t0, ExpiresAt: t0.Add(time.Hour), StaleUntil: t0.Add(time.Hour), Finding: &f}
		b, err := in.encode()
		if err != nil {
			t.Fatal(err)
		}
		out, err := decode(b)
		if err != nil {
			t.Fatal(err)
		}
		want := f
		for i := range want.Accounts {
			want.Accounts[i].Via = enrichers.Identifier{} // json:"-": not cached
			want.Accounts[i].Photo = nil
		}
		if !reflect.DeepEqual(out.Finding, &want) {
			t.Errorf("seed %d:\n got %s\nwant %s", seed, jsonOf(out.Finding), jsonOf(&want))
		}
	}
	var other struct{ A, B string }
	var sig strings.Builder
	if _, err := plan(reflect.TypeOf(other), &sig, map[reflect.Type]bool{}); err != nil {
		t.Fatal(err)
	}
	type rec struct{ Next *rec }
	if _, err := plan(reflect.TypeFor[rec](), &sig, map[reflect.Type]bool{}); err == nil {
		t.Error("plan accepted a recursive type")
	}
	if _, err := plan(reflect.TypeFor[map[string]int](), &sig, map[reflect.Type]bool{}); err == nil {
		t.Error("plan accepted a map")
	}
}

// fill sets every exported field of v to a non-zero value derived from seed.
func fill(v reflect.Value, seed int) {
	if v.Type() == reflect.TypeFor[time.Time]() {
		loc := time.FixedZone("", (seed+1)*3600)
		v.Set(reflect.ValueOf(time.Date(2000+seed, 2, 3, 4, 5, 6, 7+seed, loc)))
		return
	}
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.String:
		v.SetString("s" + strings.Repeat("é", seed+1) + "\x00" + v.Type().Name())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(-1-seed) << (4 * seed))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(^uint32(seed)) << (8 * seed)) // high bits set: no varint shortcut
	case reflect.Float32, reflect.Float64:
		v.SetFloat(0.1 + float64(seed))
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), seed)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), seed+1, seed+1)
		for i := range s.Len() {
			fill(s.Index(i), seed+i)
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed)
			}
		}
	}
}
