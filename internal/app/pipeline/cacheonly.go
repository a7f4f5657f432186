package pipeline

import (
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/scoring"
)

// ReasonNotChecked is the risk reason of a profile for which options.cache
// "only" found no evidence of any network source: nothing was checked.
const ReasonNotChecked = "not_checked"

// markCacheOnly keeps a cache-only answer honest. A network source that
// missed the cache gave no answer, so the profile is not complete; when no
// network source answered from the cache at all, nothing was checked, and
// the verdict is review (never approve on no evidence), with a reason that
// says so.
func markCacheOnly(req *request, p *Profile) {
	if req.engine.Cache.Mode != engine.CacheOnly {
		return
	}
	missed, answered := 0, 0
	for _, s := range p.Sources {
		switch {
		case s.Status == enrichers.StatusSkipped && s.CacheMisses > 0:
			missed++
		case s.Cached:
			answered++
		}
	}
	if missed == 0 {
		return
	}
	p.Complete = false
	if answered > 0 {
		return
	}
	p.Risk.Verdict = scoring.VerdictReview
	p.Risk.Reasons = append([]scoring.Reason{{Code: ReasonNotChecked,
		Description: `options.cache is "only" and no source had cached evidence: nothing was checked.`}}, p.Risk.Reasons...)
}
