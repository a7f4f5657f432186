package jobs

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout of jobs.db:
//
//	jobs/<id>                 record (JSON)
//	idempotency/<key>         job id
//	job/<id>/results/<row>    result (JSON), row as 8-byte big endian
//	job/<id>/dedup/<key>      row whose result serves every row with key
var (
	bucketJobs    = []byte("jobs")
	bucketIdem    = []byte("idempotency")
	bucketJob     = []byte("job")
	bucketResults = []byte("results")
	bucketDedup   = []byte("dedup")
)

// record is a job as stored: the public view plus what only the runner sees.
type record struct {
	Job
	WebhookSecret  string `json:"webhook_secret,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// WebhookPending is set when the job reached a final state and its
	// completion webhook has not been delivered (or given up on) yet.
	WebhookPending bool `json:"webhook_pending,omitempty"`
}

// Result statuses of a row.
const (
	RowOK = "ok"
	// RowIncomplete is a profile that still lacked some source's answer
	// after every retry; it is kept, and counts as done.
	RowIncomplete = "incomplete"
	RowFailed     = "failed"
)

// result is one row's stored outcome.
type result struct {
	Status   string          `json:"status"`
	Profile  json.RawMessage `json:"profile,omitempty"`
	Error    *Problem        `json:"error,omitempty"`
	Attempts int             `json:"attempts,omitempty"`
}

type store struct {
	db *bolt.DB
}

func openStore(path string) (*store, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketJobs, bucketIdem, bucketJob} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("jobs: init %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

func rowKey(n int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(n))
	return b[:]
}

func keyRow(b []byte) int64 { return int64(binary.BigEndian.Uint64(b)) }

func getRecord(tx *bolt.Tx, id string) (*record, error) {
	v := tx.Bucket(bucketJobs).Get([]byte(id))
	if v == nil {
		return nil, ErrNotFound
	}
	var r record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("jobs: decode job %s: %w", id, err)
	}
	return &r, nil
}

func putRecord(tx *bolt.Tx, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketJobs).Put([]byte(r.ID), b)
}

// create stores r. When r has an idempotency key already used, it stores
// nothing and returns the job the key names.
func (s *store) create(r *record) (existing *record, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if r.IdempotencyKey != "" {
			idem := tx.Bucket(bucketIdem)
			if id := idem.Get([]byte(r.IdempotencyKey)); id != nil {
				existing, err = getRecord(tx, string(id))
				return err
			}
			if err := idem.Put([]byte(r.IdempotencyKey), []byte(r.ID)); err != nil {
				return err
			}
		}
		jb, err := tx.Bucket(bucketJob).CreateBucket([]byte(r.ID))
		if err != nil {
			return err
		}
		if _, err := jb.CreateBucket(bucketResults); err != nil {
			return err
		}
		if _, err := jb.CreateBucket(bucketDedup); err != nil {
			return err
		}
		return putRecord(tx, r)
	})
	return existing, err
}

func (s *store) get(id string) (r *record, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		r, err = getRecord(tx, id)
		return err
	})
	return r, err
}

func (s *store) list() ([]*record, error) {
	var out []*record
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketJobs).ForEach(func(k, v []byte) error {
			var r record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("jobs: decode job %s: %w", k, err)
			}
			out = append(out, &r)
			return nil
		})
	})
	return out, err
}

// update applies fn to the stored record of id in one transaction.
func (s *store) update(id string, fn func(r *record) error) (r *record, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if r, err = getRecord(tx, id); err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
		return putRecord(tx, r)
	})
	return r, err
}

// delete removes a job, its results and its idempotency key.
func (s *store) delete(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		if r.IdempotencyKey != "" {
			if err := tx.Bucket(bucketIdem).Delete([]byte(r.IdempotencyKey)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bucketJob).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, bolt.ErrBucketNotFound) {
			return err
		}
		return tx.Bucket(bucketJobs).Delete([]byte(id))
	})
}

func jobBucket(tx *bolt.Tx, id string, name []byte) (*bolt.Bucket, error) {
	jb := tx.Bucket(bucketJob).Bucket([]byte(id))
	if jb == nil {
		return nil, ErrNotFound
	}
	return jb.Bucket(name), nil
}

// outcome is a row's result on its way to the store.
type outcome struct {
	row int64
	res *result
	// dedupKey, when set, records this row as the one whose result serves
	// every later row with the key.
	dedupKey string
	// skip marks a row that already has a stored result (a replay after a
	// restart); it only advances the checkpoint.
	skip bool
}

// commit writes outcomes and the new checkpoint in one transaction. A row
// written twice (a replay) is overwritten, and the counts are corrected, so
// each row has exactly one result.
func (s *store) commit(id string, outs []outcome, checkpoint int64, fn func(r *record)) (r *record, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if r, err = getRecord(tx, id); err != nil {
			return err
		}
		res, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		dd, err := jobBucket(tx, id, bucketDedup)
		if err != nil {
			return err
		}
		for _, o := range outs {
			if o.skip {
				continue
			}
			k := rowKey(o.row)
			if old := res.Get(k); old != nil {
				var or result
				if json.Unmarshal(old, &or) == nil {
					r.count(or.Status, -1)
				}
			}
			b, err := json.Marshal(o.res)
			if err != nil {
				return err
			}
			if err := res.Put(k, b); err != nil {
				return err
			}
			r.count(o.res.Status, +1)
			if o.dedupKey != "" {
				if err := dd.Put([]byte(o.dedupKey), k); err != nil {
					return err
				}
			}
		}
		if checkpoint > r.Checkpoint {
			r.Checkpoint = checkpoint
		}
		if fn != nil {
			fn(r)
		}
		return putRecord(tx, r)
	})
	return r, err
}

func (r *record) count(status string, d int64) {
	r.Done += d
	switch status {
	case RowFailed:
		r.Failed += d
	case RowIncomplete:
		r.Incomplete += d
	}
}

// dedupResult returns the stored result for key, if a row with key is done.
func (s *store) dedupResult(id, key string) (res *result, from int64, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		dd, err := jobBucket(tx, id, bucketDedup)
		if err != nil {
			return err
		}
		k := dd.Get([]byte(key))
		if k == nil {
			return nil
		}
		rb, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		v := rb.Get(k)
		if v == nil {
			return nil
		}
		res = new(result)
		from = keyRow(k)
		return json.Unmarshal(v, res)
	})
	return res, from, err
}

// lastResult returns the highest row with a result (0 if none).
func (s *store) lastResult(id string) (n int64, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rb, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		if k, _ := rb.Cursor().Last(); k != nil {
			n = keyRow(k)
		}
		return nil
	})
	return n, err
}

func (s *store) hasResult(id string, n int64) (ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		rb, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		ok = rb.Get(rowKey(n)) != nil
		return nil
	})
	return ok, err
}

// rowResult is a stored result with its row number.
type rowResult struct {
	row int64
	raw []byte
}

// page returns up to limit results with row ≥ from, in row order. Pages keep
// read transactions short: a long one would stall the job's writer when the
// file has to grow.
func (s *store) page(id string, from int64, limit int) ([]rowResult, error) {
	var out []rowResult
	err := s.db.View(func(tx *bolt.Tx) error {
		rb, err := jobBucket(tx, id, bucketResults)
		if err != nil {
			return err
		}
		c := rb.Cursor()
		for k, v := c.Seek(rowKey(from)); k != nil && len(out) < limit; k, v = c.Next() {
			out = append(out, rowResult{row: keyRow(k), raw: bytes.Clone(v)})
		}
		return nil
	})
	return out, err
}

// spoolPath is where a job's input is kept.
func spoolPath(dir, id, format string) string {
	return filepath.Join(dir, "spool", id+"."+format)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
