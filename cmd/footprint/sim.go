package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/footprint-oss/footprint/internal/harness/sim"
)

func cmdSim(ctx context.Context, args []string, e env) error {
	fs := newFlags("sim [--addr 127.0.0.1:9090] [--seed N] [--people M]",
		"Serves the simulated web: every network source in its real API/page format for a deterministic\n"+
			"synthetic population (HTTP on --addr, DNS over UDP on the same port), plus control endpoints\n"+
			"GET /_sim/people, GET /_sim/stats, POST|DELETE /_sim/faults.", e)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address (TCP for HTTP, UDP for DNS)")
	seed := fs.Int64("seed", 1, "population seed")
	people := fs.Int("people", 1000, "population size")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *people <= 0 {
		return usageErr("--people must be positive")
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	s := sim.New(sim.Config{Seed: *seed, People: *people, Logger: log})
	ln, pc, err := sim.Listen(*addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("simulated web listening (synthetic data only)", "addr", ln.Addr().String(), "seed", *seed, "people", *people)
	return s.Serve(ctx, ln, pc)
}
