package evaluate

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// Stored cases carry every account's photo hash, so a refit from them
// (eval --fit-from) sees the photo evidence the lookup saw.
func TestCasesCarryPhotos(t *testing.T) {
	o := outcome([]string{"github", "mvoss"}, "github", "mvoss", 0.9, "reddit", "mvoss", 0.4)
	o.Profile.Accounts[0].Photo = &enrichers.ImageFacts{Hash: 0x5eed, Graphic: true, Width: 420, Height: 420}
	var b bytes.Buffer
	if err := WriteCases(&b, []Outcome{o}); err != nil {
		t.Fatal(err)
	}
	cs, err := ReadCases(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || len(cs[0].Accounts) != 2 {
		t.Fatalf("cases %+v", cs)
	}
	if p := cs[0].Accounts[0].Photo; p == nil || *p != *o.Profile.Accounts[0].Photo {
		t.Errorf("photo after the round trip %+v", p)
	}
	if cs[0].Accounts[1].Photo != nil || !cs[0].Truth("github", "mvoss") || cs[0].Truth("reddit", "mvoss") {
		t.Errorf("case %+v", cs[0])
	}
}

// Features (eval --features-out) are one line per account the model
// returns, with its ground truth, probability and evidence, and the
// profile's text and telling photo for the collective features.
func TestWriteFeatures(t *testing.T) {
	o := outcome([]string{"github", "mvoss"}, "github", "mvoss", 0.9, "reddit", "mvoss", 0.4)
	o.Profile.Accounts[0].DisplayName, o.Profile.Accounts[0].Location = "Mara Voss", "Leipzig"
	o.Profile.Accounts[0].Links = []string{"https://www.reddit.com/user/mvoss"}
	o.Profile.Accounts[0].Photo = &enrichers.ImageFacts{Hash: 0x5eed, Mirrored: 0xdeed}
	o.Profile.Accounts[1].Photo = &enrichers.ImageFacts{Hash: 0x1d, Graphic: true}
	var b bytes.Buffer
	if err := WriteFeatures(&b, IdentityCases([]Outcome{o}), identity.DefaultModel()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines: %s", len(lines), b.String())
	}
	// The second look's inputs are built on the additive part: the first is
	// its log-odds.
	m := identity.DefaultModel()
	m.Second = nil
	additive := map[string]float64{}
	c := IdentityCases([]Outcome{o})[0]
	for _, a := range m.Resolve(c.Subject, c.Accounts) {
		additive[a.Source] = a.Match.Probability
	}
	truth := map[string]bool{}
	for _, l := range lines {
		var row struct {
			Source   string    `json:"source"`
			Truth    bool      `json:"truth"`
			P        float64   `json:"p"`
			Ev       []string  `json:"ev"`
			Name     string    `json:"dn_text"`
			Location string    `json:"loc_text"`
			Links    []string  `json:"link_list"`
			Photo    *uint64   `json:"ph"`
			Mirrored *uint64   `json:"phm"`
			Look     []float64 `json:"look"`
		}
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatal(err)
		}
		if row.P <= 0 || row.P >= 1 {
			t.Errorf("%s: probability %v", row.Source, row.P)
		}
		for _, e := range row.Ev {
			if strings.ContainsAny(e, "0123456789") {
				t.Errorf("%s: evidence keeps a number: %q", row.Source, e)
			}
		}
		truth[row.Source] = row.Truth
		if len(row.Look) != len(identity.LookFeatures()) {
			t.Errorf("%s: %d second-look inputs, want %d", row.Source, len(row.Look), len(identity.LookFeatures()))
		} else if p := 1 / (1 + math.Exp(-row.Look[0])); math.Abs(p-additive[row.Source]) > 0.0005 {
			t.Errorf("%s: the first input reads p %.4f, the additive model %.3f", row.Source, p, additive[row.Source])
		}
		switch row.Source {
		case "github":
			if row.Name != "Mara Voss" || row.Location != "Leipzig" || len(row.Links) != 1 || row.Photo == nil || *row.Photo != 0x5eed || row.Mirrored == nil || *row.Mirrored != 0xdeed {
				t.Errorf("github's profile facts: %s", l)
			}
		case "reddit": // a flat graphic tells nothing: no photo
			if row.Photo != nil || row.Name != "" {
				t.Errorf("reddit's profile facts: %s", l)
			}
		}
	}
	if !truth["github"] || truth["reddit"] {
		t.Errorf("truth %v", truth)
	}
}
