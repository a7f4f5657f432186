package calibrate

import (
	"math"
	"testing"
)

func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps || (math.IsNaN(a) && math.IsNaN(b)) }

func TestBrier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    []float64
		y    []bool
		want float64
	}{
		{"perfect", []float64{1, 0}, []bool{true, false}, 0},
		{"worst", []float64{0, 1}, []bool{true, false}, 1},
		{"half", []float64{0.5, 0.5}, []bool{true, false}, 0.25},
		{"mixed", []float64{0.8, 0.3, 0.6}, []bool{true, false, false}, (0.04 + 0.09 + 0.36) / 3},
		{"empty", nil, nil, math.NaN()},
		{"length mismatch", []float64{0.1}, nil, math.NaN()},
	} {
		if got := Brier(tc.p, tc.y); !near(got, tc.want, 1e-12) {
			t.Errorf("%s: Brier = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestBaseRateBrier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		y    []bool
		want float64
	}{
		{[]bool{true, false}, 0.25},
		{[]bool{true, true, true, false}, 0.1875},
		{[]bool{false, false}, 0},
		{nil, math.NaN()},
	} {
		if got := BaseRateBrier(tc.y); !near(got, tc.want, 1e-12) {
			t.Errorf("BaseRateBrier(%v) = %v, want %v", tc.y, got, tc.want)
		}
		// Predicting the base rate scores exactly the base-rate Brier.
		if len(tc.y) > 0 {
			var r float64
			for _, v := range tc.y {
				r += b2f(v)
			}
			r /= float64(len(tc.y))
			p := make([]float64, len(tc.y))
			for i := range p {
				p[i] = r
			}
			if got := Brier(p, tc.y); !near(got, tc.want, 1e-12) {
				t.Errorf("Brier(base rate) = %v, want %v", got, tc.want)
			}
		}
	}
}

func TestECE(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    []float64
		y    []bool
		want float64
	}{
		{"calibrated bin", []float64{0.25, 0.25, 0.25, 0.25}, []bool{true, false, false, false}, 0},
		{"overconfident", []float64{0.95, 0.95}, []bool{true, false}, 0.45},
		// bins [0.1,0.2): mean .15 obs 0 → .15×2; [0.9,1]: mean 1 obs 1 → 0.
		{"two bins", []float64{0.1, 0.2 - 1e-9, 1, 1}, []bool{false, false, true, true}, (0.1 + 0.2 - 1e-9) / 4},
		{"p=1 in last bin", []float64{1}, []bool{false}, 1},
		{"empty", nil, nil, math.NaN()},
	} {
		if got := ECE(tc.p, tc.y); !near(got, tc.want, 1e-9) {
			t.Errorf("%s: ECE = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAUC(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    []float64
		y    []bool
		want float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"inverted", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{false, true, false, true}, 0.5},
		{"one swap", []float64{0.1, 0.6, 0.5, 0.9}, []bool{false, false, true, true}, 0.75},
		{"tie across classes", []float64{0.1, 0.5, 0.5, 0.9}, []bool{false, false, true, true}, 0.875},
		{"one class", []float64{0.1, 0.2}, []bool{true, true}, math.NaN()},
	} {
		if got := AUC(tc.p, tc.y); !near(got, tc.want, 1e-12) {
			t.Errorf("%s: AUC = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReliability(t *testing.T) {
	t.Parallel()
	p := []float64{0.05, 0.05, 0.15, 0.95, 1.0, 0.55}
	y := []bool{false, true, false, true, true, false}
	bins := Reliability(p, y, 10)
	if len(bins) != 10 {
		t.Fatalf("%d bins", len(bins))
	}
	want := map[int]Bin{
		0: {Lo: 0, Hi: 0.1, Count: 2, MeanPredicted: 0.05, Observed: 0.5},
		1: {Lo: 0.1, Hi: 0.2, Count: 1, MeanPredicted: 0.15, Observed: 0},
		5: {Lo: 0.5, Hi: 0.6, Count: 1, MeanPredicted: 0.55, Observed: 0},
		9: {Lo: 0.9, Hi: 1, Count: 2, MeanPredicted: 0.975, Observed: 1},
	}
	for i, b := range bins {
		w, ok := want[i]
		if !ok {
			w = Bin{Lo: float64(i) / 10, Hi: float64(i+1) / 10}
		}
		if b.Count != w.Count || !near(b.MeanPredicted, w.MeanPredicted, 1e-12) || !near(b.Observed, w.Observed, 1e-12) ||
			!near(b.Lo, w.Lo, 1e-12) || !near(b.Hi, w.Hi, 1e-12) {
			t.Errorf("bin %d = %+v, want %+v", i, b, w)
		}
	}
}

func TestLogLoss(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    []float64
		y    []bool
		want float64
	}{
		{"half", []float64{0.5, 0.5}, []bool{true, false}, math.Ln2},
		{"mixed", []float64{0.8, 0.25}, []bool{true, false}, -(math.Log(0.8) + math.Log(0.75)) / 2},
		{"certain and right", []float64{1, 0}, []bool{true, false}, -math.Log(1 - 1e-4)},
		{"certain and wrong is capped", []float64{0}, []bool{true}, -math.Log(1e-4)},
		{"empty", nil, nil, math.NaN()},
		{"length mismatch", []float64{0.1}, nil, math.NaN()},
	} {
		if got := LogLoss(tc.p, tc.y); !near(got, tc.want, 1e-12) {
			t.Errorf("%s: LogLoss = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestReliabilityOutOfRange: predictions outside [0,1] count in the end
// bins (NaN as 0).
func TestReliabilityOutOfRange(t *testing.T) {
	t.Parallel()
	bins := Reliability([]float64{math.NaN(), -0.5, 1.5, math.Inf(1)}, []bool{false, false, true, true}, 10)
	if bins[0].Count != 2 || bins[9].Count != 2 {
		t.Errorf("bins %+v", bins)
	}
}
