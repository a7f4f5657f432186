package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
)

// Serve serves HTTP on ln until ctx is done, then shuts down gracefully:
// it stops accepting connections, reports not_ready on /readyz, and lets
// in-flight requests finish for up to Config.ShutdownTimeout before closing
// what is left. In-flight requests keep their own contexts: ctx ending does
// not cancel them. It returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       cmp.Or(s.cfg.ReadTimeout, readTimeout),
		WriteTimeout:      cmp.Or(s.cfg.WriteTimeout, s.writeTimeout),
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    serveMaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(problemListener{Listener: ln, log: s.log}) }()

	select {
	case err := <-served: // the listener failed before we were asked to stop
		return fmt.Errorf("api: serve: %w", err)
	case <-ctx.Done():
	}

	s.draining.Store(true)
	s.log.Info("shutting down: waiting for in-flight requests", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		_ = hs.Close()
		err = fmt.Errorf("api: shutdown: in-flight requests still running after %s: %w", s.cfg.ShutdownTimeout, err)
	}
	if serr := <-served; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("api: serve: %w", serr))
	}
	return err
}
