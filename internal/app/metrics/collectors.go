package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/footprint-oss/footprint/internal/app/jobs"
)

// breakerStates maps a breaker state to footprint_breaker_state's value.
var breakerStates = map[string]float64{"closed": 0, "half_open": 1, "open": 2}

var breakerDesc = prometheus.NewDesc(namespace+"_breaker_state",
	"Each enabled network source's circuit breaker: 0 closed (calls go through), 1 half_open (probing), 2 open (calls fail fast as circuit_open).",
	[]string{"source"}, nil)

// breakerCollector reads the engine's breakers at scrape time.
type breakerCollector struct{ b Breakers }

func (c breakerCollector) Describe(ch chan<- *prometheus.Desc) { ch <- breakerDesc }

func (c breakerCollector) Collect(ch chan<- prometheus.Metric) {
	for source, state := range c.b.BreakerStates() {
		v, ok := breakerStates[state]
		if !ok {
			v = -1
		}
		ch <- prometheus.MustNewConstMetric(breakerDesc, prometheus.GaugeValue, v, source)
	}
}

var (
	cacheLookupsDesc = prometheus.NewDesc(namespace+"_cache_lookups_total",
		"Evidence cache lookups, by source, tier (l1 in-process, l2 Redis, all: the read-through answer of a source call) and result (hit, miss, stale: past its TTL but served, too_old: older than the request's max_age, error: the tier failed or held a corrupt entry).",
		[]string{"source", "tier", "result"}, nil)
	cacheSetsDesc = prometheus.NewDesc(namespace+"_cache_sets_total",
		"Evidence written to a cache tier (l1, l2), by source.",
		[]string{"source", "tier"}, nil)
	cacheMergedDesc = prometheus.NewDesc(namespace+"_cache_singleflight_merges_total",
		"Source calls that waited for an identical fetch already in flight instead of calling the upstream, by source and scope (process: in this replica, replicas: another replica's fetch, via Redis).",
		[]string{"source", "scope"}, nil)
	cacheRefreshesDesc = prometheus.NewDesc(namespace+"_cache_refreshes_total",
		"Background refreshes of stale evidence (stale-while-revalidate), by source and outcome (queued, dropped: the refresh queue was full).",
		[]string{"source", "outcome"}, nil)
	cacheEntriesDesc = prometheus.NewDesc(namespace+"_cache_entries",
		"Entries in the in-process (l1) evidence cache.", nil, nil)
	cacheBytesDesc = prometheus.NewDesc(namespace+"_cache_bytes",
		"Bytes the in-process (l1) evidence cache holds allocated.", nil, nil)
)

// cacheCollector turns cache.Cache.Stats into metrics at scrape time.
type cacheCollector struct{ c Cache }

func (c cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheLookupsDesc, cacheSetsDesc, cacheMergedDesc, cacheRefreshesDesc, cacheEntriesDesc, cacheBytesDesc} {
		ch <- d
	}
}

// lookupResults maps a cache event to the result label of
// footprint_cache_lookups_total.
var lookupResults = map[string]string{
	"hits": "hit", "misses": "miss", "stale_hits": "stale", "too_old": "too_old",
	"errors": "error", "corrupt": "error",
}

func (c cacheCollector) Collect(ch chan<- prometheus.Metric) {
	type key struct{ source, tier, result string }
	lookups := map[key]float64{} // errors and corrupt share a series
	for _, s := range c.c.Stats() {
		v := float64(s.Value)
		switch s.Event {
		case "sets":
			ch <- prometheus.MustNewConstMetric(cacheSetsDesc, prometheus.CounterValue, v, s.Source, s.Tier)
		case "merged":
			ch <- prometheus.MustNewConstMetric(cacheMergedDesc, prometheus.CounterValue, v, s.Source, "process")
		case "shared_fetches":
			ch <- prometheus.MustNewConstMetric(cacheMergedDesc, prometheus.CounterValue, v, s.Source, "replicas")
		case "refreshes_queued":
			ch <- prometheus.MustNewConstMetric(cacheRefreshesDesc, prometheus.CounterValue, v, s.Source, "queued")
		case "refreshes_dropped":
			ch <- prometheus.MustNewConstMetric(cacheRefreshesDesc, prometheus.CounterValue, v, s.Source, "dropped")
		default:
			if r, ok := lookupResults[s.Event]; ok {
				lookups[key{s.Source, s.Tier, r}] += v
			}
		}
	}
	for k, v := range lookups {
		ch <- prometheus.MustNewConstMetric(cacheLookupsDesc, prometheus.CounterValue, v, k.source, k.tier, k.result)
	}
	entries, bytes := c.c.Size()
	ch <- prometheus.MustNewConstMetric(cacheEntriesDesc, prometheus.GaugeValue, float64(entries))
	ch <- prometheus.MustNewConstMetric(cacheBytesDesc, prometheus.GaugeValue, float64(bytes))
}

var (
	jobsDesc = prometheus.NewDesc(namespace+"_jobs",
		"Batch jobs in the job store, by state (queued, running, paused, succeeded, failed, cancelled).",
		[]string{"state"}, nil)
	jobQueueDesc = prometheus.NewDesc(namespace+"_jobs_queue_depth",
		"Batch jobs waiting to run (state queued).", nil, nil)
	jobRowsDesc = prometheus.NewDesc(namespace+"_job_rows",
		"Rows of the jobs in the job store, by state (ok, incomplete, failed: done with that result; pending: not done yet).",
		[]string{"state"}, nil)
	jobRateDesc = prometheus.NewDesc(namespace+"_job_rows_per_second",
		"Rows per second the running jobs are completing (the sum of each running job's recent throughput).", nil, nil)
)

// jobStates are every job state, so each series exists from the start.
var jobStates = []jobs.State{jobs.StateQueued, jobs.StateRunning, jobs.StatePaused, jobs.StateSucceeded, jobs.StateFailed, jobs.StateCancelled}

// jobsCollector reads the job store at scrape time.
type jobsCollector struct{ j Jobs }

func (c jobsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{jobsDesc, jobQueueDesc, jobRowsDesc, jobRateDesc} {
		ch <- d
	}
}

func (c jobsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	list, err := c.j.List(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(jobsDesc, err)
		return
	}
	states := map[jobs.State]float64{}
	var ok, incomplete, failed, pending, rate float64
	for _, j := range list {
		states[j.State]++
		ok += float64(j.Done - j.Failed - j.Incomplete)
		incomplete += float64(j.Incomplete)
		failed += float64(j.Failed)
		if !j.State.Final() {
			pending += float64(j.Total - j.Done)
		}
		if j.State == jobs.StateRunning {
			rate += j.RowsPerS
		}
	}
	for _, s := range jobStates {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, states[s], string(s))
	}
	ch <- prometheus.MustNewConstMetric(jobQueueDesc, prometheus.GaugeValue, states[jobs.StateQueued])
	for state, v := range map[string]float64{"ok": ok, "incomplete": incomplete, "failed": failed, "pending": pending} {
		ch <- prometheus.MustNewConstMetric(jobRowsDesc, prometheus.GaugeValue, v, state)
	}
	ch <- prometheus.MustNewConstMetric(jobRateDesc, prometheus.GaugeValue, rate)
}
