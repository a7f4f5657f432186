// Command loadgen is a small HTTP load generator for footprint's speed
// targets: it sends one request (method, URL, JSON body) over and over, either
// as fast as a number of connections allow (closed loop: throughput) or at a
// fixed rate (open loop: latency percentiles measured from each request's
// scheduled start, so a stalled server cannot hide its queueing delay). It
// only talks to the URL it is given and stops after -duration.
//
//	go run ./tools/loadgen -url http://127.0.0.1:8080/healthz -c 16 -duration 10s
//	go run ./tools/loadgen -url http://127.0.0.1:8080/v1/enrich -body '{"email":"a@b.example"}' -rate 2000 -duration 10s
//	go run ./tools/loadgen -url http://127.0.0.1:8080/v1/enrich -bodies people.ndjson -rate 30 -duration 20s
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	url := flag.String("url", "", "target URL (required)")
	method := flag.String("method", "", "HTTP method (default GET, or POST with -body)")
	body := flag.String("body", "", "JSON request body")
	bodiesFile := flag.String("bodies", "", "file of JSON request bodies, one a line, sent in turn (instead of -body)")
	conns := flag.Int("c", 16, "connections (closed loop), or the most requests in flight (open loop)")
	rate := flag.Float64("rate", 0, "requests per second (open loop); 0: as fast as -c connections allow")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	timeout := flag.Duration("timeout", 5*time.Second, "deadline of one request")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -url is required")
		os.Exit(2)
	}
	var bodies [][]byte
	if *body != "" {
		bodies = [][]byte{[]byte(*body)}
	}
	if *bodiesFile != "" {
		b, err := os.ReadFile(*bodiesFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(2)
		}
		bodies = nil
		for line := range bytes.Lines(b) {
			if line = bytes.TrimSpace(line); len(line) > 0 {
				bodies = append(bodies, line)
			}
		}
	}
	if *method == "" {
		*method = http.MethodGet
		if len(bodies) > 0 {
			*method = http.MethodPost
		}
	}
	res := run(config{url: *url, method: *method, bodies: bodies, conns: *conns, rate: *rate, duration: *duration, timeout: *timeout})
	out, _ := json.Marshal(res)
	fmt.Println(string(out))
}

type config struct {
	url, method string
	bodies      [][]byte // sent in turn; none: no body
	conns       int
	rate        float64
	duration    time.Duration
	timeout     time.Duration
}

// result is what one run measured; latencies in milliseconds.
type result struct {
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"` // transport errors and non-2xx answers
	Dropped    int64   `json:"dropped"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50MS      float64 `json:"p50_ms"`
	P90MS      float64 `json:"p90_ms"`
	P99MS      float64 `json:"p99_ms"`
	MaxMS      float64 `json:"max_ms"`
	TargetRate float64 `json:"target_rps,omitempty"`
	// Open loop only: the same latencies counted from when each request
	// was actually sent, and how late the generator sent them (its own
	// timers and scheduling; a server that stalls shows up in the
	// latencies above and in dropped, not here).
	SentP50MS *float64 `json:"sent_p50_ms,omitempty"`
	SentP99MS *float64 `json:"sent_p99_ms,omitempty"`
	LateP50MS *float64 `json:"late_p50_ms,omitempty"`
	LateP99MS *float64 `json:"late_p99_ms,omitempty"`
}

func run(cfg config) result {
	tr := &http.Transport{MaxIdleConnsPerHost: cfg.conns, MaxConnsPerHost: cfg.conns, DisableCompression: true}
	client := &http.Client{Transport: tr, Timeout: cfg.timeout}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.duration)
	defer cancel()

	var (
		mu        sync.Mutex
		latencies []time.Duration
		sent      []time.Duration // open loop: from the actual send
		late      []time.Duration // open loop: send − due
		requests  atomic.Int64
		errs      atomic.Int64
		dropped   atomic.Int64
	)
	record := func(d time.Duration, ok bool) {
		requests.Add(1)
		if !ok {
			errs.Add(1)
		}
		mu.Lock()
		latencies = append(latencies, d)
		mu.Unlock()
	}
	var next atomic.Int64
	once := func() bool {
		var body []byte
		if len(cfg.bodies) > 0 {
			body = cfg.bodies[int(next.Add(1)-1)%len(cfg.bodies)]
		}
		req, err := http.NewRequest(cfg.method, cfg.url, bytes.NewReader(body))
		if err != nil {
			return false
		}
		if len(body) > 0 {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode < 300
	}

	start := time.Now()
	var wg sync.WaitGroup
	if cfg.rate <= 0 {
		for range cfg.conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					t0 := time.Now()
					ok := once()
					if ctx.Err() == nil {
						record(time.Since(t0), ok)
					}
				}
			}()
		}
	} else {
		// Open loop: request i is due at start + i/rate; its latency counts
		// from then. At most conns in flight; a request that finds none
		// free is dropped (and counted), never silently delayed.
		slots := make(chan struct{}, cfg.conns)
		interval := time.Duration(float64(time.Second) / cfg.rate)
		for i := 0; ; i++ {
			due := start.Add(time.Duration(i) * interval)
			if d := time.Until(due); d > 0 {
				select {
				case <-time.After(d):
				case <-ctx.Done():
				}
			}
			if ctx.Err() != nil {
				break
			}
			select {
			case slots <- struct{}{}:
			default:
				dropped.Add(1)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				t0 := time.Now()
				ok := once()
				record(time.Since(due), ok)
				mu.Lock()
				sent, late = append(sent, time.Since(t0)), append(late, t0.Sub(due))
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	elapsed := time.Since(start)

	for _, d := range [][]time.Duration{latencies, sent, late} {
		slices.Sort(d)
	}
	r := result{Requests: requests.Load(), Errors: errs.Load(), Dropped: dropped.Load(), Seconds: elapsed.Seconds(),
		P50MS: pct(latencies, 0.50), P90MS: pct(latencies, 0.90), P99MS: pct(latencies, 0.99), MaxMS: pct(latencies, 1), TargetRate: cfg.rate}
	if cfg.rate > 0 {
		ms := func(d []time.Duration, p float64) *float64 { v := pct(d, p); return &v }
		r.SentP50MS, r.SentP99MS, r.LateP50MS, r.LateP99MS = ms(sent, 0.50), ms(sent, 0.99), ms(late, 0.50), ms(late, 0.99)
	}
	r.RPS = float64(r.Requests) / elapsed.Seconds()
	return r
}

// pct returns the p-quantile of sorted d in milliseconds.
func pct(d []time.Duration, p float64) float64 {
	if len(d) == 0 {
		return 0
	}
	i := min(len(d)-1, int(p*float64(len(d))))
	return float64(d[i].Microseconds()) / 1000
}
