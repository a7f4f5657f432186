// Command footprint is the footprint identity enrichment service: one binary
// that serves the HTTP API (serve), runs one-off lookups (lookup), enriches
// whole files as durable jobs (batch), serves the simulated web (sim) and
// measures the service against it (eval).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

const usage = `footprint — self-hosted identity enrichment.

Usage:
  footprint <command> [flags]

Commands:
  serve     run the HTTP API (POST /v1/enrich, /v1/enrich/batch, /v1/jobs, GET /v1/sources, /healthz, /readyz)
  lookup    enrich one email and/or phone (in-process, or via a server with --server) and print the profile JSON
  batch     enrich every row of a CSV or NDJSON file as a durable job (in-process, or on a server with --server)
  keys      create, list, revoke and rotate API keys (footprint keys --help)
  sim       serve the simulated web (synthetic population for demos, tests, calibration)
  eval      enrich a simulated population and measure footprint against its ground truth
  erase     erase everything held about a person (via the running server, else in-process) and print the receipt
  version   print the version
  help      show this help, or "footprint help <command>" for a command's flags

Configuration is layered: built-in defaults → YAML file (--config) →
environment (FOOTPRINT_…) → flags. See README.md for every key.
`

// env is the process environment, injected so tests never mutate the real one.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	lookup         func(string) (string, bool)
	environ        []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], env{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		lookup: os.LookupEnv, environ: os.Environ(),
	}))
}

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // runtime failure
	exitUsage = 2 // bad flags, bad config or bad input
)

// errUsage marks errors that are the caller's fault (exit code 2).
type errUsage struct{ err error }

func (e errUsage) Error() string { return e.err.Error() }
func (e errUsage) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error { return errUsage{fmt.Errorf(format, args...)} }

func run(ctx context.Context, args []string, e env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, e)
	case "lookup":
		err = cmdLookup(ctx, rest, e)
	case "batch":
		err = cmdBatch(ctx, rest, e)
	case "keys":
		err = cmdKeys(ctx, rest, e)
	case "sim":
		err = cmdSim(ctx, rest, e)
	case "eval":
		err = cmdEval(ctx, rest, e)
	case "erase":
		err = cmdErase(ctx, rest, e)
	case "version", "--version", "-v":
		fmt.Fprintf(e.stdout, "footprint %s\n", version)
	case "help", "--help", "-h":
		if len(rest) > 0 {
			return run(ctx, []string{rest[0], "--help"}, e)
		}
		fmt.Fprint(e.stdout, usage)
	default:
		fmt.Fprintf(e.stderr, "footprint: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, new(errUsage)):
		fmt.Fprintf(e.stderr, "footprint %s: %v\n", cmd, err)
		return exitUsage
	default:
		fmt.Fprintf(e.stderr, "footprint %s: %v\n", cmd, err)
		return exitError
	}
}
