package subject

import (
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/normalize"
)

func TestSameMailboxSameHash(t *testing.T) {
	h := NewHasher([]byte("0123456789abcdef"))
	tests := []struct {
		a, b string
		same bool
	}{
		{"Jane.Doe+x@googlemail.com", "janedoe@gmail.com", true},
		{"JANE@Example.com", "jane@example.com", true},
		{"jane@example.com", "john@example.com", false},
	}
	for _, tt := range tests {
		ea, err := normalize.ParseEmail(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		eb, err := normalize.ParseEmail(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if got := h.Email(ea) == h.Email(eb); got != tt.same {
			t.Errorf("%s vs %s: same = %v, want %v", tt.a, tt.b, got, tt.same)
		}
		if hs := h.Email(ea); !hs.Valid() || strings.Contains(string(hs), "jane") {
			t.Errorf("hash %q", hs)
		}
	}
}

func TestHashesDependOnSecretAndKind(t *testing.T) {
	a, b := NewHasher([]byte("0123456789abcdef")), NewHasher([]byte("fedcba9876543210"))
	p, err := normalize.ParsePhone("+14155552671", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Phone(p) == b.Phone(p) {
		t.Error("different secrets, same hash")
	}
	if !strings.HasPrefix(string(a.Phone(p)), "phone:") || !a.Phone(p).Valid() {
		t.Errorf("phone hash %q", a.Phone(p))
	}
	for _, bad := range []Hash{"", "email:xyz", Hash("mail:" + strings.Repeat("0", 64)), Hash("email:" + strings.Repeat("g", 64))} {
		if bad.Valid() {
			t.Errorf("%q is valid", bad)
		}
	}
}
