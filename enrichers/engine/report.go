package engine

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// SourceReport is the status of one source for one request.
type SourceReport struct {
	Name      string
	Status    enrichers.Status
	Latency   time.Duration
	Detail    string
	Calls     int
	Cached    bool
	FetchedAt time.Time
	// HeldBack counts the lookups footprint's own limiter refused (the
	// upstream was never asked); CacheMisses those options.cache "only"
	// found nothing cached for. Callers branch on these, never on Detail.
	HeldBack    int
	CacheMisses int
	// Failed counts the calls that failed (any status but ok, not_found
	// and skipped), also when others answered and Status is ok.
	Failed int
}

// definitive reports whether a source's status is an answer (ok,
// not_found, skipped), not a failure worth retrying.
func definitive(s enrichers.Status) bool {
	return s == enrichers.StatusOK || s == enrichers.StatusNotFound || s == enrichers.StatusSkipped
}

func statusOfOutcome(o outcome) enrichers.Status {
	if o.err != nil {
		return statusOf(o.err)
	}
	if o.finding != nil && o.finding.NotFound {
		return enrichers.StatusNotFound
	}
	return enrichers.StatusOK
}

// aggregate folds the outcomes of one source's tasks into one report.
type aggregate struct {
	counts    statusCounts
	firstErr  map[enrichers.Status]string // nil until a call fails
	skipWhy   string
	latency   time.Duration
	calls     int
	cached    int
	held      int // refused by footprint's own limiter
	misses    int // not cached, in cache-only mode
	fetchedAt time.Time
}

// statusCounts counts a source's calls by status: one counter per status
// of the vocabulary (enrichers.Status*, in callStatusIndex's order), in an
// array rather than a map made for every source of every lookup.
type statusCounts [8]int

// callStatusIndex is st's counter in statusCounts, or -1.
func callStatusIndex(st enrichers.Status) int {
	switch st {
	case enrichers.StatusOK:
		return 0
	case enrichers.StatusNotFound:
		return 1
	case enrichers.StatusSkipped:
		return 2
	case enrichers.StatusTimeout:
		return 3
	case enrichers.StatusRateLimited:
		return 4
	case enrichers.StatusCircuitOpen:
		return 5
	case enrichers.StatusBlocked:
		return 6
	case enrichers.StatusError:
		return 7
	}
	return -1
}

func (c *statusCounts) add(st enrichers.Status) {
	if i := callStatusIndex(st); i >= 0 {
		c[i]++
	}
}

func (c *statusCounts) of(st enrichers.Status) int {
	if i := callStatusIndex(st); i >= 0 {
		return c[i]
	}
	return 0
}

func (a *aggregate) skip(why string) {
	if a.skipWhy == "" {
		a.skipWhy = why
	}
}

func (a *aggregate) add(o outcome) {
	st := statusOfOutcome(o)
	a.counts.add(st)
	a.calls++
	if o.err != nil {
		if _, ok := a.firstErr[st]; !ok {
			if a.firstErr == nil {
				a.firstErr = map[enrichers.Status]string{}
			}
			a.firstErr[st] = o.err.Error()
		}
	}
	switch {
	case errors.Is(o.err, transport.ErrLocalLimit):
		a.held++
	case errors.Is(o.err, ErrCacheMiss):
		a.misses++
	}
	a.latency = max(a.latency, o.latency)
	if o.cached {
		a.cached++
		if a.fetchedAt.IsZero() || o.fetchedAt.Before(a.fetchedAt) {
			a.fetchedAt = o.fetchedAt
		}
	} else if o.err == nil && (a.fetchedAt.IsZero() || o.fetchedAt.Before(a.fetchedAt)) {
		a.fetchedAt = o.fetchedAt
	}
}

// failureOrder is the precedence among failure statuses when a source has no
// positive answer: the most informative first.
var failureOrder = [...]enrichers.Status{enrichers.StatusCircuitOpen, enrichers.StatusRateLimited, enrichers.StatusBlocked, enrichers.StatusTimeout, enrichers.StatusError}

func (e *Engine) report(en *entry, s *runSource) SourceReport {
	rep := SourceReport{Name: en.desc.Name}
	if s.skip != "" {
		rep.Status, rep.Detail = enrichers.StatusSkipped, s.skip
		return rep
	}
	a := &s.agg
	if a.calls == 0 {
		rep.Status = enrichers.StatusSkipped
		switch {
		case a.skipWhy != "":
			rep.Detail = a.skipWhy
		default:
			rep.Detail = "no " + kindsList(en.desc.Inputs) + " to look up"
		}
		return rep
	}
	rep.Latency, rep.Calls = a.latency, a.calls
	rep.HeldBack, rep.CacheMisses = a.held, a.misses
	rep.Cached = a.cached == a.calls
	rep.FetchedAt = a.fetchedAt
	var failures []string
	for _, st := range failureOrder {
		if n := a.counts.of(st); n > 0 {
			failures = append(failures, fmt.Sprintf("%d %s", n, st))
			rep.Failed += n
		}
	}
	switch {
	case a.counts.of(enrichers.StatusOK) > 0:
		rep.Status = enrichers.StatusOK
		if len(failures) > 0 {
			rep.Detail = fmt.Sprintf("%d of %d lookups answered; %s", a.counts.of(enrichers.StatusOK)+a.counts.of(enrichers.StatusNotFound), a.calls, strings.Join(failures, ", "))
		}
	case len(failures) > 0:
		for _, st := range failureOrder {
			if a.counts.of(st) > 0 {
				rep.Status, rep.Detail = st, a.firstErr[st]
				break
			}
		}
	case a.counts.of(enrichers.StatusNotFound) > 0:
		rep.Status = enrichers.StatusNotFound
	default:
		rep.Status, rep.Detail = enrichers.StatusSkipped, a.firstErr[enrichers.StatusSkipped]
	}
	return rep
}

func kindsList(ks []enrichers.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	sort.Strings(s)
	return strings.Join(s, " or ")
}
