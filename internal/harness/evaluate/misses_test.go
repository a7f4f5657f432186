package evaluate

import (
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/internal/harness/sim"
)

func TestHandleKind(t *testing.T) {
	tests := []struct{ username, local, name, want string }{
		{"john.walker", "john.walker", "John Walker", "local"},
		{"johnwalker", "john.walker+news", "John Walker", "local"},
		{"jwalker.bsky.social", "jw", "John Walker", "name"},
		{"jwalker91", "john.walker", "John Walker", "name+digits"},
		{"john91", "john.walker", "John Walker", "name+digits"},
		{"jwalker91", "john.walker91", "John Walker", "name+local's digits"},
		{"neontiger95", "john.walker", "John Walker", "digits"},
		{"silentpanda", "john.walker", "John Walker", "other"},
		{"silentpanda", "", "", "other"},
	}
	for _, tt := range tests {
		if got := HandleKind(tt.username, tt.local, tt.name); got != tt.want {
			t.Errorf("HandleKind(%q, %q, %q) = %q, want %q", tt.username, tt.local, tt.name, got, tt.want)
		}
	}
}

func TestMissesAndIncomplete(t *testing.T) {
	match := func(p float64) *enrichers.Match { return &enrichers.Match{Probability: p, Method: "username_guess"} }
	outs := []Outcome{{
		Person: sim.Person{Name: "John Walker", Truth: sim.Truth{Accounts: []sim.AccountRef{
			{Source: "github", Username: "jwalker"},           // recovered
			{Source: "reddit", Username: "john_walker"},       // below
			{Source: "bluesky", Username: "jw91.bsky.social"}, // not found
		}}},
		Profile: &pipeline.Profile{
			Subject: pipeline.Subject{Email: &pipeline.SubjectEmail{Address: "john.walker@example.org"}},
			Derived: pipeline.Derived{Accounts: []enrichers.Account{
				{Source: "github", Username: "jwalker", Method: "username_guess", Match: match(0.9)},
				{Source: "reddit", Username: "john_walker", Method: "username_guess", Match: match(0.3)},
				{Source: "hackernews", Username: "jwalker", Method: "username_guess", Match: match(0.6)}, // someone else's
			}},
			Sources: []pipeline.SourceStatus{{Name: "github", Status: enrichers.StatusOK}, {Name: "mastodon", Status: enrichers.StatusRateLimited},
				{Name: "avatar", Status: enrichers.StatusOK, Failed: 2}},
		},
	}}
	got := map[string]string{}
	for _, m := range Misses(outs, 0.5) {
		got[m.Source] = m.Kind + " " + m.Handle
	}
	want := map[string]string{"reddit": "below local", "bluesky": "not_found digits", "hackernews": "wrong name"}
	if len(got) != len(want) {
		t.Fatalf("misses %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	m := Accounts(outs, 0.5)
	if m.Recovered != 1 || m.Wrong != 1 || m.Incomplete["mastodon:rate_limited"] != 1 || m.Incomplete["avatar:partly_failed"] != 1 || len(m.Incomplete) != 2 {
		t.Errorf("metrics %+v", m)
	}
}
