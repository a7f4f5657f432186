package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/config"
)

// TestLookupInProcessHonoursSuppressions: `footprint lookup` without
// --server reads the data folder's suppressions, so a suppressed subject
// is never sent upstream from the command line either; another subject
// is looked up as usual.
func TestLookupInProcessHonoursSuppressions(t *testing.T) {
	var calls atomic.Int64
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.NotFound(w, r)
	}))
	defer upstream.Close()
	dir := t.TempDir()

	cfg := config.Default()
	cfg.DataDir = dir
	a, err := buildApp(context.Background(), cfg, slog.New(slog.DiscardHandler), buildOptions{privacy: true})
	if err != nil {
		t.Fatal(err)
	}
	sub, err := a.privacy.Identify("Jane.Doe+x@googlemail.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.privacy.Suppress(context.Background(), sub, "objection", audit.ActorCLI); err != nil {
		t.Fatal(err)
	}
	a.close()

	tests := []struct {
		email      string
		suppressed bool
	}{
		{"janedoe@gmail.com", true},
		{"owen@example.com", false},
	}
	for _, tt := range tests {
		before := calls.Load()
		code, out, errs := runCLI(t, nil, "lookup", "--data-dir", dir, "--upstream", upstream.URL, "--email", tt.email, "--timeout-ms", "2000")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tt.email, code, errs)
		}
		var p struct {
			Suppressed bool `json:"suppressed"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		sent := calls.Load() - before
		if p.Suppressed != tt.suppressed || (tt.suppressed && sent != 0) || (!tt.suppressed && sent == 0) {
			t.Errorf("%s: suppressed %v with %d upstream requests, want suppressed %v", tt.email, p.Suppressed, sent, tt.suppressed)
		}
	}
}
