package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"

	"github.com/footprint-oss/footprint/client"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/config"
)

// cmdErase erases a subject (footprint erase --email … [--phone …]).
//
// The data folder's stores (jobs.db, privacy.db) are held exclusively by a
// running `serve`, so the command first asks the server on the configured
// address (server.addr, or --server) to do it: POST /v1/erasures, which
// reaches every replica. Only when nothing listens there does it erase
// in-process: it opens the stores briefly, purges the cache (Redis and its
// broadcast to every replica, with redis_url) and the job results, and
// stores the receipt. Either way it prints the receipt.
func cmdErase(ctx context.Context, args []string, e env) error {
	fs := newFlags("erase --email ADDRESS [--phone NUMBER] [flags]",
		"Erases everything footprint holds about a person (cache on every replica, job result rows) and prints the receipt.", e)
	dp := addDataPathFlags(fs, true, "")
	email := fs.String("email", "", "the subject's email address")
	phone := fs.String("phone", "", "the subject's phone number (E.164, or national with --country)")
	country := fs.String("country", "", "ISO 3166-1 alpha-2 region of a national phone number")
	server := fs.String("server", "", "the running server to ask (default: http://<server.addr>)")
	apiKey := fs.String("api-key", "", "API key with the admin scope, sent to the server as a bearer token")
	redisURL := fs.String("redis-url", "", "shared cache (as serve's --redis-url) for an in-process erasure")
	databaseURL := fs.String("database-url", "", "shared PostgreSQL store (as serve's --database-url)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*email) == "" && strings.TrimSpace(*phone) == "" {
		return usageErr("erase: give --email and/or --phone")
	}
	cfg, err := dp.load(fs, e, func(cfg *config.Config) {
		if flagSet(fs, "redis-url") {
			cfg.RedisURL = *redisURL
		}
		if flagSet(fs, "database-url") {
			cfg.DatabaseURL = *databaseURL
		}
	})
	if err != nil {
		return err
	}
	base := *server
	if base == "" {
		host := cfg.Server.Addr
		if strings.HasPrefix(host, ":") {
			host = "127.0.0.1" + host
		}
		base = "http://" + host
	}
	receipt, err := eraseRemote(ctx, base, *apiKey, *email, *phone, *country)
	if errors.Is(err, errNoServer) && *server == "" {
		receipt, err = eraseLocal(ctx, cfg, *email, *phone, *country)
	}
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, receipt, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err = e.stdout.Write(out.Bytes())
	return err
}

// errNoServer: nothing listens on the server's address.
var errNoServer = errors.New("no server is running")

// eraseRemote asks the server at base; errNoServer when the connection is
// refused.
func eraseRemote(ctx context.Context, base, key, email, phone, country string) ([]byte, error) {
	u, err := serverURL(base)
	if err != nil {
		return nil, errUsage{err}
	}
	var opts []client.ClientOption
	opts = append(opts, client.WithHTTPClient(&http.Client{Timeout: time.Minute}))
	if key != "" {
		opts = append(opts, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
			r.Header.Set("Authorization", "Bearer "+key)
			return nil
		}))
	}
	c, err := client.NewClientWithResponses(u, opts...)
	if err != nil {
		return nil, errUsage{err}
	}
	body := client.SubjectRequest{}
	if email != "" {
		body.Email = &email
	}
	if phone != "" {
		body.Phone = &phone
	}
	if country != "" {
		body.Country = &country
	}
	res, err := c.CreateErasureWithResponse(ctx, nil, body)
	if err != nil {
		var ne *net.OpError
		if errors.Is(err, syscall.ECONNREFUSED) || (errors.As(err, &ne) && ne.Op == "dial") {
			return nil, errNoServer
		}
		return nil, fmt.Errorf("calling %s: %w", u, err)
	}
	if res.JSON201 == nil {
		return nil, remoteError(u, res.HTTPResponse, res.Body)
	}
	return res.Body, nil
}

// eraseLocal erases in-process: no server holds the stores.
func eraseLocal(ctx context.Context, cfg *config.Config, email, phone, country string) ([]byte, error) {
	log := newLogger(cfg, io.Discard)
	a, err := buildApp(ctx, cfg, log, buildOptions{cache: true, privacy: true})
	if err != nil {
		return nil, err
	}
	defer a.close()
	if cfg.DataDir != "" {
		m, err := newJobs(cfg, backgroundEnricher{a.svc, nil}, a.svc.ValidateOptions, transport.NewLimiters(), nil, log, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("opening the job store (is a server using this data folder? then run erase against it with --server): %w", err)
		}
		defer m.Close()
		a.privacy.SetJobs(m)
	}
	sub, err := a.privacy.Identify(email, phone, country)
	if err != nil {
		return nil, errUsage{err}
	}
	r, err := a.privacy.Erase(ctx, sub, audit.ActorCLI)
	if err != nil {
		return nil, err
	}
	return json.Marshal(r)
}
