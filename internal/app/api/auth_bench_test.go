package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/auth"
)

// authBenchServer returns a server answering a repeated (cached) POST
// /v1/enrich, open or with a key, and the request to send it.
func authBenchServer(b *testing.B, withKey bool) (*Server, func() *http.Request) {
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
	return srv, req
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkAuthOverhead measures what authentication adds to a cached
// lookup: blocks of 32 requests alternate between an open server and a
// keyed one (hashing, the key lookup, the limit decision, the headers),
// and the process CPU time of each kind is summed, which a loaded machine
// disturbs far less than wall time. cpu-ratio is keyed / open.
func BenchmarkAuthOverhead(b *testing.B) {
	open, openReq := authBenchServer(b, false)
	keyed, keyedReq := authBenchServer(b, true)
	const block = 32
	var cpu [2]time.Duration
	serve := func(i int, srv *Server, req func() *http.Request) {
		start := cpuTime()
		for range block {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req())
			if rec.Code != 200 {
				b.Fatal(rec.Code, rec.Body)
			}
		}
		cpu[i] += cpuTime() - start
	}
	n := 0
	for b.Loop() {
		serve(0, open, openReq)
		serve(1, keyed, keyedReq)
		n++
	}
	b.ReportMetric(float64(cpu[0].Microseconds())/float64(n*block), "open-cpu-µs/op")
	b.ReportMetric(float64(cpu[1].Microseconds())/float64(n*block), "keyed-cpu-µs/op")
	b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "cpu-ratio")
}
