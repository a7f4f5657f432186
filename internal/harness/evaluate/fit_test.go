package evaluate

import (
	"bytes"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
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
