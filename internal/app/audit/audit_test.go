package audit_test

import (
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/audit/audittest"
)

func TestMemory(t *testing.T) { audittest.Run(t, &audit.Memory{}) }

func TestSequenceIDSortsAsNumbers(t *testing.T) {
	for _, p := range [][2]uint64{{1, 2}, {9, 10}, {99, 100}, {12345, 123456}} {
		if !(audit.SequenceID(p[0]) < audit.SequenceID(p[1])) {
			t.Errorf("SequenceID(%d) >= SequenceID(%d)", p[0], p[1])
		}
	}
}
