package personname

import "testing"

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"Jorge Jiménez", "jorge jimenez", true},
		{"Jiménez, Jorge", "Jorge Jimenez", true},
		{"Sanne de Jong", "sanne DE jong", true},
		{"Jorge J.", "Jorge Jimenez", false},
		{"Jorge", "Jorge Jimenez", false},
		{"Jorge Jimenez Ruiz", "Jorge Jimenez", false},
		{"", "", false},
		{"!!", "??", false},
	} {
		if got := Same(c.a, c.b); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Jorge Jiménez", "jimenez jorge"},
		{"jiménez  JORGE", "jimenez jorge"},
		{"José O'Brien-Díaz", "jose obriendiaz"},
		{"", ""},
		{"!!", ""},
	} {
		if got := Key(c.in); got != c.want {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
