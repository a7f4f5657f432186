package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

// clock is a manually advanced clock shared by the engine, the cache and
// the pipeline.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// mapCache is a read-through evidence cache without expiry: enough for
// the engine to remember complete results.
type mapCache struct {
	clk *clock
	mu  sync.Mutex
	m   map[string]mapEntry
}

type mapEntry struct {
	f  *enrichers.Finding
	at time.Time
}

func (c *mapCache) Fetch(ctx context.Context, d enrichers.Description, id enrichers.Identifier, p engine.CachePolicy,
	fetch func(context.Context) (*enrichers.Finding, error)) (*enrichers.Finding, bool, time.Time, error) {
	k := d.Name + "\x00" + string(id.Kind) + "\x00" + id.Value
	now := c.clk.Now()
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && p.Mode != engine.CacheRefresh && !(p.HasMaxAge && (p.MaxAge <= 0 || now.Sub(e.at) > p.MaxAge)) {
		return e.f, true, e.at, nil
	}
	if p.Mode == engine.CacheOnly {
		return nil, false, time.Time{}, engine.ErrCacheMiss
	}
	f, err := fetch(ctx)
	if err != nil {
		return nil, false, time.Time{}, err
	}
	c.mu.Lock()
	c.m[k] = mapEntry{f, now}
	c.mu.Unlock()
	return f, false, now, nil
}

// counted is a network source that counts its calls.
type counted struct {
	name   string
	inputs []enrichers.Kind
	calls  *atomic.Int64
	f      func(enrichers.Identifier) *enrichers.Finding
}

func (s counted) Describe() enrichers.Description {
	return enrichers.Description{Name: s.name, Inputs: s.inputs, Network: true, RatePerS: 1000, Burst: 1000,
		Timeout: time.Second, TTL: time.Hour, NegativeTTL: time.Hour, Version: 1}
}

func (s counted) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	s.calls.Add(1)
	return s.f(id), nil
}

type fastFixture struct {
	svc   *Service
	clk   *clock
	calls *atomic.Int64
}

func newFastFixture(t *testing.T) *fastFixture {
	t.Helper()
	// A minute before midnight UTC, with milliseconds and nanoseconds.
	clk := &clock{now: time.Date(2026, 11, 30, 23, 59, 0, 123_456_789, time.UTC)}
	calls := &atomic.Int64{}
	mail := counted{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, calls: calls, f: func(enrichers.Identifier) *enrichers.Finding {
		return &enrichers.Finding{
			Email: &enrichers.EmailFacts{Valid: true, Domain: "acme.example"},
			Accounts: []enrichers.Account{{Source: "mail", Username: "jdoe", Method: "email_search",
				DisplayName: "Jane <Doe> & \"co\"", Bio: "naïve café\u2028", URL: "https://example.com/?a=1&b=2"}},
		}
	}}
	phone := counted{name: "tel", inputs: []enrichers.Kind{enrichers.KindPhone}, calls: calls, f: func(enrichers.Identifier) *enrichers.Finding {
		return &enrichers.Finding{NotFound: true}
	}}
	reg := engine.NewRegistry()
	reg.Register(mail, phone)
	e, err := engine.New(reg, engine.Options{Cache: &mapCache{clk: clk, m: map[string]mapEntry{}}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &fastFixture{svc: New(e, Config{Now: clk.Now}), clk: clk, calls: calls}
}

func (f *fastFixture) enrich(t *testing.T, in Input) *Profile {
	t.Helper()
	p, err := f.svc.Enrich(t.Context(), in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var fastInput = Input{Email: "Jane.Doe@acme.example", Phone: "+1 415 555 2671", Name: "Jane Doe"}

// reflectionJSON is what the API wrote for a profile before the fast path
// and what any profile must still write: goccy/go-json by reflection, which
// means what encoding/json writes.
func reflectionJSON(t *testing.T, p *Profile) []byte {
	t.Helper()
	b, err := gojson.Marshal((*plainProfile)(p))
	if err != nil {
		t.Fatal(err)
	}
	std, err := json.Marshal((*plainProfile)(p))
	if err != nil {
		t.Fatal(err)
	}
	var x, y any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(std, &y); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("goccy and encoding/json differ:\n%s\n%s", b, std)
	}
	return b
}

// TestFastPathJSONMatchesReflection: a profile from the fast path writes
// what reflection writes for it, as the ages of its evidence grow, and is
// the profile the normal path assembles from the same result.
func TestFastPathJSONMatchesReflection(t *testing.T) {
	f := newFastFixture(t)
	f.enrich(t, fastInput) // fetched; the engine remembers the result
	f.enrich(t, fastInput) // from the memo; the pipeline remembers its profile
	for _, step := range []time.Duration{0, 400 * time.Millisecond, 700 * time.Millisecond, 0, 3 * time.Second} {
		f.clk.Advance(step)
		p := f.enrich(t, fastInput)
		if p.fast == nil {
			t.Fatal("not answered from the fast path")
		}
		got, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if want := reflectionJSON(t, p); !bytes.Equal(got, want) {
			t.Fatalf("after %v:\n got %s\nwant %s", step, got, want)
		}
		// The normal path, from the same remembered result.
		slow := f.svc.assemble(p.fast.req, f.svc.engine.Remembered(p.fast.req.engine))
		if want := reflectionJSON(t, slow); !bytes.Equal(got, want) {
			t.Fatalf("fast and normal paths differ:\n fast %s\n slow %s", got, want)
		}
	}
	if n := f.calls.Load(); n != 2 {
		t.Errorf("%d source calls, want 2 (one per source)", n)
	}
}

// TestFastPathInvalidation: an entry answers only while the engine
// remembers the same result, on the same day, for the same input.
func TestFastPathInvalidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		// change runs between the warm-up and the lookup checked.
		change func(f *fastFixture)
		in     Input
		// fast: answered from the warm entry; calls: source calls by the
		// lookup checked.
		fast  bool
		calls int64
	}{
		{"repeat", func(*fastFixture) {}, fastInput, true, 0},
		{"purge (ForgetMemo)", func(f *fastFixture) { f.svc.engine.ForgetMemo() }, fastInput, false, 0},
		{"memo expired (MemoTTL)", func(f *fastFixture) { f.clk.Advance(engine.MemoTTL) }, fastInput, false, 0},
		{"next UTC day", func(f *fastFixture) { f.clk.Advance(time.Minute) }, fastInput, false, 0},
		{"other input", func(*fastFixture) {}, Input{Email: fastInput.Email, Phone: fastInput.Phone, Name: "Jane  Doe"}, false, 0},
		{"other options", func(*fastFixture) {}, withOptions(Options{MinProbability: ptr(0.0)}), false, 0},
		{"refresh", func(*fastFixture) {}, withOptions(Options{Cache: "refresh"}), false, 2},
		{"max_age 0", func(*fastFixture) {}, withOptions(Options{MaxAgeS: ptr(0)}), false, 2},
		{"max_age older than the evidence", func(f *fastFixture) { f.clk.Advance(30 * time.Second) }, withOptions(Options{MaxAgeS: ptr(10)}), false, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFastFixture(t)
			for range 2 {
				f.enrich(t, fastInput)
				f.enrich(t, tc.in)
			}
			warm := f.svc.fast.get(f.svc.fast.keyOf(fastInput))
			if warm == nil {
				t.Fatal("no entry after two lookups")
			}
			tc.change(f)
			before := f.calls.Load()
			p := f.enrich(t, tc.in)
			if got := p.fast == warm; got != tc.fast {
				t.Errorf("answered from the warm entry = %v, want %v", got, tc.fast)
			}
			if got := f.calls.Load() - before; got != tc.calls {
				t.Errorf("source calls = %d, want %d", got, tc.calls)
			}
			// Whichever path answered, the answer is the normal path's.
			if res := f.svc.engine.Remembered(mustValidate(t, f.svc, tc.in).engine); res != nil && tc.calls == 0 {
				slow := f.svc.assemble(mustValidate(t, f.svc, tc.in), res)
				got, err := p.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				if want := reflectionJSON(t, slow); !bytes.Equal(got, want) {
					t.Errorf("answer differs from the normal path:\n got %s\nwant %s", got, want)
				}
			}
		})
	}
}

func withOptions(o Options) Input {
	in := fastInput
	in.Options = o
	return in
}

func ptr[T any](v T) *T { return &v }

func mustValidate(t *testing.T, s *Service, in Input) *request {
	t.Helper()
	req, err := s.validate(in)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestFastPathConcurrent: concurrent lookups and encodings of one entry
// while the ages change (run with -race).
func TestFastPathConcurrent(t *testing.T) {
	f := newFastFixture(t)
	f.enrich(t, fastInput)
	f.enrich(t, fastInput)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				if g == 0 && i%10 == 0 {
					f.clk.Advance(time.Second)
				}
				p, err := f.svc.Enrich(context.Background(), fastInput)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := p.MarshalJSON()
				if err != nil {
					t.Error(err)
					return
				}
				want, err := gojson.Marshal((*plainProfile)(p))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("concurrent encoding differs: %v\n got %s\nwant %s", err, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestWithheldJSON: a profile that withholds blocks, not from the fast
// path, writes its head, its derived part without the withheld blocks and
// its sources, each as reflection writes it, joined in that order.
func TestWithheldJSON(t *testing.T) {
	f := newFastFixture(t)
	base := f.enrich(t, fastInput)
	for _, withheld := range [][]string{
		{OutputInterests},
		{OutputInterests, OutputInfluence},
		{OutputRisk, OutputVerification},
		AllOutputs,
	} {
		p := *base
		p.fast, p.Withheld, p.Purpose = nil, withheld, "marketing"
		got, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		head, err := gojson.Marshal(profileHead{GeneratedAt: p.GeneratedAt, Simulated: p.Simulated, Complete: p.Complete,
			Purpose: p.Purpose, Suppressed: p.Suppressed, Withheld: p.Withheld, Subject: p.Subject})
		if err != nil {
			t.Fatal(err)
		}
		part, err := gojson.Marshal(p.derivedView())
		if err != nil {
			t.Fatal(err)
		}
		src, err := gojson.Marshal(p.Sources)
		if err != nil {
			t.Fatal(err)
		}
		want := string(head[:len(head)-1]) + "," + string(part[1:len(part)-1]) + `,"sources":` + string(src) + "}"
		if string(got) != want {
			t.Errorf("withheld %v:\n got %s\nwant %s", withheld, got, want)
		}
		for _, o := range withheld {
			if bytes.Contains(got, []byte(`"`+o+`":`)) {
				t.Errorf("withheld %v: %s written", withheld, o)
			}
		}
		var v map[string]any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Fatalf("withheld %v: %v", withheld, err)
		}
	}
}

// inlineSource is an inline source (offline, microseconds) that counts
// its calls.
type inlineSource struct{ calls *atomic.Int64 }

func (s inlineSource) Describe() enrichers.Description {
	return enrichers.Description{Name: "offline", Inputs: []enrichers.Kind{enrichers.KindEmail}, Inline: true, RatePerS: 1000, Burst: 1000,
		Timeout: time.Second, TTL: time.Hour, Version: 1}
}

func (s inlineSource) Enrich(_ context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	s.calls.Add(1)
	return &enrichers.Finding{Email: &enrichers.EmailFacts{Valid: true, Domain: "acme.example"}}, nil
}

// TestInlineOnlyHasNoFastPath: a repeated lookup that selects inline
// sources only is computed again, each time (the engine does not remember
// it, so the fast path holds nothing for it), and answers alike; one
// that selects a network source too is answered from the fast path.
func TestInlineOnlyHasNoFastPath(t *testing.T) {
	for _, tc := range []struct {
		name    string
		options Options
		fast    bool
	}{
		{"inline only", Options{Sources: []string{"offline"}}, false},
		{"inline only (exclusions)", Options{ExcludeSources: []string{"mail"}}, false},
		{"a network source too", Options{Sources: []string{"offline", "mail"}}, true},
		{"every source", Options{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)}
			inline, network := &atomic.Int64{}, &atomic.Int64{}
			mail := counted{name: "mail", inputs: []enrichers.Kind{enrichers.KindEmail}, calls: network, f: func(enrichers.Identifier) *enrichers.Finding {
				return &enrichers.Finding{NotFound: true}
			}}
			reg := engine.NewRegistry()
			reg.Register(inlineSource{calls: inline}, mail)
			e, err := engine.New(reg, engine.Options{Cache: &mapCache{clk: clk, m: map[string]mapEntry{}}, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			f := &fastFixture{svc: New(e, Config{Now: clk.Now}), clk: clk}
			in := Input{Email: "jane@acme.example", Options: tc.options}
			var answers [][]byte
			for range 3 {
				p := f.enrich(t, in)
				answers = append(answers, reflectionJSON(t, p))
			}
			p := f.enrich(t, in)
			if got := p.fast != nil; got != tc.fast {
				t.Fatalf("fourth lookup from the fast path: %v, want %v", got, tc.fast)
			}
			want := int64(4)
			if tc.fast {
				want = 1 // the first lookup; its repeats are remembered
			}
			if n := inline.Load(); n != want {
				t.Fatalf("inline source called %d times, want %d", n, want)
			}
			// Repeats answer alike (the first differs where the
			// network source's answer came from the cache since).
			if !bytes.Equal(answers[2], answers[1]) || !tc.fast && !bytes.Equal(answers[1], answers[0]) {
				t.Fatalf("repeats answer differently:\n%s\n%s\n%s", answers[0], answers[1], answers[2])
			}
		})
	}
}
