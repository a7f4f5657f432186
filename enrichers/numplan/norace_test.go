//go:build !race

package numplan

const raceEnabled = false
