package engine

import (
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
