package api

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// TestReadiness: checks run concurrently within their timeout; a failing,
// slow or panicking required check makes /readyz a 503 naming it; a
// failing optional one is reported and makes it degraded, still 200; every dependency
// and the sources' breakers are in the body.
func TestReadiness(t *testing.T) {
	t.Parallel()
	ok := ReadyCheck{Name: "cache", Check: func(context.Context) error { return nil }}
	failing := ReadyCheck{Name: "redis", Check: func(context.Context) error {
		return errors.New("redis: dial tcp 10.0.0.7:6379: connect: connection refused")
	}}
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	stuck := ReadyCheck{Name: "stuck", Check: func(context.Context) error { <-hang; return nil }} // ignores its context
	panicky := ReadyCheck{Name: "panicky", Check: func(context.Context) error { panic("bug") }}
	optional := failing
	optional.Optional = true
	optionalLimits := ReadyCheck{Name: "limits", Check: failing.Check, Optional: true}
	cases := []struct {
		name   string
		checks []ReadyCheck
		status int
		want   map[string]string
		// wantStatus is the body's status when not ready or not_ready.
		wantStatus string
	}{
		{"none", nil, 200, map[string]string{}, ""},
		{"all_ok", []ReadyCheck{ok}, 200, map[string]string{"cache": "ok"}, ""},
		{"failing", []ReadyCheck{ok, failing}, 503, map[string]string{"cache": "ok", "redis": "unavailable (see the server log)"}, ""},
		{"stuck", []ReadyCheck{ok, stuck}, 503, map[string]string{"cache": "ok", "stuck": "no answer within 50ms"}, ""},
		{"panicky", []ReadyCheck{panicky}, 503, map[string]string{"panicky": "check panicked"}, ""},
		{"optional_failing", []ReadyCheck{ok, optional}, 200, map[string]string{"cache": "ok", "redis": "unavailable (see the server log)"}, "degraded"},
		{"optional_and_required_failing", []ReadyCheck{optionalLimits, failing}, 503, map[string]string{"limits": "unavailable (see the server log)", "redis": "unavailable (see the server log)"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := New(Config{ReadyChecks: tc.checks, ReadyCheckTimeout: 50 * time.Millisecond}, realService(t))
			start := time.Now()
			rec := do(t, srv, get("/readyz"))
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("readyz took %s", d)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.7") || strings.Contains(rec.Body.String(), "6379") {
				t.Errorf("/readyz publishes the Redis address: %s", rec.Body)
			}
			var got readinessJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tc.status || len(got.Checks) != len(tc.want) {
				t.Fatalf("got %d %s, want %d %v", rec.Code, rec.Body, tc.status, tc.want)
			}
			for k, v := range tc.want {
				if got.Checks[k] != v {
					t.Errorf("checks[%s] = %q, want %q", k, got.Checks[k], v)
				}
			}
			if wantStatus := cmp.Or(tc.wantStatus, map[int]string{200: "ready", 503: "not_ready"}[tc.status]); got.Status != wantStatus {
				t.Errorf("status %q, want %q", got.Status, wantStatus)
			}
			for _, rc := range tc.checks {
				d := got.Dependencies[rc.Name]
				wantDep := "ok"
				if tc.want[rc.Name] != "ok" {
					wantDep = "failing"
				}
				if d.Status != wantDep || d.Required == rc.Optional || (wantDep == "failing") != (d.Detail != "") {
					t.Errorf("dependencies[%s] = %+v, want status %s, required %v", rc.Name, d, wantDep, !rc.Optional)
				}
			}
			if got.Breakers["throttled"] != "closed" {
				t.Errorf("breakers = %v, want throttled closed", got.Breakers)
			}
		})
	}
}

// TestGracefulShutdown: when Serve's context ends, an in-flight request
// (slower than the moment of shutdown) still gets its full answer, new
// connections are refused, and Serve returns nil.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var finished atomic.Bool // the in-flight request's work is done
	svc := &fakeEnricher{engine: newEngine(t), fn: func(ctx context.Context, _ pipeline.Input) (*pipeline.Profile, error) {
		close(entered)
		select {
		case <-release:
		case <-ctx.Done(): // would mean shutdown canceled the request
			return nil, ctx.Err()
		}
		finished.Store(true)
		return fullProfile(), nil
	}}
	srv := New(Config{ShutdownTimeout: 10 * time.Second}, svc)
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &closeSignal{Listener: tcp, closed: make(chan struct{})}
	ctx, stop := context.WithCancel(context.Background())
	type result struct {
		err      error
		finished bool // whether the in-flight request's work was done when Serve returned
	}
	served := make(chan result, 1)
	go func() {
		err := srv.Serve(ctx, ln)
		served <- result{err, finished.Load()}
	}()

	url := "http://" + ln.Addr().String()
	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Post(url+"/v1/enrich", "application/json", strings.NewReader(`{"email":"`+testEmail+`"}`))
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- answer{resp.StatusCode, string(b), err}
	}()
	<-entered
	stop() // SIGTERM

	// Shutdown closes the listener at once (while the request is held):
	// new connections are refused.
	select {
	case <-ln.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener is still open after shutdown began")
	}
	if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		c.Close()
		t.Fatal("a new connection was accepted after shutdown began")
	}
	select {
	case r := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", r.err)
	default:
	}
	close(release)
	a := <-got
	if a.err != nil || a.status != http.StatusOK || !strings.Contains(a.body, `"generated_at"`) {
		t.Fatalf("in-flight request: %d %v %.200s", a.status, a.err, a.body)
	}
	select {
	case r := <-served:
		if r.err != nil {
			t.Fatalf("Serve = %v, want nil after a clean shutdown", r.err)
		}
		if !r.finished {
			t.Fatal("Serve returned before the in-flight request was done")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the in-flight request finished")
	}
}

// closeSignal is a listener that closes closed when it is closed.
type closeSignal struct {
	net.Listener
	closed chan struct{}
	once   sync.Once
}

func (l *closeSignal) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}

// TestShutdownTimeout: a request outliving ShutdownTimeout is cut off and
// Serve reports it.
func TestShutdownTimeout(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	svc := &fakeEnricher{engine: newEngine(t), fn: func(context.Context, pipeline.Input) (*pipeline.Profile, error) {
		close(entered)
		<-release
		return fullProfile(), nil
	}}
	srv := New(Config{ShutdownTimeout: 50 * time.Millisecond}, svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/v1/enrich", "application/json", strings.NewReader(`{"email":"`+testEmail+`"}`))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	stop()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "in-flight") {
			t.Fatalf("Serve = %v, want a shutdown timeout error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not give up after ShutdownTimeout")
	}
}

// TestReadyzWhileDraining: once shutdown begins, readiness fails.
func TestReadyzWhileDraining(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	srv.draining.Store(true)
	rec := do(t, srv, get("/readyz"))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), `"server":"shutting down"`) {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}

// TestServerTimeouts: the write timeout leaves room for the largest budget.
func TestServerTimeouts(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	if srv.writeTimeout < pipeline.MaxTimeout+5*time.Second {
		t.Errorf("write timeout %s < max budget %s + margin", srv.writeTimeout, pipeline.MaxTimeout)
	}
	if srv.cfg.MaxBodyBytes != DefaultMaxBodyBytes || srv.cfg.ShutdownTimeout != DefaultShutdownTimeout {
		t.Errorf("defaults not applied: %+v", srv.cfg)
	}
}

// TestHeadProbes: HEAD /healthz and /readyz answer like GET (issue 22: 405).
func TestHeadProbes(t *testing.T) {
	t.Parallel()
	failing := ReadyCheck{Name: "redis", Check: func(context.Context) error { return errors.New("down") }}
	for _, tc := range []struct {
		path   string
		checks []ReadyCheck
		want   int
	}{
		{"/healthz", nil, 200},
		{"/readyz", nil, 200},
		{"/readyz", []ReadyCheck{failing}, 503},
	} {
		srv := New(Config{ReadyChecks: tc.checks}, realService(t))
		_, rec := serve(srv, request{method: http.MethodHead, path: tc.path})
		if rec.Code != tc.want {
			t.Errorf("HEAD %s = %d, want %d", tc.path, rec.Code, tc.want)
		}
	}
}
