package redact

import "testing"

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"lookup of jane.doe+x@example.com failed", "lookup of [redacted] failed"},
		{"phone +1 (415) 555-2671 invalid", "phone [redacted] invalid"},
		{"4155552671", "[redacted]"},
		{"index out of range [3] with length 2", "index out of range [3] with length 2"},
		{"timeout after 3000ms", "timeout after 3000ms"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
