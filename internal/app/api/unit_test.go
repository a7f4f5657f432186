package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/footprint-oss/footprint/enrichers/redact"
	"github.com/footprint-oss/footprint/internal/app/auth"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// TestProblemFor pins the one error → status mapping.
func TestProblemFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want int
	}{
		{&pipeline.InputError{Status: 400}, 400},
		{&pipeline.InputError{Status: 422}, 422},
		{fmt.Errorf("wrapped: %w", &pipeline.InputError{Status: 422}), 422},
		{&pipeline.InputError{Status: 503}, 400},
		{&contractError{}, 400},
		{&bodyError{msg: "x"}, 400},
		{&http.MaxBytesError{Limit: 1}, 413},
		{&mediaTypeError{got: "text/plain", want: "application/json"}, 415},
		{errNoRoute, 404},
		{fmt.Errorf("lookup: %w", &auth.UnavailableError{Err: errors.New("closed pool")}), 503},
		{&methodError{method: "GET", allow: "POST"}, 405},
		{context.Canceled, statusClientClosedRequest},
		{errPanic, 500},
		{errNoResult, 500},
		{errors.New("anything else"), 500},
		{context.DeadlineExceeded, 500},
	}
	for _, tc := range cases {
		p := problemFor(tc.err)
		if p.Status != tc.want || p.Title == "" || p.Type != "about:blank" {
			t.Errorf("problemFor(%v) = %+v, want status %d", tc.err, p, tc.want)
		}
	}
}

func TestFieldPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		segs []string
		want string
	}{
		{nil, ""},
		{[]string{"email"}, "email"},
		{[]string{"options", "timeout_ms"}, "options.timeout_ms"},
		{[]string{"options", "sources", "3"}, "options.sources[3]"},
		{[]string{"a", "0", "b"}, "a[0].b"},
	} {
		if got := fieldPath(tc.segs); got != tc.want {
			t.Errorf("fieldPath(%q) = %q, want %q", tc.segs, got, tc.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"boom for jane.doe+x@example.com!":   "boom for [redacted]!",
		"phone +1 (415) 555-0123 failed":     "phone [redacted] failed",
		"national 020 7946 0958":             "national [redacted]",
		"index out of range [3] with length": "index out of range [3] with length",
	} {
		if got := redact.String(in); got != want {
			t.Errorf("redact.String(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGinPath(t *testing.T) {
	t.Parallel()
	if got := ginPath("/v1/jobs/{id}/items/{n}"); got != "/v1/jobs/:id/items/:n" {
		t.Errorf("ginPath = %q", got)
	}
}
