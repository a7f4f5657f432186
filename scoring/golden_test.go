package scoring

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/enrichers"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// exampleEvidence is a full profile: a developer with a company email,
// five accounts of varying match probability, one failed source and one
// that found nothing.
func exampleEvidence() Evidence {
	reg := time.Date(2011, 3, 4, 0, 0, 0, 0, time.UTC)
	gh := time.Date(2012, 5, 6, 0, 0, 0, 0, time.UTC)
	md := time.Date(2019, 1, 2, 0, 0, 0, 0, time.UTC)
	first := time.Date(2013, 10, 1, 0, 0, 0, 0, time.UTC)
	return Evidence{
		Name:    "Lena Fischer",
		Country: "DE",
		Email:   &enrichers.EmailFacts{Valid: true, Domain: "nordlicht-software.de"},
		Phone:   &enrichers.PhoneFacts{Valid: true, Possible: true, E164: "+4915112345678", Country: "DE", CountryCode: 49, LineType: "mobile"},
		DNS:     &enrichers.DNSFacts{MX: []string{"aspmx.l.google.com"}, HasMX: true, SPF: "v=spf1 include:_spf.google.com ~all"},
		Domain:  &enrichers.DomainFacts{Registered: &reg, AgeDays: 5200, Registrar: "Example Registrar"},
		Company: &enrichers.CompanyFacts{
			Name: "Nordlicht Software GmbH", Language: "de", Industry: "Softwareentwicklung",
			Description: "Nordlicht Software – Softwareentwicklung. Wir sind Ihr Partner für Open Source, DevOps und Webentwicklung.",
			Keywords:    []string{"Softwareentwicklung", "Open Source", "DevOps"},
		},
		Breach: &enrichers.BreachFacts{Count: 2, FirstBreach: &first, Names: []string{"ExampleBreach", "OtherBreach"}},
		Accounts: []enrichers.Account{
			{Source: "github", Username: "lfischer", DisplayName: "Lena Fischer", Bio: "Softwareentwicklung, Fotografie und Kaffee.",
				Followers: enrichers.Int64(2300), Stars: enrichers.Int64(5400), CreatedAt: &gh,
				Tags: []string{"go", "kubernetes", "cli", "photography", "python"}, Match: match(0.97)},
			{Source: "mastodon", Username: "lena", DisplayName: "Lena F.", Bio: "Ich schreibe über Analogfotografie und Wandern. #photography",
				Followers: enrichers.Int64(14000), CreatedAt: &md, Tags: []string{"filmphotography", "hiking"}, Match: match(0.8)},
			{Source: "reddit", Username: "lena_f", Karma: enrichers.Int64(3200), Bio: "Hi!", Match: match(0.35)},
			{Source: "hackernews", Username: "lfischer", Karma: enrichers.Int64(410), Match: match(0.6)},
			{Source: "bluesky", Username: "lenafischer.bsky.social", DisplayName: "Lena Fischer", Bio: "Into board games.",
				Followers: enrichers.Int64(900), Match: match(0.5)},
		},
		Sources: map[string]enrichers.Status{
			"email": enrichers.StatusOK, "phone": enrichers.StatusOK, "dns": enrichers.StatusOK, "rdap": enrichers.StatusOK,
			"website": enrichers.StatusOK, "hibp": enrichers.StatusOK, "github": enrichers.StatusOK, "mastodon": enrichers.StatusOK,
			"reddit": enrichers.StatusOK, "hackernews": enrichers.StatusOK, "bluesky": enrichers.StatusOK,
			"gitlab": enrichers.StatusNotFound, "keybase": enrichers.StatusRateLimited,
		},
	}
}

// TestGolden: the full example's scores, byte for byte. Run with -update
// after a deliberate change to the model or DefaultParams.
func TestGolden(t *testing.T) {
	t.Parallel()
	ev := exampleEvidence()
	p := DefaultParams()
	out := struct {
		Interests    []Interest         `json:"interests"`
		Influence    InfluenceScore     `json:"influence"`
		Risk         RiskScore          `json:"risk"`
		Verification VerificationResult `json:"verification"`
	}{Filter(Interests(ev, p), 0.1), Influence(ev, p), Risk(ev, p, testNow), VerificationWith(ev, p, testNow)}
	got, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "example.golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./scoring -run TestGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("scores differ from %s (run with -update if intended):\n%s", path, got)
	}
}
