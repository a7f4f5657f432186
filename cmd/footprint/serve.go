package main

import (
	"cmp"
	"context"
	"fmt"
	"net"
	"time"

	"github.com/footprint-oss/footprint/internal/app/api"
	"github.com/footprint-oss/footprint/internal/app/config"
)

func cmdServe(ctx context.Context, args []string, e env) error {
	fs := newFlags("serve [flags]", "Runs the HTTP API until SIGINT/SIGTERM, then lets in-flight requests finish.", e)
	dp := addDataPathFlags(fs, true, "")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address (host:port)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	redisURL := fs.String("redis-url", "", "shared L2 cache (redis://host:port/db); default: in-process cache only")
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
	})
	if err != nil {
		return err
	}
	log := newLogger(cfg, e.stderr)
	a, err := buildApp(ctx, cfg, log, buildOptions{cache: true, jobs: true})
	if err != nil {
		return err
	}
	// Jobs stop after the HTTP server has drained: a job interrupted here
	// resumes from its checkpoint on the next start.
	defer a.close()
	if err := a.engine.Warm(ctx); err != nil {
		return fmt.Errorf("warming sources: %w", err)
	}
	srv := api.New(api.Config{
		MaxBodyBytes:    cfg.Server.MaxBodyBytes,
		ShutdownTimeout: time.Duration(cfg.Server.ShutdownTimeout),
		Logger:          log,
		ReadyChecks:     []api.ReadyCheck{{Name: "cache", Check: a.cache.Ready}},
		Jobs:            a.jobs,
		MaxJobTimeoutMS: cfg.Server.MaxTimeoutMS,
		MaxUploads:      cfg.Jobs.MaxUploads,
		UploadTimeout:   time.Duration(cfg.Jobs.UploadTimeout),
		// 0 configured means no minimum (the API's 0 means its default).
		UploadMinBytesPerS: cmp.Or(cfg.Jobs.UploadMinBytesPerS, -1),
	}, a.svc)
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("footprint listening", "addr", ln.Addr().String(), "version", version, "sources", len(a.engine.Sources()))
	return srv.Serve(ctx, ln)
}
