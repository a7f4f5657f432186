package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/config"
	"github.com/footprint-oss/footprint/internal/app/console"
	"github.com/footprint-oss/footprint/internal/app/datadir"
	"github.com/footprint-oss/footprint/internal/app/metrics"
)

func cmdServe(ctx context.Context, args []string, e env) error {
	fs := newFlags("serve [flags]", "Runs the HTTP API until SIGINT/SIGTERM, then lets in-flight requests finish.", e)
	dp := addDataPathFlags(fs, true, "")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	redisURL := fs.String("redis-url", "", "shared L2 cache (redis://host:port/db); default: in-process cache only")
	databaseURL := fs.String("database-url", "", "shared PostgreSQL store (postgres://user@host:5432/db); default: the embedded store in the data folder")
	metricsAddr := fs.String("metrics-addr", "", "serve GET /metrics on this address (host:port) instead of the API's")
	insecure := fs.Bool("insecure-no-auth", false, "serve without API keys on a non-loopback address (env FOOTPRINT_INSECURE_NO_AUTH)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := dp.load(fs, e, func(cfg *config.Config) {
		if flagSet(fs, "addr") {
			cfg.Server.Addr = *addr
		}
		if flagSet(fs, "log-format") {
			cfg.Log.Format = *logFormat
		}
		if flagSet(fs, "redis-url") {
			cfg.RedisURL = *redisURL
		}
		if flagSet(fs, "database-url") {
			cfg.DatabaseURL = *databaseURL
		}
		if flagSet(fs, "metrics-addr") {
			cfg.Metrics.Addr = *metricsAddr
		}
		if flagSet(fs, "insecure-no-auth") {
			cfg.InsecureNoAuth = *insecure
		}
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	// Tracing is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
	var tracer trace.Tracer
	tp, err := metrics.Tracing(ctx, e.lookup, version)
	if err != nil {
		return err
	}
	if tp != nil {
		tracer = metrics.Tracer(tp)
		defer func() {
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("flushing traces", "err", err)
			}
		}()
		log.Info("tracing on: spans go to the OTLP endpoint")
	}
	// One PostgreSQL pool for the process (database_url): keys, audit,
	// privacy and jobs are handed it. Closed once, last: this defer runs
	// after every store's.
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	if db != nil {
		defer db.Close()
	}
	// API keys: secure by default. With no key in the store the server
	// runs open only on a loopback address (or when told to).
	keys, closeKeys, err := openKeys(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer closeKeys()
	nkeys, err := keys.Store().Count(ctx)
	if err != nil {
		return err
	}
	if nkeys == 0 {
		if !loopback(cfg.Server.Addr) && !cfg.InsecureNoAuth {
			return usageErr("refusing to serve on %s with no API keys: anyone who can reach it could use it. "+
				"Create a key first (footprint keys create --name NAME, with the same --data-dir/--config/--database-url), "+
				"listen on a loopback address, or pass --insecure-no-auth (FOOTPRINT_INSECURE_NO_AUTH=true) to serve open", cfg.Server.Addr)
		}
		log.Warn("no API keys: serving OPEN (every request is accepted) until the first key is created", "addr", cfg.Server.Addr)
	}
	kctx, stopKeys := context.WithCancel(context.WithoutCancel(ctx))
	keysDone := make(chan struct{})
	go func() { defer close(keysDone); keys.Run(kctx) }()
	// Runs after the jobs stopped (defers run last-in first-out): the
	// final usage flush sees every row.
	defer func() { stopKeys(); <-keysDone }()
	// One process per data folder, checked before any embedded store in it
	// is opened (a second process would otherwise wait on its lock).
	var lock *datadir.Lock
	if cfg.DataDir != "" {
		if lock, err = datadir.Acquire(cfg.DataDir); err != nil {
			return err
		}
	}
	// The audit trail: one entry per /v1 call, the actor its key id.
	trail, closeTrail, err := openAudit(ctx, cfg, db, log)
	if err != nil {
		_ = lock.Close()
		return err
	}
	defer closeTrail()
	tctx, stopTrail := context.WithCancel(context.WithoutCancel(ctx))
	trailDone := make(chan struct{})
	go func() { defer close(trailDone); trail.Run(tctx) }()
	defer func() { stopTrail(); <-trailDone }()
	m := metrics.New(version)
	a, err := buildApp(ctx, cfg, log, buildOptions{cache: true, jobs: true, metrics: m, tracer: tracer, keys: keys, privacy: true, audit: trail, dataLock: lock, db: db})
	if err != nil {
		_ = lock.Close() // a no-op when buildApp released it
		return err
	}
	// Jobs stop after the HTTP server has drained: a job interrupted here
	// resumes from its checkpoint on the next start.
	defer a.close()
	// The suppression list in memory: lookups ask no store for it.
	if err := a.privacy.LoadSuppressions(ctx); err != nil {
		return fmt.Errorf("loading the suppression list: %w", err)
	}
	pctx, stopPrivacy := context.WithCancel(context.WithoutCancel(ctx))
	privacyDone := make(chan struct{})
	go func() { defer close(privacyDone); a.privacy.Run(pctx) }()
	defer func() { stopPrivacy(); <-privacyDone }()
	if err := a.engine.Warm(ctx); err != nil {
		return fmt.Errorf("warming sources: %w", err)
	}
	logTopology(ctx, log, cfg, a)
	// The replica serves without Redis (the in-process tier carries on):
	// reported, not a reason to stop routing traffic here.
	var checks []api.ReadyCheck
	if cfg.RedisURL != "" {
		checks = append(checks, api.ReadyCheck{Name: "redis", Check: a.cache.Ready, Optional: true})
	}
	if a.jobs != nil {
		checks = append(checks, api.ReadyCheck{Name: "jobs", Check: a.jobs.Ready})
	}
	// Without Redis the replica keeps serving on its share of every
	// source's rate: degraded, not out of the pool.
	if a.limits != nil {
		checks = append(checks, api.ReadyCheck{Name: "limits", Check: a.limits.Ready, Optional: true})
	}
	ac := api.Config{
		MaxBodyBytes:    cfg.Server.MaxBodyBytes,
		ShutdownTimeout: time.Duration(cfg.Server.ShutdownTimeout),
		Logger:          log,
		ReadyChecks:     checks,
		Jobs:            a.jobs,
		MaxJobTimeoutMS: cfg.Server.MaxTimeoutMS,
		MaxUploads:      cfg.Jobs.MaxUploads,
		// 0 configured means no cap per key (the API's 0 means its default).
		MaxUploadsPerKey: cmp.Or(cfg.Jobs.MaxUploadsPerKey, -1),
		UploadTimeout:    time.Duration(cfg.Jobs.UploadTimeout),
		// 0 configured means no minimum (the API's 0 means its default).
		UploadMinBytesPerS: cmp.Or(cfg.Jobs.UploadMinBytesPerS, -1),
		Observer:           m,
		Tracer:             tracer,
		Auth:               keys,
		Audit:              trail,
		Privacy:            a.privacy,
		// A key's default purpose; "" falls back to privacy.default_purpose.
		DefaultPurpose: keyPurpose,
	}
	if a.jobs != nil {
		retention, err := config.ParseRetention(cfg.Jobs.Retention)
		if err != nil { // Validate checked it
			return usageErr("jobs.retention: %v", err)
		}
		// Stopped and waited for before the job store closes (defers run
		// last-in first-out): it never sweeps, or logs, after serve
		// returns.
		sctx, stopSweep := context.WithCancel(ctx)
		sweepDone := make(chan struct{})
		go func() { defer close(sweepDone); retentionSweep(sctx, a.jobs, retention, log) }()
		defer func() { stopSweep(); <-sweepDone }()
	}
	if cfg.Console.Enabled {
		ac.Console = console.New(console.Config{Version: version, Demo: cfg.Demo})
	}
	if cfg.Metrics.Addr == "" {
		ac.Metrics = m.Handler()
	} else if err := serveMetrics(ctx, cfg.Metrics.Addr, m.Handler(), log); err != nil {
		return err
	}
	srv := api.New(ac, a.svc)
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("footprint listening", "addr", ln.Addr().String(), "version", version, "sources", len(a.engine.Sources()))
	return srv.Serve(ctx, ln)
}

// logTopology says at start what this replica shares with others: where
// jobs live (the embedded store in the data folder, or PostgreSQL with the
// replicas seen working jobs in the last minute) and the cache tiers.
// Addresses are logged without credentials.
func logTopology(ctx context.Context, log *slog.Logger, cfg *config.Config, a *app) {
	attrs := []any{}
	cacheTiers := "in-process"
	if cfg.RedisURL != "" {
		cacheTiers = "in-process + Redis at " + hostOf(cfg.RedisURL)
	}
	attrs = append(attrs, "cache", cacheTiers)
	if a.jobs != nil {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		t, err := a.jobs.Topology(tctx)
		cancel()
		if t.Shared {
			attrs = append(attrs, "jobs", "shared: PostgreSQL at "+hostOf(cfg.DatabaseURL), "replica", t.Replica)
			if err != nil {
				attrs = append(attrs, "replicas", "unknown: "+err.Error())
			} else {
				attrs = append(attrs, "replicas", len(t.Replicas), "replica_names", strings.Join(t.Replicas, ","))
			}
		} else {
			attrs = append(attrs, "jobs", "embedded: "+cfg.DataDir, "replicas", 1)
		}
	}
	if cfg.DataDir != "" {
		attrs = append(attrs, "data_dir", cfg.DataDir)
	}
	log.Info("topology", attrs...)
}

// hostOf is the host and path of a store URL, without user or password.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(unparsed)"
	}
	return u.Host + u.Path
}

// serveMetrics serves GET /metrics on its own listener until ctx is done.
func serveMetrics(ctx context.Context, addr string, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { _ = hs.Close() })
	log.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}
