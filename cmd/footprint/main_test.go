package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	vars := map[string]string{"HOME": t.TempDir()}
	for _, kv := range environ {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	var list []string
	for k, v := range vars {
		list = append(list, k+"="+v)
	}
	code = run(context.Background(), args, env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		lookup:  func(k string) (string, bool) { v, ok := vars[k]; return v, ok },
		environ: list,
	})
	return code, out.String(), errb.String()
}

func TestLookup(t *testing.T) {
	code, out, errs := runCLI(t, nil, "lookup", "--email", "Jane.Doe+promo@GoogleMail.com", "--phone", "(415) 555-2671", "--country", "US")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var p struct {
		Subject struct {
			Email struct{ Canonical string }
			Phone struct{ E164 string }
		}
		Phone struct {
			LineType string `json:"line_type"`
		}
		Sources []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if p.Subject.Email.Canonical != "janedoe@gmail.com" || p.Subject.Phone.E164 != "+14155552671" || p.Phone.LineType == "" {
		t.Fatalf("profile: %+v", p)
	}
	if len(p.Sources) == 0 {
		t.Fatal("no sources listed")
	}
	if strings.Contains(errs, "jane") || strings.Contains(errs, "4155552671") {
		t.Fatalf("stderr leaks the subject: %s", errs)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	badCfg := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badCfg, []byte("server:\n  adr: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	gitlabKey := filepath.Join(dir, "gitlab-key.yaml")
	if err := os.WriteFile(gitlabKey, []byte("sources:\n  gitlab:\n    api_key: glpat-x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		environ []string
		args    []string
		code    int
		want    string // in stdout+stderr
	}{
		{"no command", nil, nil, 2, "Usage"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"version", nil, []string{"version"}, 0, "footprint dev"},
		{"help", nil, []string{"help"}, 0, "Commands:"},
		{"lookup help", nil, []string{"lookup", "--help"}, 0, "--email"},
		{"serve help", nil, []string{"help", "serve"}, 0, "--addr"},
		{"bad email", nil, []string{"lookup", "--email", "not an email"}, 2, "email: missing @"},
		{"bad phone", nil, []string{"lookup", "--phone", "415 555 2671"}, 2, "phone:"},
		{"nothing to look up", nil, []string{"lookup"}, 2, "--email"},
		{"unknown flag", nil, []string{"lookup", "--emial", "x"}, 2, "emial"},
		{"unknown config key", nil, []string{"lookup", "--email", "a@b.co", "--config", badCfg}, 2, `server.adr`},
		{"unknown env var", []string{"FOOTPRINT_NOPE=1"}, []string{"lookup", "--email", "a@b.co"}, 2, "FOOTPRINT_NOPE"},
		{"unknown source", nil, []string{"lookup", "--email", "a@b.co", "--sources", "nope"}, 2, "unknown source"},
		{"bad seed list", nil, []string{"eval", "--seeds", "1,x"}, 2, `--seeds: "x" is not a seed`},
		{"empty seed list", nil, []string{"eval", "--seeds", ","}, 2, "--seeds: no seed given"},
		{"seeds with an upstream", nil, []string{"eval", "--seeds", "1,2", "--upstream", "http://127.0.0.1:1"}, 2, "--seeds needs the in-process"},
		{"source config for unknown source", []string{"FOOTPRINT_SOURCES_NOPE_RATE_PER_S=1"}, []string{"lookup", "--email", "a@b.co"}, 2, "nope"},
		{"source keys the sources take", []string{"FOOTPRINT_SOURCES_GITLAB_BASE_URL=http://127.0.0.1:1/api/v4", "FOOTPRINT_SOURCES_GITHUB_API_KEY=ghp_x"},
			[]string{"lookup", "--email", "a@b.co", "--sources", "email"}, 0, `"canonical"`},
		{"source key the source does not take (env)", []string{"FOOTPRINT_SOURCES_RDAP_BASE_URL=https://rdap.example"}, []string{"lookup", "--email", "a@b.co"}, 2,
			"FOOTPRINT_SOURCES_RDAP_BASE_URL: rdap takes no base_url (it accepts: enabled, rate_per_s,"},
		{"source key the source does not take (file)", nil, []string{"lookup", "--email", "a@b.co", "--config", gitlabKey}, 2,
			"gitlab-key.yaml:3: sources.gitlab.api_key: gitlab takes no api_key (it accepts: enabled, rate_per_s, burst, timeout_ms, breaker.failures, breaker.open_for_ms, breaker.half_open_requests, base_url)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runCLI(t, tt.environ, tt.args...)
			if code != tt.code || !strings.Contains(out+errs, tt.want) {
				t.Fatalf("exit %d (want %d), output %q (want %q)", code, tt.code, out+errs, tt.want)
			}
		})
	}
}

// eval --seeds pools one population per seed and reports each.
func TestEvalSeeds(t *testing.T) {
	code, out, errs := runCLI(t, nil, "eval", "--seeds", "3,4", "--people", "6", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		People int     `json:"people"`
		Seeds  []int64 `json:"seeds"`
		BySeed []struct {
			TrueAccounts int `json:"true_accounts"`
		} `json:"by_seed"`
		Accounts struct {
			TrueAccounts int `json:"true_accounts"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if rep.People != 12 || len(rep.Seeds) != 2 || len(rep.BySeed) != 2 {
		t.Fatalf("people %d, seeds %v, by_seed %d; want 12 people over 2 seeds", rep.People, rep.Seeds, len(rep.BySeed))
	}
	if sum := rep.BySeed[0].TrueAccounts + rep.BySeed[1].TrueAccounts; sum != rep.Accounts.TrueAccounts {
		t.Fatalf("pooled true accounts %d, per seed sum %d", rep.Accounts.TrueAccounts, sum)
	}
}
