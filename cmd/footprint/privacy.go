package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/config"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

// purgeChannel is the Redis channel purges are broadcast on (cache/purge.go).
const purgeChannel = "fp:v2:purge"

// privacyStoreFile is the embedded privacy store in the data folder.
const privacyStoreFile = "privacy.db"

// purposesOf turns the configuration's purposes into the pipeline's.
func purposesOf(cfg *config.Config, eng *engine.Engine) (map[string]pipeline.Purpose, error) {
	out := map[string]pipeline.Purpose{}
	for name, pc := range cfg.Privacy.Purposes.Map() {
		p := pipeline.Purpose{Name: name, Outputs: config.SplitList(pc.Outputs), DeniedSources: config.SplitList(pc.DenySources)}
		for _, s := range p.DeniedSources {
			if !eng.Has(s) {
				return nil, usageErr("privacy.purposes.%s.deny_sources: unknown source %q", name, s)
			}
		}
		out[name] = p
	}
	return out, nil
}

// openPrivacyStore opens the privacy store: PostgreSQL on db (the
// process's pool, with database_url), else privacy.db in the data folder
// (held by this process while open; wait is how long to wait for another
// process to let go of it).
func openPrivacyStore(ctx context.Context, cfg *config.Config, db *pgxpool.Pool, wait time.Duration) (privacy.Store, func(), error) {
	if db != nil {
		st, err := privacy.OpenPostgres(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { _ = st.Close() }, nil
	}
	if cfg.DataDir == "" {
		return nil, nil, usageErr("data_dir: needed to keep suppressions and erasure receipts")
	}
	st, err := privacy.OpenBolt(filepath.Join(cfg.DataDir, privacyStoreFile), wait)
	if err != nil {
		return nil, nil, err
	}
	return st, func() { _ = st.Close() }, nil
}

// newPrivacy builds the privacy service over the wired engine and cache.
// notices, with Redis, carries suppressions to the other replicas.
func newPrivacy(ctx context.Context, cfg *config.Config, db *pgxpool.Pool, eng *engine.Engine, c privacy.Cache, notices privacy.Notices, trail audit.Store, log *slog.Logger) (*privacy.Service, func(), error) {
	purposes, err := purposesOf(cfg, eng)
	if err != nil {
		return nil, nil, err
	}
	secret, err := cacheSecret(cfg)
	if err != nil {
		return nil, nil, err
	}
	st, closeStore, err := openPrivacyStore(ctx, cfg, db, 2*time.Second)
	if err != nil {
		return nil, nil, err
	}
	p, err := privacy.New(privacy.Config{Store: st, Hasher: subject.NewHasher(secret), Purposes: purposes,
		DefaultPurpose: cfg.Privacy.DefaultPurpose, Cache: c, Engine: eng, Shared: cfg.RedisURL != "", Audit: trail,
		Notices: notices, SharedStore: db != nil, Reload: time.Duration(cfg.Privacy.SuppressionsReload), Logger: log})
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	return p, closeStore, nil
}

// auditedRows records every job row's lookup in the audit trail (job rows
// are lookups too): purpose, subject hashes, sources contacted upstream,
// the job as target. actor names the job's owner (nil: "open").
type auditedRows struct {
	inner  jobs.Enricher
	store  audit.Store
	priv   *privacy.Service
	eng    *engine.Engine
	actor  func(ctx context.Context) string
	logger *slog.Logger
}

func (a auditedRows) Enrich(ctx context.Context, in pipeline.Input) (*pipeline.Profile, error) {
	p, err := a.inner.Enrich(ctx, in)
	if p == nil {
		return p, err
	}
	e := audit.Entry{At: time.Now().UTC(), Actor: audit.ActorOpen, Operation: "jobs.row", Purpose: p.Purpose,
		Subjects: a.priv.HashesOf(p), Outcome: "ok", Target: jobs.JobID(ctx)}
	if a.actor != nil {
		if who := a.actor(ctx); who != "" {
			e.Actor = who
		}
	}
	if p.Suppressed {
		e.Outcome = "suppressed"
	}
	network := map[string]bool{}
	for _, si := range a.eng.Sources() {
		network[si.Name] = si.Network
	}
	for _, st := range p.Sources {
		if network[st.Name] && !st.Cached && st.Status != "skipped" {
			e.Sources = append(e.Sources, st.Name)
		}
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if aerr := a.store.Append(actx, e); aerr != nil {
		a.logger.Error("audit entry of a job row not stored", "job", e.Target, "err", aerr)
	}
	return p, err
}

// retentionSweep deletes finished jobs past jobs.retention, now and then
// every hour, until ctx is done.
func retentionSweep(ctx context.Context, m *jobs.Manager, retention time.Duration, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := m.Sweep(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && !errors.Is(err, context.Canceled):
			log.Warn("jobs retention sweep failed", "err", err)
		case n > 0:
			log.Info("jobs retention: deleted finished jobs", "jobs", n, "retention", retention.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// rowActor is the key a job row runs under (its job's owner), "" when the
// server runs open.
func rowActor(ctx context.Context) string {
	if k := auth.KeyFrom(ctx); k != nil {
		return k.ID
	}
	return ""
}

// keyPurpose is the default purpose of the calling key ("" without
// one: the server's privacy.default_purpose applies).
func keyPurpose(ctx context.Context) string {
	if k := auth.KeyFrom(ctx); k != nil {
		return k.Purpose
	}
	return ""
}
