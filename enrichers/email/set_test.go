package email

import (
	"strings"
	"testing"
)

func TestDomainSet(t *testing.T) {
	members := []string{"mailinator.com", "a.example", "zz.top", "b.example", "a.example", "", "ü.example"}
	s := newDomainSet(members)
	if s.len() != 5 {
		t.Fatalf("len %d, want 5 (duplicates and empty dropped)", s.len())
	}
	tests := []struct {
		d    string
		want bool
	}{
		{"mailinator.com", true}, {"a.example", true}, {"b.example", true}, {"zz.top", true}, {"ü.example", true},
		{"", false}, {"a", false}, {"a.exampl", false}, {"a.examplea", false}, {"mailinator.co", false},
		{"b.exampleb.example", false}, {"zzz", false}, {"0", false},
	}
	for _, tt := range tests {
		if got := s.has(tt.d); got != tt.want {
			t.Errorf("has(%q) = %v, want %v", tt.d, got, tt.want)
		}
	}
	if (domainSet{}).has("x") {
		t.Error("empty set has x")
	}
}

// Every embedded domain is found, and the set agrees with a map on
// neighbours that are not listed.
func TestEmbeddedSetsMatchAMap(t *testing.T) {
	for name, gz := range map[string][]byte{"disposable": disposableGz, "free": freeGz} {
		set, err := readGzSet(gz)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for i := range set.len() {
			m[set.at(i)] = true
		}
		if len(m) != set.len() || set.len() < 1000 {
			t.Fatalf("%s: %d distinct of %d", name, len(m), set.len())
		}
		for d := range m {
			for _, probe := range []string{d, d + "x", strings.TrimSuffix(d, d[len(d)-1:]), "x" + d} {
				if set.has(probe) != m[probe] {
					t.Fatalf("%s: has(%q) = %v, map says %v", name, probe, set.has(probe), m[probe])
				}
			}
		}
	}
}

func BenchmarkDomainSetHas(b *testing.B) {
	set, err := readGzSet(disposableGz)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		set.has("gmail.com")
	}
}
