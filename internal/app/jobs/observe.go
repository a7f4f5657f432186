package jobs

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Ready reports whether the job store can be read: the readiness check of
// the job store (GET /readyz).
func (m *Manager) Ready(ctx context.Context) error {
	if m.isClosed() {
		return ErrClosed
	}
	if err := m.st.ready(ctx); err != nil {
		return fmt.Errorf("jobs: store: %w", err)
	}
	return nil
}

// traceRow starts the span of one job row (Config.Tracer; none without
// one). Its attributes hold the job id and the row's outcome, never its
// input. end is called with the row's result (nil: the run stopped first).
func (m *Manager) traceRow(rctx context.Context, r *run) (context.Context, func(*result)) {
	if m.cfg.Tracer == nil {
		return rctx, func(*result) {}
	}
	ctx, span := m.cfg.Tracer.Start(rctx, "job row", trace.WithAttributes(attribute.String("footprint.job", r.id)))
	return ctx, func(res *result) {
		if res != nil {
			span.SetAttributes(attribute.String("footprint.row_status", res.Status), attribute.Int("footprint.attempts", res.Attempts))
			if res.Status == RowFailed {
				span.SetStatus(codes.Error, "row failed")
			}
		}
		span.End()
	}
}
