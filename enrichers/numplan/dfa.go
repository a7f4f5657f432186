package numplan

import (
	"regexp"
	"regexp/syntax"
	"sync"
)

// maxStates bounds a pattern's automaton; a pattern that needs more is
// matched by package regexp instead (none of libphonenumber's does).
const maxStates = 4096

// dead is the automaton's state that no input leaves.
const dead = -1

// matcher answers "does the whole string match" and "does a prefix match"
// for one of libphonenumber's patterns over decimal digits, with a
// deterministic automaton built once, on first use, from the pattern's
// compiled program (regexp/syntax). It gives package regexp's answers:
// the automaton is the subset construction of the very program regexp
// runs, and a match's existence does not depend on regexp's choice among
// alternatives. Input other than ASCII digits, and a pattern with
// assertions (^, $, \b) inside, go to package regexp.
type matcher struct {
	pattern string
	once    sync.Once
	next    [][10]int32 // next[state][digit]; dead for no way on
	accept  []bool      // the state holds the program's match
	reOnce  sync.Once   // the fallbacks, compiled only when first needed
	full    *regexp.Regexp
	prefix  *regexp.Regexp
}

func newMatcher(pattern string) *matcher { return &matcher{pattern: pattern} }

// Full reports whether s as a whole matches: regexp `^(?:p)$`.
func (m *matcher) Full(s string) bool {
	m.once.Do(m.build)
	if m.next == nil || !digits(s) {
		return m.regexps().full.MatchString(s)
	}
	st := int32(0)
	for i := 0; i < len(s); i++ {
		if st = m.next[st][s[i]-'0']; st == dead {
			return false
		}
	}
	return m.accept[st]
}

// Prefix reports whether some prefix of s (the empty one included)
// matches: regexp `^(?:p)` finds a match in s.
func (m *matcher) Prefix(s string) bool {
	m.once.Do(m.build)
	if m.next == nil || !digits(s) {
		return m.regexps().prefix.MatchString(s)
	}
	st := int32(0)
	for i := 0; ; i++ {
		if m.accept[st] {
			return true
		}
		if i == len(s) {
			return false
		}
		if st = m.next[st][s[i]-'0']; st == dead {
			return false
		}
	}
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// regexps compiles the fallbacks as libphonenumber compiles its patterns,
// so a pattern Go cannot compile panics here as it would there.
func (m *matcher) regexps() *matcher {
	m.reOnce.Do(func() {
		m.full = regexp.MustCompile("^(?:" + m.pattern + ")$")
		m.prefix = regexp.MustCompile("^(?:" + m.pattern + ")")
	})
	return m
}

func (m *matcher) build() {
	re, err := syntax.Parse(m.pattern, syntax.Perl)
	if err != nil {
		return
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return
	}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth {
			return // an assertion inside: leave it to regexp
		}
	}
	next, accept, ok := subsets(prog)
	if ok {
		m.next, m.accept = next, accept
	}
}

// subsets builds the deterministic automaton of prog over '0'…'9': a state
// is the set of rune instructions (and the match) reachable without input.
func subsets(prog *syntax.Prog) (next [][10]int32, accept []bool, ok bool) {
	n := len(prog.Inst)
	mark := make([]int, n) // generation stamps for the closure walk
	gen := 0
	var stack []uint32
	closure := func(set []uint32, pcs ...uint32) []uint32 {
		gen++
		stack = append(stack[:0], pcs...)
		for len(stack) > 0 {
			pc := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if mark[pc] == gen {
				continue
			}
			mark[pc] = gen
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				stack = append(stack, in.Arg, in.Out)
			case syntax.InstCapture, syntax.InstNop:
				stack = append(stack, in.Out)
			case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL, syntax.InstMatch:
				set = append(set, pc)
			}
		}
		sortPCs(set)
		return set
	}
	index := map[string]int32{}
	var sets [][]uint32
	add := func(set []uint32) int32 {
		if len(set) == 0 {
			return dead
		}
		k := key(set)
		if i, ok := index[k]; ok {
			return i
		}
		i := int32(len(sets))
		index[k] = i
		sets = append(sets, set)
		next = append(next, [10]int32{})
		m := false
		for _, pc := range set {
			m = m || prog.Inst[pc].Op == syntax.InstMatch
		}
		accept = append(accept, m)
		return i
	}
	add(closure(nil, uint32(prog.Start)))
	if len(sets) == 0 {
		// Nothing matches at all: one state, never accepting.
		return [][10]int32{{dead, dead, dead, dead, dead, dead, dead, dead, dead, dead}}, []bool{false}, true
	}
	for s := 0; s < len(sets); s++ {
		if len(sets) > maxStates {
			return nil, nil, false
		}
		for d := range 10 {
			r := rune('0' + d)
			var outs []uint32
			for _, pc := range sets[s] {
				in := &prog.Inst[pc]
				if in.Op != syntax.InstMatch && in.MatchRune(r) {
					outs = append(outs, in.Out)
				}
			}
			t := int32(dead)
			if len(outs) > 0 {
				t = add(closure(nil, outs...)) // may grow next: assign after
			}
			next[s][d] = t
		}
	}
	return next, accept, true
}

func sortPCs(s []uint32) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

func key(set []uint32) string {
	b := make([]byte, 0, 4*len(set))
	for _, pc := range set {
		b = append(b, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	return string(b)
}
