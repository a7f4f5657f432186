package metrics

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// TracerName names footprint's tracer (the instrumentation scope).
const TracerName = "github.com/footprint-oss/footprint"

// Tracing builds the tracer provider of a process: off (nil, nil) unless
// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set,
// then spans are batched to that OTLP/HTTP endpoint. The exporter reads the
// other standard OTEL_EXPORTER_OTLP_* variables (headers, timeout,
// insecure) and the provider OTEL_TRACES_SAMPLER (default: follow the
// caller's sampling decision, sample new traces); OTEL_SERVICE_NAME and
// OTEL_RESOURCE_ATTRIBUTES name the service (default footprint). lookup
// reads the environment. The caller shuts the provider down to flush the
// last spans. Nothing is sent before the first span ends.
func Tracing(ctx context.Context, lookup func(string) (string, bool), version string) (*sdktrace.TracerProvider, error) {
	endpoint, ok := lookup("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if !ok || endpoint == "" {
		endpoint, ok = lookup("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	if !ok || endpoint == "" {
		return nil, nil
	}
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("tracing: %w", err)
	}
	return NewTracerProvider(exp, lookup, version), nil
}

// NewTracerProvider batches spans to exp (tests pass an in-memory one).
func NewTracerProvider(exp sdktrace.SpanExporter, lookup func(string) (string, bool), version string) *sdktrace.TracerProvider {
	attrs := []attribute.KeyValue{attribute.String("service.version", version)}
	if v, ok := lookup("OTEL_SERVICE_NAME"); !ok || v == "" {
		attrs = append(attrs, attribute.String("service.name", "footprint"))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attrs...))
	if err != nil {
		res = resource.Default()
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
}

// Tracer is footprint's tracer of tp.
func Tracer(tp trace.TracerProvider) trace.Tracer { return tp.Tracer(TracerName) }
