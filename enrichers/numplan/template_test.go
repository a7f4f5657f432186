package numplan

import (
	"regexp"
	"strings"
	"testing"
)

// groupsRE has nine digit groups: a match of nine digits gives each group
// one digit.
var groupsRE = regexp.MustCompile(`(\d)(\d)(\d)(\d)(\d)(\d)(\d)(\d)(\d)`)

// expandBoth writes rule for src both ways: the template's, and regexp's
// ExpandString; ok is the template's (false: ExpandString writes it).
func expandBoth(rule, src string) (got, want string, ok bool) {
	match := groupsRE.FindStringSubmatchIndex(src)
	want = string(groupsRE.ExpandString(nil, rule, src, match))
	tmpl := parseTemplate(rule)
	return string(tmpl.expand(nil, src, match)), want, tmpl.ok
}

// TestTemplateIsExpand: a template writes what regexp's ExpandString
// writes, and rules with more than text and $N are left to ExpandString.
func TestTemplateIsExpand(t *testing.T) {
	for _, tc := range []struct {
		rule string
		ok   bool
	}{
		{"$1 $2 $3", true},
		{"($1) $2-$3", true},
		{"0$1 $2", true},
		{"8 ($1) $2-$3", true},
		{"$1", true},
		{"", true},
		{"no groups", true},
		{"$9$8$7", true},
		{"$10", true},          // group 10: the pattern has none, writes nothing
		{"$1x $2", false},      // Expand reads a group named "1x"
		{"$1é", false},         // a letter after the digits: a name too
		{"$01", false},         // a leading zero: Expand looks for a named group
		{"$$1", false},         // an escaped $
		{"${1}0", false},       // braces
		{"$name", false},       // a named group
		{"trailing $", false},  // a malformed $
		{"$ 1", false},         // a malformed $
		{"$123456789", true},   // a group number the pattern does not have
		{"$1234567890", false}, // past Expand's number bound: a name
		{"$1 $2 $", false},     // a malformed $ at the end
		{"\xff$1\xfe$2", true}, // bytes that are not UTF-8
	} {
		got, want, ok := expandBoth(tc.rule, "123456789")
		if ok != tc.ok {
			t.Errorf("%q: template %v, want %v", tc.rule, ok, tc.ok)
		}
		if ok && got != want {
			t.Errorf("%q: template writes %q, ExpandString %q", tc.rule, got, want)
		}
	}
}

// TestEveryRuleIsATemplate: every format rule of the metadata, national
// prefix formatting included, is read as a template (none is left to
// ExpandString), and writes what ExpandString writes.
func TestEveryRuleIsATemplate(t *testing.T) {
	tb := plan()
	n := 0
	check := func(rule string, tmpl template) {
		n++
		if !tmpl.ok {
			t.Errorf("%q: not read as a template", rule)
			return
		}
		if got, want, _ := expandBoth(rule, "987654321"); got != want {
			t.Errorf("%q: template writes %q, ExpandString %q", rule, got, want)
		}
	}
	regions := make([]*region, 0, len(tb.regions)+len(tb.nonGeo))
	for _, r := range tb.regions {
		regions = append(regions, r)
	}
	for _, r := range tb.nonGeo {
		regions = append(regions, r)
	}
	for _, r := range regions {
		for _, f := range append(append([]*format(nil), r.national...), r.intl...) {
			check(f.intlRule, f.intl)
			check(f.natRule, f.nat)
		}
	}
	if n < 1000 {
		t.Fatalf("only %d rules", n)
	}
}

// FuzzTemplate: whatever the rule, a template that reads it writes what
// ExpandString writes.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"$1 $2", "($1) $2", "$$1", "${1}", "$1x", "$0$10$01", "$", "é$1ß", "$\u00a0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		if strings.Count(rule, "$") > 64 {
			return
		}
		if got, want, ok := expandBoth(rule, "123456789"); ok && got != want {
			t.Fatalf("%q: template writes %q, ExpandString %q", rule, got, want)
		}
	})
}
