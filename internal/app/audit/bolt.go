package audit

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bolt is the embedded Store: a bbolt file in the data folder
// (audit/audit.db), held open by the server. Each Append is one
// transaction; put a Buffer in front of it on the request path.
type Bolt struct {
	db *bolt.DB

	mu  sync.Mutex // held by an Append for buf
	buf []byte     // the last Append's keys and values, reused by the next
}

// maxKeptBuf bounds the buffer an Append leaves for the next (a flush of
// 100 000 entries, a Buffer's default queue, is about 35 MB).
const maxKeptBuf = 64 << 20

var bucketEntries = []byte("entries")

// OpenBolt opens (or creates) the trail at path, waiting at most 5 s for
// another process holding it.
func OpenBolt(path string) (*Bolt, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 5 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("audit: %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketEntries)
		return err
	}); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &Bolt{db: db}, nil
}

var _ Store = (*Bolt)(nil)

// Close closes the file.
func (b *Bolt) Close() error { return b.db.Close() }

func key(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

// Append implements Store.
func (b *Bolt) Append(ctx context.Context, es ...Entry) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// One buffer for the keys and values of the whole batch, kept for
	// the next: bbolt keeps the slices Put is given until the
	// transaction ends, and no longer. Writers take turns in bbolt
	// anyway: one buffer serves them all.
	var size int
	for i := range es {
		size += 8 + entrySizeHint(&es[i])
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketEntries)
		// Keys only grow (NextSequence): fill each page rather than split
		// it in half, so a flush writes half the pages (bbolt's advice for
		// appends). Prune deletes from the front and merges as before.
		bk.FillPercent = 1
		buf := b.buf[:0]
		if cap(buf) < size {
			buf = make([]byte, 0, size+size/4) // room for the next batch to be a little longer
		}
		defer func() { b.buf = buf }()
		for _, e := range es { // a copy: the caller's entries keep their empty ID
			seq, err := bk.NextSequence()
			if err != nil {
				return err
			}
			e.ID = SequenceID(seq)
			start := len(buf)
			buf = binary.BigEndian.AppendUint64(buf, seq)
			mid := len(buf)
			if buf, err = marshalEntry(buf, &e); err != nil {
				return err
			}
			// Full slice expressions: a later append that outgrows buf
			// moves it and leaves these untouched.
			if err := bk.Put(buf[start:mid:mid], buf[mid:len(buf):len(buf)]); err != nil {
				return err
			}
		}
		return nil
	})
	// Kept while batches are about this size: a burst's buffer goes
	// with the next, smaller batch.
	if cap(b.buf) > maxKeptBuf || cap(b.buf) > 4*size {
		b.buf = nil
	}
	return err
}

// Find implements Store (a scan from the cursor).
func (b *Bolt) Find(ctx context.Context, q Query) ([]Entry, error) {
	var after uint64
	if q.After != "" {
		if _, err := fmt.Sscan(q.After, &after); err != nil {
			return nil, fmt.Errorf("audit: cursor %q: %w", q.After, err)
		}
	}
	var out []Entry
	err := b.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEntries).Cursor()
		n := 0
		for k, v := c.Seek(key(after + 1)); k != nil; k, v = c.Next() {
			if n++; n%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if !q.Match(e) {
				continue
			}
			out = append(out, e)
			if len(out) == q.EffectiveLimit() {
				break
			}
		}
		return nil
	})
	return out, err
}

// Prune implements Store.
func (b *Bolt) Prune(ctx context.Context, before time.Time) (int, error) {
	n := 0
	err := b.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEntries).Cursor()
		for k, v := c.First(); k != nil; {
			var e struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			if e.At.Before(before) {
				if err := c.Delete(); err != nil {
					return err
				}
				n++
				k, v = c.Seek(k)
				continue
			}
			k, v = c.Next()
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
