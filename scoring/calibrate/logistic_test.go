package calibrate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFitLogisticRecovers: on data drawn from a known model the fit
// recovers the coefficients.
func TestFitLogisticRecovers(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	truth := []float64{-1, 2, -0.5}
	var X [][]float64
	var y []bool
	for range 20000 {
		row := []float64{1, r.NormFloat64(), float64(r.IntN(2))}
		X = append(X, row)
		y = append(y, r.Float64() < sigmoid(dot(row, truth)))
	}
	beta, err := FitLogistic(X, y, FitOptions{NoPenalty: []bool{true}})
	if err != nil {
		t.Fatal(err)
	}
	for j := range truth {
		if math.Abs(beta[j]-truth[j]) > 0.1 {
			t.Errorf("β%d = %v, want %v", j, beta[j], truth[j])
		}
	}
	// Bounds hold.
	beta, err = FitLogistic(X, y, FitOptions{Lower: []float64{math.Inf(-1), math.Inf(-1), 0}})
	if err != nil {
		t.Fatal(err)
	}
	if beta[2] != 0 {
		t.Errorf("bounded β2 = %v, want 0", beta[2])
	}
	// L2 shrinks.
	shrunk, _ := FitLogistic(X, y, FitOptions{L2: 5000, NoPenalty: []bool{true}})
	if math.Abs(shrunk[1]) >= math.Abs(truth[1])-0.1 {
		t.Errorf("L2 did not shrink: %v", shrunk)
	}
}

func TestFitLogisticErrors(t *testing.T) {
	t.Parallel()
	if _, err := FitLogistic(nil, nil, FitOptions{}); err == nil {
		t.Error("no samples accepted")
	}
	if _, err := FitLogistic([][]float64{{1, 2}, {1}}, []bool{true, false}, FitOptions{}); err == nil {
		t.Error("ragged matrix accepted")
	}
}
