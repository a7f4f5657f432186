// Package metrics is footprint's Prometheus instrumentation: the
// engine.Observer (source calls, upstream attempts, rate-limiter
// admissions, breaker transitions), the API's request observer, and
// collectors read at scrape time (breaker states, the evidence cache's
// counters and size, jobs), all in one registry with the Go runtime and
// process collectors. docs/METRICS.md lists every metric; a test keeps it
// in step with this file.
//
// Label values are route templates, methods, statuses, source names and
// tiers: bounded sets fixed by the code, never an email, phone, name or
// job input.
//
// tracing.go sets up OpenTelemetry tracing (off unless an OTLP endpoint is
// configured).
package metrics

import (
	"context"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/jobs"
)

const namespace = "footprint"

// Latency buckets, in seconds.
var (
	// requestBuckets cover a cached answer (sub-millisecond) to the
	// contract's largest budget.
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}
	// waitBuckets cover an immediate admission to a long Retry-After pause.
	waitBuckets = []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10}
)

// Metrics holds every metric. Build it with New, give it to the engine
// (Options.Observer) and the API (Config.Observer, Config.Metrics), then
// Watch what is read at scrape time.
type Metrics struct {
	reg *prometheus.Registry
	// children caches metrics' children, so the label hashing of
	// WithLabelValues is paid once per label set, not per lookup: calls
	// (a cached lookup reports every source it remembers) and upstream
	// attempts (every uncached call of every lookup reports one).
	children struct {
		calls     children[callKey, prometheus.Counter]
		attempts  children[attemptKey, prometheus.Counter]
		durations children[string, prometheus.Observer]
	}

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	calls            *prometheus.CounterVec
	upstream         *prometheus.CounterVec
	upstreamDuration *prometheus.HistogramVec
	retries          *prometheus.CounterVec
	limiterWait      *prometheus.HistogramVec
	limiterRefused   *prometheus.CounterVec
	transitions      *prometheus.CounterVec
}

var (
	_ engine.Observer     = (*Metrics)(nil)
	_ api.RequestObserver = (*Metrics)(nil)
)

// New builds the metrics and their registry (with the Go runtime and
// process collectors and footprint_build_info). It does no I/O.
func New(version string) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_requests_total",
			Help: "HTTP requests answered, by route template (never the raw path), method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route template and method.",
			Buckets: requestBuckets,
		}, []string{"route", "method"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "source_calls_total",
			Help: "Source calls answered (one per source and identifier looked up), by source, status and whether the evidence came from the cache or the memo (cached=true) or from the upstream.",
		}, []string{"source", "status", "cached"}),
		upstream: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "upstream_requests_total",
			Help: "Attempts at a source's upstream (a cache miss makes one, two with the retry), by source and outcome status (circuit_open: the open breaker answered without calling it; calls footprint's own limiter held back are in footprint_limiter_refused_total instead).",
		}, []string{"source", "status"}),
		upstreamDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "upstream_request_duration_seconds",
			Help:    "Time of one attempt at a source's upstream (breaker and source deadline included, limiter wait excluded), by source.",
			Buckets: requestBuckets,
		}, []string{"source"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "upstream_retries_total",
			Help: "Second attempts at a source's upstream (it answered retryably and the budget allowed one retry), by source.",
		}, []string{"source"}),
		limiterWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "limiter_wait_seconds",
			Help:    "Time a source call waited for its rate limiter's admission, by source and priority (live lookups, batch jobs).",
			Buckets: waitBuckets,
		}, []string{"source", "priority"}),
		limiterRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "limiter_refused_total",
			Help: "Source calls footprint's own rate limiter held back (no token within the request's budget; reported rate_limited), by source and priority.",
		}, []string{"source", "priority"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "breaker_transitions_total",
			Help: "Circuit breaker state changes, by source and the states left and entered (closed, half_open, open).",
		}, []string{"source", "from", "to"}),
	}
	buildInfo := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info",
		Help: "Always 1; the version label is the running binary's.",
	}, []string{"version"})
	buildInfo.WithLabelValues(version).Set(1)
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo,
	)
	m.reg.MustRegister(m.observed()...)
	return m
}

// observed are the metrics the observers update.
func (m *Metrics) observed() []prometheus.Collector {
	return []prometheus.Collector{
		m.httpRequests, m.httpDuration,
		m.calls, m.upstream, m.upstreamDuration, m.retries,
		m.limiterWait, m.limiterRefused, m.transitions,
	}
}

// Registry is the registry every metric is in (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Breakers is what Watch reads of the engine.
type Breakers interface {
	BreakerStates() map[string]string
}

// Cache is what Watch reads of the evidence cache.
type Cache interface {
	Stats() []cache.Counter
	Size() (entries, bytes int)
}

// Jobs is what Watch reads of the job manager.
type Jobs interface {
	List(ctx context.Context) ([]*jobs.Job, error)
}

// Watch registers the collectors read at scrape time; nil arguments (no
// cache, no jobs) are skipped. Call it once, at wiring.
func (m *Metrics) Watch(b Breakers, c Cache, j Jobs) {
	if b != nil {
		m.reg.MustRegister(breakerCollector{b})
	}
	if c != nil {
		m.reg.MustRegister(cacheCollector{c})
	}
	if j != nil {
		m.reg.MustRegister(jobsCollector{j})
	}
}

// ObserveRequest implements api.RequestObserver.
func (m *Metrics) ObserveRequest(route, method string, status int, latency time.Duration) {
	method = knownMethod(method)
	m.httpRequests.WithLabelValues(route, method, statusLabel(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(latency.Seconds())
}

// statusLabel is strconv.Itoa(status), without a new string for the
// statuses a server answers most.
func statusLabel(status int) string {
	switch status {
	case http.StatusOK:
		return "200"
	case http.StatusCreated:
		return "201"
	case http.StatusAccepted:
		return "202"
	case http.StatusNoContent:
		return "204"
	case http.StatusBadRequest:
		return "400"
	case http.StatusUnauthorized:
		return "401"
	case http.StatusForbidden:
		return "403"
	case http.StatusNotFound:
		return "404"
	case http.StatusTooManyRequests:
		return "429"
	case http.StatusInternalServerError:
		return "500"
	case http.StatusServiceUnavailable:
		return "503"
	}
	return strconv.Itoa(status)
}

// knownMethod keeps the method label a bounded set.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// children maps label sets to a vector's children. Reading is a lookup
// in a map never written again (no lock, no key boxed into an interface as
// sync.Map's are); a new label set, rare and bounded (sources × statuses),
// replaces the map with a copy that has it.
type children[K comparable, V any] struct {
	m  atomic.Pointer[map[K]V]
	mu sync.Mutex
}

func (c *children[K, V]) get(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// of is k's child, made by mk (the vector's WithLabelValues) the first
// time.
func (c *children[K, V]) of(k K, mk func() V) V {
	if v, ok := c.get(k); ok {
		return v
	}
	return c.add(k, mk())
}

// add stores v as k's child unless one is there already, and returns the
// one stored.
func (c *children[K, V]) add(k K, v V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w, ok := c.get(k); ok {
		return w
	}
	var old map[K]V
	if p := c.m.Load(); p != nil {
		old = *p
	}
	m := make(map[K]V, 1+len(old))
	maps.Copy(m, old)
	m[k] = v
	c.m.Store(&m)
	return v
}

type callKey struct {
	source string
	status enrichers.Status
	cached bool
}

// ObserveCall implements engine.Observer.
func (m *Metrics) ObserveCall(source string, status enrichers.Status, _ time.Duration, cached bool) {
	k := callKey{source, status, cached}
	m.children.calls.of(k, func() prometheus.Counter {
		return m.calls.WithLabelValues(source, string(status), strconv.FormatBool(cached))
	}).Inc()
}

// ObserveAttempt implements engine.Observer.
func (m *Metrics) ObserveAttempt(source string, attempt int, status enrichers.Status, latency time.Duration) {
	if attempt > 1 {
		m.retries.WithLabelValues(source).Inc()
	}
	k := attemptKey{source, status}
	m.children.attempts.of(k, func() prometheus.Counter { return m.upstream.WithLabelValues(source, string(status)) }).Inc()
	m.children.durations.of(source, func() prometheus.Observer { return m.upstreamDuration.WithLabelValues(source) }).
		Observe(latency.Seconds())
}

type attemptKey struct {
	source string
	status enrichers.Status
}

// ObserveAdmission implements engine.Observer.
func (m *Metrics) ObserveAdmission(source string, background bool, wait time.Duration, refused bool) {
	p := "live"
	if background {
		p = "batch"
	}
	m.limiterWait.WithLabelValues(source, p).Observe(wait.Seconds())
	if refused {
		m.limiterRefused.WithLabelValues(source, p).Inc()
	}
}

// ObserveBreaker implements engine.Observer.
func (m *Metrics) ObserveBreaker(source, from, to string) {
	m.transitions.WithLabelValues(source, from, to).Inc()
}
