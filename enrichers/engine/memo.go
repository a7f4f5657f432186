package engine

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/footprint-oss/footprint/cache/keyed"
	"github.com/footprint-oss/footprint/enrichers"
)

// memo remembers, in process, the complete result of a run whose every
// piece of evidence came from (or went into) the cache, so a repeat lookup
// of a known subject skips planning and probing dozens of per-source cache
// entries. It holds evidence, never scores, and is only a shortcut through
// the per-source entries:
//   - an entry lives until the earliest of its findings' own expiry
//     (fetched_at + the source's TTL or negative TTL) and at most MemoTTL;
//   - only complete results of default-mode requests are remembered, and a
//     hit honours max_age (refresh and only modes never read it);
//   - never a run of inline sources only (Engine.memoized): recomputed,
//     like every offline finding;
//   - keys are keyed hashes of the request (no raw identifiers);
//   - Engine.ForgetMemo drops everything (purges call it).
type memo struct {
	hash keyed.Hash // under a random key of this process
	max  int
	ttl  time.Duration

	mu     sync.Mutex
	m      map[[32]byte]*memoEntry
	nextID uint64
}

type memoEntry struct {
	hit     Result // what a hit returns (a copy of it, sharing its slices)
	expires time.Time
	oldest  time.Time
}

// MemoTTL caps how long a remembered result is reused.
const MemoTTL = 5 * time.Minute

func newMemo(entries int) *memo {
	return &memo{hash: keyed.NewRandom(), max: entries, ttl: MemoTTL, m: make(map[[32]byte]*memoEntry)}
}

func (m *memo) keyOf(req Request) [32]byte {
	// One buffer, length-prefixed parts, hashed in one write: identifiers
	// (sorted: their order does not matter), then the source selection.
	// A lookup's few identifiers are sorted by index, on the stack.
	var at [8]int
	order := at[:0]
	if len(req.Identifiers) > len(at) {
		order = make([]int, 0, len(req.Identifiers))
	}
	for i := range req.Identifiers {
		order = append(order, i)
	}
	ids := req.Identifiers
	slices.SortFunc(order, func(i, j int) int {
		a, b := &ids[i], &ids[j]
		if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
			return c
		}
		return strings.Compare(a.Value, b.Value)
	})
	buf := binary.BigEndian.AppendUint64(make([]byte, 0, 256), uint64(len(ids)))
	for _, i := range order {
		buf = appendParts(buf, string(ids[i].Kind), ids[i].Value)
	}
	buf = appendParts(buf, sortedCopy(req.Only)...)
	buf = appendParts(buf, sortedCopy(req.Exclude)...)
	if len(req.Skip) > 0 {
		skip := make([]string, 0, len(req.Skip))
		for name, why := range req.Skip {
			skip = append(skip, name+"\x00"+why)
		}
		buf = appendParts(buf, sortedCopy(skip)...)
	} else {
		buf = appendParts(buf)
	}
	return m.hash.Sum(buf)
}

func appendParts(buf []byte, parts ...string) []byte {
	buf = binary.BigEndian.AppendUint64(buf, uint64(len(parts)))
	for _, p := range parts {
		buf = binary.BigEndian.AppendUint64(buf, uint64(len(p)))
		buf = append(buf, p...)
	}
	return buf
}

func sortedCopy(s []string) []string {
	if len(s) < 2 {
		return s
	}
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// usable reports whether a request may read the memo.
func usable(p CachePolicy) bool {
	return (p.Mode == "" || p.Mode == CacheDefault) && !(p.HasMaxAge && p.MaxAge <= 0)
}

func (m *memo) get(k [32]byte, req Request, now time.Time) *Result {
	if !usable(req.Cache) {
		return nil
	}
	m.mu.Lock()
	e := m.m[k]
	if e != nil && !now.Before(e.expires) {
		delete(m.m, k)
		e = nil
	}
	m.mu.Unlock()
	if e == nil || (req.Cache.HasMaxAge && now.Sub(e.oldest) > req.Cache.MaxAge) {
		return nil
	}
	res := e.hit
	return &res
}

// put remembers res. offline tells the sources that are never cached.
func (m *memo) put(k [32]byte, req Request, res *Result, ttl func(name string, f *enrichers.Finding) time.Duration, offline func(name string) bool, now time.Time) {
	if (req.Cache.Mode != "" && req.Cache.Mode != CacheDefault && req.Cache.Mode != CacheRefresh) || !res.Complete {
		return
	}
	expires, oldest := now.Add(m.ttl), now
	for _, f := range res.Findings {
		at := f.FetchedAt
		if at.IsZero() {
			at = now
		}
		if t := at.Add(ttl(f.Source, f.Finding)); t.Before(expires) {
			expires = t
		}
		if at.Before(oldest) {
			oldest = at
		}
	}
	if !now.Before(expires) {
		return
	}
	// A hit is served from the cache: every network source that answered
	// reads cached, with no latency of its own (offline sources are
	// recomputed, never cached). Hits share this view. It is built before
	// the lock is taken: other lookups wait for the map only.
	e := &memoEntry{hit: *res, expires: expires, oldest: oldest}
	e.hit.Sources = slices.Clone(res.Sources)
	for i := range e.hit.Sources {
		if s := &e.hit.Sources[i]; s.Calls > 0 {
			s.Cached, s.Latency = !offline(s.Name), 0
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextID++
	res.MemoID = m.nextID
	e.hit.MemoID = res.MemoID
	if len(m.m) >= m.max {
		// Drop expired entries; if that is not enough, start over: a memo
		// miss only costs the normal cached path.
		for key, e := range m.m {
			if !now.Before(e.expires) {
				delete(m.m, key)
			}
		}
		if len(m.m) >= m.max {
			clear(m.m)
		}
	}
	m.m[k] = e
}

func (m *memo) clear() {
	m.mu.Lock()
	clear(m.m)
	m.mu.Unlock()
}
