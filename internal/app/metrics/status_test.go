package metrics

import (
	"strconv"
	"testing"
)

// TestStatusLabel: the status label is the status in decimal.
func TestStatusLabel(t *testing.T) {
	t.Parallel()
	for status := 100; status < 600; status++ {
		if got, want := statusLabel(status), strconv.Itoa(status); got != want {
			t.Errorf("statusLabel(%d) = %q", status, got)
		}
	}
}
