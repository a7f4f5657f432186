package pipeline

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/scoring"
)

// filler sets random values, drawn to reach every branch of the hand
// encoder: empty and odd strings, floats in both notations, nil and empty
// slices and pointers, times with and without sub-seconds.
type filler struct{ r *rand.Rand }

var fillStrings = []string{
	"", "ok", "jane.doe@example.com", "+4915123123456", "Europe/Berlin",
	"a \"quoted\" \\ word", "<b>&amp;</b>", "tab\tnew\nline\x00\x1f", "del\x7f",
	"Zoë Ørsted", "日本語", "line\u2028sep\u2029", "bad \xff\xfe utf8", "emoji 🙂",
}

var fillFloats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.5, 2.7, 0.0266, 123.456, 1e-6, 9.99e-7,
	1e-9, 1e20, 1e21, 1.5e300, -3e-10, 0.1 + 0.2, 100, 1234567.125,
}

func (f filler) fill(v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(fillStrings[f.r.IntN(len(fillStrings))])
	case reflect.Bool:
		v.SetBool(f.r.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(f.r.Int64N(2_000_000) - 1_000_000)
	case reflect.Float64:
		v.SetFloat(fillFloats[f.r.IntN(len(fillFloats))])
	case reflect.Pointer:
		if depth > 6 || f.r.IntN(3) == 0 {
			return
		}
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch n := f.r.IntN(4); {
		case depth > 6 || n == 0:
		case n == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				f.fill(s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.Map:
		if depth > 6 || f.r.IntN(2) == 0 {
			return
		}
		m := reflect.MakeMap(v.Type())
		for range f.r.IntN(3) {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k, depth+1)
			f.fill(e, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			t := time.Date(1990+f.r.IntN(40), time.Month(1+f.r.IntN(12)), 1+f.r.IntN(28),
				f.r.IntN(24), f.r.IntN(60), f.r.IntN(60), 0, time.UTC)
			switch f.r.IntN(4) {
			case 0:
				t = t.Add(time.Duration(f.r.IntN(1000)) * time.Millisecond)
			case 1:
				t = t.Add(time.Duration(f.r.IntN(1e9)))
			case 2:
				t = t.In(time.FixedZone("", 5*3600+30*60))
			}
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i), depth+1)
			}
		}
	}
}

func randomProfile(r *rand.Rand) *Profile {
	p := new(Profile)
	filler{r}.fill(reflect.ValueOf(p).Elem(), 0)
	// Withheld names score blocks (derivedView leaves those out).
	p.Withheld = nil
	for _, o := range []string{OutputInterests, OutputInfluence, OutputRisk, OutputVerification} {
		if r.IntN(3) == 0 {
			p.Withheld = append(p.Withheld, o)
		}
	}
	return p
}

// TestAppendJSONIsReflection: the hand-written JSON of a profile (and of
// its derived part and sources, which the fast path keeps) is byte for
// byte what reflection writes, for random profiles: a field added to a
// response type and not to appendjson.go fails it.
func TestAppendJSONIsReflection(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 2026))
	for i := range 3000 {
		p := randomProfile(r)
		want, err := p.reflectJSON()
		if err != nil {
			t.Fatalf("profile %d: reflection: %v", i, err)
		}
		got, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("profile %d: %v", i, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("profile %d:\n got %s\nwant %s", i, got, want)
		}
		// Appended to a buffer that holds something (a reused one):
		// after what it holds, which is kept.
		buf := append(make([]byte, 0, 8+r.IntN(2*len(want))), "prefix: "...)
		if got, err := p.AppendJSON(buf); err != nil || string(got[:8]) != "prefix: " || !bytes.Equal(got[8:], want) {
			t.Fatalf("profile %d appended (%v):\n got %s\nwant prefix: %s", i, err, got, want)
		}
		// From a fast-path entry: the derived part's JSON kept, the
		// sources' JSON written (and then reused).
		part, err := p.derivedJSON()
		if err != nil {
			t.Fatal(err)
		}
		p.fast = &fastEntry{part: p.Derived, partJSON: part[1 : len(part)-1], withheld: p.Withheld}
		for range 2 {
			if got, err := p.MarshalJSON(); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("profile %d from its fast entry (%v):\n got %s\nwant %s", i, err, got, want)
			}
		}
	}
}

// TestAppendJSONNoJSON: a value with no JSON (a non-finite score, a time
// past year 9999) is the error reflection gives, never a half-written or
// altered answer.
func TestAppendJSONNoJSON(t *testing.T) {
	at := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, mutate := range map[string]func(p *Profile){
		"NaN risk": func(p *Profile) { p.Risk.Probability = math.NaN() },
		"Inf interest": func(p *Profile) {
			p.Interests = append(p.Interests, p.Interests...)
			p.Interests[0].Probability = math.Inf(1)
		},
		"year 10000":       func(p *Profile) { p.GeneratedAt = at },
		"source at 10000":  func(p *Profile) { p.Sources[0].FetchedAt = &at },
		"first seen 10000": func(p *Profile) { p.Verification.FirstSeen = &at },
	} {
		t.Run(name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			p := randomProfile(r)
			p.Withheld = nil
			p.Interests = []scoring.Interest{{ID: "x"}}
			p.Sources = []SourceStatus{{Name: "email"}}
			mutate(p)
			if _, err := p.reflectJSON(); err == nil {
				t.Fatal("reflection wrote it")
			}
			if b, err := p.MarshalJSON(); err == nil {
				t.Fatalf("written: %s", b)
			}
			if b, err := p.AppendJSON([]byte("prefix: ")); err == nil {
				t.Fatalf("appended: %s", b)
			}
			if b, err := p.derivedJSON(); err == nil && name != "year 10000" && name != "source at 10000" {
				t.Fatalf("derived part written: %s", b)
			}
		})
	}
}

// FuzzAppendJSONString: a string is quoted as gojson quotes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range fillStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := gojson.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
			t.Fatalf("%q: got %s, want %s", s, got[1:], want)
		}
	})
}

// BenchmarkProfileJSON: an offline lookup's answer (testdata: a
// fraud-prevention lookup of an email and a phone, as /v1/enrich returns
// it), written by hand (MarshalJSON) and by reflection.
func BenchmarkProfileJSON(b *testing.B) {
	raw, err := os.ReadFile("testdata/offline_profile.json")
	if err != nil {
		b.Fatal(err)
	}
	var p Profile
	if err := gojson.Unmarshal(raw, (*plainProfile)(&p)); err != nil {
		b.Fatal(err)
	}
	if got, err := p.MarshalJSON(); err != nil || !bytes.Equal(got, bytes.TrimSpace(raw)) {
		b.Fatalf("the fixture does not round-trip (%v):\n%s", err, got)
	}
	for _, c := range []struct {
		name string
		f    func() ([]byte, error)
	}{{"hand", p.MarshalJSON}, {"reflection", p.reflectJSON}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
