package jobs

import (
	"math"
	"time"

	"github.com/footprint-oss/footprint/enrichers/transport"
)

// What a running job's eta_s rests on (Job.ETABasis).
const (
	// ETALimits: the tokens the job still needs at its binding source and
	// the rate it gets them at (etaFromLimits), known from the first
	// seconds; an estimate, low until a row has ended.
	ETALimits = "limits"
	// ETAThroughput: the rows the job has finished per second (a job
	// whose rows take no rate-limit token).
	ETAThroughput = "throughput"
)

// eta estimates the seconds the remaining rows of r need and says what the
// estimate rests on ("": unknown): the sources' limits (etaFromLimits) as
// soon as the run's rows have taken a token, otherwise the rows finished
// per second (progress.etaRate).
//
// Throughput in rows is a poor early guide for a job paced by a slow
// source: its first rows end together after a long wait, the cheapest
// first, and until many more have ended the rate swings with each (issue
// 22: unknown for 90 s, then 13.5 million seconds, then hours). Tokens are
// taken at a steady pace from the first second, and the tokens a row takes
// are known from the first row that ends.
func (m *Manager) eta(r *run, remaining int64, now time.Time) (float64, string) {
	if eta, ok := m.etaFromLimits(r, remaining, now); ok {
		return eta, ETALimits
	}
	if rate, _ := r.prog.etaRate(now, int64(cap(r.rows))); rate > 0 {
		return float64(remaining) / rate, ETAThroughput
	}
	return 0, ""
}

// minTokenSpan is how long a run takes tokens from a limiter before the
// rate it gets them at counts as measured (before that, a full bucket's
// burst would flatter it).
const minTokenSpan = 10 * time.Second

// etaFromLimits estimates the seconds remaining rows need at the sources'
// rate limits: for each limiter the job's rows take tokens from, the
// tokens still to take (remaining rows × tokens per row, less what the
// rows in progress took already) ÷ the rate the run takes them at; the
// largest, the binding source's, is the estimate.
//
// Tokens per row are measured on the run's rows that ended; before any
// has, on the rows that ended in earlier runs of this process (the
// limiters this run took tokens from, once it has); before that, the
// tokens the run's rows took so far over the rows begun, for every row
// left, those in progress too (low, and rising as they progress, until a
// row ends). The rate is what the limiter can give the run: its rate less
// what the others (live lookups, other jobs of this process) took since
// the run's first token there (at least 5 % of it); before minTokenSpan,
// or for a limiter the run has not taken from yet, the limiter's rate
// shared evenly with the other running jobs. False when no row has taken
// a token.
//
// Not the rate the run itself took tokens at: that is the demand of its
// rows, low at every source but the binding one while they wait there,
// and low at the binding one too while its first rows took their first
// rounds — the estimate was about 2× high when the first rows ended
// (issue 22).
func (m *Manager) etaFromLimits(r *run, remaining int64, now time.Time) (float64, bool) {
	taken := r.tokens.Counts()
	ended, endedTokens := r.spent.snapshot()
	per := map[*transport.Limiter]float64{}
	sofar := false // per is what rows in progress took so far
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
		sofar = true
	}
	first := r.tokens.First()
	share := float64(max(1, m.running.Load()))
	eta, ok := 0.0, false
	for l, k := range per {
		limit := float64(l.Limit())
		if k <= 0 || limit <= 0 || math.IsInf(limit, 1) {
			continue
		}
		perS := limit / share
		if st, ok := first[l]; ok && taken[l] > 0 && now.Sub(st.At) >= minTokenSpan {
			// What the others (live lookups, other jobs) took since.
			others := max(0, float64(l.Granted()-st.Granted)-float64(taken[l]-1))
			perS = max(limit-others/now.Sub(st.At).Seconds(), limit/20)
		}
		need := float64(remaining) * k
		if !sofar {
			need = max(0, need-float64(taken[l]-endedTokens[l]))
		}
		eta, ok = max(eta, need/perS), true
	}
	return eta, ok
}
