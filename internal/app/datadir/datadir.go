// Package datadir keeps one footprint process per data folder. The
// embedded job store (bbolt) and the spooled uploads are a single process's
// files: a second process on the same folder would wait on bbolt's lock
// and then fail with a timeout, so it is refused at once instead, with a
// message that says what is wrong. Replicas each have their own data
// folder (or share state through database_url and redis_url).
package datadir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// LockName is the file in the data folder that holds the lock.
const LockName = "footprint.lock"

// ErrInUse is returned when another process holds the folder.
var ErrInUse = errors.New("in use by another footprint process")

// Lock is a held data folder; Close releases it (so does the process
// ending, however it ends: the kernel drops the lock with the file).
type Lock struct {
	f *os.File
}

// Acquire takes dir for this process, creating it if needed. It fails at
// once, with an error wrapping ErrInUse that names dir, when another
// process holds it.
func Acquire(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	if err := lock(f); err != nil {
		_ = f.Close()
		if errors.Is(err, ErrInUse) {
			return nil, fmt.Errorf("data folder %s is %w", dir, ErrInUse)
		}
		return nil, fmt.Errorf("data folder %s: lock: %w", dir, err)
	}
	// The holder's pid, for whoever wonders which process it is.
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("%d\n", os.Getpid())), 0)
	return &Lock{f: f}, nil
}

// Close releases the folder.
func (l *Lock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}
