package names

import (
	"context"
	"slices"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func TestVariants(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Jane Doe", []string{"janedoe", "jane.doe", "jane_doe", "jane-doe", "jdoe", "janed", "doejane"}},
		{"  José  María Núñez ", []string{"josenunez", "jose.nunez", "jose_nunez", "jose-nunez", "jnunez", "josen", "nunezjose",
			"josemarianunez", "jose.marianunez", "jose_marianunez", "jose-marianunez", "jmarianunez", "josem", "marianunezjose"}},
		{"Anouk van den Berg", []string{"anoukberg", "anouk.berg", "anouk_berg", "anouk-berg", "aberg", "anoukb", "berganouk",
			"anoukvandenberg", "anouk.vandenberg", "anouk_vandenberg", "anouk-vandenberg", "avandenberg", "anoukv", "vandenberganouk"}},
		{"Levi van Dijk", []string{"levidijk", "levi.dijk", "levi_dijk", "levi-dijk", "ldijk", "levid", "dijklevi",
			"levivandijk", "levi.vandijk", "levi_vandijk", "levi-vandijk", "lvandijk", "leviv", "vandijklevi"}},
		{"Thiago", nil},
		{"J Doe", nil},
		{"", nil},
		{"李 小龙", nil},
	}
	for _, tt := range tests {
		if got := Variants(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%q: %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestEnrich(t *testing.T) {
	f, err := New().Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindName, Value: "Jane Doe", Prior: 0.9})
	if err != nil || len(f.Identifiers) != 7 {
		t.Fatalf("%+v %v", f, err)
	}
	for _, id := range f.Identifiers {
		if id.Kind != enrichers.KindUsername || id.Method != "username_guess" || id.Prior != 0.45 {
			t.Errorf("%+v", id)
		}
	}
	f, err = New().Enrich(context.Background(), enrichers.Identifier{Kind: enrichers.KindName, Value: "Cher"})
	if err != nil || !f.NotFound {
		t.Fatalf("%+v %v", f, err)
	}
}

func FuzzVariants(f *testing.F) {
	f.Add("Jane Doe")
	f.Add("Ä ö")
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range Variants(s) {
			if v == "" || len(v) > 2*len(s)+2 {
				t.Fatalf("%q → %q", s, v)
			}
		}
	})
}
