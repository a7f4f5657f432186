package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/auth"
)

// newAuth returns a key service on a fresh embedded store.
func newAuth(t *testing.T) *auth.Service {
	t.Helper()
	st, err := auth.OpenFileStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return auth.New(auth.Config{Store: st, Secret: []byte("0123456789abcdef0123456789abcdef")})
}

// newKey creates a key and returns its secret and id.
func newKey(t *testing.T, a *auth.Service, spec auth.Spec) (secret, id string) {
	t.Helper()
	if spec.Name == "" {
		spec.Name = "test"
	}
	v, err := a.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return v.Key, v.ID
}

// keyed sends every request with an Authorization header (unless it has
// one).
type keyed struct {
	h      http.Handler
	secret string
}

func (k keyed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") == "" && r.Header.Get("X-API-Key") == "" {
		r.Header.Set("Authorization", "Bearer "+k.secret)
	}
	k.h.ServeHTTP(w, r)
}

// keyedFrom serves requests as if from addr.
type keyedFrom struct {
	h    http.Handler
	addr string
}

func (k keyedFrom) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.RemoteAddr = k.addr
	k.h.ServeHTTP(w, r)
}
