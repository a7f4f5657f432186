package auth

import (
	"context"
	"maps"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// UsageDelta is usage to add to a key's UTC day.
type UsageDelta struct {
	KeyID string
	Day   string // 2006-01-02
	// Lookups counts lookups charged against the quotas (a single lookup,
	// a batch item, a job row; a cached lookup counts as one).
	Lookups int64
	// Cached counts the lookups answered without asking any upstream.
	Cached int64
	// Statuses counts the sources' answers by status (ok, not_found, …).
	Statuses map[string]int64
}

// UsageDay is one day of a key's usage (GET /v1/usage).
type UsageDay struct {
	Day         string           `json:"day"`
	Lookups     int64            `json:"lookups"`
	Cached      int64            `json:"cached"`
	CachedShare float64          `json:"cached_share"`
	Statuses    map[string]int64 `json:"source_statuses"`
}

// Finish fills CachedShare.
func (u *UsageDay) Finish() {
	if u.Statuses == nil {
		u.Statuses = map[string]int64{}
	}
	if u.Lookups > 0 {
		u.CachedShare = float64(int64(float64(u.Cached)/float64(u.Lookups)*10000+0.5)) / 10000
	}
}

// usageBuffer sums usage in process until it is flushed to the store.
type usageBuffer struct {
	mu   sync.Mutex
	sums map[[2]string]*UsageDelta
	// The last day added to and its name: a day's name is made once, not
	// for every lookup.
	lastDay     time.Time
	lastDayName string
}

// add charges lookups to keyID on at's UTC day (Take).
func (b *usageBuffer) add(keyID string, at time.Time, lookups int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.deltaLocked(keyID, at).Lookups += lookups
}

// addCounts records what a lookup found (ObserveProfile): answered from
// the cache alone or not, and its statuses counted on the caller's stack.
func (b *usageBuffer) addCounts(keyID string, at time.Time, cached int64, counts []statusCount) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.deltaLocked(keyID, at)
	d.Cached += cached
	for _, c := range counts {
		d.Statuses[c.status] += c.n
	}
}

// deltaLocked is keyID's delta for at's UTC day, made when there is none
// (b.mu held).
func (b *usageBuffer) deltaLocked(keyID string, at time.Time) *UsageDelta {
	y, m, dd := at.UTC().Date()
	dayStart := time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
	if b.lastDayName == "" || !b.lastDay.Equal(dayStart) {
		b.lastDay, b.lastDayName = dayStart, dayStart.Format("2006-01-02")
	}
	day := b.lastDayName
	if b.sums == nil {
		b.sums = map[[2]string]*UsageDelta{}
	}
	k := [2]string{keyID, day}
	d := b.sums[k]
	if d == nil {
		d = &UsageDelta{KeyID: keyID, Day: day, Statuses: map[string]int64{}}
		b.sums[k] = d
	}
	return d
}

func (b *usageBuffer) take() []UsageDelta {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]UsageDelta, 0, len(b.sums))
	for _, d := range b.sums {
		out = append(out, *d)
	}
	b.sums = nil
	return out
}

// putBack returns deltas a failed flush could not store.
func (b *usageBuffer) putBack(ds []UsageDelta) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, d := range ds {
		t, _ := time.Parse("2006-01-02", d.Day)
		sum := b.deltaLocked(d.KeyID, t)
		sum.Lookups += d.Lookups
		sum.Cached += d.Cached
		for s, n := range d.Statuses {
			sum.Statuses[s] += n
		}
	}
}

// pending returns the unflushed usage of a key's day (for Usage answers).
func (b *usageBuffer) pending(keyID, day string) (UsageDelta, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.sums[[2]string{keyID, day}]
	if d == nil {
		return UsageDelta{}, false
	}
	c := *d
	c.Statuses = maps.Clone(d.Statuses)
	return c, true
}

// mergeUsage adds d into days (sorted by day), keeping the order.
func mergeUsage(days []UsageDay, d UsageDelta) []UsageDay {
	for i := range days {
		if days[i].Day == d.Day {
			days[i].Lookups += d.Lookups
			days[i].Cached += d.Cached
			if days[i].Statuses == nil {
				days[i].Statuses = map[string]int64{}
			}
			for s, n := range d.Statuses {
				days[i].Statuses[s] += n
			}
			return days
		}
	}
	u := UsageDay{Day: d.Day, Lookups: d.Lookups, Cached: d.Cached, Statuses: maps.Clone(d.Statuses)}
	i := 0
	for i < len(days) && days[i].Day < d.Day {
		i++
	}
	days = append(days, UsageDay{})
	copy(days[i+1:], days[i:])
	days[i] = u
	return days
}

// ObserveProfile records what a charged lookup of keyID found: cached
// when every source that ran answered from the cache (no upstream was
// asked), and each source's status.
func (s *Service) ObserveProfile(keyID string, p *pipeline.Profile) {
	if p == nil {
		return
	}
	cached := int64(1)
	var buf [8]statusCount // more statuses than there are: never grows
	counts := buf[:0]
	for _, src := range p.Sources {
		counts = countStatus(counts, string(src.Status))
		if src.Status != enrichers.StatusSkipped && !src.Cached {
			cached = 0
		}
	}
	s.usage.addCounts(keyID, s.now(), cached, counts)
}

// statusCount is how many of a lookup's sources ended with one status.
type statusCount struct {
	status string
	n      int64
}

// countStatus counts one more source with status st.
func countStatus(counts []statusCount, st string) []statusCount {
	for i := range counts {
		if counts[i].status == st {
			counts[i].n++
			return counts
		}
	}
	return append(counts, statusCount{st, 1})
}

// ctx keys.
type keyCtx struct{}

// WithKey returns ctx carrying the authenticated key.
func WithKey(ctx context.Context, k *Key) context.Context { return context.WithValue(ctx, keyCtx{}, k) }

// KeyFrom returns the key that authenticated the call, nil when the server
// runs open (or outside a call).
func KeyFrom(ctx context.Context) *Key {
	k, _ := ctx.Value(keyCtx{}).(*Key)
	return k
}

// DefaultPurpose returns the calling key's default purpose ("" when none):
// the hook api.Config.DefaultPurpose is wired to.
func DefaultPurpose(ctx context.Context) string {
	if k := KeyFrom(ctx); k != nil {
		return k.Purpose
	}
	return ""
}
