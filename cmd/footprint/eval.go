package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/evaluate"
	"github.com/footprint-oss/footprint/internal/harness/sim"
	"github.com/footprint-oss/footprint/scoring/calibrate"
	"github.com/footprint-oss/footprint/scoring/identity"
)

func cmdEval(ctx context.Context, args []string, e env) error {
	fs := newFlags("eval [--seed N] [--people M] [--upstream URL]",
		"Enriches a simulated population and measures footprint against its ground truth:\n"+
			"identity resolution (recall and false share of accounts at match p ≥ 0.5) and the calibration\n"+
			"of every score (Brier, base-rate Brier, expected calibration error, AUC).", e)
	seed := fs.Int64("seed", 1, "population seed (in-process simulated web)")
	seeds := fs.String("seeds", "", "comma-separated seeds: enrich one population of --people per seed and pool them (metrics and --fit-identity over all; in-process simulated web)")
	people := fs.Int("people", 200, "how many people to enrich")
	offset := fs.Int("offset", 0, "skip this many people")
	upstream := fs.String("upstream", "", "use a running simulated web instead of an in-process one")
	concurrency := fs.Int("concurrency", 8, "lookups in flight")
	fitIdentity := fs.Bool("fit-identity", false, "refit the identity-resolution model on this population (log loss) and print its parameters")
	noName := fs.Bool("no-name", false, "do not send the person's name (email, phone and country only)")
	timeoutMS := fs.Int("timeout-ms", 10000, "budget per lookup")
	cfgPath := fs.String("config", "", "YAML configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	plot := fs.String("plot", "", "write reliability diagrams of the scores to this SVG file")
	failSources := fs.String("fail-source", "", "comma-separated sources the in-process simulated web fails on every request (HTTP 503)")
	misses := fs.Bool("misses", false, "also break down the misses at p ≥ 0.5: true accounts found below it or not at all, and wrong accounts above it (with --json: every miss)")
	realLimits := fs.Bool("real-limits", false, "keep the sources' real rate limits (slow); by default eval lifts them, since the simulated web does not limit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	seedList := []int64{*seed}
	if *seeds != "" {
		if *upstream != "" {
			return usageErr("--seeds needs the in-process simulated web (no --upstream)")
		}
		if seedList, err = parseSeeds(*seeds); err != nil {
			return usageErr("--seeds: %v", err)
		}
	}
	// run enriches one population; each seed gets its own simulated web
	// and its own service, so no cached answer crosses populations.
	run := func(seed int64) ([]evaluate.Outcome, error) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		cfg := *cfg
		var pop []sim.Person
		if *upstream == "" {
			s, u, err := startSim(ctx, log, sim.Config{Seed: seed, People: *offset + *people})
			if err != nil {
				return nil, err
			}
			pop = s.People()[*offset:]
			cfg.Upstream = u.String()
			for _, name := range strings.Split(*failSources, ",") {
				if name = strings.TrimSpace(name); name == "" {
					continue
				}
				if err := s.SetFault(sim.Fault{Source: name, ErrorRate: 1, ErrorStatus: 503}); err != nil {
					return nil, usageErr("--fail-source: %v", err)
				}
			}
		} else {
			if *failSources != "" {
				return nil, usageErr("--fail-source needs the in-process simulated web (no --upstream); POST /_sim/faults to a running one instead")
			}
			cfg.Upstream = *upstream
			var err error
			if pop, err = fetchPeople(ctx, *upstream, *offset, *people); err != nil {
				return nil, err
			}
		}
		a, err := buildApp(ctx, &cfg, log, buildOptions{unlimited: !*realLimits})
		if err != nil {
			return nil, err
		}
		zero := 0.0
		return evaluate.Run(ctx, a.svc, pop, *concurrency, pipeline.Options{TimeoutMS: timeoutMS, MinProbability: &zero}, !*noName), nil
	}
	start := time.Now()
	var outs []evaluate.Outcome
	var bySeed []evaluate.AccountMetrics
	for _, sd := range seedList {
		o, err := run(sd)
		if err != nil {
			return err
		}
		outs = append(outs, o...)
		bySeed = append(bySeed, evaluate.Accounts(o, pipeline.DefaultMinMatch))
	}
	report := struct {
		Seed     int64                     `json:"seed"`
		Seeds    []int64                   `json:"seeds,omitempty"`
		BySeed   []evaluate.AccountMetrics `json:"by_seed,omitempty"`
		People   int                       `json:"people"`
		Seconds  float64                   `json:"seconds"`
		Accounts evaluate.AccountMetrics   `json:"accounts"`
		Sweep    []evaluate.AccountMetrics `json:"threshold_sweep"`
		Scores   []evaluate.Calibration    `json:"scores"`
		Misses   []evaluate.Miss           `json:"misses,omitempty"`
	}{Seed: seedList[0], People: len(outs), Seconds: time.Since(start).Seconds(), Accounts: evaluate.Accounts(outs, pipeline.DefaultMinMatch)}
	report.Scores = evaluate.Scores(outs)
	if len(seedList) > 1 {
		report.Seeds, report.BySeed = seedList, bySeed
	}
	if *misses {
		report.Misses = evaluate.Misses(outs, pipeline.DefaultMinMatch)
	}
	if *plot != "" {
		f, err := os.Create(*plot)
		if err != nil {
			return err
		}
		if err := evaluate.ReliabilitySVG(f, report.Scores); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, th := range []float64{0.3, 0.5, 0.7, 0.9} {
		report.Sweep = append(report.Sweep, evaluate.Accounts(outs, th))
	}
	if *fitIdentity {
		cases := evaluate.IdentityCases(outs)
		base := identity.DefaultModel()
		fitted := calibrate.FitIdentity(cases, base)
		before, after := calibrate.ScoreIdentity(cases, base, 0.5), calibrate.ScoreIdentity(cases, fitted, 0.5)
		fmt.Fprintf(e.stdout, "identity model: log loss %.4f → %.4f; at p ≥ 0.5 recall %.3f → %.3f, false share %.3f → %.3f\n",
			before.LogLoss, after.LogLoss, before.Recall, after.Recall, before.FalseShare, after.FalseShare)
		fmt.Fprintf(e.stdout, "fitted parameters: %+v\n", fitted)
		return nil
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	m := report.Accounts
	if len(seedList) > 1 {
		fmt.Fprintf(e.stdout, "populations: %d people over %d seeds in %.1fs\n", report.People, len(seedList), report.Seconds)
		for i, sm := range report.BySeed {
			fmt.Fprintf(e.stdout, "  seed %d: recall %.3f, false share %.3f (%d/%d returned)\n", seedList[i], sm.Recall, sm.FalseShare, sm.Wrong, sm.Returned)
		}
		fmt.Fprintln(e.stdout, "pooled:")
	} else {
		fmt.Fprintf(e.stdout, "population: %d people (seed %d) in %.1fs\n", report.People, report.Seed, report.Seconds)
	}
	fmt.Fprintf(e.stdout, "identity resolution at p ≥ %.2f: recall %.3f (%d/%d true accounts), false share %.3f (%d/%d returned), %d failed lookups\n",
		m.Threshold, m.Recall, m.Recovered, m.TrueAccounts, m.FalseShare, m.Wrong, m.Returned, m.Errors)
	if len(m.Incomplete) > 0 {
		keys := make([]string, 0, len(m.Incomplete))
		for k := range m.Incomplete {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, m.Incomplete[k])
		}
		fmt.Fprintf(e.stdout, "  lookups in which a source gave no definitive answer: %s\n", strings.Join(parts, ", "))
	}
	for _, s := range report.Sweep {
		fmt.Fprintf(e.stdout, "  p ≥ %.1f: recall %.3f  false share %.3f  returned %d\n", s.Threshold, s.Recall, s.FalseShare, s.Returned)
	}
	fmt.Fprintf(e.stdout, "scores (%-18s %6s %8s %6s %8s %6s %5s):\n", "target", "n", "base", "Brier", "baseBr", "ECE", "AUC")
	for _, c := range report.Scores {
		fmt.Fprintf(e.stdout, "  %-26s %6d %8.3f %6.3f %8.3f %6.3f %5.2f\n", c.Target, c.N, c.BaseRate, c.Brier, c.BaseRateBrier, c.ECE, c.AUC)
	}
	names := make([]string, 0, len(m.BySource))
	for n := range m.BySource {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintf(e.stdout, "  by platform (true / found at any p / recovered at p ≥ %.2f / wrong):\n", m.Threshold)
	for _, n := range names {
		s := m.BySource[n]
		fmt.Fprintf(e.stdout, "    %-12s %4d %4d %4d %4d\n", n, s.TrueAccounts, s.Found, s.Recovered, s.Wrong)
	}
	if *misses {
		fmt.Fprintf(e.stdout, "misses at p ≥ %.2f:\n", m.Threshold)
		evaluate.WriteMissBreakdown(e.stdout, report.Misses)
	}
	return nil
}

// fetchPeople reads the ground truth of a running simulated web.
func fetchPeople(ctx context.Context, upstream string, offset, n int) ([]sim.Person, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, usageErr("upstream: %v", err)
	}
	u = u.JoinPath("/_sim/people")
	u.RawQuery = url.Values{"n": {fmt.Sprint(n)}, "offset": {fmt.Sprint(offset)}}.Encode()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("simulated web: %w", err)
	}
	defer res.Body.Close()
	var body struct {
		People []sim.Person `json:"people"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, fmt.Errorf("simulated web: /_sim/people: %w", err)
	}
	return body.People, nil
}

// parseSeeds reads a comma-separated list of population seeds.
func parseSeeds(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a seed", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no seed given")
	}
	return out, nil
}
