// Package transport is the outbound HTTP stack every network source uses:
// one *Client per source with an identifying User-Agent, a deadline from
// ctx, a response-body cap, and classification of every answer into
// footprint's status vocabulary. The stack, outermost first:
//
//	Client.Do → limiter (Config.Limiter) → simulated-web rewrite (Config.Upstream) → http.Transport (guarded dialer)
//
// The limiter layer takes one token per request (redirect hops are part
// of it); the first request of a call the engine admitted spends the
// admission's token (see Limiter.Admit).
//
// Circuit breaking and the one retry live in the engine (one breaker per
// source around the whole Enrich call, and the retry outside the breaker
// so every attempt counts and pays its tokens again); the transport tells
// the engine what happened through *enrichers.SourceError: Status,
// RetryAfter (a 429's Retry-After pauses the source's limiter) and
// Retryable (502/503/504, or 429 with Retry-After).
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

// ErrNotFound is returned for 404 and 410: the upstream says there is no
// such account or record. Sources turn it into Finding{NotFound: true}.
var ErrNotFound = errors.New("not found")

// DefaultUserAgent identifies footprint to upstreams.
const DefaultUserAgent = "footprint/dev (+https://github.com/footprint-oss/footprint)"

// DefaultMaxBody caps response bodies.
const DefaultMaxBody = 2 << 20

// Config configures one source's client.
type Config struct {
	// Source is the source name, used in errors.
	Source    string
	UserAgent string
	// MaxBody caps response bodies (default 2 MiB); a larger body is an
	// error, never parsed truncated.
	MaxBody int64
	// Timeout is a fallback when ctx has no deadline (default 10s); a
	// caller's deadline, shorter or longer, is the one that counts.
	Timeout time.Duration
	// Base is the underlying transport (default: a new http.Transport).
	Base http.RoundTripper
	// DialContext replaces the dialer (the SSRF guard plugs in here).
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// CheckRedirect is passed to the http.Client.
	CheckRedirect func(req *http.Request, via []*http.Request) error
	// Upstream, when set, rewrites https://HOST/PATH to Upstream/HOST/PATH
	// (the simulated web).
	Upstream *url.URL
	// BotWallMarkers are extra body markers of a bot wall for this source.
	BotWallMarkers []string
	// Header is sent with every request (e.g. an API key).
	Header http.Header
	// Limiter, when set, is the source's rate limiter: every request pays
	// one token before it leaves (nil: no limit).
	Limiter *Limiter
}

// Client is one source's HTTP client.
type Client struct {
	cfg  Config
	http *http.Client
}

// New builds a client. It does no I/O.
func New(cfg Config) *Client {
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	base := cfg.Base
	if base == nil {
		t := &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			MaxIdleConns:        64,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 5 * time.Second,
			// No ResponseHeaderTimeout: every call runs under a deadline
			// (the caller's, else Timeout), which a fixed cap here would
			// cut short for a source configured to wait longer.
			ForceAttemptHTTP2: true,
		}
		if cfg.DialContext != nil {
			t.DialContext = cfg.DialContext
			t.Proxy = nil // a proxy would bypass the guarded dialer
		} else {
			t.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		}
		base = t
	}
	if cfg.Upstream != nil {
		base = &rewrite{upstream: cfg.Upstream, next: base}
	}
	if cfg.Limiter != nil {
		base = &limited{source: cfg.Source, lim: cfg.Limiter, next: base}
	}
	return &Client{cfg: cfg, http: &http.Client{Transport: base, CheckRedirect: cfg.CheckRedirect}}
}

// Simulated reports whether the client talks to the simulated web.
func (c *Client) Simulated() bool { return c.cfg.Upstream != nil }

// Response is a fully read, successful (2xx) response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    *url.URL // after redirects
}

// Get fetches url and classifies the answer: a 2xx returns the body; 404
// and 410 return ErrNotFound; everything else a *enrichers.SourceError.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	return c.Do(ctx, http.MethodGet, rawURL, header, nil)
}

// GetJSON fetches url and decodes a 2xx JSON body into v.
func (c *Client) GetJSON(ctx context.Context, rawURL string, header http.Header, v any) (*Response, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	if h.Get("Accept") == "" {
		h.Set("Accept", "application/json")
	}
	resp, err := c.Get(ctx, rawURL, h)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		return resp, c.errorf(enrichers.StatusError, "malformed JSON from %s: %w", hostOf(rawURL), err)
	}
	return resp, nil
}

// Do sends one request and classifies the answer.
func (c *Client) Do(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*Response, error) {
	resp, retryAfter, err := c.once(ctx, method, rawURL, header, body)
	var se *enrichers.SourceError
	if err != nil && retryAfter >= 0 && (method == http.MethodGet || method == http.MethodHead) && errors.As(err, &se) {
		se.Retryable, se.RetryAfter = true, retryAfter
	}
	return resp, err
}

// once sends one request. retryAfter is how long to wait before a retry, or
// -1 when the failure is not retryable.
func (c *Client) once(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*Response, time.Duration, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, -1, c.errorf(enrichers.StatusError, "bad request URL: %w", err)
	}
	for k, vs := range c.cfg.Header {
		req.Header[k] = vs
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	res, err := c.http.Do(req)
	if err != nil {
		return nil, -1, c.transportErr(ctx, err)
	}
	defer func() {
		// Drain a little so the connection can be reused, then close.
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
	}()
	b, err := io.ReadAll(io.LimitReader(res.Body, c.cfg.MaxBody+1))
	if err != nil {
		return nil, -1, c.transportErr(ctx, err)
	}
	if int64(len(b)) > c.cfg.MaxBody {
		return nil, -1, c.errorf(enrichers.StatusError, "response body over %d bytes from %s", c.cfg.MaxBody, hostOf(rawURL))
	}
	out := &Response{Status: res.StatusCode, Header: res.Header, Body: b, URL: res.Request.URL}
	ra, err := c.classify(res.StatusCode, res.Header, b, rawURL)
	return out, ra, err
}

// classify maps a response to nil (usable), ErrNotFound or a SourceError.
// The returned duration is the retry delay (-1: do not retry).
func (c *Client) classify(status int, h http.Header, body []byte, rawURL string) (time.Duration, error) {
	host := hostOf(rawURL)
	if IsBotWall(status, h, body, c.cfg.BotWallMarkers...) {
		return -1, &enrichers.SourceError{Source: c.cfg.Source, Status: enrichers.StatusBlocked,
			Err: fmt.Errorf("bot wall or captcha at %s (HTTP %d)", host, status)}
	}
	switch {
	case status >= 200 && status < 300:
		return -1, nil
	case status == http.StatusNotFound || status == http.StatusGone:
		return -1, fmt.Errorf("%s: %w", c.cfg.Source, ErrNotFound)
	case status == http.StatusTooManyRequests:
		ra, ok := RetryAfter(h.Get("Retry-After"), time.Now())
		se := &enrichers.SourceError{Source: c.cfg.Source, Status: enrichers.StatusRateLimited, RetryAfter: ra,
			Err: fmt.Errorf("HTTP 429 from %s", host)}
		if !ok {
			return -1, se
		}
		return ra, se
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return -1, &enrichers.SourceError{Source: c.cfg.Source, Status: enrichers.StatusBlocked,
			Err: fmt.Errorf("access denied by %s (HTTP %d)", host, status)}
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		wait := 200 * time.Millisecond
		if ra, ok := RetryAfter(h.Get("Retry-After"), time.Now()); ok {
			wait = ra
		}
		return wait, c.errorf(enrichers.StatusError, "HTTP %d from %s", status, host)
	default:
		return -1, c.errorf(enrichers.StatusError, "HTTP %d from %s", status, host)
	}
}

func (c *Client) errorf(st enrichers.Status, format string, args ...any) *enrichers.SourceError {
	return &enrichers.SourceError{Source: c.cfg.Source, Status: st, Err: fmt.Errorf(format, args...)}
}

func (c *Client) transportErr(ctx context.Context, err error) error {
	var ne net.Error
	var se *enrichers.SourceError
	switch {
	case errors.As(err, &se): // a layer of the stack (the limiter) said why
		return se
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &ne) && ne.Timeout():
		return &enrichers.SourceError{Source: c.cfg.Source, Status: enrichers.StatusTimeout, Err: err}
	}
	return &enrichers.SourceError{Source: c.cfg.Source, Status: enrichers.StatusError, Err: err}
}

// RetryAfter parses a Retry-After header: delay-seconds or an HTTP-date.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "upstream"
	}
	return u.Host
}

// rewrite sends https://HOST/PATH to Upstream/HOST/PATH.
type rewrite struct {
	upstream *url.URL
	next     http.RoundTripper
}

func (r *rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == r.upstream.Host {
		return r.next.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	u := *r.upstream
	u.Path = strings.TrimSuffix(r.upstream.Path, "/") + "/" + req.URL.Host + req.URL.EscapedPath()
	u.RawPath = ""
	if p, err := url.PathUnescape(u.Path); err == nil {
		u.RawPath = u.Path
		u.Path = p
	}
	u.RawQuery = req.URL.RawQuery
	out.URL = &u
	out.Host = u.Host
	return r.next.RoundTrip(out)
}
