package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// The embedded store's buckets: suppressions by id, the suppressed
// subjects (hash → suppression id), receipts by id, and receipts by
// subject (hash + NUL + receipt id → nothing).
var (
	bSuppressions = []byte("suppressions")
	bSubjects     = []byte("suppressed_subjects")
	bReceipts     = []byte("receipts")
	bReceiptsBy   = []byte("receipts_by_subject")
)

// BoltStore is the embedded Store: one bbolt file in the data folder
// (privacy.db), held exclusively by the process that opened it.
type BoltStore struct{ db *bolt.DB }

var _ Store = (*BoltStore)(nil)

// OpenBolt opens (creating) the embedded store at path. bbolt locks the
// file: a second process waits up to timeout, then fails.
func OpenBolt(path string, timeout time.Duration) (*BoltStore, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout})
	if err != nil {
		return nil, fmt.Errorf("privacy store %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bSuppressions, bSubjects, bReceipts, bReceiptsBy} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("privacy store %s: %w", path, err)
	}
	return &BoltStore{db: db}, nil
}

// Close closes the file.
func (s *BoltStore) Close() error { return s.db.Close() }

func getSuppression(tx *bolt.Tx, id []byte) (*Suppression, error) {
	v := tx.Bucket(bSuppressions).Get(id)
	if v == nil {
		return nil, nil
	}
	var sp Suppression
	if err := json.Unmarshal(v, &sp); err != nil {
		return nil, fmt.Errorf("privacy store: suppression %s: %w", id, err)
	}
	return &sp, nil
}

// Suppress implements Store.
func (s *BoltStore) Suppress(_ context.Context, sp Suppression) (out Suppression, created bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		subs := tx.Bucket(bSubjects)
		var fresh []subject.Hash
		var existing []byte
		for _, h := range sp.Subjects {
			if id := subs.Get([]byte(h)); id != nil {
				if existing == nil {
					existing = slices.Clone(id)
				}
				continue
			}
			if !slices.Contains(fresh, h) {
				fresh = append(fresh, h)
			}
		}
		if len(fresh) == 0 {
			old, err := getSuppression(tx, existing)
			if err != nil || old == nil {
				return fmt.Errorf("privacy store: dangling suppressed subject: %v", err)
			}
			out = *old
			return nil
		}
		sp.Subjects = fresh
		b, err := json.Marshal(sp)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bSuppressions).Put([]byte(sp.ID), b); err != nil {
			return err
		}
		for _, h := range fresh {
			if err := subs.Put([]byte(h), []byte(sp.ID)); err != nil {
				return err
			}
		}
		out, created = sp, true
		return nil
	})
	return out, created, err
}

// Unsuppress implements Store.
func (s *BoltStore) Unsuppress(_ context.Context, id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		sp, err := getSuppression(tx, []byte(id))
		if err != nil {
			return err
		}
		if sp == nil {
			return ErrNotFound
		}
		subs := tx.Bucket(bSubjects)
		for _, h := range sp.Subjects {
			if bytes.Equal(subs.Get([]byte(h)), []byte(id)) {
				if err := subs.Delete([]byte(h)); err != nil {
					return err
				}
			}
		}
		return tx.Bucket(bSuppressions).Delete([]byte(id))
	})
}

// Suppressed implements Store.
func (s *BoltStore) Suppressed(_ context.Context, hs ...subject.Hash) (out *Suppression, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		for _, h := range hs {
			if id := tx.Bucket(bSubjects).Get([]byte(h)); id != nil {
				out, err = getSuppression(tx, id)
				return err
			}
		}
		return nil
	})
	return out, err
}

// Suppressions implements Store.
func (s *BoltStore) Suppressions(_ context.Context, after string, limit int) ([]Suppression, error) {
	limit = pageLimit(limit)
	out := []Suppression{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bSuppressions).Cursor()
		k, v := c.First()
		if after != "" {
			k, v = c.Seek([]byte(after))
			if k != nil && string(k) == after {
				k, v = c.Next()
			}
		}
		for ; k != nil && len(out) < limit; k, v = c.Next() {
			var sp Suppression
			if err := json.Unmarshal(v, &sp); err != nil {
				return fmt.Errorf("privacy store: suppression %s: %w", k, err)
			}
			out = append(out, sp)
		}
		return nil
	})
	return out, err
}

// PutReceipt implements Store.
func (s *BoltStore) PutReceipt(_ context.Context, r Receipt) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bReceipts).Put([]byte(r.ID), b); err != nil {
			return err
		}
		for _, h := range r.SubjectHashes {
			if err := tx.Bucket(bReceiptsBy).Put([]byte(string(h)+"\x00"+r.ID), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// Receipt implements Store.
func (s *BoltStore) Receipt(_ context.Context, id string) (*Receipt, error) {
	var out *Receipt
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bReceipts).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		out = &Receipt{}
		return json.Unmarshal(v, out)
	})
	return out, err
}

// ReceiptsOf implements Store.
func (s *BoltStore) ReceiptsOf(_ context.Context, h subject.Hash) ([]Receipt, error) {
	out := []Receipt{}
	err := s.db.View(func(tx *bolt.Tx) error {
		prefix := []byte(string(h) + "\x00")
		c := tx.Bucket(bReceiptsBy).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			v := tx.Bucket(bReceipts).Get(k[len(prefix):])
			if v == nil {
				continue
			}
			var r Receipt
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Receipt) int { return a.At.Compare(b.At) })
	return out, err
}
