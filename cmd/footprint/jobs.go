package main

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/enrichers/transport/netguard"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/config"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// webhookTimeout bounds one webhook delivery attempt.
const webhookTimeout = 10 * time.Second

// backgroundEnricher runs batch rows as background work: at every source's
// rate limiter they yield to live lookups (transport.WithBackground).
type backgroundEnricher struct {
	svc  *pipeline.Service
	keys *auth.Service // nil: no usage recorded
}

func (b backgroundEnricher) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	p, err := b.svc.Enrich(transport.WithBackground(ctx), in)
	// A row admitted under a key (jobs.Config.Admit) counts in its usage.
	if k := auth.KeyFrom(ctx); k != nil && b.keys != nil && err == nil {
		b.keys.ObserveProfile(k.ID, p)
	}
	return p, err
}

// newJobs opens the job store in the data folder's jobs/ (it starts
// nothing; call Start). Webhooks go through the SSRF guard: only public
// addresses on ports 80 and 443.
// Rows that a source's limiter held back wait for its token (limits).
func newJobs(cfg *config.Config, rows jobs.Enricher, validate func(pipeline.Options) error, limits *transport.Limiters, db *pgxpool.Pool, log *slog.Logger, tracer trace.Tracer, keys *auth.Service) (*jobs.Manager, error) {
	if cfg.DataDir == "" && db == nil {
		return nil, usageErr("data_dir: needed to keep batch jobs")
	}
	guard := netguard.Options{}
	var admit func(context.Context, string) (context.Context, error)
	if keys != nil {
		admit = keys.Admit
	}
	return jobs.New(jobs.Config{
		Dir:             filepath.Join(cfg.DataDir, "jobs"),
		DB:              db,
		Lease:           time.Duration(cfg.Jobs.Lease),
		Enricher:        rows,
		Admit:           admit,
		Concurrency:     cfg.Jobs.Concurrency,
		MaxActiveJobs:   cfg.Jobs.MaxActive,
		MaxInputBytes:   cfg.Jobs.MaxInputBytes,
		ValidateOptions: validate,
		Limiter:         limits.Get,
		WebhookSecret:   cfg.Jobs.WebhookSecret,
		CheckWebhookURL: netguard.CheckURL,
		HTTPClient: &http.Client{
			Timeout:       webhookTimeout,
			Transport:     &http.Transport{DialContext: netguard.Dialer(guard), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 2},
			CheckRedirect: netguard.RedirectChecker(guard),
		},
		Tracer: tracer,
		Logger: log,
	})
}
