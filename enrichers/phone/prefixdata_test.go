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

// The embedded tables are the files of the nyaruka/phonenumbers version
// in go.mod: updating the library fails this test until they are copied
// again (prefixdata/README.md).
func TestPrefixDataIsTheLibrarys(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to find the library's module")
	}
	out, err := exec.Command(gobin, "list", "-m", "-f", "{{.Dir}}", "github.com/nyaruka/phonenumbers").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "data")
	for _, tc := range []struct {
		lib      string
		embedded []byte
	}{
		{"prefix_to_geocodings/en.txt.gz", geocodingEN},
		{"prefix_to_carriers/en.txt.gz", carrierEN},
	} {
		lib, err := os.ReadFile(filepath.Join(dir, tc.lib))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(lib, tc.embedded) {
			t.Errorf("the embedded copy of the library's data/%s differs: copy it again", tc.lib)
		}
	}
}

// The tables answer what the library answers, for a number at every
// prefix of each table (the prefix itself, and one digit longer): locate
// what phonenumbers.GetGeocodingForNumber(n, "en") does, given the region
// the library finds, and the carrier table's lookup what
// phonenumbers.GetCarrierForNumber(n, "en") does.
func TestPrefixTablesAnswerAsTheLibrary(t *testing.T) {
	geo, car := geocodes(), carriers()
	for _, tc := range []struct {
		name string
		at   map[uint64]uint32
		min  int
		got  func(n *phonenumbers.PhoneNumber) string
		want func(n *phonenumbers.PhoneNumber) (string, error)
	}{
		{"geocoding", geo.at, 100_000,
			func(n *phonenumbers.PhoneNumber) string {
				return geo.locate(phonenumbers.Format(n, phonenumbers.E164), phonenumbers.GetRegionCodeForNumber(n))
			},
			func(n *phonenumbers.PhoneNumber) (string, error) { return phonenumbers.GetGeocodingForNumber(n, "en") }},
		{"carrier", car.at, 5_000,
			func(n *phonenumbers.PhoneNumber) string { return car.lookup(phonenumbers.Format(n, phonenumbers.E164)) },
			func(n *phonenumbers.PhoneNumber) (string, error) { return phonenumbers.GetCarrierForNumber(n, "en") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.at) < tc.min {
				t.Fatalf("only %d prefixes", len(tc.at))
			}
			checked, found := 0, 0
			for p := range tc.at {
				s := strconv.FormatUint(p, 10)
				for _, e := range []string{"+" + s, "+" + s + "7"} {
					n, err := FromE164(e)
					if err != nil {
						continue
					}
					want, err := tc.want(n)
					if err != nil {
						want = ""
					}
					if got := tc.got(n); got != want {
						t.Errorf("%s: %q, want %q", e, got, want)
					}
					checked++
					if want != "" {
						found++
					}
				}
			}
			if checked < len(tc.at) || found < len(tc.at) {
				t.Fatalf("checked %d numbers (%d with an answer) for %d prefixes", checked, found, len(tc.at))
			}
		})
	}
}

// TestPrefixLookupLengths: the longest prefix answers, whatever its length
// (one digit to prefixMaxDigits), and only prefixes of the number do; the
// library's tables hold no prefix shorter than three digits, so this one is
// made by hand.
func TestPrefixLookupLengths(t *testing.T) {
	tb := &prefixTable{at: map[uint64]uint32{}}
	values := []string{"seven", "forty-four", "London", "New Jersey", "nine digits", "too long"}
	for i, p := range []uint64{7, 44, 4420, 1201, 123456789, 1234567891} {
		tb.at[p] = uint32(i)
		tb.addLength(p)
		tb.values += values[i]
		tb.ends = append(tb.ends, uint32(len(tb.values)))
	}
	for _, tc := range []struct{ e164, want string }{
		{"+74951234567", "seven"},
		{"+7", "seven"},
		{"+441234567890", "forty-four"},
		{"+442079460958", "London"},
		{"+12015550123", "New Jersey"},
		{"+12025550123", ""},
		{"+1234567891", "nine digits"}, // the ten-digit prefix is never looked up
		{"+12", ""},
		{"+", ""},
		{"+33123456789", ""},
	} {
		if got := tb.lookup(tc.e164); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.e164, got, tc.want)
		}
	}
}
