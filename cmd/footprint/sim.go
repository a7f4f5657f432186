package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/footprint-oss/footprint/internal/harness/sim"
)

func cmdSim(ctx context.Context, args []string, e env) error {
	fs := newFlags("sim [--addr 127.0.0.1:9090] [--seed N] [--people M] [--strangers-per-person K]",
		"Serves the simulated web: every network source in its real API/page format for a deterministic\n"+
			"synthetic population (HTTP on --addr, DNS over UDP on the same port), plus control endpoints\n"+
			"GET /_sim/people, GET /_sim/stats, POST|DELETE /_sim/faults. Every platform also holds the\n"+
			"accounts of K strangers per person (not in the population), so common usernames are taken and\n"+
			"namesakes exist; docs/SIM.md lists the realism properties it reports at start.", e)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address (TCP for HTTP, UDP for DNS)")
	seed := fs.Int64("seed", 1, "population seed")
	people := fs.Int("people", 1000, "population size")
	strangers := fs.Int("strangers-per-person", sim.DefaultStrangersPerPerson, "background accounts' owners per person (0 for none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *people <= 0 {
		return usageErr("--people must be positive")
	}
	if *strangers < 0 {
		return usageErr("--strangers-per-person must be >= 0")
	}
	k := *strangers
	if k == 0 {
		k = -1 // sim.Config: negative means none
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	start := time.Now()
	s := sim.New(sim.Config{Seed: *seed, People: *people, StrangersPerPerson: k, Logger: log})
	debug.FreeOSMemory() // return the generator's garbage: a large world is long-lived
	r := s.Realism()
	log.Info("simulated web generated", "people", r.People, "strangers", r.Strangers,
		"stranger_accounts", r.StrangerAccounts, "took", time.Since(start).Round(time.Millisecond))
	ln, pc, err := sim.Listen(*addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("simulated web listening (synthetic data only)", "addr", ln.Addr().String(), "seed", *seed, "people", *people)
	return s.Serve(ctx, ln, pc)
}
