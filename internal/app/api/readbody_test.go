package api

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/gin-gonic/gin"
)

// TestReadBody: a body of declared length is read whole into a buffer of
// that size, one of unknown length (chunked) up to the limit; past the
// limit either way is an *http.MaxBytesError, and a body shorter than its
// declared length is a read error, not a truncated document.
func TestReadBody(t *testing.T) {
	const limit = 16
	tests := []struct {
		name    string
		body    io.Reader
		length  int64 // Content-Length; -1: unknown
		want    string
		tooBig  bool
		readErr bool
	}{
		{name: "declared", body: strings.NewReader(`{"email":"a@b"}`), length: 15, want: `{"email":"a@b"}`},
		{name: "declared, at the limit", body: strings.NewReader(strings.Repeat("x", limit)), length: limit, want: strings.Repeat("x", limit)},
		{name: "declared, empty", body: strings.NewReader(""), length: 0, want: ""},
		{name: "declared, over the limit", body: strings.NewReader(strings.Repeat("x", limit+1)), length: limit + 1, tooBig: true},
		{name: "declared, shorter than said", body: strings.NewReader(`{"a"`), length: 10, readErr: true},
		{name: "declared, failing", body: iotest.ErrReader(errors.New("reset")), length: 10, readErr: true},
		{name: "unknown", body: iotest.OneByteReader(strings.NewReader(`{"x":1}`)), length: -1, want: `{"x":1}`},
		{name: "unknown, at the limit", body: strings.NewReader(strings.Repeat("y", limit)), length: -1, want: strings.Repeat("y", limit)},
		{name: "unknown, over the limit", body: strings.NewReader(strings.Repeat("y", limit+1)), length: -1, tooBig: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/v1/enrich", tc.body)
			r.ContentLength = tc.length
			c, _ := gin.CreateTestContext(httptest.NewRecorder())
			c.Request = r
			got, err := readBody(c, limit)
			var mbe *http.MaxBytesError
			var be *bodyError
			switch {
			case tc.tooBig:
				if !errors.As(err, &mbe) || mbe.Limit != limit {
					t.Fatalf("err = %v, want an *http.MaxBytesError of %d", err, limit)
				}
			case tc.readErr:
				if !errors.As(err, &be) {
					t.Fatalf("err = %v, want a body read error", err)
				}
			case err != nil || string(got) != tc.want || tc.length >= 0 && cap(got) != len(tc.want):
				t.Fatalf("readBody = %q (cap %d), %v; want %q in a buffer of its size", got, cap(got), err, tc.want)
			}
		})
	}
}
