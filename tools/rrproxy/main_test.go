package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// TestRoundRobin: requests go to each backend in turn.
func TestRoundRobin(t *testing.T) {
	var targets []*url.URL
	for _, name := range []string{"a", "b", "c"} {
		b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name+r.URL.Path) }))
		defer b.Close()
		u, _ := url.Parse(b.URL)
		targets = append(targets, u)
	}
	front := httptest.NewServer(newProxy(targets))
	defer front.Close()
	var got string
	for range 6 {
		res, err := http.Get(front.URL + "/x")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got += string(b) + " "
	}
	if want := "a/x b/x c/x a/x b/x c/x "; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
