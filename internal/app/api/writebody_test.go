package api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// failingWriter refuses every body write.
type failingWriter struct{ *httptest.ResponseRecorder }

func (w failingWriter) Write([]byte) (int, error) { return 0, errors.New("gone") }

// TestWriteBody: writeBody writes the status, headers and body that
// c.Header("Content-Length", …) and c.Data write, byte for byte, and
// records a failed write as Data does.
func TestWriteBody(t *testing.T) {
	t.Parallel()
	body := []byte(`{"status":"ok"}`)
	for _, tc := range []struct {
		status int
		ct     string // a Content-Type set before, if any
		fail   bool
	}{
		{status: http.StatusOK},
		{status: http.StatusCreated},
		{status: http.StatusAccepted, ct: "application/x-ndjson"},
		{status: http.StatusNoContent},
		{status: http.StatusNotModified},
		{status: http.StatusNotFound},
		{status: http.StatusOK, fail: true},
	} {
		run := func(write func(c *gin.Context)) (*httptest.ResponseRecorder, *gin.Context) {
			rec := httptest.NewRecorder()
			var w http.ResponseWriter = rec
			if tc.fail {
				w = failingWriter{rec}
			}
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
			c.Header("X-Request-Id", "r1")
			if tc.ct != "" {
				c.Header("Content-Type", tc.ct)
			}
			write(c)
			return rec, c
		}
		got, gc := run(func(c *gin.Context) { writeBody(c, tc.status, mimeJSON, body) })
		want, wc := run(func(c *gin.Context) {
			c.Header("Content-Length", strconv.Itoa(len(body)))
			c.Data(tc.status, mimeJSON, body)
		})
		if got.Code != want.Code || !reflect.DeepEqual(got.Header(), want.Header()) || got.Body.String() != want.Body.String() {
			t.Errorf("%+v:\n got  %d %q %q\n want %d %q %q", tc, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
		if gc.IsAborted() != wc.IsAborted() || len(gc.Errors) != len(wc.Errors) || gc.Writer.Written() != wc.Writer.Written() {
			t.Errorf("%+v: aborted %v errors %d, Data: aborted %v errors %d", tc, gc.IsAborted(), len(gc.Errors), wc.IsAborted(), len(wc.Errors))
		}
	}
}

// TestNewRequestID: a generated request id is a random version 4 UUID in
// canonical form, as uuid.NewString writes one.
func TestNewRequestID(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		u, err := uuid.Parse(id)
		if err != nil || u.String() != id || u.Version() != 4 || u.Variant() != uuid.RFC4122 || !saneRequestID(id) {
			t.Fatalf("%q: %v (version %d, variant %v)", id, err, u.Version(), u.Variant())
		}
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
	}
}

// TestCredentialsHeader: the key is read from X-API-Key under the name
// Header.Get would look up.
func TestCredentialsHeader(t *testing.T) {
	t.Parallel()
	if got := http.CanonicalHeaderKey("X-API-Key"); got != "X-Api-Key" {
		t.Fatalf("canonical %q", got)
	}
	for _, tc := range []struct {
		h    http.Header
		want string
	}{
		{http.Header{}, ""},
		{http.Header{"X-Api-Key": {" fp_live_abc "}}, "fp_live_abc"},
		{http.Header{"X-Api-Key": {}}, ""},
		{http.Header{"Authorization": {"Bearer fp_live_x"}, "X-Api-Key": {"fp_live_y"}}, "fp_live_x"},
		{http.Header{"Authorization": {"Basic abc"}}, " "},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header = tc.h
		if got := credentials(r); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.h, got, tc.want)
		}
	}
}

// TestWriteProfileReusesItsBuffer: profiles written one after another
// each answer their own JSON (MarshalJSON's) though they may share a
// buffer, and a buffer grown past maxPooledBody is not kept.
func TestWriteProfileReusesItsBuffer(t *testing.T) {
	t.Parallel()
	s := &Server{}
	profile := func(name string) *pipeline.Profile {
		return &pipeline.Profile{Subject: pipeline.Subject{Name: name}, Complete: true}
	}
	write := func(p *pipeline.Profile) string {
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodPost, "/v1/enrich", nil)
		s.writeProfile(c, http.StatusOK, p)
		return rec.Body.String()
	}
	var bodies []string
	profiles := []*pipeline.Profile{profile("Jane Doe"), profile("Owen"), profile(strings.Repeat("x", 300)), profile("Al")}
	for _, p := range profiles {
		bodies = append(bodies, write(p))
	}
	for i, p := range profiles {
		want, err := p.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if bodies[i] != string(want) {
			t.Errorf("profile %d:\n got %s\nwant %s", i, bodies[i], want)
		}
	}
	// (Whether a buffer is kept is sync.Pool's to decide: under the race
	// detector it drops some on purpose. A kept one is never too large.)
	write(profile(strings.Repeat("y", maxPooledBody)))
	if bp, _ := s.bodies.Get().(*[]byte); bp != nil && cap(*bp) > maxPooledBody {
		t.Errorf("a buffer of %d bytes was kept", cap(*bp))
	}
}
