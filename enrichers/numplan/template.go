package numplan

import (
	"unicode"
	"unicode/utf8"
)

// template is a format rule ("$1 $2 $3", "($1) $2", "0$1-$2") read once
// into its literal text and group references, so that writing a number
// does not parse the rule again as regexp's ExpandString does.
type template struct {
	parts []part
	ok    bool // false: the rule holds more than text and $N (ExpandString writes it)
}

// part is literal text, then the text of a group (group < 0: none).
type part struct {
	lit   string
	group int
}

// parseTemplate reads rule as regexp's Expand reads a template, for the
// rules the metadata holds: text and $N, N a group number. Anything else
// ($$, ${…}, a named group, a malformed $) leaves it to ExpandString (ok
// false).
func parseTemplate(rule string) template {
	var t template
	for rule != "" {
		i := 0
		for i < len(rule) && rule[i] != '$' {
			i++
		}
		lit := rule[:i]
		rule = rule[i:]
		if rule == "" {
			t.parts = append(t.parts, part{lit: lit, group: -1})
			break
		}
		// Expand's name: the longest run of letters, digits and '_'
		// after the '$' ("$1x" names group "1x", not group 1).
		name := rule[1:]
		n := 0
		for n < len(name) {
			r, size := utf8.DecodeRuneInString(name[n:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
				break
			}
			n += size
		}
		name = name[:n]
		num, ok := groupNumber(name)
		if !ok {
			return template{}
		}
		t.parts = append(t.parts, part{lit: lit, group: num})
		rule = rule[1+n:]
	}
	t.ok = true
	return t
}

// groupNumber is name as Expand reads a group number: ASCII digits, no
// leading zero, below 1e8.
func groupNumber(name string) (int, bool) {
	if name == "" || name[0] == '0' && len(name) > 1 {
		return 0, false
	}
	num := 0
	for i := 0; i < len(name); i++ {
		if name[i] < '0' || name[i] > '9' || num >= 1e8 {
			return 0, false
		}
		num = num*10 + int(name[i]-'0')
	}
	return num, true
}

// expand appends the rule written for src, whose groups are match
// (match[2i], match[2i+1]: group i's bounds, -1 when it did not take
// part), as regexp's Expand does: a group the pattern does not have, or
// that did not take part, writes nothing.
func (t template) expand(dst []byte, src string, match []int) []byte {
	for _, p := range t.parts {
		dst = append(dst, p.lit...)
		if g := p.group; g >= 0 && 2*g+1 < len(match) && match[2*g] >= 0 {
			dst = append(dst, src[match[2*g]:match[2*g+1]]...)
		}
	}
	return dst
}
