package enrichers

import "testing"

func TestIdentifierKey(t *testing.T) {
	for _, c := range []struct {
		a, b Identifier
		same bool
	}{
		{Identifier{Kind: KindName, Value: "Jorge Jiménez"}, Identifier{Kind: KindName, Value: "jimenez, JORGE"}, true},
		{Identifier{Kind: KindName, Value: "Jorge Jiménez"}, Identifier{Kind: KindName, Value: "Jorge J."}, false},
		{Identifier{Kind: KindUsername, Value: "Jane"}, Identifier{Kind: KindUsername, Value: "jane"}, false},
		{Identifier{Kind: KindUsername, Value: "jane"}, Identifier{Kind: KindName, Value: "jane"}, false},
		{Identifier{Kind: KindName, Value: "!!"}, Identifier{Kind: KindName, Value: "??"}, false},
	} {
		if got := c.a.Key() == c.b.Key(); got != c.same {
			t.Errorf("%+v vs %+v: same key %v, want %v (%q, %q)", c.a, c.b, got, c.same, c.a.Key(), c.b.Key())
		}
	}
}
