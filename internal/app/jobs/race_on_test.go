//go:build race

package jobs

// raceEnabled scales the large tests down under the race detector, which
// slows this code about tenfold.
const raceEnabled = true
