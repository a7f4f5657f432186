package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestKeysCLI: create prints the key alone on the last line; list, rotate
// and revoke work on the same store; bad input is a usage error.
func TestKeysCLI(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, nil, "keys", "create", "--data-dir", dir, "--name", "crm", "--scopes", "enrich,jobs", "--quota-per-day", "10", "--expires-in", "90d")
	if code != 0 {
		t.Fatalf("create: exit %d: %s", code, errs)
	}
	key := lastLine(out)
	if !strings.HasPrefix(key, "fp_live_") || strings.Contains(key, " ") {
		t.Fatalf("last line %q is not the key alone", key)
	}
	code, out, _ = runCLI(t, nil, "keys", "list", "--data-dir", dir, "--json")
	var vs []struct {
		ID, Status  string
		Scopes      []string
		QuotaPerDay int64 `json:"quota_per_day"`
		Key         string
	}
	if err := json.Unmarshal([]byte(out), &vs); code != 0 || err != nil || len(vs) != 1 || vs[0].QuotaPerDay != 10 || vs[0].Key != "" || strings.Contains(out, key) {
		t.Fatalf("list: exit %d %v: %s", code, err, out)
	}
	id := vs[0].ID
	code, out, errs = runCLI(t, nil, "keys", "rotate", id, "--data-dir", dir)
	if code != 0 || lastLine(out) == key || !strings.HasPrefix(lastLine(out), "fp_live_") {
		t.Fatalf("rotate: exit %d: %s %s", code, out, errs)
	}
	if code, out, _ := runCLI(t, nil, "keys", "revoke", "--data-dir", dir, id); code != 0 || !strings.Contains(out, "revoked "+id) {
		t.Fatalf("revoke: exit %d: %s", code, out)
	}
	_, out, _ = runCLI(t, nil, "keys", "list", "--data-dir", dir)
	if !strings.Contains(out, "revoked") {
		t.Fatalf("list after revoke: %s", out)
	}
	for _, args := range [][]string{
		{"keys"},
		{"keys", "frobnicate"},
		{"keys", "create", "--data-dir", dir},
		{"keys", "create", "--data-dir", dir, "--name", "x", "--scopes", "everything"},
		{"keys", "create", "--data-dir", dir, "--name", "x", "--expires-in", "soon"},
		{"keys", "revoke", "--data-dir", dir},
		{"keys", "revoke", "key_aaaaaaaaaaaaaaaa", "--data-dir", dir},
	} {
		if code, _, _ := runCLI(t, nil, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

// TestServeSecureByDefault: no keys and a public address is refused,
// saying how to proceed; --insecure-no-auth, the environment or a key
// allow it. Allowed runs are stopped right after the key check by a
// metrics address that cannot be listened on.
func TestServeSecureByDefault(t *testing.T) {
	dir := t.TempDir()
	code, _, errs := runCLI(t, nil, "serve", "--data-dir", dir, "--addr", "0.0.0.0:0")
	if code != exitUsage || !strings.Contains(errs, "--insecure-no-auth") || !strings.Contains(errs, "footprint keys create") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, env := range [][]string{nil, {"FOOTPRINT_INSECURE_NO_AUTH=true"}} {
		args := []string{"serve", "--data-dir", dir, "--addr", "0.0.0.0:1", "--metrics-addr", "256.0.0.1:1"}
		if env == nil {
			args = append(args, "--insecure-no-auth")
		}
		// An impossible metrics address stops serve after the key check.
		code, _, errs := runCLI(t, env, args...)
		if code == exitOK || !strings.Contains(errs, "metrics listen") || !strings.Contains(errs, "serving OPEN") {
			t.Fatalf("%v %v: exit %d: %s", env, args, code, errs)
		}
	}
	// With a key, a public address is fine (stopped the same way).
	if code, _, errs := runCLI(t, nil, "keys", "create", "--data-dir", dir, "--name", "a"); code != 0 {
		t.Fatal(errs)
	}
	if _, _, errs := runCLI(t, nil, "serve", "--data-dir", dir, "--addr", "0.0.0.0:1", "--metrics-addr", "256.0.0.1:1"); !strings.Contains(errs, "metrics listen") || strings.Contains(errs, "serving OPEN") {
		t.Fatalf("with a key: %s", errs)
	}
}
