package evaluate_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers/email"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/phone"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// BenchmarkOfflineEnrichHTTP measures an uncached POST /v1/enrich that the
// offline sources answer (email and phone: no network, no cache) against
// GET /healthz on the same handler, and reports ratio = healthz's time /
// enrich's, measured interleaved in one run (issue 21 target ≥ 0.25), and
// the same ratio in CPU time (cpu-ratio). Each request is a different
// subject, so nothing is reused.
func BenchmarkOfflineEnrichHTTP(b *testing.B) {
	reg := engine.NewRegistry()
	mail, tel := email.New(), phone.New()
	reg.Register(mail, tel)
	e, err := engine.New(reg, engine.Options{ReusedUsername: identity.ReusedUsername})
	if err != nil {
		b.Fatal(err)
	}
	h := api.New(api.Config{}, pipeline.New(e, pipeline.Config{}))
	do := func(method, path string, body []byte) int {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	// Valid numbers of three countries, each subject a new one.
	phones := []string{"+1 415 555 %04d", "+49 151 234 %05d", "+44 7400 1%05d"}
	bodies := make([][]byte, 3000)
	for i := range bodies {
		ph := fmt.Sprintf(phones[i%3], 2000+i)
		bodies[i] = fmt.Appendf(nil, `{"email":"jane.doe%d@example.com","phone":%q}`, i, ph)
	}
	if do(http.MethodPost, "/v1/enrich", bodies[0]) != 200 {
		b.Fatal("warm-up failed")
	}
	i := 0
	enrich := func() {
		i++
		if c := do(http.MethodPost, "/v1/enrich", bodies[i%len(bodies)]); c != 200 {
			b.Fatalf("enrich: %d", c)
		}
	}
	healthz := func() { do(http.MethodGet, "/healthz", nil) }
	b.Run("enrich", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			enrich()
		}
	})
	b.Run("healthz", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			healthz()
		}
	})
	b.Run("ratio", func(b *testing.B) {
		var tEnrich, tHealth time.Duration
		for b.Loop() {
			t0 := time.Now()
			enrich()
			t1 := time.Now()
			healthz()
			tEnrich, tHealth = tEnrich+t1.Sub(t0), tHealth+time.Since(t1)
		}
		b.ReportMetric(float64(tHealth)/float64(tEnrich), "ratio")
	})
	// The same ratio in process CPU time (user + system, every thread: GC
	// included), over blocks of 16 requests each: on a loaded machine wall
	// time also counts the time other processes held the core, CPU time
	// does not.
	b.Run("cpu-ratio", func(b *testing.B) {
		var cEnrich, cHealth time.Duration
		for b.Loop() {
			c0 := cpuTime()
			for range 16 {
				enrich()
			}
			c1 := cpuTime()
			for range 16 {
				healthz()
			}
			cEnrich, cHealth = cEnrich+c1-c0, cHealth+cpuTime()-c1
		}
		b.ReportMetric(float64(cHealth)/float64(cEnrich), "cpu-ratio")
	})
}
