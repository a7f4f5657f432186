// Package limits keeps every source's token bucket in Redis, so that the
// replicas of one deployment together stay within each upstream's rate
// (transport.SharedBuckets), and shares an upstream's Retry-After learned
// by one replica with all of them.
//
// Each bucket is a GCRA state (one "theoretical arrival time" per source)
// updated by a short Lua script, on Redis's clock, in one round trip per
// token. A script rather than go-redis/redis_rate because footprint's
// limiter needs three things that library does not do: a live lookup
// reserves the next token even when it lies in the future (and sleeps
// until then, queueing like golang.org/x/time/rate instead of polling); a
// batch row takes a token only when the bucket keeps the live reserve
// after it (jobs.live_reserve); and the upstream's pause is read in the
// same round trip.
//
// When Redis does not answer, each replica falls back to its share of
// every rate: one over the replicas that sent a heartbeat recently (Run
// keeps this replica in a sorted set), never the whole rate. Ready reports
// it for /readyz, and the change is logged once each way.
package limits

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Config configures a Shared.
type Config struct {
	// Client is the Redis connection (required). Give it short dial and
	// read timeouts: a token is asked for before an upstream request.
	Client redis.UniversalClient
	// Prefix starts every key (default "footprint:").
	Prefix string
	// Replica names this replica in the heartbeat set (required, unique
	// per process).
	Replica string
	// FallbackReplicas is the number of replicas assumed while Redis has
	// not answered once since start (default 2); afterwards the replicas
	// seen in the last Window count.
	FallbackReplicas int
	// Heartbeat is how often Run refreshes this replica in the set and
	// retries Redis while it is down (default 1s); Window is how long a
	// replica counts after its last heartbeat (default 10s).
	Heartbeat, Window time.Duration
	// Timeout bounds each Redis call (default 500ms).
	Timeout time.Duration
	Logger  *slog.Logger
}

// Shared is every source's bucket in Redis. It implements
// transport.SharedBuckets.
type Shared struct {
	cfg   Config
	take  *redis.Script
	pause *redis.Script
	beat  *redis.Script

	down     atomic.Bool
	replicas atomic.Int64 // seen recently; 0 until Redis answered once
	mu       sync.Mutex
	lastErr  error
}

var _ transport.SharedBuckets = (*Shared)(nil)

// New returns a Shared over cfg.Client. It does no I/O: Redis is first
// asked on the first token or by Run.
func New(cfg Config) (*Shared, error) {
	if cfg.Client == nil {
		return nil, errors.New("limits: no Redis client")
	}
	if cfg.Replica == "" {
		return nil, errors.New("limits: no replica name")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "footprint:"
	}
	if cfg.FallbackReplicas <= 0 {
		cfg.FallbackReplicas = 2
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = time.Second
	}
	if cfg.Window <= 0 {
		cfg.Window = 10 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 500 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Shared{cfg: cfg, take: redis.NewScript(takeScript), pause: redis.NewScript(pauseScript), beat: redis.NewScript(beatScript)}, nil
}

// takeScript is one GCRA step on Redis's clock (microseconds).
// KEYS: the bucket's arrival time, the source's pause. ARGV: the interval
// between tokens (µs), the burst, "live" or "bg", the tokens a background
// take leaves (keep), the furthest a live take may wait (µs), "1" to take
// the bucket as empty first (a replica back from its fallback share).
// It returns {granted 0/1, wait µs, paused 0/1}.
const takeScript = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {0, paused - now, 1} end
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
if ARGV[6] == '1' and tat < now + burst * interval then tat = now + burst * interval end
local wait
if ARGV[3] == 'bg' then
  wait = tat + (1 + tonumber(ARGV[4])) * interval - burst * interval - now
  if wait > 0 then return {0, math.ceil(wait), 0} end
  wait = 0
else
  wait = tat + interval - burst * interval - now
  if wait < 0 then wait = 0 end
  if wait > tonumber(ARGV[5]) then return {0, math.ceil(wait), 0} end
end
tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 1000)
return {1, math.ceil(wait), 0}
`

// pauseScript pauses a source until Redis's now + ARGV[1] µs, unless it is
// paused longer already.
const pauseScript = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < untl then
  redis.call('SET', KEYS[1], string.format('%.0f', untl), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
end
return 1
`

// beatScript records replica ARGV[1] as seen now, forgets replicas not
// seen for ARGV[2] ms and returns how many remain.
const beatScript = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
return redis.call('ZCARD', KEYS[1])
`

// keys are a source's bucket and pause keys; the hash tag keeps both in
// one Redis Cluster slot.
func (s *Shared) keys(source string) []string {
	tag := "{" + s.cfg.Prefix + "limit:" + source + "}"
	return []string{tag + ":tat", tag + ":pause"}
}

func (s *Shared) replicasKey() string { return s.cfg.Prefix + "limit:replicas" }

// Take implements transport.SharedBuckets.
func (s *Shared) Take(ctx context.Context, source string, t transport.SharedTake) (transport.SharedGrant, error) {
	if t.Rate <= 0 || t.Burst <= 0 {
		return transport.SharedGrant{}, fmt.Errorf("limits: %s: no rate", source)
	}
	mode := "bg"
	if t.Live {
		mode = "live"
	}
	interval := 1e6 / float64(t.Rate)
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	res, err := s.take.Run(rctx, s.cfg.Client, s.keys(source),
		strconv.FormatFloat(interval, 'f', 3, 64), t.Burst, mode,
		strconv.FormatFloat(t.Keep, 'f', 3, 64), micros(t.MaxWait), resync(t.Resync)).Int64Slice()
	if err != nil || len(res) != 3 {
		if err == nil {
			err = fmt.Errorf("unexpected answer %v", res)
		}
		s.failed(ctx, err)
		return transport.SharedGrant{}, err
	}
	return transport.SharedGrant{OK: res[0] == 1, Wait: time.Duration(res[1]) * time.Microsecond, Paused: res[2] == 1}, nil
}

// Pause implements transport.SharedBuckets. It outlives ctx's cancellation
// (the request that met the 429 may be ending) but not the timeout.
func (s *Shared) Pause(ctx context.Context, source string, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.pause.Run(rctx, s.cfg.Client, s.keys(source)[1:], micros(d)).Err(); err != nil {
		s.failed(ctx, err)
		return err
	}
	return nil
}

// Fallback implements transport.SharedBuckets: while Redis is down, one
// over the replicas seen recently (FallbackReplicas before Redis answered
// once).
func (s *Shared) Fallback() (float64, bool) {
	if !s.down.Load() {
		return 1, false
	}
	return 1 / float64(s.Replicas()), true
}

// Replicas is the number of replicas seen recently (at least 1), or
// FallbackReplicas while Redis has not answered once.
func (s *Shared) Replicas() int {
	if n := s.replicas.Load(); n > 0 {
		return int(n)
	}
	return s.cfg.FallbackReplicas
}

// Down reports whether Redis is unreachable (the fallback shares bind).
func (s *Shared) Down() bool { return s.down.Load() }

// failed marks Redis down after a call that did not answer and logs the
// change once. ctx is the caller's: a caller whose own deadline ran out
// or who went away during the call says nothing about Redis.
func (s *Shared) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
	if s.down.CompareAndSwap(false, true) {
		n := s.Replicas()
		s.cfg.Logger.Warn("shared rate limits: Redis unreachable; this replica now uses its share of every source's rate until Redis answers again",
			"replicas", n, "share", fmt.Sprintf("1/%d", n), "err", err)
	}
}

// Heartbeat records this replica in the set of replicas seen recently and
// refreshes their count; a replica that was down comes back up when it
// answers.
func (s *Shared) Heartbeat(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	n, err := s.beat.Run(rctx, s.cfg.Client, []string{s.replicasKey()}, s.cfg.Replica, s.cfg.Window.Milliseconds()).Int64()
	if err != nil {
		s.failed(ctx, err)
		return err
	}
	s.replicas.Store(max(n, 1))
	if s.down.CompareAndSwap(true, false) {
		s.cfg.Logger.Info("shared rate limits: Redis answers again; every source's bucket is global across replicas again", "replicas", n)
	}
	return nil
}

// Run sends a heartbeat every Config.Heartbeat until ctx is done, then
// takes this replica out of the set.
func (s *Shared) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Heartbeat)
	defer t.Stop()
	for {
		_ = s.Heartbeat(ctx)
		select {
		case <-ctx.Done():
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Timeout)
			defer cancel()
			_ = s.cfg.Client.ZRem(lctx, s.replicasKey(), s.cfg.Replica).Err()
			return
		case <-t.C:
		}
	}
}

// Ready is the readiness check of /readyz: an error while Redis is down,
// saying which share of every rate this replica now uses.
func (s *Shared) Ready(context.Context) error {
	if !s.down.Load() {
		return nil
	}
	s.mu.Lock()
	err := s.lastErr
	s.mu.Unlock()
	return fmt.Errorf("degraded: Redis unreachable (%w), each source's rate limited to this replica's share 1/%d", err, s.Replicas())
}

func resync(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func micros(d time.Duration) int64 {
	return int64(math.Min(float64(d/time.Microsecond), math.MaxInt64/2))
}
