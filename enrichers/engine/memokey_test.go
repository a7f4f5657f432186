package engine

import (
	"fmt"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func TestMemoKey(t *testing.T) {
	m := newMemo(10)
	email := enrichers.Identifier{Kind: enrichers.KindEmail, Value: "a@b.example"}
	phone := enrichers.Identifier{Kind: enrichers.KindPhone, Value: "+14155552671"}
	key := func(ids []enrichers.Identifier, only, exclude []string) [32]byte {
		return m.keyOf(Request{Identifiers: ids, Only: only, Exclude: exclude})
	}
	base := key([]enrichers.Identifier{email, phone}, nil, nil)
	same := []struct {
		name string
		k    [32]byte
	}{
		{"identifier order", key([]enrichers.Identifier{phone, email}, nil, nil)},
		{"empty vs nil selection", key([]enrichers.Identifier{email, phone}, []string{}, []string{})},
	}
	for _, tt := range same {
		if tt.k != base {
			t.Errorf("%s: key changed", tt.name)
		}
	}
	differ := []struct {
		name string
		k    [32]byte
	}{
		{"one identifier", key([]enrichers.Identifier{email}, nil, nil)},
		{"other value", key([]enrichers.Identifier{{Kind: enrichers.KindEmail, Value: "a@c.example"}, phone}, nil, nil)},
		{"only", key([]enrichers.Identifier{email, phone}, []string{"github"}, nil)},
		{"exclude", key([]enrichers.Identifier{email, phone}, nil, []string{"github"})},
		{"other memo key", newMemo(10).keyOf(Request{Identifiers: []enrichers.Identifier{email, phone}})},
	}
	for _, tt := range differ {
		if tt.k == base {
			t.Errorf("%s: same key", tt.name)
		}
	}
	if key(nil, []string{"ab", "c"}, nil) == key(nil, []string{"a", "bc"}, nil) {
		t.Error("parts are not delimited")
	}
	if key(nil, []string{"b", "a"}, nil) != key(nil, []string{"a", "b"}, nil) {
		t.Error("selection order changed the key")
	}
}

// TestKeyOfAgreesWithKey: the pool's pair key tells identifiers apart
// exactly as Identifier.Key does (names by their personname key).
func TestKeyOfAgreesWithKey(t *testing.T) {
	ids := []enrichers.Identifier{
		{Kind: enrichers.KindEmail, Value: "a@b.example"},
		{Kind: enrichers.KindUsername, Value: "a@b.example"},
		{Kind: enrichers.KindUsername, Value: "jane"},
		{Kind: enrichers.KindUsername, Value: "Jane"},
		{Kind: enrichers.KindName, Value: "Jane Doe"},
		{Kind: enrichers.KindName, Value: "jane  DOE"},
		{Kind: enrichers.KindName, Value: "Doe, Jane"},
		{Kind: enrichers.KindName, Value: "jane doe"},
		{Kind: enrichers.KindName, Value: "!!"},
		{Kind: enrichers.KindName, Value: ""},
		{Kind: enrichers.KindPhone, Value: "+14155552671"},
		{Kind: enrichers.KindDomain, Value: "b.example"},
	}
	for _, a := range ids {
		for _, b := range ids {
			if got, want := keyOf(a) == keyOf(b), a.Key() == b.Key(); got != want {
				t.Errorf("%+v vs %+v: keyOf equal %v, Key equal %v", a, b, got, want)
			}
		}
	}
}

// TestIdentifierPool: duplicates are merged (the stronger prior kept), in
// first-seen order, below and above the size where the pool starts a map.
func TestIdentifierPool(t *testing.T) {
	word := func(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }
	for _, n := range []int{3, poolScan, poolScan + 1, 3 * poolScan} {
		var p identifierPool
		p.init(nil)
		for round := range 2 {
			for i := range n {
				prior := 0.5
				if round == 1 && i%2 == 0 {
					prior = 0.9 // a stronger sighting of an even one
				}
				p.add(enrichers.Identifier{Kind: enrichers.KindUsername, Value: fmt.Sprintf("u%d", i), Prior: prior})
				p.add(enrichers.Identifier{Kind: enrichers.KindName, Value: "Jane  " + word(i), Prior: 0.1})
				p.add(enrichers.Identifier{Kind: enrichers.KindName, Value: word(i) + " jane", Prior: 0.1}) // the same name
			}
		}
		p.add(enrichers.Identifier{Kind: enrichers.KindEmail}) // no value: ignored
		if len(p.ids) != 2*n || len(p.keys) != 2*n {
			t.Fatalf("n=%d: %d identifiers, want %d", n, len(p.ids), 2*n)
		}
		for i := range n {
			u, name := p.ids[2*i], p.ids[2*i+1]
			want := 0.5
			if i%2 == 0 {
				want = 0.9
			}
			if u.Value != fmt.Sprintf("u%d", i) || u.Prior != want || name.Kind != enrichers.KindName || name.Value != "Jane  "+word(i) {
				t.Errorf("n=%d: %d: %+v %+v", n, i, u, name)
			}
			if p.keys[2*i] != keyOf(u) || p.index(keyOf(name)) != 2*i+1 {
				t.Errorf("n=%d: keys out of step at %d", n, i)
			}
		}
		if got := p.index(idKey{enrichers.KindUsername, "absent"}); got != -1 {
			t.Errorf("n=%d: absent key at %d", n, got)
		}
	}
}
