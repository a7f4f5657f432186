package identity

import (
	_ "embed"
	"encoding/json"

	"github.com/footprint-oss/footprint/scoring/boost"
)

// secondLookJSON is the shipped second look (docs/IDENTITY.md, tenth
// round): fitted with `footprint eval --fit-from … --fit-second` on tuning
// seeds only. A string, so nothing can change it.
//
//go:embed second_look.json
var secondLookJSON string

// defaultSecond decodes the shipped second look. The file is part of the
// binary and checked by TestDefaultSecondLook, so a file that does not
// decode is a build defect, not a runtime condition.
func defaultSecond() *boost.Ensemble {
	var e boost.Ensemble
	if err := json.Unmarshal([]byte(secondLookJSON), &e); err != nil {
		panic("identity: second_look.json: " + err.Error())
	}
	if err := e.Validate(); err != nil {
		panic("identity: second_look.json: " + err.Error())
	}
	return &e
}
