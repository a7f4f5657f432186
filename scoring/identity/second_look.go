package identity

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/footprint-oss/footprint/scoring/boost"
)

// secondLookJSON is the shipped second look (docs/IDENTITY.md, tenth
// round; refitted in the eleventh and twelfth): fitted with `footprint
// eval --fit-from … --fit-second` on tuning seeds only. A string, so
// nothing can change it.
//
//go:embed second_look.json
var secondLookJSON string

// shippedSecond is the shipped second look, decoded once per process when
// first asked for (2 MB of trees: tens of milliseconds, far more under the
// race detector), as the other embedded tables are. Every DefaultModel
// shares it: nothing writes to a model's second look; a fit builds a new
// ensemble.
var shippedSecond = sync.OnceValue(defaultSecond)

// defaultSecond decodes the shipped second look. The file is part of the
// binary and checked by TestShippedSecondLook, so a file that does not
// decode is a build defect, not a runtime condition.
func defaultSecond() *boost.Ensemble {
	var e boost.Ensemble
	if err := json.Unmarshal([]byte(secondLookJSON), &e); err != nil {
		panic("identity: second_look.json: " + err.Error())
	}
	if err := CheckSecond(&e); err != nil {
		panic("identity: second_look.json: " + err.Error())
	}
	return &e
}

// CheckSecond reports whether e can be a model's second look: well formed,
// and reading the inputs LookFeatures names, in that order (nil is no
// second look, and fine).
func CheckSecond(e *boost.Ensemble) error {
	if e == nil {
		return nil
	}
	if !slices.Equal(e.Features, LookFeatures()) {
		return fmt.Errorf("the second look reads %d inputs %v, this version builds %d %v", len(e.Features), e.Features, lookFeatureCount, LookFeatures())
	}
	return e.Validate()
}
