package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/config"
	"github.com/footprint-oss/footprint/internal/app/datadir"
	"github.com/footprint-oss/footprint/internal/app/jobs"
	sharedlimits "github.com/footprint-oss/footprint/internal/app/limits"
	"github.com/footprint-oss/footprint/internal/app/metrics"
	"github.com/footprint-oss/footprint/internal/app/pgstore"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/app/privacy"
	"github.com/footprint-oss/footprint/internal/harness/sim"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// errHelp is returned when a command printed its help.
var errHelp = errors.New("help shown")

// newFlags returns a flag set whose -h prints the synopsis and flags.
func newFlags(name, synopsis string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		var b strings.Builder
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
		// Go accepts -flag and --flag alike; show the --flag form.
		flags := strings.ReplaceAll("\n"+b.String(), "\n  -", "\n  --")
		fmt.Fprintf(e.stderr, "Usage: footprint %s\n\n%s\n\nFlags:%s", name, synopsis, flags)
	}
	return fs
}

// parseFlags parses args, turning -h into errHelp and bad flags into usage
// errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage{err}
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// loadConfig applies defaults → file → environment; flags are applied by the
// caller afterwards.
func loadConfig(path string, e env) (*config.Config, error) {
	cfg, err := config.Load(path, e.lookup, e.environ)
	if err != nil {
		return nil, errUsage{err}
	}
	return cfg, nil
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Log.Level))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.Log.Format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// app is the wired data path.
type app struct {
	svc    *pipeline.Service
	engine *engine.Engine
	cache  *cache.Cache  // nil when off
	jobs   *jobs.Manager // nil when off
	// privacy is nil when off; closePrivacy releases its store.
	privacy      *privacy.Service
	closePrivacy func()
	// db is the process's one PostgreSQL pool (database_url), nil without
	// one; ownDB: buildApp opened it (else it is the caller's to close).
	db    *pgxpool.Pool
	ownDB bool
	// dataLock keeps other processes out of the data folder.
	dataLock *datadir.Lock
	// limits are the rate limits shared with other replicas through
	// Redis (nil without redis_url); stopLimits ends its heartbeat.
	limits     *sharedlimits.Shared
	stopLimits func()
}

// close releases what buildApp started: jobs first (a job stopped here
// resumes from its checkpoint on the next start), then the cache and the
// shared limits' heartbeat.
func (a *app) close() {
	if a.jobs != nil {
		_ = a.jobs.Close()
	}
	if a.closePrivacy != nil {
		a.closePrivacy()
	}
	if a.cache != nil {
		_ = a.cache.Close()
	}
	if a.ownDB {
		a.db.Close()
	}
	_ = a.dataLock.Close()
	if a.stopLimits != nil {
		a.stopLimits()
	}
}

// buildOptions tune buildApp for tools.
type buildOptions struct {
	// unlimited lifts every source's rate limit: only for a simulated web
	// that is not rate limited itself (eval).
	unlimited bool
	// measure keeps load from changing what a lookup finds (eval): no
	// source's breaker opens and every source has a minute per call, so
	// a busy machine slows a measurement down but never cuts a lookup.
	measure bool
	// cache turns the evidence cache on (serve); L2 follows redis_url.
	cache bool
	// jobs opens the job store in the data folder and runs its jobs
	// until ctx is done (serve, batch).
	jobs bool
	// metrics, when set, observes the engine and watches the engine's
	// breakers, the cache and the jobs (serve).
	metrics *metrics.Metrics
	// tracer, when set, traces every source call and job row.
	tracer trace.Tracer
	// privacy opens the privacy store (suppressions, receipts) and gives
	// lookups their purpose and suppression check (serve, batch).
	privacy bool
	// audit, when set, receives an entry per job row.
	audit audit.Store
	// dataLock is the data folder's lock when the caller took it already
	// (serve takes it before opening the audit store); buildApp owns it
	// from then on. Otherwise buildApp takes it for jobs and privacy.
	dataLock *datadir.Lock
	// keys, when set, charges job rows to their key's quotas (a spent
	// quota pauses the job) and records their usage.
	keys *auth.Service
	// db is the process's PostgreSQL pool when the caller opened it
	// (serve: its keys and audit trail use it too); the caller closes it
	// after the app. Otherwise buildApp opens one for jobs and privacy
	// with database_url, and closes it last.
	db *pgxpool.Pool
}

// buildApp is the composition root: the only place that knows every
// concrete source, cache and store. It builds the sources (enrichers/all)
// with one rate limiter each, validates their settings, then the engine,
// the evidence cache (with opts' cache), the pipeline and, with opts' jobs,
// the job manager; --demo starts the simulated web first.
func buildApp(ctx context.Context, cfg *config.Config, log *slog.Logger, opts ...buildOptions) (*app, error) {
	// The in-process simulated web of --demo limits nothing, so the real
	// upstreams' limits (GitHub's 60 requests an hour…) would only hide
	// what footprint does; an external --upstream keeps them.
	var opt buildOptions
	if len(opts) > 0 {
		opt = opts[0]
	}
	unlimited := cfg.Demo || opt.unlimited
	// Every network source's transport takes its tokens from its own
	// limiter in limits; the engine sets each one's rate from the source's
	// effective configuration (below: the lifted rates when unlimited).
	limits := transport.NewLimiters()
	var shared *sharedlimits.Shared
	var sharedClient *redis.Client
	if cfg.RedisURL != "" && !unlimited {
		var err error
		if shared, sharedClient, err = newSharedLimits(cfg, log); err != nil {
			return nil, err
		}
		limits.WithShared(shared)
	}
	deps := all.Deps{UserAgent: cfg.EffectiveUserAgent(version), Keys: map[string]string{}, BaseURLs: map[string]string{}, Unlimited: unlimited, Limiters: limits}
	for name, sc := range cfg.Sources {
		if sc.APIKey != "" {
			deps.Keys[name] = sc.APIKey
		}
		if sc.BaseURL != "" {
			deps.BaseURLs[name] = sc.BaseURL
		}
	}
	switch {
	case cfg.Demo:
		u, err := startDemo(ctx, log, sim.Config{Seed: 1, People: 1000})
		if err != nil {
			return nil, err
		}
		deps.Upstream = u
	case cfg.Upstream != "":
		u, err := url.Parse(cfg.Upstream)
		if err != nil {
			return nil, usageErr("upstream: %v", err)
		}
		deps.Upstream = u
		log.Warn("SIMULATED DATA: every network source talks to the simulated web", "upstream", u.Host)
	}
	reg := engine.NewRegistry()
	if err := all.Register(reg, deps); err != nil {
		return nil, err
	}
	// Each source declares the keys it takes; one it does not take (an
	// api_key for gitlab) would otherwise be silently ignored.
	if err := cfg.ValidateSources(reg.Descriptions()); err != nil {
		return nil, errUsage{err}
	}
	srcCfg := cfg.EngineSources()
	if unlimited || opt.measure {
		if srcCfg == nil {
			srcCfg = map[string]engine.SourceConfig{}
		}
		for _, n := range reg.Names() {
			c := srcCfg[n]
			if unlimited {
				c.RatePerS, c.Burst = 10000, 10000
			}
			if opt.measure {
				c.Timeout = time.Minute
				c.Breaker.Failures = math.MaxUint32
			}
			srcCfg[n] = c
		}
	}
	var c *cache.Cache
	if opt.cache {
		var err error
		if c, err = newCache(cfg, log); err != nil {
			return nil, err
		}
	}
	var ec engine.Cache
	if c != nil {
		ec = c
	}
	var obs engine.Observer
	if opt.metrics != nil {
		obs = opt.metrics
	}
	eng, err := engine.New(reg, engine.Options{
		Cache:          ec,
		Observer:       obs,
		Tracer:         opt.tracer,
		Sources:        srcCfg,
		Limiters:       limits,
		Logger:         log,
		LiveReserve:    cfg.Jobs.LiveReserve,
		ReusedUsername: identity.ReusedUsername,
	})
	if err != nil {
		return nil, errUsage{err}
	}
	a := &app{engine: eng, cache: c, limits: shared}
	pc := pipeline.Config{
		DefaultTimeout: time.Duration(cfg.Server.DefaultTimeoutMS) * time.Millisecond,
		MaxTimeout:     time.Duration(cfg.Server.MaxTimeoutMS) * time.Millisecond,
		Simulated:      deps.Upstream != nil,
		Logger:         log,
	}
	// One process per data folder: a second one is refused at once
	// instead of waiting on an embedded store's lock.
	a.dataLock = opt.dataLock
	if a.dataLock == nil && (opt.jobs || opt.privacy) && cfg.DataDir != "" {
		if a.dataLock, err = datadir.Acquire(cfg.DataDir); err != nil {
			a.close()
			return nil, err
		}
	}
	a.db = opt.db
	if a.db == nil && (opt.jobs || opt.privacy) {
		if a.db, err = openDB(ctx, cfg); err != nil {
			a.close()
			return nil, err
		}
		a.ownDB = a.db != nil
	}
	if opt.privacy {
		var pcache privacy.Cache
		var notices privacy.Notices
		if c != nil {
			pcache = c
			// A purge heard from another replica (or a lost purge
			// subscription) ends every remembered result here.
			c.SetPurgeHook(eng.ForgetMemo)
			if cfg.RedisURL != "" && a.db != nil {
				// Suppressions in the shared store reach every replica
				// on the purge channel. (An embedded store is this
				// process's alone: no other replica's suppression is in
				// it, nor to be heard of.)
				notices = c
			}
		}
		if a.privacy, a.closePrivacy, err = newPrivacy(ctx, cfg, a.db, eng, pcache, notices, opt.audit, log); err != nil {
			a.close()
			return nil, err
		}
		if notices != nil {
			c.SetNoticeListener(a.privacy)
		}
		pc.Privacy = a.privacy
	}
	svc := pipeline.New(eng, pc)
	a.svc = svc
	if shared != nil {
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); shared.Run(lctx) }()
		a.stopLimits = func() { cancel(); <-done; _ = sharedClient.Close() }
		log.Info("shared rate limits: every source's token bucket is global across the replicas using this Redis", "fallback_replicas", cfg.Limits.FallbackReplicas)
	}
	if opt.jobs {
		var rows jobs.Enricher = backgroundEnricher{svc, opt.keys}
		if opt.audit != nil && a.privacy != nil {
			rows = auditedRows{inner: rows, store: opt.audit, priv: a.privacy, eng: eng, logger: log, actor: rowActor}
		}
		if a.jobs, err = newJobs(cfg, rows, svc.ValidateOptions, limits, a.db, log, opt.tracer, opt.keys); err != nil {
			a.close()
			return nil, err
		}
		if a.privacy != nil {
			a.privacy.SetJobs(a.jobs)
		}
		if err := a.jobs.Start(ctx); err != nil {
			a.close()
			return nil, err
		}
	}
	if opt.metrics != nil {
		var mc metrics.Cache
		if c != nil {
			mc = c
		}
		var mj metrics.Jobs
		if a.jobs != nil {
			mj = a.jobs
		}
		opt.metrics.Watch(eng, mc, mj)
	}
	return a, nil
}

// openDB opens database_url's pool (nil without database_url): the one
// pool of the process, handed to every store that keeps its data in
// PostgreSQL (keys, audit, privacy, jobs), each of which migrates its own
// schema on it. The caller closes it once, after every store.
func openDB(ctx context.Context, cfg *config.Config) (*pgxpool.Pool, error) {
	if cfg.DatabaseURL == "" {
		return nil, nil
	}
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return pgstore.OpenPool(octx, cfg.DatabaseURL, cfg.DatabaseMaxConns)
}

// newCache builds the evidence cache: L1 in-process always, L2 Redis when
// redis_url is set. The key secret comes from cache.secret or is generated
// once into the data folder.
func newCache(cfg *config.Config, log *slog.Logger) (*cache.Cache, error) {
	secret, err := cacheSecret(cfg)
	if err != nil {
		return nil, err
	}
	cc := cache.Config{Secret: secret, L1SizeMB: cfg.Cache.L1SizeMB, Logger: log}
	if cfg.RedisURL != "" {
		opt, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, usageErr("redis_url: %v", err)
		}
		cc.Redis = redis.NewClient(opt)
		// Purges (erasures) reach every replica's in-process tier.
		cc.PurgeChannel = purgeChannel
	}
	return cache.New(cc)
}

// cacheSecret is cache.secret, or the key generated once into the data
// folder: the cache keys' and the subject hashes' secret.
func cacheSecret(cfg *config.Config) ([]byte, error) {
	secret := []byte(cfg.Cache.Secret)
	if len(secret) == 0 {
		if cfg.DataDir == "" {
			return nil, usageErr("data_dir: needed to keep the cache key (or set cache.secret)")
		}
		var err error
		if secret, err = cache.LoadOrCreateSecret(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	return secret, nil
}

// newSharedLimits keeps every source's token bucket in Redis (redis_url),
// on a client of its own with short timeouts: a token is asked for before
// each upstream request, and a Redis that does not answer within 500 ms
// sends this replica to its fallback share at once.
func newSharedLimits(cfg *config.Config, log *slog.Logger) (*sharedlimits.Shared, *redis.Client, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, nil, usageErr("redis_url: %v", err)
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 500*time.Millisecond, 500*time.Millisecond, 500*time.Millisecond
	opt.MaxRetries = -1
	host, _ := os.Hostname()
	c := redis.NewClient(opt)
	s, err := sharedlimits.New(sharedlimits.Config{
		Client:           c,
		Replica:          fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8]),
		FallbackReplicas: cfg.Limits.FallbackReplicas,
		Logger:           log,
	})
	if err != nil {
		_ = c.Close()
		return nil, nil, err
	}
	return s, c, nil
}

// newRedisCounter counts API key limits in redis_url, shared by replicas.
func newRedisCounter(cfg *config.Config) (*auth.RedisCounter, error) {
	opt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, usageErr("redis_url: %v", err)
	}
	return auth.NewRedisCounter(redis.NewClient(opt), "fp:rl:"), nil
}

// startDemo runs the simulated web in-process on a free loopback port until
// ctx is done, and returns its URL.
func startDemo(ctx context.Context, log *slog.Logger, cfg sim.Config) (*url.URL, error) {
	_, u, err := startSim(ctx, log, cfg)
	if err != nil {
		return nil, err
	}
	log.Warn("DEMO MODE — SIMULATED DATA: network sources talk to an in-process simulated web of synthetic people; nothing here is real",
		"upstream", u.Host, "seed", cfg.Seed, "people", cfg.People)
	return u, nil
}

// startSim runs a simulated web in-process on a free loopback port until
// ctx is done.
func startSim(ctx context.Context, log *slog.Logger, cfg sim.Config) (*sim.Sim, *url.URL, error) {
	cfg.Logger = log
	s := sim.New(cfg)
	ln, pc, err := sim.Listen("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("simulated web: %w", err)
	}
	go func() {
		if err := s.Serve(ctx, ln, pc); err != nil {
			log.Error("simulated web stopped", "err", err)
		}
	}()
	u, err := url.Parse("http://" + ln.Addr().String())
	return s, u, err
}

// dataPathFlags are the flags of every command that can run the data path
// in-process: the configuration file, the simulated web, and (for commands
// that keep state) the data folder.
type dataPathFlags struct {
	config, dataDir, upstream *string
	demo                      *bool
}

// addDataPathFlags registers them on fs; withDataDir adds --data-dir.
// suffix ends every flag's help (e.g. " (in-process)").
func addDataPathFlags(fs *flag.FlagSet, withDataDir bool, suffix string) *dataPathFlags {
	f := &dataPathFlags{
		config:   fs.String("config", "", "YAML configuration file"+suffix),
		upstream: fs.String("upstream", "", "send every network source to this simulated web (e.g. http://127.0.0.1:9090)"+suffix),
		demo:     fs.Bool("demo", false, "run the simulated web in-process: full profiles with no internet and no keys (labelled simulated)"+suffix),
	}
	if withDataDir {
		f.dataDir = fs.String("data-dir", "", "data folder (default: a per-user data folder)"+suffix)
	}
	return f
}

// names lists the flags, for commands that refuse them in some mode.
func (f *dataPathFlags) names() []string {
	if f.dataDir != nil {
		return []string{"config", "data-dir", "upstream", "demo"}
	}
	return []string{"config", "upstream", "demo"}
}

// load reads the configuration (defaults → file → environment), applies
// the flags given on the command line, then more (the command's own), and
// validates the result.
func (f *dataPathFlags) load(fs *flag.FlagSet, e env, more func(*config.Config)) (*config.Config, error) {
	cfg, err := loadConfig(*f.config, e)
	if err != nil {
		return nil, err
	}
	if f.dataDir != nil && flagSet(fs, "data-dir") {
		cfg.DataDir = *f.dataDir
	}
	if flagSet(fs, "upstream") {
		cfg.Upstream = *f.upstream
	}
	if flagSet(fs, "demo") {
		cfg.Demo = *f.demo
	}
	if more != nil {
		more(cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, errUsage{err}
	}
	return cfg, nil
}
