package phone

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// geocodingEN is libphonenumber's English geocoding table as
// nyaruka/phonenumbers ships it (data/prefix_to_geocodings/en.txt.gz, the
// same bytes: TestGeocodingTableIsTheLibrarys), read here rather than
// through phonenumbers.GetGeocodingForNumber. The library answers a
// number without an entry (most mobiles) with its region's name, and
// finds the region a second time to do so (for +1 and +44, by matching
// the number against each region's patterns); it keeps the table as a
// map of strings, which every garbage collection walks. geoTable knows
// the region already and holds no pointers but its one string.
//
//go:embed geocoding/en.txt.gz
var geocodingEN []byte

// geocodes is the table, read on first use (Source.Warm reads it).
var geocodes = sync.OnceValue(func() *geoTable {
	t, err := readGeoTable(geocodingEN)
	if err != nil { // the embedded file is the library's: never
		panic(fmt.Sprintf("phone: the embedded geocoding table: %v", err))
	}
	return t
})

// geoTable maps the leading digits of E.164 numbers (country calling code
// first, at most geoMaxDigits) to a place.
type geoTable struct {
	at     map[uint64]uint32 // prefix → index of its place
	places string            // place i is places[ends[i-1]:ends[i]] (ends[-1] = 0)
	ends   []uint32
	// regions names each region of libphonenumber in English, as the
	// library does for a number without an entry.
	regions map[string]string
}

// geoMaxDigits: the library looks up at most the first 9 digits (10
// characters of the E.164 string, its + included).
const geoMaxDigits = 9

// readGeoTable reads nyaruka/phonenumbers' serialized prefix map: the
// places' byte count (uint32, little-endian), the places separated by
// newlines, the number of prefixes (uint32), then per prefix the
// difference to the previous one (uvarint) and its place's index (uint16).
func readGeoTable(gz []byte) (*geoTable, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(raw)
	var size uint32
	if err := binary.Read(r, binary.LittleEndian, &size); err != nil {
		return nil, err
	}
	if uint64(size) > uint64(r.Len()) {
		return nil, errors.New("places cut short")
	}
	places := string(raw[4 : 4+size])
	_, _ = r.Seek(int64(4+size), io.SeekStart)
	t := &geoTable{places: strings.ReplaceAll(places, "\n", "")}
	end := uint32(0)
	for p := range strings.SplitSeq(places, "\n") {
		end += uint32(len(p))
		t.ends = append(t.ends, end)
	}
	var count uint32
	if err := binary.Read(r, binary.LittleEndian, &count); err != nil {
		return nil, err
	}
	t.at = make(map[uint64]uint32, count)
	prefix := uint64(0)
	var idx [2]byte
	for range count {
		diff, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		prefix += diff
		if _, err := io.ReadFull(r, idx[:]); err != nil {
			return nil, err
		}
		i := uint32(binary.LittleEndian.Uint16(idx[:]))
		if int(i) >= len(t.ends) {
			return nil, fmt.Errorf("prefix %d: place %d of %d", prefix, i, len(t.ends))
		}
		t.at[prefix] = i
	}
	regions := phonenumbers.GetSupportedRegions()
	t.regions = make(map[string]string, len(regions)+1)
	namer := display.Regions(language.English)
	for r := range regions {
		if reg, err := language.ParseRegion(r); err == nil {
			t.regions[r] = namer.Name(reg)
		}
	}
	if reg, err := language.ParseRegion("001"); err == nil { // non-geographic numbers
		t.regions["001"] = namer.Name(reg)
	}
	return t, nil
}

func (t *geoTable) place(i uint32) string {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.places[start:t.ends[i]]
}

// locate is phonenumbers.GetGeocodingForNumber(n, "en") for the number
// whose E.164 form is e164 and whose region is region (what
// phonenumbers.GetRegionCodeForNumber answers for it): the place of the
// longest prefix in the table, else the region's English name.
func (t *geoTable) locate(e164, region string) string {
	digits := strings.TrimPrefix(e164, "+")
	for l := min(len(digits), geoMaxDigits); l >= 1; l-- {
		p, err := strconv.ParseUint(digits[:l], 10, 64)
		if err != nil {
			return ""
		}
		if i, ok := t.at[p]; ok {
			if s := t.place(i); s != "" {
				return s
			}
			break // the library takes an empty place for no entry
		}
	}
	if region == "" || region == phonenumbers.UNKNOWN_REGION { // the library finds no region: no name
		return ""
	}
	if name, ok := t.regions[region]; ok {
		return name
	}
	reg, err := language.ParseRegion(region)
	if err != nil {
		return ""
	}
	return display.Regions(language.English).Name(reg)
}
