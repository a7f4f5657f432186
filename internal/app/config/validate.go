package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Validate checks c after every layer, flags included, has been applied. It
// reports every problem at once, each naming its key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}

	if err := checkAddr(c.Server.Addr); err != nil {
		bad("server.addr", "%v", err)
	}
	if c.Metrics.Addr != "" {
		if err := checkAddr(c.Metrics.Addr); err != nil {
			bad("metrics.addr", "%v", err)
		}
	}
	if c.Server.ShutdownTimeout <= 0 {
		bad("server.shutdown_timeout_ms", "must be > 0")
	}
	if c.Server.MaxBodyBytes <= 0 {
		bad("server.max_body_bytes", "must be > 0")
	}
	if c.Auth.Secret != "" && len(c.Auth.Secret) < 16 {
		bad("auth.secret", "must be at least 16 bytes")
	}
	if _, err := ParseRetention(c.Audit.Retention); err != nil {
		bad("audit.retention", "%v", err)
	}
	if c.Jobs.Concurrency < 1 {
		bad("jobs.concurrency", "must be ≥ 1")
	}
	if _, err := ParseRetention(c.Jobs.Retention); err != nil {
		bad("jobs.retention", "%v", err)
	}
	purposes := c.Privacy.Purposes.Map()
	if _, ok := purposes[c.Privacy.DefaultPurpose]; !ok {
		bad("privacy.default_purpose", "want fraud_prevention, identity_verification, marketing or analytics, got %q", c.Privacy.DefaultPurpose)
	}
	for name, p := range purposes {
		for _, o := range SplitList(p.Outputs) {
			switch o {
			case "interests", "influence", "risk", "verification":
			default:
				bad("privacy.purposes."+name+".outputs", "unknown output %q (interests, influence, risk, verification)", o)
			}
		}
	}
	if c.Jobs.MaxActive < 1 {
		bad("jobs.max_active", "must be ≥ 1")
	}
	if c.Jobs.MaxInputBytes <= 0 {
		bad("jobs.max_input_bytes", "must be > 0")
	}
	if c.Jobs.WebhookSecret != "" && len(c.Jobs.WebhookSecret) < 16 {
		bad("jobs.webhook_secret", "must be at least 16 bytes")
	}
	if c.Jobs.LiveReserve < 0 || c.Jobs.LiveReserve > 0.9 {
		bad("jobs.live_reserve", "must be between 0 and 0.9")
	}
	if c.Limits.FallbackReplicas < 1 {
		bad("limits.fallback_replicas", "must be ≥ 1")
	}
	if c.Jobs.MaxUploads < 1 {
		bad("jobs.max_uploads", "must be ≥ 1")
	}
	if c.Jobs.MaxUploadsPerKey < 0 {
		bad("jobs.max_uploads_per_key", "must be ≥ 0 (0: no cap per key)")
	}
	if c.Jobs.UploadMinBytesPerS < 0 {
		bad("jobs.upload_min_bytes_per_s", "must be ≥ 0")
	}
	if c.Jobs.UploadTimeout <= 0 {
		bad("jobs.upload_timeout_ms", "must be > 0")
	}
	if c.Jobs.Lease < Duration(time.Second) {
		bad("jobs.lease_ms", "must be ≥ 1000")
	}
	if c.Server.DefaultTimeoutMS <= 0 {
		bad("server.default_timeout_ms", "must be > 0")
	}
	if c.Server.MaxTimeoutMS <= 0 {
		bad("server.max_timeout_ms", "must be > 0")
	} else if c.Server.MaxTimeoutMS < c.Server.DefaultTimeoutMS {
		bad("server.max_timeout_ms", "%d is less than server.default_timeout_ms (%d)", c.Server.MaxTimeoutMS, c.Server.DefaultTimeoutMS)
	}
	if c.DataDir == "" {
		bad("data_dir", "not set, and no per-user default could be found (is HOME set?); set data_dir or FOOTPRINT_DATA_DIR")
	}
	if !oneOf(c.Log.Format, "text", "json") {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if !oneOf(c.Log.Level, "debug", "info", "warn", "error") {
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if c.Upstream != "" {
		if err := checkHTTPURL(c.Upstream); err != nil {
			bad("upstream", "%v", err)
		}
	}
	if strings.ContainsFunc(c.UserAgent, isControl) {
		bad("user_agent", "must not contain control characters")
	}
	if c.RedisURL != "" {
		if err := checkRedisURL(c.RedisURL); err != nil {
			bad("redis_url", "%v", err)
		}
	}
	if c.DatabaseURL != "" {
		if err := checkDatabaseURL(c.DatabaseURL); err != nil {
			bad("database_url", "%v", err)
		}
	}
	if c.DatabaseMaxConns < 0 {
		bad("database_max_conns", "must be ≥ 0")
	}
	if time.Duration(c.Privacy.SuppressionsReload) < time.Second {
		bad("privacy.suppressions_reload_ms", "must be at least 1000 (one second)")
	}
	if c.Cache.L1SizeMB <= 0 {
		bad("cache.l1_size_mb", "must be > 0")
	}
	if c.Cache.Secret != "" && len(c.Cache.Secret) < 16 {
		bad("cache.secret", "must be at least 16 bytes (or empty to generate one)")
	}

	for _, name := range slices.Sorted(maps.Keys(c.Sources)) {
		s, at := c.Sources[name], "sources."+name
		if name == "" {
			at = `sources.""`
		}
		if !validSourceName(name) {
			bad(at, "source names are lower-case letters, digits, '-' and '_'")
		}
		if !(s.RatePerS >= 0) || math.IsInf(s.RatePerS, 0) {
			bad(at+".rate_per_s", "must be a finite number ≥ 0 (0 keeps the default)")
		}
		if s.Burst < 0 {
			bad(at+".burst", "must be ≥ 0 (0 keeps the default)")
		}
		if s.TimeoutMS < 0 {
			bad(at+".timeout_ms", "must be ≥ 0 (0 keeps the default)")
		}
		if s.Breaker.OpenForMS < 0 {
			bad(at+".breaker.open_for_ms", "must be ≥ 0 (0 keeps the default)")
		}
		if strings.ContainsFunc(s.APIKey, isControl) {
			bad(at+".api_key", "must not contain control characters")
		}
		if s.BaseURL != "" {
			if err := checkHTTPURL(s.BaseURL); err != nil {
				bad(at+".base_url", "%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

func checkAddr(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("%q: port must be a number from 0 to 65535", addr)
	}
	return nil
}

func checkHTTPURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", s)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: want an http:// or https:// URL", s)
	case u.Host == "":
		return fmt.Errorf("%q: no host", s)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q: a base URL has no query or fragment", s)
	}
	return nil
}

func checkRedisURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		// The error would repeat the URL, password included.
		return errors.New("not a URL")
	case u.Scheme == "unix":
		if u.Path == "" {
			return errors.New("unix:// needs a socket path")
		}
	case u.Scheme == "redis" || u.Scheme == "rediss":
		if u.Host == "" {
			return errors.New("no host")
		}
	default:
		return fmt.Errorf("scheme %q: want redis://, rediss:// or unix://", u.Scheme)
	}
	return nil
}

func checkDatabaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		// The error would repeat the URL, password included.
		return errors.New("not a URL")
	case u.Scheme != "postgres" && u.Scheme != "postgresql":
		return fmt.Errorf("scheme %q: want postgres:// or postgresql://", u.Scheme)
	case u.Host == "" && u.Query().Get("host") == "":
		return errors.New("no host")
	}
	return nil
}

func validSourceName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func oneOf(s string, options ...string) bool {
	for _, o := range options {
		if strings.EqualFold(s, o) {
			return true
		}
	}
	return false
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// SplitList splits a comma-separated setting into its trimmed, non-empty
// items.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
