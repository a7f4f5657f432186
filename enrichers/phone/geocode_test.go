package phone

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// The embedded table is the file of the nyaruka/phonenumbers version in
// go.mod: updating the library updates the table's check.
func TestGeocodingTableIsTheLibrarys(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to find the library's module")
	}
	out, err := exec.Command(gobin, "list", "-m", "-f", "{{.Dir}}", "github.com/nyaruka/phonenumbers").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lib, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "data", "prefix_to_geocodings", "en.txt.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(lib, geocodingEN) {
		t.Fatal("geocoding/en.txt.gz differs from the library's data/prefix_to_geocodings/en.txt.gz: copy it again")
	}
}

// locate answers what phonenumbers.GetGeocodingForNumber(n, "en") answers
// for a number at every prefix of the table (the prefix itself, and one
// digit longer), with the region the library finds.
func TestLocateIsGetGeocodingForNumber(t *testing.T) {
	g := geocodes()
	if len(g.at) < 100_000 {
		t.Fatalf("only %d prefixes", len(g.at))
	}
	checked := 0
	for p := range g.at {
		s := strconv.FormatUint(p, 10)
		for _, e := range []string{"+" + s, "+" + s + "7"} {
			n, err := FromE164(e)
			if err != nil {
				continue
			}
			want, err := phonenumbers.GetGeocodingForNumber(n, "en")
			if err != nil {
				want = ""
			}
			if got := g.locate(phonenumbers.Format(n, phonenumbers.E164), phonenumbers.GetRegionCodeForNumber(n)); got != want {
				t.Errorf("%s: %q, want %q", e, got, want)
			}
			checked++
		}
	}
	if checked < len(g.at) {
		t.Fatalf("checked %d numbers for %d prefixes", checked, len(g.at))
	}
}
