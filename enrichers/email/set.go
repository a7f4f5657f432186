package email

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"hash/maphash"
	"slices"
	"strings"
)

// domainSet is a read-only set of domains held without pointers: the sorted
// domains in one string, and where each one ends. A map of the 165 k
// disposable domains held 165 k strings the garbage collector scanned on
// every cycle of a busy server; this is one string and one []uint32 it never
// looks into. A lookup is a binary search (≈ 17 comparisons).
type domainSet struct {
	blob string
	ends []uint32 // domain i is blob[ends[i-1]:ends[i]] (ends[-1] = 0)
	// slots is an open-addressing hash table of the domains: slot h holds
	// 1+i for domain i, 0 when empty. A lookup hashes once and compares
	// about one string; a binary search compared 17.
	slots []uint32
	seed  maphash.Seed
}

// newDomainSet builds the set of domains (which it sorts in place).
func newDomainSet(domains []string) domainSet {
	slices.Sort(domains)
	domains = slices.Compact(domains)
	var b strings.Builder
	ends := make([]uint32, 0, len(domains))
	for _, d := range domains {
		if d == "" {
			continue
		}
		b.WriteString(d)
		ends = append(ends, uint32(b.Len()))
	}
	s := domainSet{blob: b.String(), ends: ends, seed: maphash.MakeSeed()}
	size := 8
	for size < 2*len(ends) {
		size *= 2
	}
	s.slots = make([]uint32, size)
	mask := uint64(size - 1)
	for i := range ends {
		h := maphash.String(s.seed, s.at(i)) & mask
		for s.slots[h] != 0 {
			h = (h + 1) & mask
		}
		s.slots[h] = uint32(i + 1)
	}
	return s
}

func (s domainSet) at(i int) string {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.blob[start:s.ends[i]]
}

// has reports whether d is in the set.
func (s domainSet) has(d string) bool {
	if len(s.slots) == 0 {
		return false
	}
	mask := uint64(len(s.slots) - 1)
	for h := maphash.String(s.seed, d) & mask; ; h = (h + 1) & mask {
		i := s.slots[h]
		if i == 0 {
			return false
		}
		if s.at(int(i-1)) == d {
			return true
		}
	}
}

func (s domainSet) len() int { return len(s.ends) }

// readGzSet reads a gzipped list of domains, one a line.
func readGzSet(b []byte) (domainSet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return domainSet{}, err
	}
	var domains []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if d := sc.Text(); d != "" {
			domains = append(domains, d)
		}
	}
	if err := sc.Err(); err != nil {
		return domainSet{}, err
	}
	return newDomainSet(domains), nil
}

// readTextSet reads a plain list: one domain a line, # comments.
func readTextSet(b []byte) domainSet {
	var domains []string
	for _, l := range strings.Split(string(b), "\n") {
		if l, _, _ = strings.Cut(l, "#"); strings.TrimSpace(l) != "" {
			domains = append(domains, strings.TrimSpace(l))
		}
	}
	return newDomainSet(domains)
}
