package pipeline

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring"
)

// plainProfile has Profile's fields and none of its methods: encoded by
// reflection it is the reference AppendJSON is held to — byte for byte to
// goccy/go-json (what the API wrote before AppendJSON, and still writes for
// everything else), in meaning to encoding/json (the two escape \b and \f
// differently).
type plainProfile Profile

func referenceJSON(t testing.TB, p *Profile) []byte {
	t.Helper()
	b, err := gojson.Marshal((*plainProfile)(p))
	if err != nil {
		t.Fatal(err)
	}
	std, err := json.Marshal((*plainProfile)(p))
	if err != nil {
		t.Fatal(err)
	}
	sameMeaning(t, b, std)
	return b
}

func sameMeaning(t testing.TB, a, b []byte) {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	if !reflect.DeepEqual(x, y) {
		t.Fatalf("different meaning:\n%s\n%s", a, b)
	}
}

func ptr[T any](v T) *T { return &v }

func sampleProfile() *Profile {
	at := time.Date(2026, 11, 30, 8, 15, 1, 250_000_000, time.UTC)
	created := time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC)
	return &Profile{
		GeneratedAt: at,
		Simulated:   true,
		Complete:    false,
		Subject: Subject{
			Email: &SubjectEmail{Address: "Zoë.O'Brien+news@example.com", Canonical: "zoë.o'brien@example.com", Domain: "example.com"},
			Phone: &SubjectPhone{E164: "+447400028303", Region: "GB", Valid: true},
			Name:  "Zoë <O'Brien> & co",
		},
		Derived: Derived{Email: &enrichers.EmailFacts{Valid: true, Domain: "example.com"},
			Domain:  &enrichers.DomainFacts{Registered: &created, AgeDays: 5000},
			Company: &enrichers.CompanyFacts{Name: "Ünïcode \u2028 Ltd", Description: "tabs\tand \"quotes\""},
			Accounts: []enrichers.Account{{
				Source: "github", Username: "zob", URL: "https://github.com/zob", Bio: "<script>&amp;", CreatedAt: &created,
				Followers: ptr(int64(12345)), Tags: []string{"go", "rust"}, Method: "email_search",
				Match: &enrichers.Match{Probability: 0.987, Method: "email_search", Evidence: []string{"found by email"}},
			}},
			Interests: []scoring.Interest{{ID: "technology", Name: "Technology", Probability: 0.91,
				Evidence: []scoring.Contribution{{Source: "github", Account: "zob", Signal: "language go", Contribution: 1.25}}}},
			Influence: scoring.InfluenceScore{Score: 41.5, Tier: "micro", Evidence: []scoring.Contribution{}},
			Risk:      scoring.RiskScore{Probability: 0.05, Score: 5, Verdict: "approve", Reasons: []scoring.Reason{}}},
		Sources: []SourceStatus{
			{Name: "email", Status: enrichers.StatusOK},
			{Name: "github", Status: enrichers.StatusOK, Cached: true, FetchedAt: &at, AgeS: ptr(int64(61))},
			{Name: "gravatar", Status: enrichers.StatusTimeout, LatencyMS: 812, Detail: "deadline <exceeded> & \x01 \xff ünï"},
			{Name: "hibp", Status: enrichers.StatusSkipped, Detail: "no API key configured"},
		},
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	zeroTime := time.Time{}
	nano := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.FixedZone("x", -5*3600))
	tests := []struct {
		name string
		edit func(p *Profile)
	}{
		{"sample", func(*Profile) {}},
		{"empty", func(p *Profile) { *p = Profile{} }},
		{"nil sources, empty accounts", func(p *Profile) { p.Sources, p.Accounts = nil, []enrichers.Account{} }},
		{"empty sources", func(p *Profile) { p.Sources = []SourceStatus{} }},
		{"zero and zoned times", func(p *Profile) { p.GeneratedAt = zeroTime; p.Sources[1].FetchedAt = &nano }},
		{"negative age", func(p *Profile) { p.Sources[1].AgeS = ptr(int64(-3)) }},
		{"no subject", func(p *Profile) { p.Subject = Subject{} }},
		{"shared encoding", func(p *Profile) { p.encoded = &encodedDerived{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := sampleProfile()
			tt.edit(p)
			want := referenceJSON(t, p)
			got, err := p.AppendJSON(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON differs from encoding/json\n got %s\nwant %s", got, want)
			}
			// Through json.Marshal (MarshalJSON), as a batch item embeds it.
			viaMarshal, err := json.Marshal(p)
			if err != nil || !bytes.Equal(viaMarshal, want) {
				t.Fatalf("json.Marshal(p) = %s, %v", viaMarshal, err)
			}
		})
	}
}

// A shared encoding is made once and then reused: a profile that shares it
// writes the remembered bytes, so the derived part must not be edited.
func TestSharedEncodingIsReused(t *testing.T) {
	enc := &encodedDerived{}
	p := sampleProfile()
	p.encoded = enc
	first, _ := p.AppendJSON(nil)
	q := sampleProfile()
	q.encoded = enc
	q.Sources[1].AgeS = ptr(int64(62)) // per request: written afresh
	second, _ := q.AppendJSON(nil)
	if bytes.Equal(first, second) || !bytes.Equal(second, referenceJSON(t, q)) {
		t.Fatalf("per-request part not rewritten:\n%s\n%s", first, second)
	}
	// A status that is not the remembered one is written afresh.
	edits := []func(p *Profile){
		func(p *Profile) { p.Sources[2].Detail = "other" },
		func(p *Profile) { p.Sources[1].Cached = false },
		func(p *Profile) { at := p.Sources[1].FetchedAt.Add(time.Millisecond); p.Sources[1].FetchedAt = &at },
		func(p *Profile) { p.Sources[1].FetchedAt = nil },
		func(p *Profile) {
			at := p.Sources[1].FetchedAt.In(time.FixedZone("x", 3600))
			p.Sources[1].FetchedAt = &at
		},
		func(p *Profile) {
			p.Sources = append(p.Sources, SourceStatus{Name: "extra", Status: enrichers.StatusOK})
		},
		func(p *Profile) { p.Sources = p.Sources[1:] },
	}
	for i, edit := range edits {
		r := sampleProfile()
		r.encoded = enc
		edit(r)
		got, err := r.AppendJSON(nil)
		if err != nil || !bytes.Equal(got, referenceJSON(t, r)) {
			t.Errorf("edit %d: %s (%v)", i, got, err)
		}
	}
}

// Profile's fields are exactly the hand-written ones plus the derived part,
// in order: a field added to Profile without AppendJSON knowing fails here.
func TestAppendJSONCoversEveryField(t *testing.T) {
	want := []string{"GeneratedAt", "Simulated", "Complete", "Subject", "Derived", "Sources"}
	pt := reflect.TypeFor[Profile]()
	var got []string
	for i := range pt.NumField() {
		if f := pt.Field(i); f.IsExported() {
			got = append(got, f.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Profile fields %v, AppendJSON writes %v", got, want)
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("deadline exceeded", "github", "Zoë", int64(1764576000123456789), int64(61), int64(812))
	f.Add("<&>\u2028\x00\xff", "a\"b", "\\", int64(-62135596800000000), int64(-1), int64(0))
	f.Fuzz(func(t *testing.T, detail, name, person string, unixNano, age, latency int64) {
		p := sampleProfile()
		at := time.Unix(0, unixNano).UTC()
		p.GeneratedAt = at
		p.Subject.Name = person
		p.Sources[2].Detail, p.Sources[2].Name, p.Sources[2].LatencyMS = detail, name, latency
		p.Sources[1].FetchedAt, p.Sources[1].AgeS = &at, &age
		_, serr := json.Marshal((*plainProfile)(p))
		got, gerr := p.AppendJSON(nil)
		if (serr != nil) != (gerr != nil) {
			t.Fatalf("errors differ: encoding/json %v, AppendJSON %v", serr, gerr)
		}
		if gerr == nil {
			if want := referenceJSON(t, p); !bytes.Equal(got, want) {
				t.Fatalf("AppendJSON differs\n got %s\nwant %s", got, want)
			}
		}
	})
}

// Years encoding/json cannot write are errors, as there.
func TestAppendJSONOutOfRangeYear(t *testing.T) {
	for _, y := range []int{-1, 10000} {
		p := sampleProfile()
		p.GeneratedAt = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := p.AppendJSON(nil); err == nil {
			t.Errorf("year %d: no error", y)
		}
		if _, err := json.Marshal((*plainProfile)(p)); err == nil {
			t.Errorf("year %d: encoding/json wrote it", y)
		}
	}
	p := sampleProfile()
	p.GeneratedAt = time.Date(0, 1, 1, 0, 0, 0, 1000, time.UTC)
	got, err := p.AppendJSON(nil)
	if err != nil || !bytes.Equal(got, referenceJSON(t, p)) {
		t.Fatalf("year 0: %s, %v", got, err)
	}
}

// Profiles sharing an encoding may be written at once (go test -race).
func TestSharedEncodingConcurrent(t *testing.T) {
	enc := &encodedDerived{}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				p := sampleProfile()
				p.encoded = enc
				if (g+i)%2 == 0 {
					p.Sources[2].Detail = "fresh"
				}
				got, err := p.AppendJSON(nil)
				if err != nil || !bytes.Equal(got, referenceJSON(t, p)) {
					t.Errorf("goroutine %d, %d: %s (%v)", g, i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
