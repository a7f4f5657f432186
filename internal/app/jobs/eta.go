package jobs

import (
	"math"
	"time"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// What a running job's eta_s rests on (Job.ETABasis).
const (
	// ETALimits: the binding source's rate limit and the tokens a row
	// takes there (etaFromLimits), an estimate until throughput is measured.
	ETALimits = "limits"
	// ETAThroughput: the rows the job has finished per second.
	ETAThroughput = "throughput"
)

// eta estimates the seconds the remaining rows of r need and says what the
// estimate rests on ("": unknown). Of the two estimates, from the sources'
// limits (etaFromLimits) and from measured throughput (progress.etaRate),
// the larger wins: each is a lower bound of sorts (the limits leave out
// everything but the binding source; a job paced by a slow source finishes
// its first rows in one bunch, which flatters the first measurements).
// Without either, rows committed before throughput counts as measured
// give the average since the run started.
func (m *Manager) eta(r *run, remaining int64, now time.Time) (float64, string) {
	lim, limOK := m.etaFromLimits(r, remaining)
	rate, measured := r.prog.etaRate(now)
	switch {
	case measured && rate > 0:
		if t := float64(remaining) / rate; !limOK || t >= lim {
			return t, ETAThroughput
		}
		return lim, ETALimits
	case limOK:
		return lim, ETALimits
	case rate > 0:
		return float64(remaining) / rate, ETAThroughput
	}
	return 0, ""
}

// etaFromLimits estimates the seconds remaining rows need at the sources'
// rate limits: for each limiter the job's rows take tokens from, the
// tokens still to take (remaining rows × tokens per row, less what the
// rows in progress took already) ÷ its rate, shared evenly with the other
// running jobs; the largest, the binding source's, is the estimate.
// Tokens per row are measured on the run's rows that ended; before any
// has, on the rows that ended in earlier runs of this process (the
// limiters this run took tokens from, once it has); before
// that, the tokens the run's rows took so far over the rows begun (a lower
// bound: those rows are not done). False when no row has taken a token.
func (m *Manager) etaFromLimits(r *run, remaining int64) (float64, bool) {
	taken := r.tokens.Counts()
	ended, endedTokens := r.spent.snapshot()
	per := map[*transport.Limiter]float64{}
	switch histRows, hist := m.spent.snapshot(); {
	case ended > 0:
		for l, n := range endedTokens {
			per[l] = float64(n) / float64(ended)
		}
	case histRows > 0:
		for l, n := range hist {
			if _, used := taken[l]; used || len(taken) == 0 {
				per[l] = float64(n) / float64(histRows)
			}
		}
	default:
		begun := r.begun.Load()
		if begun == 0 {
			return 0, false
		}
		for l, n := range taken {
			per[l] = float64(n) / float64(begun)
		}
	}
	share := float64(max(1, m.running.Load()))
	eta, ok := 0.0, false
	for l, k := range per {
		perS := float64(l.Limit())
		if k <= 0 || perS <= 0 || math.IsInf(perS, 1) {
			continue
		}
		inProgress := float64(taken[l] - endedTokens[l])
		need := max(0, float64(remaining)*k-inProgress)
		eta, ok = max(eta, need*share/perS), true
	}
	return eta, ok
}
