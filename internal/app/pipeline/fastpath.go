package pipeline

import (
	"context"
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"

	"github.com/footprint-oss/footprint/cache/keyed"
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/scoring"
)

// The fast path for repeat lookups. This comment is the one statement of
// its rules.
//
// A lookup repeated while its evidence is fresh is answered without
// validating or parsing the input again, without planning or probing the
// per-source cache entries, without resolving identities or scoring, and
// with most of its JSON already written. Two layers hold it, one for the
// evidence and one for what this package makes of it:
//
//  1. The engine's memo (enrichers, memo.go): per engine request (the
//     identifiers and the source selection), the complete result of a run
//     whose evidence all came from or went into the cache. It lives until
//     the earliest of its findings' own expiry and at most
//     engine.MemoTTL; only complete results of default-mode requests
//     are remembered, never a run of inline sources only (offline,
//     recomputed: a lookup of email and phone facts alone has no fast
//     path); a read honours max_age; Engine.ForgetMemo (purges)
//     drops everything. Each remembered result has a MemoID.
//  2. fastCache (this file): per Input exactly as received (fastKey, a
//     keyed hash of it), what the pipeline made of one remembered result:
//     the validated request (so the email and phone are not parsed again),
//     the derived part of the profile (facts, accounts, scores) and that
//     part's JSON, and the JSON of the sources' statuses.
//
// Invalidation, one rule: an entry answers a lookup only while the engine
// still remembers a result for its request with the entry's MemoID, on the
// UTC day it was made (scores count ages in days). So whatever ends a memo
// entry (expiry, MemoTTL, max_age, a cache mode other than default, a
// purge) ends the pipeline's entry with it; a stale entry is dropped or
// replaced the next time its input is looked up, and the map starts over
// when it holds fastEntries entries. Within an entry, the sources' JSON is
// rewritten whenever one of their ages (age_s, whole seconds) changes.
//
// What is made per request: generated_at, the sources' ages, and the
// splice of the JSON parts (Profile.MarshalJSON). Every part is written by
// goccy/go-json, the one JSON encoder of the API's responses; a profile
// from the fast path is byte for byte what reflection writes for it
// (TestFastPathJSONMatchesReflection).

// fastEntries bounds the fast path's entries.
const fastEntries = 10000

// fastKey identifies an Input as received: equal keys are equal requests.
// It is a keyed hash (HMAC-SHA256 under a random key of this process) of
// the input's fields, so no raw email, phone or name is a map key.
type fastKey [32]byte

// keyOf hashes in's fields, each length-prefixed, and its options' JSON
// when it has any.
func (c *fastCache) keyOf(in Input) fastKey {
	buf := make([]byte, 0, 128)
	for _, f := range [...]string{in.Email, in.Phone, in.Name, in.Country} {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(f)))
		buf = append(buf, f...)
	}
	if o := in.Options; o.TimeoutMS != nil || o.Sources != nil || o.ExcludeSources != nil || o.MinMatch != nil ||
		o.IncludeCandidates || o.MaxAgeS != nil || o.Cache != "" || o.MinProbability != nil || o.Purpose != "" {
		b, err := gojson.Marshal(o)
		if err != nil { // cannot happen: options are numbers, strings and bools
			b = []byte("?")
		}
		buf = append(buf, b...)
	}
	return c.hash.Sum(buf)
}

// fastEntry is what the pipeline made of one remembered engine result for
// one Input. Read only once stored, but for sources.
type fastEntry struct {
	req       *request
	memo      uint64 // the engine's MemoID
	day       int64  // UTC days since 1970-01-01 when derived
	simulated bool
	part      Derived
	withheld  []string
	// partJSON is part's JSON without its braces.
	partJSON []byte
	sources  atomic.Pointer[sourcesJSON]
}

// sourcesJSON is the JSON of the sources' statuses at given ages.
type sourcesJSON struct {
	ages []int64 // -1: no age
	b    []byte
}

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

// fastAnswer answers the lookup k from the fast path, or returns nil. The
// subject's suppression is checked on every answer: an entry made before
// the subject was suppressed (or unsuppressed) is dropped.
func (s *Service) fastAnswer(ctx context.Context, k fastKey) (*Profile, error) {
	e := s.fast.get(k)
	if e == nil {
		return nil, nil
	}
	if sup, err := s.suppressed(ctx, e.req); err != nil {
		return nil, err
	} else if sup != e.req.suppressed {
		s.fast.drop(k, e)
		return nil, nil
	}
	res := s.engine.Remembered(e.req.engine)
	if res == nil {
		s.fast.drop(k, e)
		return nil, nil
	}
	now := s.now()
	if res.MemoID != e.memo || dayOf(now.UTC()) != e.day {
		// Other evidence, or another day: derive again (the request is
		// the same, validated as it was).
		p := s.assemble(e.req, res)
		s.remember(k, e.req, res, p)
		return p, nil
	}
	return &Profile{
		GeneratedAt: now.UTC().Truncate(time.Millisecond),
		Simulated:   e.simulated,
		Complete:    res.Complete,
		Purpose:     e.req.purpose.Name,
		Suppressed:  e.req.suppressed,
		Withheld:    e.withheld,
		Subject:     e.req.subject,
		Derived:     e.part,
		Sources:     sourceStatuses(res.Sources, now),
		fast:        e,
		subjects:    e.req.hashes,
	}, nil
}

// remember stores what p, assembled from res for req, shares with later
// lookups of k (when the engine remembers res).
func (s *Service) remember(k fastKey, req *request, res *engine.Result, p *Profile) {
	if res.MemoID == 0 {
		return
	}
	b, err := p.derivedJSON()
	if err != nil {
		return
	}
	r := *req
	r.engine.Only, r.engine.Exclude = slices.Clone(req.engine.Only), slices.Clone(req.engine.Exclude)
	e := &fastEntry{req: &r, memo: res.MemoID, day: dayOf(p.GeneratedAt), simulated: p.Simulated,
		part: p.Derived, partJSON: b[1 : len(b)-1], withheld: p.Withheld}
	p.fast = e
	s.fast.put(k, e)
}

// profileHead is the start of a Profile's JSON: its fields up to the
// derived part, in order.
type profileHead struct {
	GeneratedAt time.Time `json:"generated_at"`
	Simulated   bool      `json:"simulated"`
	Complete    bool      `json:"complete"`
	Purpose     string    `json:"purpose,omitempty"`
	Suppressed  bool      `json:"suppressed,omitempty"`
	Withheld    []string  `json:"withheld,omitempty"`
	Subject     Subject   `json:"subject"`
}

// derivedView is Derived as JSON when outputs are withheld: the withheld
// blocks (nil) are left out.
type derivedView struct {
	Email        *enrichers.EmailFacts       `json:"email,omitempty"`
	Phone        *enrichers.PhoneFacts       `json:"phone,omitempty"`
	DNS          *enrichers.DNSFacts         `json:"dns,omitempty"`
	Domain       *enrichers.DomainFacts      `json:"domain,omitempty"`
	Company      *enrichers.CompanyFacts     `json:"company,omitempty"`
	Breach       *enrichers.BreachFacts      `json:"breach,omitempty"`
	Accounts     []enrichers.Account         `json:"accounts"`
	Interests    *[]scoring.Interest         `json:"interests,omitempty"`
	Influence    *scoring.InfluenceScore     `json:"influence,omitempty"`
	Risk         *scoring.RiskScore          `json:"risk,omitempty"`
	Verification *scoring.VerificationResult `json:"verification,omitempty"`
}

// withheldProfile is a Profile with withheld blocks as JSON: its head,
// its derived part without them, its sources.
type withheldProfile struct {
	profileHead
	derivedView
	Sources []SourceStatus `json:"sources"`
}

// derivedJSON is the JSON of p's derived part (an object).
func (p *Profile) derivedJSON() ([]byte, error) {
	// The fields each start with a comma: the first one's is the brace.
	o := p.appendDerived(jsonOut{b: make([]byte, 0, 1024)}).close()
	if !o.bad {
		o.b[0] = '{'
		return o.b, nil
	}
	if len(p.Withheld) == 0 {
		return gojson.Marshal(&p.Derived)
	}
	v := p.derivedView()
	return gojson.Marshal(&v)
}

// derivedView is p's derived part without the blocks it withholds.
func (p *Profile) derivedView() derivedView {
	d := &p.Derived
	v := derivedView{Email: d.Email, Phone: d.Phone, DNS: d.DNS, Domain: d.Domain, Company: d.Company, Breach: d.Breach, Accounts: d.Accounts}
	if !p.Withholds(OutputInterests) {
		v.Interests = &d.Interests
	}
	if !p.Withholds(OutputInfluence) {
		v.Influence = &d.Influence
	}
	if !p.Withholds(OutputRisk) {
		v.Risk = &d.Risk
	}
	if !p.Withholds(OutputVerification) {
		v.Verification = &d.Verification
	}
	return v
}

// plainProfile has Profile's fields and none of its methods.
type plainProfile Profile

// MarshalJSON writes what reflection writes for p (goccy/go-json), by
// hand (appendjson.go), from the parts of its fast-path entry when it was
// answered from one. A Profile returned by Enrich is read only.
func (p *Profile) MarshalJSON() ([]byte, error) {
	size := 1536
	if e := p.fast; e != nil {
		size = len(e.partJSON) + 768
	}
	return p.AppendJSON(make([]byte, 0, size))
}

// AppendJSON appends what MarshalJSON returns to dst (a caller may reuse
// its buffer from response to response).
func (p *Profile) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonOut{b: dst}.head(p)
	if e := p.fast; e != nil {
		o.b = append(o.b, ',')
		o.b = append(o.b, e.partJSON...)
		src, ok := e.sourcesJSON(p.Sources)
		o = o.key(`,"sources":`)
		o.b, o.bad = append(o.b, src...), o.bad || !ok
	} else {
		o = p.appendDerived(o).key(`,"sources":`).sources(p.Sources)
	}
	o = o.close()
	if !o.bad {
		return o.b, nil
	}
	b, err := p.reflectJSON()
	return append(dst, b...), err
}

// reflectJSON is p's JSON written by reflection: the errors of values
// that have none (appendjson.go writes the rest).
func (p *Profile) reflectJSON() ([]byte, error) {
	if len(p.Withheld) == 0 {
		return gojson.Marshal((*plainProfile)(p))
	}
	ph := profileHead{GeneratedAt: p.GeneratedAt, Simulated: p.Simulated, Complete: p.Complete,
		Purpose: p.Purpose, Suppressed: p.Suppressed, Withheld: p.Withheld, Subject: p.Subject}
	return gojson.Marshal(&withheldProfile{profileHead: ph, derivedView: p.derivedView(), Sources: p.Sources})
}

// appendDerived writes the fields of p's derived part, without the
// blocks it withholds, each after a comma.
func (p *Profile) appendDerived(o jsonOut) jsonOut {
	d := &p.Derived
	if len(p.Withheld) == 0 {
		return o.derived(d, &d.Interests, &d.Influence, &d.Risk, &d.Verification)
	}
	v := p.derivedView()
	return o.derived(d, v.Interests, v.Influence, v.Risk, v.Verification)
}

// sourcesJSON returns the JSON of ss, the entry's statuses at their ages:
// the last one written when the ages are the same; false when a value has
// no JSON (MarshalJSON then marshals by reflection, which reports it).
func (e *fastEntry) sourcesJSON(ss []SourceStatus) ([]byte, bool) {
	if c := e.sources.Load(); c != nil && len(c.ages) == len(ss) {
		same := true
		for i := range ss {
			if age(&ss[i]) != c.ages[i] {
				same = false
				break
			}
		}
		if same {
			return c.b, true
		}
	}
	o := jsonOut{b: make([]byte, 0, 128*len(ss))}.sources(ss)
	if o.bad {
		return nil, false
	}
	c := &sourcesJSON{ages: make([]int64, len(ss)), b: o.b}
	for i := range ss {
		c.ages[i] = age(&ss[i])
	}
	e.sources.Store(c)
	return o.b, true
}

func age(s *SourceStatus) int64 {
	if s.AgeS == nil {
		return -1
	}
	return *s.AgeS
}

// fastCache is a bounded map of fast-path entries that starts over when it
// fills: a miss only costs the normal path. Safe for concurrent use.
type fastCache struct {
	hash keyed.Hash
	mu   sync.Mutex
	max  int
	m    map[fastKey]*fastEntry
}

func newFastCache(n int) *fastCache {
	return &fastCache{hash: keyed.NewRandom(), max: n, m: make(map[fastKey]*fastEntry)}
}

func (c *fastCache) get(k fastKey) *fastEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *fastCache) put(k fastKey, e *fastEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = e
}

// drop removes k's entry if it is still e.
func (c *fastCache) drop(k fastKey, e *fastEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[k] == e {
		delete(c.m, k)
	}
}
