// Package config loads footprint's configuration in layers, each overriding
// the one before: built-in defaults (Default), an optional YAML file, the
// environment (FOOTPRINT_…), and finally the command line, which the caller
// applies to the *Config that Load returns before calling Validate:
//
//	cfg, err := config.Load(*path, os.LookupEnv, os.Environ())
//	if flagSet(fs, "addr") {
//		cfg.Server.Addr = *addr
//	}
//	err = cfg.Validate()
//
// Load reads the environment only through the functions it is given, so tests
// never touch the real one, and the package keeps no mutable state.
//
// # Rules
//
// An unknown key anywhere in the file is an error naming its full path and
// line ("config.yaml:3: unknown key \"server.adr\" (did you mean
// \"server.addr\"?)"), as is a value that does not parse. Likewise a
// variable starting FOOTPRINT_ that matches no key is an error naming it,
// except FOOTPRINT_TEST_* (FOOTPRINT_TEST_REDIS_URL, …), which belong to the
// tests. Every problem is reported at once.
//
// A key's variable is FOOTPRINT_ followed by its path upper-cased with '.'
// as '_'. Durations are whole numbers of milliseconds and their keys end in
// _ms. A key written with no value keeps the lower layer's value; an empty
// variable sets a string to "" and leaves any other setting alone.
//
// Per-source settings live under sources.<name> and in
// FOOTPRINT_SOURCES_<NAME>_<SETTING>, NAME being the source name upper-cased
// with '-' as '_'. Source names are not known here: EngineSources hands them
// to the engine, which rejects unknown ones. Every source takes enabled,
// rate_per_s, burst, timeout_ms and breaker.*; api_key and base_url only the
// sources that declare them in their enrichers.Description.Settings, which
// ValidateSources checks once the sources are built. Zero or unset source
// settings keep the source's own default.
//
// # Keys
//
// REFERENCE.md has the same table with a description of each key; both are
// generated from the key list in keys.go (go test -run TestReference -update).
//
//	YAML key                                             Environment variable                                           Type          Default
//	server.addr                                          FOOTPRINT_SERVER_ADDR                                          string        127.0.0.1:8080
//	server.shutdown_timeout_ms                           FOOTPRINT_SERVER_SHUTDOWN_TIMEOUT_MS                           milliseconds  15000
//	server.max_body_bytes                                FOOTPRINT_SERVER_MAX_BODY_BYTES                                integer       65536
//	server.default_timeout_ms                            FOOTPRINT_SERVER_DEFAULT_TIMEOUT_MS                            milliseconds  3000
//	server.max_timeout_ms                                FOOTPRINT_SERVER_MAX_TIMEOUT_MS                                milliseconds  30000
//	data_dir                                             FOOTPRINT_DATA_DIR                                             string        per-user data folder¹
//	log.format                                           FOOTPRINT_LOG_FORMAT                                           string        text
//	log.level                                            FOOTPRINT_LOG_LEVEL                                            string        info
//	upstream                                             FOOTPRINT_UPSTREAM                                             string        empty
//	demo                                                 FOOTPRINT_DEMO                                                 bool          false
//	user_agent                                           FOOTPRINT_USER_AGENT                                           string        footprint/<version> (+https://github.com/footprint-oss/footprint)
//	redis_url                                            FOOTPRINT_REDIS_URL                                            string        empty
//	limits.fallback_replicas                             FOOTPRINT_LIMITS_FALLBACK_REPLICAS                             integer       2
//	database_url                                         FOOTPRINT_DATABASE_URL                                         string        empty
//	database_max_conns                                   FOOTPRINT_DATABASE_MAX_CONNS                                   integer       0 (16)
//	cache.l1_size_mb                                     FOOTPRINT_CACHE_L1_SIZE_MB                                     integer       256
//	cache.secret                                         FOOTPRINT_CACHE_SECRET                                         string        empty
//	jobs.concurrency                                     FOOTPRINT_JOBS_CONCURRENCY                                     integer       16
//	jobs.max_active                                      FOOTPRINT_JOBS_MAX_ACTIVE                                      integer       2
//	jobs.max_input_bytes                                 FOOTPRINT_JOBS_MAX_INPUT_BYTES                                 integer       4294967296
//	jobs.webhook_secret                                  FOOTPRINT_JOBS_WEBHOOK_SECRET                                  string        empty
//	jobs.live_reserve                                    FOOTPRINT_JOBS_LIVE_RESERVE                                    number        0.2
//	jobs.max_uploads                                     FOOTPRINT_JOBS_MAX_UPLOADS                                     integer       16
//	jobs.max_uploads_per_key                             FOOTPRINT_JOBS_MAX_UPLOADS_PER_KEY                             integer       4
//	jobs.upload_min_bytes_per_s                          FOOTPRINT_JOBS_UPLOAD_MIN_BYTES_PER_S                          integer       4096
//	jobs.upload_timeout_ms                               FOOTPRINT_JOBS_UPLOAD_TIMEOUT_MS                               milliseconds  7200000
//	jobs.lease_ms                                        FOOTPRINT_JOBS_LEASE_MS                                        milliseconds  30000
//	jobs.retention                                       FOOTPRINT_JOBS_RETENTION                                       string        30d
//	metrics.addr                                         FOOTPRINT_METRICS_ADDR                                         string        empty
//	auth.secret                                          FOOTPRINT_AUTH_SECRET                                          string        empty
//	audit.retention                                      FOOTPRINT_AUDIT_RETENTION                                      string        400d
//	insecure_no_auth                                     FOOTPRINT_INSECURE_NO_AUTH                                     bool          false
//	console.enabled                                      FOOTPRINT_CONSOLE_ENABLED                                      bool          true
//	privacy.default_purpose                              FOOTPRINT_PRIVACY_DEFAULT_PURPOSE                              string        fraud_prevention
//	privacy.suppressions_reload_ms                       FOOTPRINT_PRIVACY_SUPPRESSIONS_RELOAD_MS                       milliseconds  60000
//	privacy.purposes.fraud_prevention.outputs            FOOTPRINT_PRIVACY_PURPOSES_FRAUD_PREVENTION_OUTPUTS            string        risk,verification
//	privacy.purposes.fraud_prevention.deny_sources       FOOTPRINT_PRIVACY_PURPOSES_FRAUD_PREVENTION_DENY_SOURCES       string        empty
//	privacy.purposes.identity_verification.outputs       FOOTPRINT_PRIVACY_PURPOSES_IDENTITY_VERIFICATION_OUTPUTS       string        risk,verification
//	privacy.purposes.identity_verification.deny_sources  FOOTPRINT_PRIVACY_PURPOSES_IDENTITY_VERIFICATION_DENY_SOURCES  string        empty
//	privacy.purposes.marketing.outputs                   FOOTPRINT_PRIVACY_PURPOSES_MARKETING_OUTPUTS                   string        interests,influence
//	privacy.purposes.marketing.deny_sources              FOOTPRINT_PRIVACY_PURPOSES_MARKETING_DENY_SOURCES              string        empty
//	privacy.purposes.analytics.outputs                   FOOTPRINT_PRIVACY_PURPOSES_ANALYTICS_OUTPUTS                   string        interests,influence
//	privacy.purposes.analytics.deny_sources              FOOTPRINT_PRIVACY_PURPOSES_ANALYTICS_DENY_SOURCES              string        empty
//	sources.<name>.enabled                               FOOTPRINT_SOURCES_<NAME>_ENABLED                               bool          source's own
//	sources.<name>.rate_per_s                            FOOTPRINT_SOURCES_<NAME>_RATE_PER_S                            number        source's own
//	sources.<name>.burst                                 FOOTPRINT_SOURCES_<NAME>_BURST                                 integer       source's own
//	sources.<name>.timeout_ms                            FOOTPRINT_SOURCES_<NAME>_TIMEOUT_MS                            milliseconds  source's own
//	sources.<name>.breaker.failures                      FOOTPRINT_SOURCES_<NAME>_BREAKER_FAILURES                      integer ≥ 0   source's own
//	sources.<name>.breaker.open_for_ms                   FOOTPRINT_SOURCES_<NAME>_BREAKER_OPEN_FOR_MS                   milliseconds  source's own
//	sources.<name>.breaker.half_open_requests            FOOTPRINT_SOURCES_<NAME>_BREAKER_HALF_OPEN_REQUESTS            integer ≥ 0   source's own
//	sources.<name>.api_key                               FOOTPRINT_SOURCES_<NAME>_API_KEY                               string        empty
//	sources.<name>.base_url                              FOOTPRINT_SOURCES_<NAME>_BASE_URL                              string        source's own
//	sources.<name>.max_per_lookup                        FOOTPRINT_SOURCES_<NAME>_MAX_PER_LOOKUP                        integer       source's own
//
// ¹ The per-user data folder: see DefaultDataDir.
package config
