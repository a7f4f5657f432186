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

// The English geocoding and carrier tables of libphonenumber as
// nyaruka/phonenumbers ships them (data/prefix_to_geocodings/en.txt.gz and
// data/prefix_to_carriers/en.txt.gz, the same bytes: TestPrefixDataIsTheLibrarys),
// read here rather than through phonenumbers.GetGeocodingForNumber and
// GetCarrierForNumber. For a number without a place (most mobiles) the
// library names its region, and finds the region a second time to do so
// (for +1 and +44, by matching the number against each region's
// patterns); it formats the number again for every lookup and keeps each
// table as a map of strings, which every garbage collection walks. These
// tables hold no pointers but their one string, and the region is the one
// already found.
var (
	//go:embed prefixdata/geocoding-en.txt.gz
	geocodingEN []byte
	//go:embed prefixdata/carrier-en.txt.gz
	carrierEN []byte
)

// geocodes and carriers are the tables, read on first use (Source.Warm
// reads them).
var (
	geocodes = sync.OnceValue(func() *geoTable {
		t, err := readPrefixTable(geocodingEN)
		if err != nil { // the embedded file is the library's: never
			panic(fmt.Sprintf("phone: the embedded geocoding table: %v", err))
		}
		return &geoTable{prefixTable: *t, regions: regionNames()}
	})
	carriers = sync.OnceValue(func() *prefixTable {
		t, err := readPrefixTable(carrierEN)
		if err != nil {
			panic(fmt.Sprintf("phone: the embedded carrier table: %v", err))
		}
		return t
	})
)

// prefixTable maps the leading digits of E.164 numbers (country calling
// code first, at most prefixMaxDigits) to a value.
type prefixTable struct {
	at     map[uint64]uint32 // prefix → index of its value
	values string            // value i is values[ends[i-1]:ends[i]] (ends[-1] = 0)
	ends   []uint32
	// lengths[d], d a number's first three digits, has bit l set when
	// some prefix of l digits may begin the number: a lookup asks the map
	// only for those lengths (most numbers have a prefix of one or two
	// lengths at most; the map is large, and each miss reads memory the
	// cache does not hold).
	lengths [1000]uint16
}

// prefixMaxDigits: the library looks up at most the first 9 digits (10
// characters of the E.164 string, its + included).
const prefixMaxDigits = 9

// readPrefixTable reads nyaruka/phonenumbers' serialized prefix map: the
// values' byte count (uint32, little-endian), the values separated by
// newlines, the number of prefixes (uint32), then per prefix the
// difference to the previous one (uvarint) and its value's index (uint16).
func readPrefixTable(gz []byte) (*prefixTable, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	if len(raw) < 4 {
		return nil, errors.New("no values")
	}
	size := binary.LittleEndian.Uint32(raw)
	if uint64(size) > uint64(len(raw)-4) {
		return nil, errors.New("values cut short")
	}
	values := string(raw[4 : 4+size])
	r := bytes.NewReader(raw[4+size:])
	t := &prefixTable{values: strings.ReplaceAll(values, "\n", "")}
	end := uint32(0)
	for v := range strings.SplitSeq(values, "\n") {
		end += uint32(len(v))
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
			return nil, fmt.Errorf("prefix %d: value %d of %d", prefix, i, len(t.ends))
		}
		t.at[prefix] = i
		t.addLength(prefix)
	}
	return t, nil
}

// addLength notes the length of prefix p (E.164 digits: no leading zero)
// under the first three digits of every number it may begin.
func (t *prefixTable) addLength(p uint64) {
	l := len(strconv.FormatUint(p, 10))
	if l > prefixMaxDigits {
		return // never looked up
	}
	if l >= 3 {
		for range l - 3 {
			p /= 10
		}
		t.lengths[p] |= 1 << l
		return
	}
	span := uint64(10) // the three-digit starts p begins
	if l == 1 {
		span = 100
	}
	for d := p * span; d < (p+1)*span; d++ {
		t.lengths[d] |= 1 << l
	}
}

// lookup is the value of the longest prefix of the E.164 number e164 in
// the table ("" when none is), as the library's prefix lookup answers.
func (t *prefixTable) lookup(e164 string) string {
	digits := strings.TrimPrefix(e164, "+")
	l := min(len(digits), prefixMaxDigits)
	p, err := strconv.ParseUint(digits[:l], 10, 64)
	if err != nil {
		return ""
	}
	lengths := uint16(1<<(prefixMaxDigits+1) - 1) // a number of fewer than three digits: every length
	if l >= 3 {
		first3 := p
		for range l - 3 {
			first3 /= 10
		}
		lengths = t.lengths[first3]
	}
	// Each shorter prefix is the longer one without its last digit (an
	// E.164 number starts with its calling code, never with a 0).
	for ; l >= 1; l, p = l-1, p/10 {
		if lengths&(1<<l) == 0 {
			continue
		}
		if i, ok := t.at[p]; ok {
			start := uint32(0)
			if i > 0 {
				start = t.ends[i-1]
			}
			return t.values[start:t.ends[i]]
		}
	}
	return ""
}

// geoTable is the geocoding table and the English names of the regions.
type geoTable struct {
	prefixTable
	regions map[string]string
}

// regionNames names each region of libphonenumber (and 001, the
// non-geographic numbers) in English, as the library does for a number
// without a place.
func regionNames() map[string]string {
	regions := phonenumbers.GetSupportedRegions()
	names := make(map[string]string, len(regions)+1)
	namer := display.Regions(language.English)
	for r := range regions {
		if reg, err := language.ParseRegion(r); err == nil {
			names[r] = namer.Name(reg)
		}
	}
	if reg, err := language.ParseRegion("001"); err == nil {
		names["001"] = namer.Name(reg)
	}
	return names
}

// locate is phonenumbers.GetGeocodingForNumber(n, "en") for the number
// whose E.164 form is e164 and whose region is region (what
// phonenumbers.GetRegionCodeForNumber answers for it): the place of the
// longest prefix in the table, else the region's English name.
func (t *geoTable) locate(e164, region string) string {
	if s := t.lookup(e164); s != "" {
		return s
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
