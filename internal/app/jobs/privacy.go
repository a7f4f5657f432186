package jobs

import (
	"strings"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// gatedColumns maps the CSV columns of score blocks to the output they
// come from: a profile that withholds the output (its purpose does not
// allow it, or the subject is suppressed) leaves those cells empty rather
// than writing a zero score.
func gatedColumns(attrs []Attribute) []Attribute {
	for i, a := range attrs {
		var out string
		switch {
		case strings.HasPrefix(a.Name, "risk_"):
			out = pipeline.OutputRisk
		case a.Name == "email_deliverable":
			out = pipeline.OutputVerification
		case a.Name == "influence_score", a.Name == "influence_tier", a.Name == "probability_influencer", a.Name == "expected_reach":
			out = pipeline.OutputInfluence
		case a.Name == "top_interests":
			out = pipeline.OutputInterests
		default:
			continue
		}
		v := a.Value
		attrs[i].Value = func(p *pipeline.Profile) string {
			if p.Withholds(out) {
				return ""
			}
			return v(p)
		}
	}
	return attrs
}
