package identity_test

import (
	"math"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/identity"
)

func TestReusedUsername(t *testing.T) {
	byEmail := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "a@example.com", Method: enrichers.MethodInput, Prior: 1}
	byLink := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "bob@fosstodon.org", Method: enrichers.LinkedFrom("github"), Platform: "mastodon", Prior: 0.9}
	byName := enrichers.Identifier{Kind: enrichers.KindUsername, Value: "cosmicowl207", Method: enrichers.MethodUsernameGuess, Prior: 0.8}
	tests := []struct {
		via      enrichers.Identifier
		username string
		want     string // "" for none
		prior    float64
	}{
		{byEmail, "cosmicowl207", "cosmicowl207", 0.9},       // a GitHub login found by email search
		{byEmail, "quietbadger723", "quietbadger723", 0.9},   // a Gravatar slug
		{byLink, "bob@fosstodon.org", "bob", 0.81},           // a Mastodon account on another instance
		{byName, "CosmicOwl207", "", 0},                      // found by that very username
		{byEmail, "6f1ed002ab5595859014ebf0951522d9", "", 0}, // a hash, not a handle
		{byEmail, "ab", "", 0},
		{byEmail, "-x-", "", 0},
		{byEmail, "jane doe", "", 0},
	}
	for _, tt := range tests {
		id, ok := identity.ReusedUsername(tt.via, enrichers.Account{Source: "s", Username: tt.username})
		if ok != (tt.want != "") || id.Value != tt.want {
			t.Errorf("%s via %s: %+v %v, want %q", tt.username, tt.via.Method, id, ok, tt.want)
			continue
		}
		if ok && (id.Kind != enrichers.KindUsername || id.Method != enrichers.MethodUsernameGuess || id.Platform != "" || math.Abs(id.Prior-tt.prior) > 1e-9) {
			t.Errorf("%s: identifier %+v, want a plain guess with prior %v", tt.username, id, tt.prior)
		}
	}
}
