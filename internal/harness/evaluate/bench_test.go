package evaluate_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sidebyside"
	"github.com/footprint-oss/footprint/internal/harness/sim"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// BenchmarkCachedEnrichHTTP measures POST /v1/enrich through the whole
// stack (API validation, pipeline, engine, L1 cache, JSON) for a subject
// whose evidence is cached, against GET /healthz on the same handler.
func BenchmarkCachedEnrichHTTP(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := sim.New(sim.Config{Seed: 1, People: 50})
	ln, pc, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = s.Serve(ctx, ln, pc) }()
	u, _ := url.Parse("http://" + ln.Addr().String())
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{Upstream: u}); err != nil {
		b.Fatal(err)
	}
	c, err := cache.New(cache.Config{Secret: []byte("0123456789abcdef0123456789abcdef")})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	// Lift the limits so the warm-up fetches (and caches) every source:
	// the benchmark is about a subject whose evidence is all cached.
	unlimited := map[string]engine.SourceConfig{}
	for _, n := range reg.Names() {
		unlimited[n] = engine.SourceConfig{RatePerS: 10000, Burst: 10000}
	}
	e, err := engine.New(reg, engine.Options{Cache: c, Sources: unlimited, ReusedUsername: identity.ReusedUsername})
	if err != nil {
		b.Fatal(err)
	}
	h := api.New(api.Config{}, pipeline.New(e, pipeline.Config{}))
	p := s.People()[0]
	body := []byte(`{"email":"` + p.Email + `","phone":"` + p.Phone + `"}`)
	b.Run("tcp", func(b *testing.B) { benchTCP(b, h, body) })
	do := func(method, path string, body []byte) int {
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	if do(http.MethodPost, "/v1/enrich", body) != 200 {
		b.Fatal("warm-up failed")
	}
	b.Run("enrich", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if do(http.MethodPost, "/v1/enrich", body) != 200 {
				b.Fatal("not 200")
			}
		}
	})
	b.Run("healthz", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			do(http.MethodGet, "/healthz", nil)
		}
	})
}

// benchTCP serves h on a loopback socket and measures cached POST
// /v1/enrich against GET /healthz over 16 keep-alive connections, as
// tools/cache-throughput.sh does with a separate load generator: it reports
// the throughput ratio (target ≥ 0.5) besides ns/op of the enrich half.
func benchTCP(b *testing.B, h http.Handler, body []byte) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	const conns = 16
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	once := func(method, path string, body []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Error(err)
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Errorf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	// run returns the wall time and the process's CPU time (user + system)
	// of n requests: on a shared machine the CPU ratio is the steadier one.
	run := func(n int, method, path string, body []byte) (wall, cpu time.Duration) {
		var wg sync.WaitGroup
		var next atomic.Int64
		start, cpu0 := time.Now(), sidebyside.CPUTime()
		for range conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for next.Add(1) <= int64(n) {
					once(method, path, body)
				}
			}()
		}
		wg.Wait()
		return time.Since(start), sidebyside.CPUTime() - cpu0
	}
	b.ReportAllocs()
	b.ResetTimer()
	e, ecpu := run(b.N, http.MethodPost, "/v1/enrich", body)
	b.StopTimer()
	hz, hcpu := run(b.N, http.MethodGet, "/healthz", nil)
	b.ReportMetric(float64(hz)/float64(e), "ratio")
	b.ReportMetric(float64(hcpu)/float64(ecpu), "cpu-ratio")
}
