package engine

import (
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

// Every status of the vocabulary has a counter of its own.
func TestStatusCountsCoverTheVocabulary(t *testing.T) {
	vocabulary := []enrichers.Status{enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusSkipped,
		enrichers.StatusTimeout, enrichers.StatusRateLimited, enrichers.StatusCircuitOpen, enrichers.StatusBlocked,
		enrichers.StatusError}
	var c statusCounts
	for i, st := range vocabulary {
		for range i + 1 {
			c.add(st)
		}
	}
	for i, st := range vocabulary {
		if got := c.of(st); got != i+1 {
			t.Errorf("%s counted %d, want %d", st, got, i+1)
		}
	}
	if c.add("unheard_of"); c.of("unheard_of") != 0 {
		t.Error("a status outside the vocabulary counted")
	}
}
