package evaluate

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/calibrate"
)

// Calibration measures one probabilistic target against the truth.
type Calibration struct {
	Target        string  `json:"target"`
	N             int     `json:"n"`
	BaseRate      float64 `json:"base_rate"`
	Brier         float64 `json:"brier"`
	BaseRateBrier float64 `json:"base_rate_brier"`
	ECE           float64 `json:"ece"`
	// AUC is undefined (NaN, null in JSON) when the truth has one class
	// only, as in a small population without influencers.
	AUC  Metric          `json:"auc"`
	Bins []calibrate.Bin `json:"bins"`
}

// Scores measures the calibration of pooled interests (every taxonomy
// category of every person; run with min_probability 0), P(influencer)
// and the risk probability. Failed lookups are left out.
func Scores(outs []Outcome) []Calibration {
	var ip, fp, rp []float64
	var iy, fy, ry []bool
	cats := scoring.Taxonomy()
	for _, o := range outs {
		if o.Err != nil || o.Profile == nil {
			continue
		}
		got := map[string]float64{}
		for _, in := range o.Profile.Interests {
			got[in.ID] = in.Probability
		}
		for _, c := range cats {
			p, ok := got[c.ID]
			if !ok {
				continue // filtered out: run eval with min_probability 0
			}
			ip = append(ip, p)
			iy = append(iy, slices.Contains(o.Person.Truth.Interests, c.ID))
		}
		fp = append(fp, o.Profile.Influence.ProbabilityInfluencer)
		fy = append(fy, o.Person.Truth.Influencer)
		rp = append(rp, o.Profile.Risk.Probability)
		ry = append(ry, o.Person.Truth.Risky)
	}
	return []Calibration{measure("interests (pooled)", ip, iy), measure("influencer", fp, fy), measure("risky", rp, ry)}
}

// Metric is a measurement that may be undefined: NaN, written as null in
// JSON (which has no NaN).
type Metric float64

// MarshalJSON writes null for NaN and infinities.
func (m Metric) MarshalJSON() ([]byte, error) {
	f := float64(m)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

func measure(target string, p []float64, y []bool) Calibration {
	c := Calibration{Target: target, N: len(p)}
	if len(p) == 0 {
		return c
	}
	pos := 0
	for _, v := range y {
		if v {
			pos++
		}
	}
	c.BaseRate = float64(pos) / float64(len(y))
	c.Brier, c.BaseRateBrier = calibrate.Brier(p, y), calibrate.BaseRateBrier(y)
	c.ECE, c.AUC = calibrate.ECE(p, y), Metric(calibrate.AUC(p, y))
	c.Bins = calibrate.Reliability(p, y, 10)
	return c
}

// ReliabilitySVG draws one reliability diagram per target: observed
// frequency against mean predicted probability per bin (dot area by count),
// with the diagonal of perfect calibration.
func ReliabilitySVG(w io.Writer, cs []Calibration) error {
	const size, pad, gap = 260.0, 50.0, 70.0
	width := 2*pad + float64(len(cs))*(size+gap) - gap
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, size+2*pad+30)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	for i, c := range cs {
		x0, y0 := pad+float64(i)*(size+gap), pad
		px := func(v float64) float64 { return x0 + v*size }
		py := func(v float64) float64 { return y0 + (1-v)*size }
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", x0, y0, size, size)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#bbb" stroke-dasharray="4 3"/>`+"\n", px(0), py(0), px(1), py(1))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-weight="bold">%s</text>`+"\n", x0, y0-34, escape(c.Target))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">Brier %.3f (base-rate %.3f) · n %d</text>`+"\n", x0, y0-20, c.Brier, c.BaseRateBrier, c.N)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">ECE %.3f · AUC %.2f</text>`+"\n", x0, y0-7, c.ECE, c.AUC)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">predicted probability</text>`+"\n", x0+size/2-50, y0+size+30)
		fmt.Fprintf(&b, `<text transform="translate(%.1f %.1f) rotate(-90)">observed frequency</text>`+"\n", x0-28, y0+size/2+45)
		for _, v := range []float64{0, 0.5, 1} {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%g</text>`+"\n", px(v), y0+size+14, v)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%g</text>`+"\n", x0-4, py(v)+4, v)
		}
		var pts []string
		for _, bin := range c.Bins {
			if bin.Count == 0 {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(bin.MeanPredicted), py(bin.Observed)))
			r := 2 + 6*float64(bin.Count)/float64(max(1, c.N))*float64(len(c.Bins))/2
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="#2563eb" fill-opacity="0.6"/>`+"\n", px(bin.MeanPredicted), py(bin.Observed), min(r, 12))
		}
		if len(pts) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2563eb"/>`+"\n", strings.Join(pts, " "))
		}
	}
	b.WriteString("</svg>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
