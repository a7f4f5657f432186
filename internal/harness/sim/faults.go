package sim

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Fault is a fault injected into one source's hosts (POST /_sim/faults).
type Fault struct {
	Source string `json:"source"`
	// LatencyMS delays every response; JitterMS adds a uniform random
	// 0..JitterMS on top.
	LatencyMS int `json:"latency_ms,omitempty"`
	JitterMS  int `json:"jitter_ms,omitempty"`
	// ErrorRate is the fraction of requests answered with ErrorStatus
	// (default 503); DNS answers SERVFAIL.
	ErrorRate   float64 `json:"error_rate,omitempty"`
	ErrorStatus int     `json:"error_status,omitempty"`
	// Hang holds every request until the client goes away (DNS: no answer).
	Hang bool `json:"hang,omitempty"`
	// RateLimitRPS enforces a token bucket (burst max(1, rps)): excess
	// requests get 429 with Retry-After (DNS: REFUSED).
	RateLimitRPS float64 `json:"rate_limit_rps,omitempty"`
	// BotWall answers 403 with a Cloudflare-style challenge page.
	BotWall bool `json:"bot_wall,omitempty"`
}

// SourceStats counts requests to one source.
type SourceStats struct {
	Requests  int64 `json:"requests"`
	Throttled int64 `json:"throttled"`
	Errors    int64 `json:"errors"`
	Blocked   int64 `json:"blocked"`
	Hung      int64 `json:"hung"`
}

type faultState struct {
	Fault
	tokens float64
	last   time.Time
}

// SetFault installs f for f.Source (replacing any earlier fault there).
func (s *Sim) SetFault(f Fault) error {
	if !slices.Contains(Sources(), f.Source) {
		return fmt.Errorf("unknown source %q (one of %v)", f.Source, Sources())
	}
	if f.LatencyMS < 0 || f.JitterMS < 0 || f.RateLimitRPS < 0 || math.IsNaN(f.RateLimitRPS) {
		return fmt.Errorf("latency_ms, jitter_ms and rate_limit_rps must be >= 0")
	}
	if f.ErrorRate < 0 || f.ErrorRate > 1 || math.IsNaN(f.ErrorRate) {
		return fmt.Errorf("error_rate must be in [0, 1]")
	}
	if f.ErrorStatus == 0 {
		f.ErrorStatus = http.StatusServiceUnavailable
	}
	if f.ErrorStatus < 400 || f.ErrorStatus > 599 {
		return fmt.Errorf("error_status must be a 4xx or 5xx status")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[f.Source] = &faultState{Fault: f, tokens: burst(f.RateLimitRPS), last: time.Now()}
	s.log.Info("sim fault set", "source", f.Source, "fault", f)
	return nil
}

func burst(rps float64) float64 { return math.Max(1, rps) }

// ClearFaults removes the fault of source, or every fault when source is "".
func (s *Sim) ClearFaults(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if source == "" {
		clear(s.faults)
	} else {
		delete(s.faults, source)
	}
}

// Faults returns the installed faults, sorted by source.
func (s *Sim) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Fault{}
	for _, f := range s.faults {
		out = append(out, f.Fault)
	}
	slices.SortFunc(out, func(a, b Fault) int {
		if a.Source < b.Source {
			return -1
		}
		if a.Source > b.Source {
			return 1
		}
		return 0
	})
	return out
}

// Stats returns a snapshot of the per-source counters.
func (s *Sim) Stats() map[string]SourceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]SourceStats, len(s.stats))
	for k, v := range s.stats {
		out[k] = *v
	}
	return out
}

// ResetStats zeroes every counter.
func (s *Sim) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.stats {
		*v = SourceStats{}
	}
}

func (s *Sim) count(src string, f func(*SourceStats)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.stats[src])
}

// decision is what the fault layer decided for one request.
type decision struct {
	delay      time.Duration
	hang       bool
	throttled  bool
	retryAfter int
	botWall    bool
	errStatus  int
}

// decide draws the fault outcome for one request to src.
func (s *Sim) decide(src string) decision {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.faults[src]
	if f == nil {
		return decision{}
	}
	var d decision
	d.delay = time.Duration(f.LatencyMS) * time.Millisecond
	if f.JitterMS > 0 {
		d.delay += time.Duration(s.frng.IntN(f.JitterMS+1)) * time.Millisecond
	}
	st := s.stats[src]
	if f.Hang {
		d.hang = true
		st.Hung++
		return d
	}
	if f.RateLimitRPS > 0 {
		now := time.Now()
		f.tokens = math.Min(burst(f.RateLimitRPS), f.tokens+now.Sub(f.last).Seconds()*f.RateLimitRPS)
		f.last = now
		if f.tokens < 1 {
			d.throttled = true
			d.retryAfter = max(1, int(math.Ceil((1-f.tokens)/f.RateLimitRPS)))
			st.Throttled++
			return d
		}
		f.tokens--
	}
	if f.BotWall {
		d.botWall = true
		st.Blocked++
		return d
	}
	if f.ErrorRate > 0 && s.frng.Float64() < f.ErrorRate {
		d.errStatus = f.ErrorStatus
		st.Errors++
	}
	return d
}

// applyFaults applies src's fault to one HTTP request; false when the
// request has been answered (or abandoned) by the fault layer.
func (s *Sim) applyFaults(w http.ResponseWriter, r *http.Request, src string) bool {
	d := s.decide(src)
	if d.delay > 0 {
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
	switch {
	case d.hang:
		<-r.Context().Done()
		return false
	case d.throttled:
		w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
		if src == srcGitHub {
			w.Header().Set("X-RateLimit-Remaining", "0")
		}
		faultBody(w, src, http.StatusTooManyRequests, "Too Many Requests")
		return false
	case d.botWall:
		botWall(w)
		return false
	case d.errStatus != 0:
		faultBody(w, src, d.errStatus, http.StatusText(d.errStatus))
		return false
	}
	return true
}

func faultBody(w http.ResponseWriter, src string, status int, text string) {
	if src == srcWebsite {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%d %s</title></head><body><h1>%d %s</h1></body></html>\n", status, text, status, text)
		return
	}
	body := map[string]any{"message": text, "error": text}
	switch src {
	case srcRDAP:
		writeJSONType(w, status, "application/rdap+json", map[string]any{"errorCode": status, "title": text})
		return
	case srcHIBP:
		body = map[string]any{"statusCode": status, "message": text}
	}
	writeJSON(w, status, body)
}

// botWall writes a Cloudflare managed-challenge interstitial.
func botWall(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=UTF-8")
	h.Set("cf-mitigated", "challenge")
	h.Set("Server", "cloudflare")
	h.Set("CF-RAY", "8f2c1d3e4a5b6c7d-FRA")
	h.Set("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate, post-check=0, pre-check=0")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprint(w, `<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>`+
		`<meta http-equiv="Content-Type" content="text/html; charset=UTF-8"><meta name="robots" content="noindex,nofollow">`+
		`<meta name="viewport" content="width=device-width,initial-scale=1"></head><body>`+
		`<div class="main-wrapper" role="main"><div class="main-content"><noscript><div class="h2"><span id="challenge-error-text">`+
		`Enable JavaScript and cookies to continue</span></div></noscript></div></div>`+
		`<script>(function(){window._cf_chl_opt={cvId: '3',cZone: "challenge",cType: 'managed',cRay: '8f2c1d3e4a5b6c7d'};`+
		`var cpo=document.createElement('script');cpo.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8f2c1d3e4a5b6c7d';`+
		`document.getElementsByTagName('head')[0].appendChild(cpo);}());</script></body></html>`)
}
