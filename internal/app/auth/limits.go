package auth

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limits are a key's limits. RatePerMin bounds requests per minute (GCRA:
// at most RatePerMin at once, refilled evenly over the minute); the quotas
// bound lookups per UTC day and calendar month (0: none).
type Limits struct {
	RatePerMin    int64
	QuotaPerDay   int64
	QuotaPerMonth int64
}

// LimitsOf returns k's limits.
func LimitsOf(k *Key) Limits {
	return Limits{RatePerMin: k.RatePerMin, QuotaPerDay: k.QuotaPerDay, QuotaPerMonth: k.QuotaPerMonth}
}

// Policy names, as they appear in the RateLimit headers and in 429s.
const (
	PolicyMinute = "per-minute"
	PolicyDay    = "per-day"
	PolicyMonth  = "per-month"
)

// Policy is one limit's state after a decision.
type Policy struct {
	Name      string
	Quota     int64
	Window    time.Duration
	Remaining int64
	// Reset is how long until the limit is whole again (the rate limit:
	// until its bucket is full; a quota: the next UTC day or month).
	Reset time.Duration
}

// Decision is the answer to a Take.
type Decision struct {
	Allowed  bool
	Policies []Policy
	// Exceeded names the policy that refused (when !Allowed), RetryAfter
	// is when asking again can succeed.
	Exceeded   string
	RetryAfter time.Duration
}

// Counter counts requests and lookups against a key's limits. Take
// charges requests against the rate limit and lookups against the
// quotas, all or nothing: a refused Take charges nothing.
type Counter interface {
	Take(ctx context.Context, keyID string, l Limits, requests, lookups int64) (Decision, error)
}

// windows returns the day and month windows around now (UTC).
func windows(now time.Time) (day, month string, dayEnd, monthEnd time.Time, monthLen time.Duration) {
	dayStart, monthStart, dayEnd, monthEnd := windowBounds(now)
	return dayStart.Format("2006-01-02"), monthStart.Format("2006-01"), dayEnd, monthEnd, monthEnd.Sub(monthStart)
}

// windowBounds is windows without the names (which cost two strings per
// call): where the day and month windows around now start and end.
func windowBounds(now time.Time) (dayStart, monthStart, dayEnd, monthEnd time.Time) {
	now = now.UTC()
	y, m, d := now.Date()
	dayStart = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	monthStart = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return dayStart, monthStart, dayStart.AddDate(0, 0, 1), monthStart.AddDate(0, 1, 0)
}

// decide is the one decision rule, shared by MemoryCounter and (in Lua) by
// RedisCounter: tat is the GCRA's theoretical arrival time, dayUsed and
// monthUsed the lookups so far. It returns the decision and the new state.
func decide(now time.Time, l Limits, tat time.Time, dayUsed, monthUsed, requests, lookups int64) (Decision, time.Time, int64, int64) {
	_, monthStart, dayEnd, monthEnd := windowBounds(now)
	return decideIn(now, monthStart, dayEnd, monthEnd, l, tat, dayUsed, monthUsed, requests, lookups)
}

// ratePeriod is the time one request of a per-minute rate takes up in its
// bucket (the GCRA's emission interval).
func ratePeriod(perMin int64) time.Duration {
	return max(time.Minute/time.Duration(perMin), 1)
}

// rateRemaining is how many requests a per-minute rate still admits when
// its bucket is busy for busy.
func rateRemaining(busy, period time.Duration, perMin int64) int64 {
	return max(min(int64((time.Minute-busy)/period), perMin), 0)
}

// decideIn is decide with now's windows already found (windowBounds).
func decideIn(now, monthStart, dayEnd, monthEnd time.Time, l Limits, tat time.Time, dayUsed, monthUsed, requests, lookups int64) (Decision, time.Time, int64, int64) {
	monthLen := monthEnd.Sub(monthStart)
	d := Decision{Allowed: true}
	newTAT := tat
	var period time.Duration
	if l.RatePerMin > 0 {
		period = ratePeriod(l.RatePerMin)
		if newTAT.Before(now) {
			newTAT = now
		}
		newTAT = newTAT.Add(time.Duration(requests) * period)
		if newTAT.Sub(now) > time.Minute {
			d.Allowed, d.Exceeded = false, PolicyMinute
			d.RetryAfter = newTAT.Sub(now) - time.Minute
		}
	}
	if d.Allowed && l.QuotaPerDay > 0 && lookups > 0 && dayUsed+lookups > l.QuotaPerDay {
		d.Allowed, d.Exceeded, d.RetryAfter = false, PolicyDay, dayEnd.Sub(now)
	}
	if d.Allowed && l.QuotaPerMonth > 0 && lookups > 0 && monthUsed+lookups > l.QuotaPerMonth {
		d.Allowed, d.Exceeded, d.RetryAfter = false, PolicyMonth, monthEnd.Sub(now)
	}
	if d.Allowed {
		dayUsed += lookups
		monthUsed += lookups
	} else {
		newTAT = tat
	}
	if l.RatePerMin > 0 {
		busy := max(newTAT.Sub(now), 0)
		d.Policies = append(d.Policies, Policy{Name: PolicyMinute, Quota: l.RatePerMin, Window: time.Minute,
			Remaining: rateRemaining(busy, period, l.RatePerMin), Reset: busy})
	}
	if l.QuotaPerDay > 0 {
		d.Policies = append(d.Policies, Policy{Name: PolicyDay, Quota: l.QuotaPerDay, Window: 24 * time.Hour,
			Remaining: max(l.QuotaPerDay-dayUsed, 0), Reset: dayEnd.Sub(now)})
	}
	if l.QuotaPerMonth > 0 {
		d.Policies = append(d.Policies, Policy{Name: PolicyMonth, Quota: l.QuotaPerMonth, Window: monthLen,
			Remaining: max(l.QuotaPerMonth-monthUsed, 0), Reset: monthEnd.Sub(now)})
	}
	return d, newTAT, dayUsed, monthUsed
}

// seconds rounds d up to whole seconds (a reset of 0.2 s is 1 s: asking
// again earlier would be refused).
func seconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64(math.Ceil(d.Seconds()))
}

// SetHeaders writes the decision's rate-limit headers: RateLimit-Policy and
// RateLimit as in draft-ietf-httpapi-ratelimit-headers (structured fields:
// `"per-minute";q=600;w=60` and `"per-minute";r=599;t=1`, one list member
// per limit), and X-RateLimit-Limit / -Remaining / -Reset (seconds until
// the reset) of the limit closest to exhaustion. A refusal adds
// Retry-After.
func (d Decision) SetHeaders(h http.Header) {
	if len(d.Policies) == 0 {
		return
	}
	// Every value is written into one buffer, on the stack while it fits
	// (this runs on every keyed request), and made one string: "name";q=Q;w=W,
	// ... then "name";r=R;t=T, ... then the three numbers of the tightest
	// limit.
	var stack [320]byte
	buf := stack[:0]
	tight := d.Policies[0]
	for i, p := range d.Policies {
		buf = appendPolicy(buf, i, p.Name, ";q=", p.Quota, ";w=", seconds(p.Window))
	}
	var ends [5]int
	ends[0] = len(buf)
	for i, p := range d.Policies {
		buf = appendPolicy(buf, i, p.Name, ";r=", p.Remaining, ";t=", seconds(p.Reset))
		switch {
		case d.Exceeded != "":
			if p.Name == d.Exceeded {
				tight = p
			}
		case p.Remaining*tight.Quota < tight.Remaining*p.Quota: // a smaller share left
			tight = p
		}
	}
	ends[1] = len(buf)
	buf = strconv.AppendInt(buf, tight.Quota, 10)
	ends[2] = len(buf)
	buf = strconv.AppendInt(buf, tight.Remaining, 10)
	ends[3] = len(buf)
	buf = strconv.AppendInt(buf, seconds(tight.Reset), 10)
	ends[4] = len(buf)
	all := string(buf)
	// Set would canonicalize each name (these are not canonical as
	// written, so that costs a string each) and allocate each value's
	// slice: the canonical names are assigned, the values share an array.
	var vals [5]string
	start := 0
	for i, end := range ends {
		vals[i] = all[start:end]
		start = end
	}
	vs := vals[:]
	for i, k := range [...]string{"Ratelimit-Policy", "Ratelimit", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"} {
		h[k] = vs[i : i+1 : i+1]
	}
	if !d.Allowed {
		h.Set("Retry-After", strconv.FormatInt(max(seconds(d.RetryAfter), 1), 10))
	}
}

// appendPolicy appends the i-th item of a RateLimit header list:
// "name";k1=v1;k2=v2, comma-separated from the one before.
func appendPolicy(buf []byte, i int, name, k1 string, v1 int64, k2 string, v2 int64) []byte {
	if i > 0 {
		buf = append(buf, ", "...)
	}
	buf = strconv.AppendQuote(buf, name)
	buf = append(buf, k1...)
	buf = strconv.AppendInt(buf, v1, 10)
	buf = append(buf, k2...)
	return strconv.AppendInt(buf, v2, 10)
}

// Baseline returns lookups already counted for a key in a UTC day
// ("2006-01-02") and month ("2006-01") — the stored usage — so an
// in-process counter starts from them after a restart.
type Baseline func(ctx context.Context, keyID, day, month string) (dayUsed, monthUsed int64, err error)

// MemoryCounter counts in process: the limits of one replica. Quota
// counters start from Baseline (the stored usage) the first time a key's
// day or month is seen.
type MemoryCounter struct {
	baseline Baseline
	now      func() time.Time
	mu       sync.Mutex
	state    map[string]*memState
	windows  windowsMemo // under mu
}

// windowsMemo remembers the windows of the last day asked about:
// windowBounds costs four calendar computations, and a counter is asked
// about the same day all day long.
type windowsMemo struct {
	ok                                     bool
	dayStart, monthStart, dayEnd, monthEnd time.Time
}

// of is windowBounds(now).
func (w *windowsMemo) of(now time.Time) (dayStart, monthStart, dayEnd, monthEnd time.Time) {
	if !w.ok || now.Before(w.dayStart) || !now.Before(w.dayEnd) {
		w.dayStart, w.monthStart, w.dayEnd, w.monthEnd = windowBounds(now)
		w.ok = true
	}
	return w.dayStart, w.monthStart, w.dayEnd, w.monthEnd
}

type memState struct {
	tat                time.Time
	day, month         time.Time // the windows' starts (windowBounds)
	dayUsed, monthUsed int64
	haveDay, haveMonth bool
}

// NewMemoryCounter returns an in-process counter; baseline and now may be
// nil.
func NewMemoryCounter(baseline Baseline, now func() time.Time) *MemoryCounter {
	if now == nil {
		now = time.Now
	}
	return &MemoryCounter{baseline: baseline, now: now, state: map[string]*memState{}}
}

// Take implements Counter.
func (m *MemoryCounter) Take(ctx context.Context, keyID string, l Limits, requests, lookups int64) (Decision, error) {
	now := m.now()
	// The windows are compared by their starts; their names (what
	// windows returns, two strings) are only made for the baseline, when
	// a window begins.
	m.mu.Lock()
	day, month, dayEnd, monthEnd := m.windows.of(now)
	st := m.state[keyID]
	if st == nil {
		st = &memState{}
		m.state[keyID] = st
	}
	needDay, needMonth := !st.haveDay || !st.day.Equal(day), !st.haveMonth || !st.month.Equal(month)
	m.mu.Unlock()
	if needDay || needMonth {
		var du, mu int64
		if m.baseline != nil {
			dayName, monthName, _, _, _ := windows(now)
			var err error
			if du, mu, err = m.baseline(ctx, keyID, dayName, monthName); err != nil {
				return Decision{}, err
			}
		}
		m.mu.Lock()
		if !st.haveDay || !st.day.Equal(day) {
			st.day, st.dayUsed, st.haveDay = day, du, true
		}
		if !st.haveMonth || !st.month.Equal(month) {
			st.month, st.monthUsed, st.haveMonth = month, mu, true
		}
		m.mu.Unlock()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	d, tat, du, mu := decideIn(now, month, dayEnd, monthEnd, l, st.tat, st.dayUsed, st.monthUsed, requests, lookups)
	st.tat, st.dayUsed, st.monthUsed = tat, du, mu
	return d, nil
}

// spent is Take(ctx, prefix+id, Limits{RatePerMin: rate}, 0, 0) (rate > 0)
// without its Decision: whether the rate limit has no request left (its
// policy's Remaining is 0), and its Reset. It leaves the bucket as Take
// leaves it (the quota windows, which count nothing for a rate alone, are
// not looked at), and allocates nothing once prefix+id has a state (the
// failed-authentications check runs on every keyed request).
func (m *MemoryCounter) spent(prefix, id string, rate int64) (bool, time.Duration) {
	now := m.now()
	var stack [128]byte
	key := append(append(stack[:0], prefix...), id...)
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.state[string(key)]
	if st == nil {
		// Its windows are left for Take to begin: they count nothing for
		// a rate alone.
		st = &memState{}
		m.state[string(key)] = st
	}
	if st.tat.Before(now) {
		st.tat = now
	}
	busy := st.tat.Sub(now)
	return rateRemaining(busy, ratePeriod(rate), rate) == 0, busy
}

// prune forgets state that no longer limits anything (a failure bucket
// whose arrival time has passed).
func (m *MemoryCounter) prune(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, st := range m.state {
		if st.tat.Before(now) {
			delete(m.state, k)
		}
	}
}
