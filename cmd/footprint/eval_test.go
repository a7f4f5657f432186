package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no people", []string{"--people", "0"}, "--people must be at least 1"},
		{"negative people", []string{"--people", "-3"}, "--people must be at least 1"},
		{"negative offset", []string{"--offset", "-1"}, "--offset must not be negative"},
		{"no concurrency", []string{"--concurrency", "0"}, "--concurrency must be at least 1"},
		{"world smaller than people", []string{"--world", "100", "--people", "200"}, "--world (100 people) must be at least --people (200)"},
		{"empty world", []string{"--world", "0", "--people", "1"}, "--world (0 people) must be at least --people (1)"},
		{"negative world", []string{"--world", "-5"}, "--world (-5 people)"},
		{"world not a number", []string{"--world=many"}, "invalid value"},
		{"bare world then a word", []string{"--world", "many"}, `unexpected argument "many"`},
		{"world with offset", []string{"--world", "500", "--offset", "10"}, "--offset applies without --world"},
		{"world with an upstream", []string{"--world", "500", "--upstream", "http://127.0.0.1:1"}, "--world needs the in-process"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, nil, append([]string{"eval"}, tt.args...)...)
			if code != 2 || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want 2), output %q (want %q)", code, out+errs, tt.want)
			}
		})
	}
}

func TestExpandBareWorld(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--world --people 300", "--world=20000 --people 300"},
		{"--people 300 --world", "--people 300 --world=20000"},
		{"-world", "--world=20000"},
		{"--world 5000 --people 300", "--world 5000 --people 300"},
		{"--world=5000", "--world=5000"},
		{"--world -5", "--world -5"},
		{"--seed 11 --people 200", "--seed 11 --people 200"},
		{"-- --world", "-- --world"},
	}
	for _, tt := range tests {
		if got := strings.Join(expandBareWorld(strings.Fields(tt.in)), " "); got != tt.want {
			t.Errorf("expandBareWorld(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEvalHelpStatesDefaults(t *testing.T) {
	code, out, errs := runCLI(t, nil, "eval", "--help")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"--world", "a bare --world means 20000", "without --world the simulated world", "(default 200)"} {
		if !strings.Contains(out+errs, want) {
			t.Errorf("eval --help does not say %q:\n%s", want, out+errs)
		}
	}
}

// eval --world samples --people from a larger world, the same people for
// the same seed, and reports the match-probability calibration.
func TestEvalWorld(t *testing.T) {
	type report struct {
		People           int  `json:"people"`
		World            int  `json:"world"`
		Sampled          bool `json:"sampled"`
		MatchCalibration struct {
			Target string   `json:"target"`
			N      int      `json:"n"`
			ECE    *float64 `json:"ece"`
			Brier  *float64 `json:"brier"`
			Bins   []struct {
				Count int `json:"count"`
			} `json:"bins"`
		} `json:"match_calibration"`
		Accounts struct {
			TrueAccounts int `json:"true_accounts"`
			Returned     int `json:"returned"`
		} `json:"accounts"`
	}
	eval := func(args ...string) report {
		t.Helper()
		code, out, errs := runCLI(t, nil, append([]string{"eval", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("eval %v: exit %d: %s", args, code, errs)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return r
	}
	a := eval("--world", "40", "--people", "8", "--seed", "3")
	if a.People != 8 || a.World != 40 || !a.Sampled {
		t.Fatalf("people %d world %d sampled %v, want 8 of 40 sampled", a.People, a.World, a.Sampled)
	}
	mc := a.MatchCalibration
	if !strings.HasPrefix(mc.Target, "identity match") || mc.N < a.Accounts.Returned || mc.ECE == nil || mc.Brier == nil || len(mc.Bins) != 10 {
		t.Fatalf("match calibration %+v over %d returned accounts", mc, a.Accounts.Returned)
	}
	n := 0
	for _, b := range mc.Bins {
		n += b.Count
	}
	if n != mc.N {
		t.Errorf("bins hold %d accounts, n %d", n, mc.N)
	}
	// The true accounts depend on the sampled people only (what the
	// lookups return also depends on their timing on a busy machine).
	if b := eval("--world", "40", "--people", "8", "--seed", "3"); b.Accounts.TrueAccounts != a.Accounts.TrueAccounts {
		t.Errorf("the same seed sampled people with %d true accounts, then %d", a.Accounts.TrueAccounts, b.Accounts.TrueAccounts)
	}
	// Without --world the world is the people looked up, as before.
	if c := eval("--people", "8", "--seed", "3"); c.World != 8 || c.Sampled || c.People != 8 {
		t.Errorf("--people alone: people %d world %d sampled %v, want 8 of 8", c.People, c.World, c.Sampled)
	}
}

// eval --cases-out, then --fit-from on the cases: --no-fit scores the
// model on each file, a fit writes its parameters with --model-out and
// scores both models on --check files, and --model reads them back.
func TestEvalFitFrom(t *testing.T) {
	dir := t.TempDir()
	cases, model, second := filepath.Join(dir, "c.gob"), filepath.Join(dir, "m.json"), filepath.Join(dir, "s.json")
	run := func(args ...string) string {
		t.Helper()
		code, out, errs := runCLI(t, nil, append([]string{"eval"}, args...)...)
		if code != 0 {
			t.Fatalf("eval %v: exit %d: %s", args, code, errs)
		}
		return out
	}
	run("--world", "40", "--people", "6", "--seed", "3", "--cases-out", cases)
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"score the shipped model", []string{"--fit-from", cases, "--no-fit"}, []string{cases + ": 6 cases, log loss ", "; match ECE ", "; returned at any p ", "; best recall at false share ≤ 0.05 "}},
		{"fit and check", []string{"--fit-from", cases, "--people", "3", "--check", cases, "--model-out", model},
			[]string{"identity model (3 cases, fitted in ", "check " + cases + " (6 cases): log loss ", "fitted parameters: "}},
		{"score two files and their pool", []string{"--fit-from", cases + "," + cases, "--no-fit"}, []string{"--fit-from pooled: 12 cases, log loss "}},
		{"score the fitted model", []string{"--fit-from", cases, "--no-fit", "--model", model}, []string{cases + ": 6 cases, log loss "}},
		{"fit a second look", []string{"--fit-from", cases, "--fit-second", "--second-params", "rounds=5,min-leaf=2", "--second-folds", "2", "--check", cases, "--model-out", second},
			[]string{"second look: 5 trees fitted on 6 cases", "fitted on (6 cases), additive → second look: log loss ", "check " + cases + " (6 cases), additive → second look: "}},
	} {
		out := run(tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output %q lacks %q", tt.name, out, w)
			}
		}
	}
	m, err := readModel(model)
	if err != nil {
		t.Fatal(err)
	}
	if m.Topics == nil || m.Language == nil || m.EmailMatch <= 0 {
		t.Errorf("model read back without readers or parameters: %+v", m)
	}
	if m.Second != nil {
		t.Error("the additive fit read back with a second look fitted on another additive model")
	}
	if s, err := readModel(second); err != nil || s.Second == nil || len(s.Second.Trees) != 5 {
		t.Errorf("the second look read back: %v, %+v", err, s.Second)
	}
	if code, _, errs := runCLI(t, nil, "eval", "--fit-from", cases, "--fit-second", "--second-params", "depth"); code == 0 || !strings.Contains(errs, "--second-params") {
		t.Errorf("a malformed --second-params: exit %d, %s", code, errs)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"Second": {"features": ["log_odds"], "trees": [{"nodes": [{"f": 0, "l": 1, "r": 9}]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readModel(bad); err == nil || !strings.Contains(err.Error(), "second look") {
		t.Errorf("a second look reading other inputs read without error: %v", err)
	}
	if _, err := readModel(filepath.Join(dir, "none.json")); err == nil {
		t.Error("a missing model file read without error")
	}
}
