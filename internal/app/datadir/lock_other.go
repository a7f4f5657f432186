//go:build !unix

package datadir

import "os"

// lock is a no-op where flock is unavailable; the embedded store's own
// lock (bbolt) still keeps a second process out, after its timeout.
func lock(*os.File) error { return nil }
