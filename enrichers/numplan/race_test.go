//go:build race

package numplan

// raceEnabled: under the race detector the library runs ten times slower,
// so the agreement tests take a smaller (still every-region) sample.
const raceEnabled = true
