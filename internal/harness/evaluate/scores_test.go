package evaluate

import (
	"encoding/json"
	"math"
	"testing"
)

func TestMetricJSON(t *testing.T) {
	for _, tc := range []struct {
		m    Metric
		want string
	}{
		{0.75, "0.75"},
		{0, "0"},
		{Metric(math.NaN()), "null"},
		{Metric(math.Inf(1)), "null"},
	} {
		b, err := json.Marshal(Calibration{AUC: tc.m})
		if err != nil {
			t.Fatalf("%v: %v", tc.m, err)
		}
		var back map[string]any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(back["auc"])
		if string(got) != tc.want {
			t.Errorf("AUC %v: JSON %s, want %s", tc.m, got, tc.want)
		}
	}
}

// A population with one class only (no influencer among a few people)
// has no AUC; the report must still encode.
func TestCalibrateOneClass(t *testing.T) {
	c := measure("influencer", []float64{0.1, 0.2}, []bool{false, false})
	if !math.IsNaN(float64(c.AUC)) {
		t.Fatalf("AUC %v, want NaN", c.AUC)
	}
	if _, err := json.Marshal(c); err != nil {
		t.Fatal(err)
	}
}
