package engine

import (
	"sync"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// RecentWindow is how far back SourceInfo.Recent counts a source's calls:
// the last RecentWindow, in recentSlots slots of RecentWindow/recentSlots
// each (so the window slides by one slot at a time).
const (
	RecentWindow = 5 * time.Minute
	recentSlots  = 10
	recentSlot   = RecentWindow / recentSlots
)

// recentStatuses are the outcomes a call can have (a skipped source makes
// no call), in the order the counts are kept.
var recentStatuses = [...]enrichers.Status{
	enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusTimeout, enrichers.StatusRateLimited,
	enrichers.StatusCircuitOpen, enrichers.StatusBlocked, enrichers.StatusError,
}

// recentMix counts each source's answered calls by status over the last
// RecentWindow: the "recent status mix" of GET /v1/sources. One ring of
// slots per source, written under the source's own lock.
type recentMix struct {
	bySource map[string]*recentRing // fixed at New: read without a lock
}

type recentRing struct {
	mu    sync.Mutex
	slots [recentSlots]recentCounts
}

type recentCounts struct {
	slot int64 // which slot of time (unix time / recentSlot) the counts are for
	n    [len(recentStatuses)]uint32
}

func newRecentMix(names []string) *recentMix {
	m := &recentMix{bySource: make(map[string]*recentRing, len(names))}
	for _, n := range names {
		m.bySource[n] = &recentRing{}
	}
	return m
}

func statusIndex(s enrichers.Status) int {
	for i, v := range recentStatuses {
		if v == s {
			return i
		}
	}
	return -1
}

// add counts one call of source answered with status at now.
func (m *recentMix) add(source string, status enrichers.Status, now time.Time) {
	r := m.bySource[source]
	i := statusIndex(status)
	if r == nil || i < 0 {
		return
	}
	slot := now.UnixNano() / int64(recentSlot)
	r.mu.Lock()
	c := &r.slots[slot%recentSlots]
	if c.slot != slot {
		*c = recentCounts{slot: slot}
	}
	c.n[i]++
	r.mu.Unlock()
}

// counts returns source's calls by status over the window ending at now;
// statuses with no call are left out (nil when there was none).
func (m *recentMix) counts(source string, now time.Time) map[enrichers.Status]int {
	r := m.bySource[source]
	if r == nil {
		return nil
	}
	cur := now.UnixNano() / int64(recentSlot)
	var sum [len(recentStatuses)]int
	r.mu.Lock()
	for _, c := range r.slots {
		if c.slot > cur-recentSlots && c.slot <= cur {
			for i, n := range c.n {
				sum[i] += int(n)
			}
		}
	}
	r.mu.Unlock()
	var out map[enrichers.Status]int
	for i, n := range sum {
		if n > 0 {
			if out == nil {
				out = make(map[enrichers.Status]int, len(sum))
			}
			out[recentStatuses[i]] = n
		}
	}
	return out
}
