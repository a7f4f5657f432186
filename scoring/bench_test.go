package scoring

import "testing"

func BenchmarkInterests(b *testing.B) {
	ev, p := exampleEvidence(), DefaultParams()
	for b.Loop() {
		Interests(ev, p)
	}
}

func BenchmarkInfluence(b *testing.B) {
	ev, p := exampleEvidence(), DefaultParams()
	for b.Loop() {
		Influence(ev, p)
	}
}

func BenchmarkRisk(b *testing.B) {
	ev, p := exampleEvidence(), DefaultParams()
	for b.Loop() {
		Risk(ev, p, testNow)
	}
}
