package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/auth"
)

// BenchmarkAuthOverhead measures a repeated (cached) POST /v1/enrich with
// and without a key: the ratio of the two is authentication's cost
// (hashing, the key lookup, the limit decision, the headers).
func BenchmarkAuthOverhead(b *testing.B) {
	for _, withKey := range []bool{false, true} {
		name := "open"
		if withKey {
			name = "keyed"
		}
		b.Run(name, func(b *testing.B) {
			svc := realService(&testing.T{})
			cfg := Config{}
			var secret string
			if withKey {
				st, err := auth.OpenFileStore(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				a := auth.New(auth.Config{Store: st, Secret: []byte("0123456789abcdef0123456789abcdef")})
				v, err := a.Create(b.Context(), auth.Spec{Name: "bench", RatePerMin: auth.MaxRatePerMin})
				if err != nil {
					b.Fatal(err)
				}
				cfg.Auth, secret = a, v.Key
			}
			srv := New(cfg, svc)
			req := func() *http.Request {
				r := httptest.NewRequest("POST", "/v1/enrich", strings.NewReader(enrichBody))
				r.Header.Set("Content-Type", "application/json")
				if secret != "" {
					r.Header.Set("Authorization", "Bearer "+secret)
				}
				return r
			}
			srv.ServeHTTP(httptest.NewRecorder(), req()) // warm the cache
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req())
				if rec.Code != 200 {
					b.Fatal(rec.Code, rec.Body)
				}
			}
		})
	}
}
