//go:build unix

package datadir

import (
	"errors"
	"os"
	"syscall"
)

// lock takes an exclusive flock on f without waiting. flock locks belong
// to the open file, so a second Acquire in the same process is refused too.
func lock(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrInUse
	}
	return err
}
