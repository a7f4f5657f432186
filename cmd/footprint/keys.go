package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/footprint-oss/footprint/cache"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/config"
)

const keysUsage = `Usage: footprint keys <create|list|revoke|rotate> [flags]

Manage API keys in the store serve uses (the data folder, or database_url),
with or without a running server: a running server sees a change within a
second.

  footprint keys create --name NAME [--scopes enrich,jobs,sources:read] [--rate-per-min N]
                        [--quota-per-day N] [--quota-per-month N] [--expires-in 90d]
  footprint keys list [--json]
  footprint keys revoke ID
  footprint keys rotate ID     (new secret, same id and limits; the old secret works 24 h more)

create and rotate print the new key alone on stdout's last line; it is shown once.
Every subcommand takes --config, --data-dir and --database-url like serve.
`

func cmdKeys(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stderr, keysUsage)
		if len(args) == 0 {
			return usageErr("a subcommand is required")
		}
		return errHelp
	}
	sub, rest := args[0], args[1:]
	fs := newFlags("keys "+sub+" [flags]", "Manages API keys; see footprint keys --help.", e)
	cfgPath := fs.String("config", "", "YAML configuration file")
	dataDir := fs.String("data-dir", "", "data folder (default: a per-user data folder)")
	databaseURL := fs.String("database-url", "", "shared PostgreSQL store (default: the embedded store in the data folder)")
	var (
		name, scopes, expires, env, purpose string
		rate, perDay, perMonth              int64
		asJSON                              bool
	)
	switch sub {
	case "create":
		fs.StringVar(&name, "name", "", "who or what uses the key (required)")
		fs.StringVar(&scopes, "scopes", strings.Join(auth.DefaultScopes, ","), "comma-separated scopes: "+strings.Join(auth.AllScopes, ", "))
		fs.Int64Var(&rate, "rate-per-min", auth.DefaultRatePerMin, "requests per minute")
		fs.Int64Var(&perDay, "quota-per-day", 0, "lookups per UTC day (0: no quota)")
		fs.Int64Var(&perMonth, "quota-per-month", 0, "lookups per calendar month (0: no quota)")
		fs.StringVar(&expires, "expires-in", "", "lifetime: 90d, 12h (default: never expires)")
		fs.StringVar(&env, "env", "live", "label in the key: fp_<env>_…")
		fs.StringVar(&purpose, "purpose", "", "the key's default purpose of lookups")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print JSON")
	case "revoke", "rotate":
	default:
		fmt.Fprint(e.stderr, keysUsage)
		return usageErr("unknown subcommand %q", sub)
	}
	// The id may come before or after the flags.
	var id string
	if (sub == "revoke" || sub == "rotate") && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return errUsage{err}
	}
	if sub == "revoke" || sub == "rotate" {
		if id == "" && fs.NArg() == 1 {
			id = fs.Arg(0)
		} else if fs.NArg() > 0 || id == "" {
			return usageErr("keys %s takes one key id", sub)
		}
	} else if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	cfg, err := loadConfig(*cfgPath, e)
	if err != nil {
		return err
	}
	if flagSet(fs, "data-dir") {
		cfg.DataDir = *dataDir
	}
	if flagSet(fs, "database-url") {
		cfg.DatabaseURL = *databaseURL
	}
	if err := cfg.Validate(); err != nil {
		return errUsage{err}
	}
	log := newLogger(cfg, e.stderr)
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	if db != nil {
		defer db.Close()
	}
	ks, closeKeys, err := openKeys(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer closeKeys()
	octx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch sub {
	case "create":
		exp, err := auth.ParseExpiry(expires)
		if err != nil {
			return errUsage{err}
		}
		v, err := ks.Create(octx, auth.Spec{Name: name, Env: env, Scopes: splitList(scopes), RatePerMin: rate,
			QuotaPerDay: perDay, QuotaPerMonth: perMonth, Purpose: purpose, ExpiresIn: exp})
		var se *auth.SpecError
		if errors.As(err, &se) {
			return errUsage{err}
		}
		if err != nil {
			return err
		}
		printKey(e, v)
		fmt.Fprintln(e.stdout, v.Key)
	case "list":
		vs, err := ks.List(octx)
		if err != nil {
			return err
		}
		if asJSON {
			if vs == nil {
				vs = []auth.View{}
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(vs)
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tSTATUS\tSCOPES\tRATE/MIN\tPER DAY\tPER MONTH\tLAST USED\tEXPIRES")
		for _, v := range vs {
			fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", v.ID, v.Name, v.Prefix, v.Status, strings.Join(v.Scopes, ","),
				v.RatePerMin, quota(v.QuotaPerDay), quota(v.QuotaPerMonth), when(v.LastUsedAt), when(v.ExpiresAt))
		}
		return tw.Flush()
	case "revoke":
		v, err := ks.Revoke(octx, id)
		if errors.Is(err, auth.ErrNotFound) {
			return usageErr("no key has id %q", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked %s (%s) at %s\n", v.ID, v.Name, v.RevokedAt.Format(time.RFC3339))
	case "rotate":
		v, err := ks.Rotate(octx, id)
		if errors.Is(err, auth.ErrNotFound) {
			return usageErr("no key has id %q", id)
		}
		if err != nil {
			return err
		}
		printKey(e, v)
		fmt.Fprintf(e.stdout, "previous secret valid until %s\n", v.PreviousValidUntil.Format(time.RFC3339))
		fmt.Fprintln(e.stdout, v.Key)
	}
	return nil
}

func printKey(e env, v auth.View) {
	fmt.Fprintf(e.stdout, "id:      %s\nname:    %s\nscopes:  %s\nlimits:  %d/min, %s/day, %s/month\nexpires: %s\n",
		v.ID, v.Name, strings.Join(v.Scopes, ","), v.RatePerMin, quota(v.QuotaPerDay), quota(v.QuotaPerMonth), when(v.ExpiresAt))
	fmt.Fprintln(e.stdout, "The key below is shown once; store it now.")
}

func quota(n int64) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func when(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// openKeys opens the key store serve and `footprint keys` share: the data
// folder's keys/ (embedded) or database_url (PostgreSQL, on db: the
// process's pool, which stays the caller's). The hash secret is
// auth.secret, else cache.secret, else (PostgreSQL) the store's own, else
// the data folder's cache key.
func openKeys(ctx context.Context, cfg *config.Config, db *pgxpool.Pool, log *slog.Logger) (*auth.Service, func(), error) {
	var st auth.Store
	secret := []byte(cfg.Auth.Secret)
	if len(secret) == 0 {
		secret = []byte(cfg.Cache.Secret)
	}
	if db != nil {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		ps, err := auth.OpenPGStore(pctx, db)
		if err != nil {
			return nil, nil, err
		}
		if len(secret) == 0 {
			if secret, err = ps.Secret(pctx); err != nil {
				ps.Close()
				return nil, nil, err
			}
		}
		st = ps
	} else {
		if cfg.DataDir == "" {
			return nil, nil, usageErr("data_dir: needed to keep API keys (or set database_url)")
		}
		fs, err := auth.OpenFileStore(filepath.Join(cfg.DataDir, "keys"))
		if err != nil {
			return nil, nil, err
		}
		if len(secret) == 0 {
			if secret, err = cache.LoadOrCreateSecret(cfg.DataDir); err != nil {
				return nil, nil, err
			}
		}
		st = fs
	}
	ac := auth.Config{Store: st, Secret: secret, Logger: log}
	if cfg.RedisURL != "" {
		rc, err := newRedisCounter(cfg)
		if err != nil {
			_ = st.Close()
			return nil, nil, err
		}
		ac.Counter = rc
	}
	return auth.New(ac), func() { _ = st.Close() }, nil
}

// loopback reports whether addr (host:port) listens on loopback only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openAudit opens the audit trail serve writes: the data folder's
// audit/audit.db, or database_url's audit_entries (on db, the process's
// pool, which stays the caller's), behind a Buffer that writes once a
// second and prunes past audit.retention every hour (Run it).
func openAudit(ctx context.Context, cfg *config.Config, db *pgxpool.Pool, log *slog.Logger) (*audit.Buffer, func(), error) {
	var store audit.Store
	var closeFn func()
	if db != nil {
		pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		p, err := audit.OpenPG(pctx, db)
		if err != nil {
			return nil, nil, err
		}
		store, closeFn = p, func() {}
	} else {
		if cfg.DataDir == "" {
			return nil, nil, usageErr("data_dir: needed to keep the audit trail (or set database_url)")
		}
		dir := filepath.Join(cfg.DataDir, "audit")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, err
		}
		b, err := audit.OpenBolt(filepath.Join(dir, "audit.db"))
		if err != nil {
			return nil, nil, err
		}
		store, closeFn = b, func() { _ = b.Close() }
	}
	return audit.NewBuffer(store, audit.BufferConfig{Retention: cfg.AuditRetention(), Logger: log}), closeFn, nil
}
