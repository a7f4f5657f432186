package cache

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Purges across replicas. Every replica keeps its own L1 (and, above the
// cache, the engine's memo and the pipeline's fast path), so deleting a
// subject's keys from Redis is not enough: a replica would go on serving
// them from memory. The design:
//
//   - Purge deletes the keys from this L1 and from Redis, then publishes
//     them on Config.PurgeChannel. Every subscribed replica deletes them
//     from its L1 and calls its purge hook (the engine's ForgetMemo, which
//     also ends every fast-path answer).
//   - A replica reads its L1 only while its subscription is up. When the
//     subscription is lost (an error, or two heartbeats without an answer)
//     it stops reading L1 and calls its hook at once; when it is
//     subscribed again it empties L1, calls the hook again and only then
//     reads L1 again. So a purge it could have missed never reaches a
//     lookup from memory: during an outage its lookups read Redis (when
//     reachable) or go upstream.
//
// Pub/sub delivers at most once, so this is the only sound way without
// versioning every L1 entry: nothing is trusted across a gap. Purges are
// rare (data-subject requests) and a reconnect costs one L1 refill.

// Notices. The purge channel also carries small messages other packages
// broadcast to every replica (privacy's suppressions), so they share the
// purges' subscription and its guarantee: the listener is told whenever
// the subscription is lost and when it is confirmed again, because
// notices sent in between were not heard. A notice's payload is its
// first line, "!notice <topic>", then its body; a purge's lines are cache
// keys, none of which starts with "!" (a replica of an older version
// takes a notice for a purge of keys that do not exist: harmless).
const noticePrefix = "!notice "

// NoticeListener hears notices and the state of the subscription that
// carries them. Its methods run on the subscription's goroutine: they must
// not block.
type NoticeListener interface {
	// Notice is a notice Notify published on any replica, this one
	// included.
	Notice(topic, body string)
	// SubscriptionChanged is called with false when the subscription is
	// lost and with true once it is confirmed again: notices sent in
	// between were missed.
	SubscriptionChanged(up bool)
}

// SetNoticeListener sets the listener of notices (nil clears it).
func (c *Cache) SetNoticeListener(l NoticeListener) {
	if l == nil {
		c.listener.Store(nil)
		return
	}
	c.listener.Store(&l)
}

// Notify publishes a notice on the purge channel: every subscribed
// replica's listener hears it. A no-op without Redis (no other replica to
// tell); a Redis failure is an error.
func (c *Cache) Notify(ctx context.Context, topic, body string) error {
	if c.l2 == nil || c.cfg.PurgeChannel == "" {
		return nil
	}
	_, err := c.l2cb.Execute(func() (any, error) {
		return nil, c.l2.Publish(ctx, c.cfg.PurgeChannel, noticePrefix+topic+"\n"+body).Err()
	})
	if err != nil {
		return fmt.Errorf("cache: notice: %w", err)
	}
	return nil
}

func (c *Cache) tellListener(up bool) {
	if l := c.listener.Load(); l != nil {
		(*l).SubscriptionChanged(up)
	}
}

// SetPurgeHook sets the function called after a purge reaches this replica
// from another one, and whenever the purge subscription is lost or
// regained (the engine's ForgetMemo). nil clears it.
func (c *Cache) SetPurgeHook(fn func()) {
	if fn == nil {
		c.purgeHook.Store(nil)
		return
	}
	c.purgeHook.Store(&fn)
}

func (c *Cache) callHook() {
	if fn := c.purgeHook.Load(); fn != nil {
		(*fn)()
	}
}

// Key returns the cache key of a source's entry for an identifier (an
// HMAC: it names no identifier).
func (c *Cache) Key(d enrichers.Description, id enrichers.Identifier) string {
	return c.keys.Key(d, id)
}

// Purge removes the entries of every (source, identifier) pair from both
// tiers and from every replica's L1 (see PurgeKeys). Entries are keyed by
// the identifier's provenance too, so each identifier is purged as given
// and as a request input (Method "input", no platform).
func (c *Cache) Purge(ctx context.Context, sources []enrichers.Description, ids []enrichers.Identifier) (int, error) {
	var keys []string
	for _, d := range sources {
		for _, id := range ids {
			keys = append(keys, c.keys.Key(d, id), c.keys.Key(d, enrichers.Identifier{Kind: id.Kind, Value: id.Value, Method: enrichers.MethodInput}))
		}
	}
	return c.PurgeKeys(ctx, keys)
}

// PurgeKeys removes keys from this L1 and Redis, then publishes them so
// every replica drops them from its L1 (with PurgeChannel), and returns how
// many entries it removed (an entry in either tier counts once). A Redis
// failure is an error: the caller must not report the purge as done.
func (c *Cache) PurgeKeys(ctx context.Context, keys []string) (int, error) {
	seen := make(map[string]bool, len(keys))
	uniq := keys[:0:0]
	removed := 0
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		uniq = append(uniq, k)
	}
	inL1 := make([]bool, len(uniq))
	for i, k := range uniq {
		inL1[i] = c.l1.Delete(k) == nil
		if inL1[i] && c.l2 == nil {
			removed++
		}
	}
	if c.l2 == nil || len(uniq) == 0 {
		return removed, nil
	}
	_, err := c.l2cb.Execute(func() (any, error) {
		cmds, err := c.l2.Pipelined(ctx, func(p redis.Pipeliner) error {
			for _, k := range uniq {
				p.Del(ctx, k)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for i, cmd := range cmds {
			if n, _ := cmd.(*redis.IntCmd).Result(); n > 0 || inL1[i] {
				removed++
			}
		}
		if c.cfg.PurgeChannel != "" {
			return nil, c.l2.Publish(ctx, c.cfg.PurgeChannel, strings.Join(uniq, "\n")).Err()
		}
		return nil, nil
	})
	if err != nil {
		return removed, fmt.Errorf("cache: purge from redis: %w", err)
	}
	return removed, nil
}

// The subject index: which cache keys lookups of a subject wrote or read,
// so an erasure finds every one of them — those of other spellings of the
// same mailbox (Jane.Doe+x@googlemail.com and janedoe@gmail.com are one
// subject, but two sets of keys) and those derived from evidence that has
// expired since. In Redis (a set per subject, holding HMAC keys only,
// expiring with the longest-lived entry it names); without Redis, the
// caller flushes L1 instead (Reset).

func indexKey(subject string) string { return keyPrefix + "subject:" + subject }

// Track adds keys to subject's index, which lives at least ttl more. A
// no-op without Redis.
func (c *Cache) Track(ctx context.Context, subject string, keys []string, ttl time.Duration) error {
	if c.l2 == nil || len(keys) == 0 {
		return nil
	}
	k := indexKey(subject)
	_, err := c.l2cb.Execute(func() (any, error) {
		return c.l2.Pipelined(ctx, func(p redis.Pipeliner) error {
			members := make([]any, len(keys))
			for i, key := range keys {
				members[i] = key
			}
			p.SAdd(ctx, k, members...)
			p.ExpireGT(ctx, k, ttl)
			p.ExpireNX(ctx, k, ttl)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("cache: subject index: %w", err)
	}
	return nil
}

// Tracked returns subject's indexed keys (none without Redis).
func (c *Cache) Tracked(ctx context.Context, subject string) ([]string, error) {
	if c.l2 == nil {
		return nil, nil
	}
	v, err := c.l2cb.Execute(func() (any, error) { return c.l2.SMembers(ctx, indexKey(subject)).Result() })
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("cache: subject index: %w", err)
	}
	keys, _ := v.([]string)
	return keys, nil
}

// Untrack deletes subject's index.
func (c *Cache) Untrack(ctx context.Context, subject string) error {
	if c.l2 == nil {
		return nil
	}
	_, err := c.l2cb.Execute(func() (any, error) { return nil, c.l2.Del(ctx, indexKey(subject)).Err() })
	return err
}

// Reset empties this replica's L1 (an erasure without Redis: the subject's
// keys are not all known, everything goes).
func (c *Cache) Reset() { _ = c.l1.Reset() }

// listen keeps the purge subscription up until Close.
func (c *Cache) listen() {
	defer c.wg.Done()
	backoff := 100 * time.Millisecond
	for c.base.Err() == nil {
		if c.subscribe() {
			backoff = 100 * time.Millisecond
		}
		if transport.Sleep(c.base, backoff) != nil {
			return
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// subscribe serves one subscription until it fails; it reports whether it
// was ever confirmed.
func (c *Cache) subscribe() (confirmed bool) {
	ps := c.l2.Subscribe(c.base, c.cfg.PurgeChannel)
	defer func() {
		_ = ps.Close()
		if c.subscribed.Swap(false) {
			c.log.Warn("cache: purge subscription lost; L1 is not read until it is back")
			c.callHook()
			c.tellListener(false)
		}
	}()
	waiting := false // a ping is unanswered
	for {
		msg, err := ps.ReceiveTimeout(c.base, c.cfg.Heartbeat)
		if err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() || waiting || c.base.Err() != nil {
				return confirmed
			}
			waiting = true
			ctx, cancel := context.WithTimeout(c.base, c.cfg.Heartbeat)
			err := ps.Ping(ctx)
			cancel()
			if err != nil {
				return confirmed
			}
			continue
		}
		waiting = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				// Whatever was purged while we were not listening is
				// unknown: start from an empty L1 and memo.
				_ = c.l1.Reset()
				c.callHook()
				c.subscribed.Store(true)
				c.tellListener(true)
				confirmed = true
			}
		case *redis.Message:
			if rest, ok := strings.CutPrefix(m.Payload, noticePrefix); ok {
				if l := c.listener.Load(); l != nil {
					topic, body, _ := strings.Cut(rest, "\n")
					(*l).Notice(topic, body)
				}
				continue
			}
			for k := range strings.SplitSeq(m.Payload, "\n") {
				_ = c.l1.Delete(k)
			}
			c.callHook()
		}
	}
}

// Subscribed reports whether L1 is read: always without PurgeChannel,
// only while the purge subscription is up with it.
func (c *Cache) Subscribed() bool { return c.subscribed.Load() }

// sweeper drops expired entries from L1 every SweepEvery until Close.
func (c *Cache) sweeper() {
	defer c.wg.Done()
	t := time.NewTicker(c.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-c.base.Done():
			return
		case <-t.C:
			c.Sweep()
		}
	}
}

// Sweep deletes every L1 entry past its stale window (fetched_at + TTL +
// the stale window; Redis expires its copy at the same time) and returns
// how many it deleted.
func (c *Cache) Sweep() int {
	now := c.now()
	var dead []string
	it := c.l1.Iterator()
	for it.SetNext() {
		ei, err := it.Value()
		if err != nil {
			continue
		}
		e, err := decode(ei.Value())
		if err != nil || !now.Before(e.StaleUntil) {
			dead = append(dead, ei.Key())
		}
	}
	for _, k := range dead {
		_ = c.l1.Delete(k)
	}
	return len(dead)
}
