package email

import (
	"bufio"
	"bytes"
	"compress/gzip"
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
	return domainSet{blob: b.String(), ends: ends}
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
	lo, hi := 0, len(s.ends)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := strings.Compare(s.at(m), d); {
		case c == 0:
			return true
		case c < 0:
			lo = m + 1
		default:
			hi = m
		}
	}
	return false
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
