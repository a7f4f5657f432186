package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisCounter keeps every key's counters in Redis, so replicas enforce one
// limit together: one Lua script per Take decides and charges atomically
// (GCRA arrival time, day and month counters), on Redis's own clock, so
// replicas' clocks do not matter. The tolerance between replicas is nil
// for the decision itself; what a replica reports in headers is exact for
// its own call.
//
// Keys: <prefix>tat:<key id>, <prefix>d:<key id>:<day>, <prefix>m:<key
// id>:<month>, expiring after their window.
type RedisCounter struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedisCounter counts in rdb under prefix (e.g. "fp:rl:").
func NewRedisCounter(rdb redis.UniversalClient, prefix string) *RedisCounter {
	return &RedisCounter{rdb: rdb, prefix: prefix}
}

var _ Counter = (*RedisCounter)(nil)

// takeScript: KEYS tat, day, month; ARGV period_us (0: no rate),
// requests, lookups, day quota, month quota, day ttl s, month ttl s.
// Returns {allowed, exceeded (0 none, 1 minute, 2 day, 3 month), busy_us
// (TAT − now after the call), day used, month used, now_us}.
var takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local period = tonumber(ARGV[1])
local req = tonumber(ARGV[2])
local lookups = tonumber(ARGV[3])
local dq = tonumber(ARGV[4])
local mq = tonumber(ARGV[5])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
local dused = tonumber(redis.call('GET', KEYS[2]) or '0')
local mused = tonumber(redis.call('GET', KEYS[3]) or '0')
local exceeded = 0
local newtat = tat
if period > 0 then
  if newtat < now then newtat = now end
  newtat = newtat + req * period
  if newtat - now > 60000000 then exceeded = 1 end
end
if exceeded == 0 and dq > 0 and lookups > 0 and dused + lookups > dq then exceeded = 2 end
if exceeded == 0 and mq > 0 and lookups > 0 and mused + lookups > mq then exceeded = 3 end
if exceeded == 0 then
  if period > 0 and req > 0 then
    redis.call('SET', KEYS[1], newtat, 'PX', math.ceil((newtat - now) / 1000) + 1000)
  end
  if lookups > 0 then
    dused = redis.call('INCRBY', KEYS[2], lookups)
    redis.call('EXPIRE', KEYS[2], ARGV[6])
    mused = redis.call('INCRBY', KEYS[3], lookups)
    redis.call('EXPIRE', KEYS[3], ARGV[7])
  end
else
  newtat = tat
end
local busy = newtat - now
if busy < 0 then busy = 0 end
if exceeded == 1 then busy = tat - now + req * period end
return {exceeded == 0 and 1 or 0, exceeded, busy, dused, mused}
`)

// Take implements Counter.
func (r *RedisCounter) Take(ctx context.Context, keyID string, l Limits, requests, lookups int64) (Decision, error) {
	now := time.Now()
	day, month, dayEnd, monthEnd, _ := windows(now)
	var period int64
	if l.RatePerMin > 0 {
		period = int64(time.Minute/time.Microsecond) / l.RatePerMin
	}
	keys := []string{r.prefix + "tat:" + keyID, r.prefix + "d:" + keyID + ":" + day, r.prefix + "m:" + keyID + ":" + month}
	res, err := takeScript.Run(ctx, r.rdb, keys, period, requests, lookups, l.QuotaPerDay, l.QuotaPerMonth,
		int64(dayEnd.Sub(now).Seconds())+3600, int64(monthEnd.Sub(now).Seconds())+3600).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("auth: redis counter: %w", err)
	}
	if len(res) != 5 {
		return Decision{}, fmt.Errorf("auth: redis counter: %d values", len(res))
	}
	// Rebuild the decision with the same rule as MemoryCounter from the
	// state the script saw, so both report alike.
	exceeded, busy, dayUsed, monthUsed := res[1], time.Duration(res[2])*time.Microsecond, res[3], res[4]
	d := Decision{Allowed: res[0] == 1}
	if l.RatePerMin > 0 {
		per := max(time.Minute/time.Duration(l.RatePerMin), 1)
		shown := min(busy, time.Minute)
		d.Policies = append(d.Policies, Policy{Name: PolicyMinute, Quota: l.RatePerMin, Window: time.Minute,
			Remaining: max(min(int64((time.Minute-shown)/per), l.RatePerMin), 0), Reset: shown})
	}
	if l.QuotaPerDay > 0 {
		d.Policies = append(d.Policies, Policy{Name: PolicyDay, Quota: l.QuotaPerDay, Window: 24 * time.Hour,
			Remaining: max(l.QuotaPerDay-dayUsed, 0), Reset: dayEnd.Sub(now)})
	}
	if l.QuotaPerMonth > 0 {
		_, monthStart, _, monthEnd := windowBounds(now)
		monthLen := monthEnd.Sub(monthStart)
		d.Policies = append(d.Policies, Policy{Name: PolicyMonth, Quota: l.QuotaPerMonth, Window: monthLen,
			Remaining: max(l.QuotaPerMonth-monthUsed, 0), Reset: monthEnd.Sub(now)})
	}
	switch exceeded {
	case 1:
		d.Exceeded, d.RetryAfter = PolicyMinute, busy-time.Minute
		for i := range d.Policies {
			if d.Policies[i].Name == PolicyMinute {
				d.Policies[i].Remaining = 0
			}
		}
	case 2:
		d.Exceeded, d.RetryAfter = PolicyDay, dayEnd.Sub(now)
	case 3:
		d.Exceeded, d.RetryAfter = PolicyMonth, monthEnd.Sub(now)
	}
	return d, nil
}
