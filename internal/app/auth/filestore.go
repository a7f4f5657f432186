package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// FileStore keeps keys in the data folder: keys.json (the keys) and
// usage.json (usage per key and UTC day), both replaced atomically (write,
// fsync, rename) under an exclusive flock on keys.lock, so `footprint keys
// …` and a running server change them safely together. Readers take the
// lock shared.
//
// The server keeps keys.json in memory and re-reads it when its size,
// modification time or inode changed, checking at most every 250 ms: a key
// revoked by the CLI is refused by the server within that (≤ 1 s).
type FileStore struct {
	dir       string
	now       func() time.Time
	mu        sync.Mutex
	keys      []*Key
	byHash    map[string]*Key
	stamp     fileStamp
	checkedAt time.Time
	loaded    bool
}

type fileStamp struct {
	size  int64
	mtime time.Time
	ino   uint64
}

// recheck bounds how often the server stats keys.json.
const recheck = 250 * time.Millisecond

type keysFile struct {
	Version int    `json:"version"`
	Keys    []*Key `json:"keys"`
}

type usageFile struct {
	Version int                            `json:"version"`
	Usage   map[string]map[string]UsageDay `json:"usage"` // key id → day → usage
}

// OpenFileStore returns the store in dir (created when missing). It reads
// nothing yet.
func OpenFileStore(dir string) (*FileStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	return &FileStore{dir: dir, now: time.Now}, nil
}

var _ Store = (*FileStore)(nil)

func (s *FileStore) path(name string) string { return filepath.Join(s.dir, name) }

// lock takes keys.lock (exclusive or shared), waiting at most until ctx is
// done, and returns its release.
func (s *FileStore) lock(ctx context.Context, exclusive bool) (func(), error) {
	f, err := os.OpenFile(s.path("keys.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("keys: lock: %w", err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("keys: the key store is locked: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("keys: %s is damaged: %w", path, err)
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("keys: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("keys: %w", err)
	}
	return nil
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fileStamp{}, nil
	}
	if err != nil {
		return fileStamp{}, fmt.Errorf("keys: %w", err)
	}
	st := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st, nil
}

// current returns the keys, re-reading keys.json when it changed.
func (s *FileStore) current(ctx context.Context) ([]*Key, map[string]*Key, error) {
	now := s.now()
	s.mu.Lock()
	if s.loaded && now.Sub(s.checkedAt) < recheck {
		ks, bh := s.keys, s.byHash
		s.mu.Unlock()
		return ks, bh, nil
	}
	s.mu.Unlock()
	st, err := stampOf(s.path("keys.json"))
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	if s.loaded && st == s.stamp {
		s.checkedAt = now
		ks, bh := s.keys, s.byHash
		s.mu.Unlock()
		return ks, bh, nil
	}
	s.mu.Unlock()
	unlock, err := s.lock(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	var kf keysFile
	st, err = stampOf(s.path("keys.json"))
	if err == nil {
		err = readJSON(s.path("keys.json"), &kf)
	}
	unlock()
	if err != nil {
		return nil, nil, err
	}
	s.install(kf.Keys, st, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys, s.byHash, nil
}

func (s *FileStore) install(keys []*Key, st fileStamp, now time.Time) {
	bh := make(map[string]*Key, 2*len(keys))
	for _, k := range keys {
		bh[k.Hash] = k
		if k.PrevHash != "" {
			bh[k.PrevHash] = k
		}
	}
	s.mu.Lock()
	s.keys, s.byHash, s.stamp, s.checkedAt, s.loaded = keys, bh, st, now, true
	s.mu.Unlock()
}

// change rewrites keys.json under the exclusive lock.
func (s *FileStore) change(ctx context.Context, fn func(kf *keysFile) error) error {
	unlock, err := s.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	var kf keysFile
	if err := readJSON(s.path("keys.json"), &kf); err != nil {
		return err
	}
	if err := fn(&kf); err != nil {
		return err
	}
	kf.Version = 1
	if err := writeJSON(s.path("keys.json"), &kf); err != nil {
		return err
	}
	st, err := stampOf(s.path("keys.json"))
	if err != nil {
		return err
	}
	s.install(kf.Keys, st, s.now())
	return nil
}

func clone(k *Key) *Key {
	c := *k
	c.Scopes = slices.Clone(k.Scopes)
	return &c
}

// Create implements Store.
func (s *FileStore) Create(ctx context.Context, k *Key) error {
	return s.change(ctx, func(kf *keysFile) error {
		for _, o := range kf.Keys {
			if o.ID == k.ID {
				return fmt.Errorf("keys: id %s exists", k.ID)
			}
		}
		kf.Keys = append(kf.Keys, clone(k))
		return nil
	})
}

// List implements Store.
func (s *FileStore) List(ctx context.Context) ([]*Key, error) {
	ks, _, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Key, len(ks))
	for i, k := range ks {
		out[i] = clone(k)
	}
	return out, nil
}

// Get implements Store.
func (s *FileStore) Get(ctx context.Context, id string) (*Key, error) {
	ks, _, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range ks {
		if k.ID == id {
			return clone(k), nil
		}
	}
	return nil, ErrNotFound
}

// Update implements Store.
func (s *FileStore) Update(ctx context.Context, id string, fn func(*Key) error) (*Key, error) {
	var out *Key
	err := s.change(ctx, func(kf *keysFile) error {
		for i, k := range kf.Keys {
			if k.ID == id {
				c := clone(k)
				if err := fn(c); err != nil {
					return err
				}
				kf.Keys[i] = c
				out = clone(c)
				return nil
			}
		}
		return ErrNotFound
	})
	return out, err
}

// ByHash implements Store.
func (s *FileStore) ByHash(ctx context.Context, hash string) (*Key, error) {
	_, bh, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	k := bh[hash]
	if k == nil {
		return nil, ErrNotFound
	}
	return k, nil // shared, read-only
}

// Count implements Store.
func (s *FileStore) Count(ctx context.Context) (int, error) {
	ks, _, err := s.current(ctx)
	return len(ks), err
}

// Touch implements Store.
func (s *FileStore) Touch(ctx context.Context, used map[string]time.Time) error {
	return s.change(ctx, func(kf *keysFile) error {
		for _, k := range kf.Keys {
			if t, ok := used[k.ID]; ok && (k.LastUsedAt == nil || t.After(*k.LastUsedAt)) {
				t := t.Truncate(time.Second)
				k.LastUsedAt = &t
			}
		}
		return nil
	})
}

// AddUsage implements Store.
func (s *FileStore) AddUsage(ctx context.Context, deltas []UsageDelta) error {
	unlock, err := s.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	var uf usageFile
	if err := readJSON(s.path("usage.json"), &uf); err != nil {
		return err
	}
	if uf.Usage == nil {
		uf.Usage = map[string]map[string]UsageDay{}
	}
	for _, d := range deltas {
		days := uf.Usage[d.KeyID]
		if days == nil {
			days = map[string]UsageDay{}
			uf.Usage[d.KeyID] = days
		}
		u := days[d.Day]
		u.Day = d.Day
		u.Lookups += d.Lookups
		u.Cached += d.Cached
		if u.Statuses == nil {
			u.Statuses = map[string]int64{}
		}
		for st, n := range d.Statuses {
			u.Statuses[st] += n
		}
		days[d.Day] = u
	}
	// Usage is kept for 400 days.
	cut := s.now().UTC().AddDate(0, 0, -400).Format("2006-01-02")
	for _, days := range uf.Usage {
		for day := range days {
			if day < cut {
				delete(days, day)
			}
		}
	}
	uf.Version = 1
	return writeJSON(s.path("usage.json"), &uf)
}

// Usage implements Store.
func (s *FileStore) Usage(ctx context.Context, keyID string, from, to time.Time) ([]UsageDay, error) {
	unlock, err := s.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	var uf usageFile
	err = readJSON(s.path("usage.json"), &uf)
	unlock()
	if err != nil {
		return nil, err
	}
	lo, hi := from.UTC().Format("2006-01-02"), to.UTC().Format("2006-01-02")
	var out []UsageDay
	for day, u := range uf.Usage[keyID] {
		if day >= lo && day <= hi {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b UsageDay) int {
		if a.Day < b.Day {
			return -1
		}
		return 1
	})
	return out, nil
}

// Close implements Store.
func (s *FileStore) Close() error { return nil }
