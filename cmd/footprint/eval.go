package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
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
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/boost"
	"github.com/footprint-oss/footprint/scoring/calibrate"
	"github.com/footprint-oss/footprint/scoring/identity"
)

func cmdEval(ctx context.Context, args []string, e env) error {
	fs := newFlags("eval [--seed N | --seeds N,M,…] [--world [N]] [--people M] [--upstream URL]",
		"Enriches a simulated population and measures footprint against its ground truth:\n"+
			"identity resolution (recall and false share of accounts at match p ≥ 0.5, and the calibration\n"+
			"of the match probabilities of every returned account, candidates included) and the calibration\n"+
			"of every score (Brier, base-rate Brier, expected calibration error, AUC).\n\n"+
			"Without --world the simulated world holds exactly the people enriched (--offset + --people,\n"+
			"200 by default). --world N simulates a world of N people and enriches --people of them, drawn\n"+
			"from the seed (the same people for the same seed); a bare --world means N = "+strconv.Itoa(defaultWorld)+".", e)
	seed := fs.Int64("seed", 1, "population seed (in-process simulated web)")
	seeds := fs.String("seeds", "", "comma-separated seeds: enrich one population of --people per seed and pool them (metrics and --fit-identity over all; in-process simulated web)")
	people := fs.Int("people", 200, "how many people to enrich; without --world the simulated world holds only --offset + --people people")
	world := fs.Int("world", 0, "simulate a world of this many people and enrich --people of them sampled by the seed (a bare --world means "+strconv.Itoa(defaultWorld)+"; in-process simulated web)")
	offset := fs.Int("offset", 0, "skip this many people (without --world)")
	upstream := fs.String("upstream", "", "use a running simulated web instead of an in-process one")
	concurrency := fs.Int("concurrency", 8, "lookups in flight")
	fitIdentity := fs.Bool("fit-identity", false, "refit the identity-resolution model on this population (log loss) and print its parameters")
	casesOut := fs.String("cases-out", "", "also write the identity cases of the run (every returned account with the ground truth) to this file, for --fit-from")
	featuresOut := fs.String("features-out", "", "with --fit-from: instead of fitting, write one JSON line per account the identity model returns for those cases (truth, probability, evidence, profile facts) to this file, for tools/identity-frontier")
	fitFrom := fs.String("fit-from", "", "refit the identity model on the cases of these comma-separated files (written by --cases-out) without enriching anything, and print its parameters")
	modelPath := fs.String("model", "", "with --fit-from: start from (or, with --no-fit, score) the identity model in this JSON file (as --model-out writes it) instead of identity.DefaultModel")
	modelOut := fs.String("model-out", "", "with --fit-from: also write the fitted identity model's parameters to this JSON file")
	check := fs.String("check", "", "with --fit-from: also score the starting and the fitted model on the cases of these comma-separated files, one line per file (log loss, recall and false share at p ≥ 0.5)")
	fitParams := fs.String("fit-params", "", "with --fit-from: fit only these comma-separated parameters (Model field names, PlatformBias.<source> for one platform's bias); the others keep the starting model's values")
	scores := fs.Bool("scores", false, "with --fit-from: instead of fitting identity, measure the influencer and risk probabilities on each file's stored score evidence, its accounts resolved again by --model (or identity.DefaultModel), and on --check files")
	fitRisk := fs.Bool("fit-risk", false, "with --fit-from: refit the risk model (scoring.Params.Risk; the hand-set weights of scoring.RiskHandSet held) on the stored score evidence of these files, resolved again by --model, and measure it on them and on --check files")
	scoringPath := fs.String("scoring", "", "with --scores or --fit-risk: start from the scoring parameters in this JSON file (as --scoring-out writes it) instead of scoring.DefaultParams")
	scoringOut := fs.String("scoring-out", "", "with --fit-risk: also write the fitted scoring parameters to this JSON file")
	fitSecond := fs.Bool("fit-second", false, "with --fit-from: fit the identity model's second look (a tree ensemble over each account's agreement with the rest of its lookup) on these cases, on top of the starting model's additive part, and measure it on them and on --check files; --model-out writes the model with it")
	secondFolds := fs.Int("second-folds", 5, "with --fit-second: recalibrate the trees on their out-of-fold predictions over this many folds of the cases (below 2: no recalibration)")
	secondParams := fs.String("second-params", "", "with --fit-second: the trees' settings as comma-separated key=value (rounds, rate, depth, min-leaf, lambda, bins); the others keep boost.DefaultParams")
	noFit := fs.Bool("no-fit", false, "with --fit-from: do not fit; score the model on each file (and on --check files) instead: log loss, recall and false share at p ≥ 0.5, match ECE, the share of the subject's accounts returned at any probability, and the best recall any threshold reaches with a false share of at most 0.05")
	noName := fs.Bool("no-name", false, "do not send the person's name (email, phone and country only)")
	timeoutMS := fs.Int("timeout-ms", 300000, "budget per lookup (generous: with no breaker opening either, load slows a measurement down but never changes it)")
	cfgPath := fs.String("config", "", "YAML configuration file")
	asJSON := fs.Bool("json", false, "print JSON")
	plot := fs.String("plot", "", "write reliability diagrams of the match probabilities and the scores to this SVG file")
	failSources := fs.String("fail-source", "", "comma-separated sources the in-process simulated web fails on every request (HTTP 503)")
	misses := fs.Bool("misses", false, "also break down the misses at p ≥ 0.5: true accounts found below it or not at all, and wrong accounts above it (with --json: every miss)")
	realLimits := fs.Bool("real-limits", false, "keep the sources' real rate limits (slow); by default eval lifts them, since the simulated web does not limit")
	if err := parseFlags(fs, expandBareWorld(args)); err != nil {
		return err
	}
	sampled := flagSet(fs, "world")
	switch {
	case *people < 1:
		return usageErr("--people must be at least 1")
	case *offset < 0:
		return usageErr("--offset must not be negative")
	case *concurrency < 1:
		return usageErr("--concurrency must be at least 1")
	case sampled && *world < *people:
		return usageErr("--world (%d people) must be at least --people (%d)", *world, *people)
	case sampled && *offset != 0:
		return usageErr("--offset applies without --world only (--world samples its people from the seed)")
	case sampled && *upstream != "":
		return usageErr("--world needs the in-process simulated web (no --upstream); a running one has the size `footprint sim --people` gave it")
	}
	size := *offset + *people // the world is the people enriched, as before --world
	if sampled {
		size = *world
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
			s, u, err := startSim(ctx, log, sim.Config{Seed: seed, People: size})
			if err != nil {
				return nil, err
			}
			if sampled {
				pop = evaluate.Sample(s.People(), *people, seed)
			} else {
				pop = s.People()[*offset:]
			}
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
			if pop, size, err = fetchPeople(ctx, *upstream, *offset, *people); err != nil {
				return nil, err
			}
		}
		if cfg.Server.MaxTimeoutMS < *timeoutMS {
			cfg.Server.MaxTimeoutMS = *timeoutMS
		}
		a, err := buildApp(ctx, &cfg, log, buildOptions{unlimited: !*realLimits, measure: true})
		if err != nil {
			return nil, err
		}
		zero := 0.0
		return evaluate.Run(ctx, a.svc, pop, *concurrency, pipeline.Options{TimeoutMS: timeoutMS, MinProbability: &zero}, !*noName), nil
	}
	if *fitFrom != "" {
		base := identity.DefaultModel()
		if *modelPath != "" {
			if base, err = readModel(*modelPath); err != nil {
				return err
			}
		}
		files, err := readCaseFiles("--fit-from", *fitFrom)
		if err != nil {
			return err
		}
		var cases []calibrate.IdentityCase
		for _, f := range files {
			cases = append(cases, f.cases...)
		}
		checks, err := readCaseFiles("--check", *check)
		if err != nil {
			return err
		}
		if *scores || *fitRisk {
			sp := scoring.DefaultParams()
			if *scoringPath != "" {
				b, err := os.ReadFile(*scoringPath)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(b, &sp); err != nil {
					return fmt.Errorf("--scoring %s: %w", *scoringPath, err)
				}
			}
			return printScores(e, files, checks, base, sp, *fitRisk, *scoringOut)
		}
		if *noFit {
			for _, f := range append(files, checks...) {
				fmt.Fprintf(e.stdout, "%s: %d cases, %s\n", f.path, len(f.cases), qualityLine(calibrate.MeasureIdentity(f.cases, base)))
			}
			if len(files) > 1 {
				fmt.Fprintf(e.stdout, "--fit-from pooled: %d cases, %s\n", len(cases), qualityLine(calibrate.MeasureIdentity(cases, base)))
			}
			return nil
		}
		if flagSet(fs, "people") && *people < len(cases) {
			// Every k-th case: a smaller fit that still spans the seeds.
			k := len(cases) / *people
			var sub []calibrate.IdentityCase
			for i := 0; i < len(cases) && len(sub) < *people; i += k {
				sub = append(sub, cases[i])
			}
			cases = sub
		}
		if *featuresOut != "" {
			f, err := os.Create(*featuresOut)
			if err != nil {
				return err
			}
			if err := evaluate.WriteFeatures(f, cases, base); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		}
		if *fitSecond {
			bp, err := parseBoostParams(*secondParams)
			if err != nil {
				return usageErr("--second-params: %v", err)
			}
			return printSecond(e, files, checks, base, bp, *secondFolds, *modelOut)
		}
		return printFit(e, cases, base, checks, *modelOut, splitList(*fitParams))
	}
	start := time.Now()
	var outs []evaluate.Outcome
	var bySeed []seedMetrics
	for _, sd := range seedList {
		o, err := run(sd)
		if err != nil {
			return err
		}
		outs = append(outs, o...)
		bySeed = append(bySeed, seedMetrics{Seed: sd, AccountMetrics: evaluate.Accounts(o, pipeline.DefaultMinMatch), MatchCalibration: evaluate.MatchCalibration(o)})
	}
	report := struct {
		Seed   int64         `json:"seed"`
		Seeds  []int64       `json:"seeds,omitempty"`
		BySeed []seedMetrics `json:"by_seed,omitempty"`
		People int           `json:"people"`
		// World is the size of each simulated world the people were
		// drawn from; Sampled says they were sampled (--world) rather
		// than the world's first people.
		World    int                     `json:"world,omitempty"`
		Sampled  bool                    `json:"sampled"`
		Seconds  float64                 `json:"seconds"`
		Accounts evaluate.AccountMetrics `json:"accounts"`
		// MatchCalibration is the calibration of the match probability
		// of every returned account, candidates included.
		MatchCalibration evaluate.Calibration      `json:"match_calibration"`
		Sweep            []evaluate.AccountMetrics `json:"threshold_sweep"`
		Scores           []evaluate.Calibration    `json:"scores"`
		Misses           []evaluate.Miss           `json:"misses,omitempty"`
	}{Seed: seedList[0], People: len(outs), World: size, Sampled: sampled, Seconds: time.Since(start).Seconds(),
		Accounts: evaluate.Accounts(outs, pipeline.DefaultMinMatch), MatchCalibration: evaluate.MatchCalibration(outs)}
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
		if err := evaluate.ReliabilitySVG(f, append([]evaluate.Calibration{report.MatchCalibration}, report.Scores...)); err != nil {
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
	if *casesOut != "" {
		f, err := os.Create(*casesOut)
		if err != nil {
			return err
		}
		if err := evaluate.WriteCases(f, outs); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if *fitIdentity {
		return printFit(e, evaluate.IdentityCases(outs), identity.DefaultModel(), nil, "", nil)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	m := report.Accounts
	from := ""
	if sampled {
		from = fmt.Sprintf(" sampled from a world of %d", report.World)
	}
	if len(seedList) > 1 {
		fmt.Fprintf(e.stdout, "populations: %d people%s over %d seeds in %.1fs\n", report.People, from, len(seedList), report.Seconds)
		for _, sm := range report.BySeed {
			fmt.Fprintf(e.stdout, "  seed %d: recall %.3f, false share %.3f (%d/%d returned), match ECE %.3f, Brier %.3f (base-rate %.3f)\n",
				sm.Seed, sm.Recall, sm.FalseShare, sm.Wrong, sm.Returned, sm.MatchCalibration.ECE, sm.MatchCalibration.Brier, sm.MatchCalibration.BaseRateBrier)
		}
		fmt.Fprintln(e.stdout, "pooled:")
	} else {
		fmt.Fprintf(e.stdout, "population: %d people%s (seed %d) in %.1fs\n", report.People, from, report.Seed, report.Seconds)
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
	mc := report.MatchCalibration
	fmt.Fprintf(e.stdout, "match probabilities of every returned account (candidates included): n %d, true share %.3f, Brier %.3f (base-rate %.3f), ECE %.3f, AUC %.2f\n",
		mc.N, mc.BaseRate, mc.Brier, mc.BaseRateBrier, mc.ECE, mc.AUC)
	fmt.Fprintf(e.stdout, "  %-9s %8s %7s %10s\n", "p bin", "accounts", "mean p", "true share")
	for _, b := range mc.Bins {
		if b.Count > 0 {
			fmt.Fprintf(e.stdout, "  %.1f–%.1f   %8d %7.3f %10.3f\n", b.Lo, b.Hi, b.Count, b.MeanPredicted, b.Observed)
		}
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

// printFit refits the identity model on cases and prints the fit.
func printFit(e env, cases []calibrate.IdentityCase, base identity.Model, checks []namedCases, modelOut string, only []string) error {
	// The fit is of the additive model, and so is the comparison: the
	// second look is fitted on its answers afterwards (--fit-second).
	base.Second = nil
	fmt.Fprintln(e.stderr, "fitting the additive model (without its second look; fit one on the result with --fit-second)")
	start := time.Now()
	fitted, err := calibrate.FitIdentityOnly(cases, base, only, func(pass int, loss float64) {
		fmt.Fprintf(e.stderr, "fit: pass %d, log loss %.5f (%.0fs)\n", pass+1, loss, time.Since(start).Seconds())
	})
	if err != nil {
		return usageErr("--fit-params: %v", err)
	}
	took := time.Since(start)
	before, after := calibrate.ScoreIdentity(cases, base, 0.5), calibrate.ScoreIdentity(cases, fitted, 0.5)
	fmt.Fprintf(e.stdout, "identity model (%d cases, fitted in %.1fs): log loss %.4f → %.4f; at p ≥ 0.5 recall %.3f → %.3f, false share %.3f → %.3f\n",
		len(cases), took.Seconds(), before.LogLoss, after.LogLoss, before.Recall, after.Recall, before.FalseShare, after.FalseShare)
	for _, c := range checks {
		before, after := calibrate.ScoreIdentity(c.cases, base, 0.5), calibrate.ScoreIdentity(c.cases, fitted, 0.5)
		fmt.Fprintf(e.stdout, "check %s (%d cases): log loss %.4f → %.4f; at p ≥ 0.5 recall %.3f → %.3f, false share %.3f → %.3f\n",
			c.path, len(c.cases), before.LogLoss, after.LogLoss, before.Recall, after.Recall, before.FalseShare, after.FalseShare)
	}
	fmt.Fprintf(e.stdout, "fitted parameters: %+v\n", fitted)
	return writeModel(modelOut, fitted)
}

// writeModel writes an identity model's parameters as JSON (as --model
// reads them) to path, when path is not empty.
func writeModel(path string, m identity.Model) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// namedCases are the identity cases read from one file, and their score
// cases (nil when the file holds none).
type namedCases struct {
	path   string
	cases  []calibrate.IdentityCase
	scores []evaluate.ScoreCase
}

// printScores measures the influencer and risk probabilities on the
// stored score evidence of files and checks, their accounts resolved
// again by m; with fitRisk it first refits the risk model on files (L2 1,
// signs kept) and measures both.
func printScores(e env, files, checks []namedCases, m identity.Model, sp scoring.Params, fitRisk bool, out string) error {
	rescored := func(f namedCases) ([]evaluate.ScoreCase, error) {
		if f.scores == nil {
			return nil, usageErr("%s holds no score evidence (written before eval stored it); make its cases again", f.path)
		}
		return evaluate.Rescore(f.cases, f.scores, m), nil
	}
	params := []scoring.Params{sp}
	if fitRisk {
		var samples []calibrate.RiskSample
		for _, f := range files {
			scs, err := rescored(f)
			if err != nil {
				return err
			}
			samples = append(samples, evaluate.RiskSamples(scs)...)
		}
		fitted, err := calibrate.FitRisk(samples, sp, 1, scoring.RiskHandSet()...)
		if err != nil {
			return err
		}
		params = append(params, fitted)
		b, err := json.MarshalIndent(fitted.Risk, "", "  ")
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "risk model fitted on %d people:\n%s\n", len(samples), b)
		if out != "" {
			b, err := json.MarshalIndent(fitted, "", "  ")
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
	}
	var all []evaluate.ScoreCase
	line := func(name string, scs []evaluate.ScoreCase) {
		for i, p := range params {
			tag := "start "
			if i > 0 {
				tag = "fitted"
			}
			for _, c := range evaluate.ScoreCalibrations(scs, p) {
				fmt.Fprintf(e.stdout, "%s %s: %-10s n %5d base %.3f Brier %.4f (base-rate %.4f) ECE %.3f AUC %.3f\n",
					tag, name, c.Target, c.N, c.BaseRate, c.Brier, c.BaseRateBrier, c.ECE, c.AUC)
			}
		}
	}
	for _, f := range append(files, checks...) {
		scs, err := rescored(f)
		if err != nil {
			return err
		}
		all = append(all, scs...)
		line(f.path, scs)
	}
	if len(files)+len(checks) > 1 {
		line("pooled", all)
	}
	return nil
}

// readCaseFiles reads the comma-separated files of flag (written by
// --cases-out); none when list is empty.
func readCaseFiles(flag, list string) ([]namedCases, error) {
	if list == "" {
		return nil, nil
	}
	var out []namedCases
	for _, path := range strings.Split(list, ",") {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("%s %w", flag, err)
		}
		cs, scs, err := evaluate.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", flag, path, err)
		}
		out = append(out, namedCases{path, cs, scs})
	}
	return out, nil
}

// scoreLine is a model's score on cases as printed: log loss, then
// recall and false share at p ≥ 0.5.
func scoreLine(sc calibrate.IdentityScore) string {
	return fmt.Sprintf("log loss %.4f; at p ≥ 0.5 recall %.3f, false share %.3f", sc.LogLoss, sc.Recall, sc.FalseShare)
}

// qualityLine is scoreLine with what the threshold cannot change: the
// calibration of every returned account's probability, the share of the
// subject's accounts returned at all, and the best recall any threshold
// reaches with a false share of at most 0.05 (picked on these cases).
func qualityLine(q calibrate.IdentityQuality) string {
	return fmt.Sprintf("%s; match ECE %.3f; returned at any p %.3f of the subject's accounts; best recall at false share ≤ 0.05 %.3f (p ≥ %.2f)",
		scoreLine(q.IdentityScore), q.ECE, q.Found, q.BestRecall, q.BestThreshold)
}

// readModel reads identity model parameters written by --model-out over
// identity.DefaultModel (which supplies what JSON does not hold: the topic
// and language readers).
func readModel(path string) (identity.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return identity.Model{}, err
	}
	m := identity.DefaultModel()
	m.PlatformBias = nil // the file's biases, not merged with the default ones
	// The file's second look or none: the shipped one was fitted on the
	// shipped additive model's answers, not on this file's (a file written
	// before the second look existed has no such key).
	m.Second = nil
	if err := json.Unmarshal(b, &m); err != nil {
		return identity.Model{}, fmt.Errorf("--model %s: %w", path, err)
	}
	if err := identity.CheckSecond(m.Second); err != nil {
		return identity.Model{}, fmt.Errorf("--model %s: %w", path, err)
	}
	return m, nil
}

// seedMetrics is one seed's identity resolution in a --seeds run.
type seedMetrics struct {
	Seed int64 `json:"seed"`
	evaluate.AccountMetrics
	MatchCalibration evaluate.Calibration `json:"match_calibration"`
}

// defaultWorld is the world size a bare --world asks for: the 20 000
// people issue 15 states the identity targets at.
const defaultWorld = 20000

// expandBareWorld gives a bare --world (one not followed by a number) its
// default value, since Go's flag package has no optional values:
// "--world --people 300" reads as "--world=20000 --people 300", while
// "--world 5000" and "--world=5000" are left as they are.
func expandBareWorld(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if a == "--world" || a == "-world" {
			if i+1 < len(args) {
				if _, err := strconv.Atoi(args[i+1]); err == nil {
					out = append(out, a, args[i+1])
					i++
					continue
				}
			}
			a = "--world=" + strconv.Itoa(defaultWorld)
		}
		out = append(out, a)
	}
	return out
}

// fetchPeople reads the ground truth of a running simulated web, and the
// size of its population.
func fetchPeople(ctx context.Context, upstream string, offset, n int) ([]sim.Person, int, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, 0, usageErr("upstream: %v", err)
	}
	u = u.JoinPath("/_sim/people")
	u.RawQuery = url.Values{"n": {fmt.Sprint(n)}, "offset": {fmt.Sprint(offset)}}.Encode()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("simulated web: %w", err)
	}
	defer res.Body.Close()
	var body struct {
		People []sim.Person `json:"people"`
		Total  int          `json:"total"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, 0, fmt.Errorf("simulated web: /_sim/people: %w", err)
	}
	return body.People, body.Total, nil
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

// parseBoostParams reads --second-params over boost.DefaultParams. Each
// key=value is parsed as a flag of its own, so integer settings reject
// fractions and an unknown key is named.
func parseBoostParams(s string) (boost.Params, error) {
	p := boost.DefaultParams()
	fs := flag.NewFlagSet("--second-params", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&p.Rounds, "rounds", p.Rounds, "trees")
	fs.Float64Var(&p.Rate, "rate", p.Rate, "learning rate")
	fs.IntVar(&p.Depth, "depth", p.Depth, "tree depth")
	fs.IntVar(&p.MinLeaf, "min-leaf", p.MinLeaf, "least rows per leaf")
	fs.Float64Var(&p.Lambda, "lambda", p.Lambda, "L2 penalty on leaf values")
	fs.IntVar(&p.Bins, "bins", p.Bins, "histogram bins per input")
	var args []string
	for _, kv := range splitList(s) {
		if !strings.Contains(kv, "=") {
			return p, fmt.Errorf("%q is not key=value", kv)
		}
		args = append(args, "-"+kv)
	}
	if err := fs.Parse(args); err != nil {
		return p, fmt.Errorf("%v (keys: rounds, rate, depth, min-leaf, lambda, bins)", err)
	}
	return p, nil
}

// printSecond fits the second look on the cases of files over base's
// additive part and prints, for those cases pooled and for each check
// file, how the model without and with it does.
func printSecond(e env, files, checks []namedCases, base identity.Model, p boost.Params, folds int, modelOut string) error {
	var cases []calibrate.IdentityCase
	for _, f := range files {
		cases = append(cases, f.cases...)
	}
	start := time.Now()
	second, err := calibrate.FitSecond(cases, base, p, folds)
	if err != nil {
		return err
	}
	additive, fitted := base, base
	additive.Second, fitted.Second = nil, second
	fmt.Fprintf(e.stdout, "second look: %d trees fitted on %d cases in %.1fs (%+v, %d folds)\n", len(second.Trees), len(cases), time.Since(start).Seconds(), p, folds)
	line := func(name string, n int, cs []calibrate.IdentityCase) {
		a, b := calibrate.MeasureIdentity(cs, additive), calibrate.MeasureIdentity(cs, fitted)
		fmt.Fprintf(e.stdout, "%s (%d cases), additive → second look: log loss %.4f → %.4f; at p ≥ 0.5 recall %.3f → %.3f, false share %.3f → %.3f (the probabilities promise %.3f → %.3f); ECE %.3f → %.3f; best recall at false share ≤ 0.05 %.3f → %.3f (p ≥ %.2f)\n",
			name, n, a.LogLoss, b.LogLoss, a.Recall, b.Recall, a.FalseShare, b.FalseShare, a.ExpectedFalseShare, b.ExpectedFalseShare, a.ECE, b.ECE, a.BestRecall, b.BestRecall, b.BestThreshold)
	}
	line("fitted on", len(cases), cases)
	for _, c := range checks {
		line("check "+c.path, len(c.cases), c.cases)
	}
	return writeModel(modelOut, fitted)
}
