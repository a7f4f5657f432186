package evaluate_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/email"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/phone"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
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
	// Sub-benchmarks "footprint" (the enrich request), "healthz", and the
	// ratios healthz/enrich in wall and in process CPU time.
	sidebyside.Compare(b, "healthz", enrich, healthz)
}
