// Command rrproxy is the smallest load balancer that will do for measuring
// several footprint replicas: every request goes to the next backend in
// turn (round robin), nothing else. It only talks to the backends it is
// given.
//
//	go run ./tools/rrproxy -addr 127.0.0.1:8080 -backends http://127.0.0.1:8081,http://127.0.0.1:8082,http://127.0.0.1:8083
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	backends := flag.String("backends", "", "comma-separated backend base URLs (required)")
	flag.Parse()
	var targets []*url.URL
	for b := range strings.SplitSeq(*backends, ",") {
		u, err := url.Parse(strings.TrimSpace(b))
		if err != nil || u.Host == "" {
			fmt.Fprintf(os.Stderr, "rrproxy: bad backend %q\n", b)
			os.Exit(2)
		}
		targets = append(targets, u)
	}
	if len(targets) == 0 || *backends == "" {
		fmt.Fprintln(os.Stderr, "rrproxy: -backends is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: newProxy(targets), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Printf("rrproxy: %s → %d backends", *addr, len(targets))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newProxy sends each request to the next of targets in turn.
func newProxy(targets []*url.URL) http.Handler {
	var n atomic.Uint64
	tr := &http.Transport{MaxIdleConnsPerHost: 256, IdleConnTimeout: 90 * time.Second}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(targets[(n.Add(1)-1)%uint64(len(targets))])
			r.SetXForwarded()
		},
		Transport: tr,
	}
}
