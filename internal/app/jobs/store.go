package jobs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Bucket layout of jobs.db:
//
//	jobs/<id>                 record (JSON)
//	idempotency/<key>         job id
//	job/<id>/results/<row>    where the row's result is (see indexEntry), row as 8-byte big endian
//	job/<id>/dedup/<key>      row whose result serves every row with key
//
// The results themselves are appended to results/<id> beside jobs.db (see
// resultFile): the database stays small whatever the job's size, so its
// memory map never pulls gigabytes of profiles into the process, and an
// export reads them with ordinary file reads.
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
	// WebhookClaim is when the claim of the replica delivering the
	// completion webhook runs out (shared stores only).
	WebhookClaim time.Time `json:"webhook_claim,omitzero"`
	// ProgressMark is Done when the last progress webhook was due.
	ProgressMark int64 `json:"progress_mark,omitempty"`
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

// boltStore is the embedded store: jobs.db (bbolt) indexes the results
// appended to results/<id>, and uploads are spooled to spool/<id>.<format>,
// all in the data folder of one process.
type boltStore struct {
	db    *bolt.DB
	dir   string // results/
	spool string // spool/

	mu    sync.Mutex
	files map[string]*resultFile
}

// resultFile is a job's append-only file of results: each record is a
// 4-byte big-endian length and the result's JSON. Records are written and
// synced before the transaction that indexes them commits, so an index
// entry always points at a whole record; a crash in between leaves only
// unindexed bytes, and the rows are enriched and appended again.
type resultFile struct {
	f    *os.File
	size int64
}

// indexEntry locates a row's record: a marker byte, the record's offset
// (8 bytes) and length (4), then the row's status. Databases written
// before results moved to files hold the result JSON itself, which never
// starts with the marker; both are read.
const indexMarker = 0xff

func encodeIndex(off int64, n int, status string) []byte {
	b := make([]byte, 13, 13+len(status))
	b[0] = indexMarker
	binary.BigEndian.PutUint64(b[1:9], uint64(off))
	binary.BigEndian.PutUint32(b[9:13], uint32(n))
	return append(b, status...)
}

// statusOf returns the status an index value records.
func statusOf(v []byte) string {
	if len(v) >= 13 && v[0] == indexMarker {
		return string(v[13:])
	}
	var r result
	_ = json.Unmarshal(v, &r)
	return r.Status
}

func openStore(path string) (*boltStore, error) {
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
	dir := filepath.Join(filepath.Dir(path), "results")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	spool := filepath.Join(filepath.Dir(path), "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &boltStore{db: db, dir: dir, spool: spool, files: map[string]*resultFile{}}, nil
}

func (s *boltStore) close() error {
	s.mu.Lock()
	var errs []error
	for id, rf := range s.files {
		errs = append(errs, rf.f.Close())
		delete(s.files, id)
	}
	s.mu.Unlock()
	return errors.Join(append(errs, s.db.Close())...)
}

// fileLocked returns job id's result file, opened on first use. Callers hold s.mu.
func (s *boltStore) fileLocked(id string) (*resultFile, error) {
	if rf := s.files[id]; rf != nil {
		return rf, nil
	}
	f, err := os.OpenFile(filepath.Join(s.dir, id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("jobs: results of %s: %w", id, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("jobs: results of %s: %w", id, err)
	}
	rf := &resultFile{f: f, size: fi.Size()}
	s.files[id] = rf
	return rf, nil
}

// appendRecords writes recs to the end of job id's result file and syncs
// it; it returns the offset of each record's JSON. The space is reserved
// under the lock and written outside it, so readers of the file (an
// export, dedup lookups) never wait for the sync; a failed write leaves a
// gap that no index entry points into.
func (s *boltStore) appendRecords(id string, recs [][]byte) ([]int64, error) {
	var buf bytes.Buffer
	rel := make([]int64, len(recs))
	for i, r := range recs {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(r)))
		buf.Write(n[:])
		rel[i] = int64(buf.Len())
		buf.Write(r)
	}
	s.mu.Lock()
	rf, err := s.fileLocked(id)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	base := rf.size
	rf.size += int64(buf.Len())
	s.mu.Unlock()
	if _, err := rf.f.WriteAt(buf.Bytes(), base); err != nil {
		return nil, fmt.Errorf("jobs: results of %s: %w", id, err)
	}
	if err := rf.f.Sync(); err != nil {
		return nil, fmt.Errorf("jobs: results of %s: %w", id, err)
	}
	for i := range rel {
		rel[i] += base
	}
	return rel, nil
}

// load returns the result JSON an index value points at.
func (s *boltStore) load(id string, v []byte) ([]byte, error) {
	if len(v) < 13 || v[0] != indexMarker {
		return bytes.Clone(v), nil // stored inline by an older version
	}
	off := int64(binary.BigEndian.Uint64(v[1:9]))
	n := int(binary.BigEndian.Uint32(v[9:13]))
	s.mu.Lock()
	rf, err := s.fileLocked(id)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := rf.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("jobs: results of %s at %d: %w", id, off, err)
	}
	return b, nil
}

// dropFile closes and removes job id's result file.
func (s *boltStore) dropFile(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rf := s.files[id]; rf != nil {
		_ = rf.f.Close()
		delete(s.files, id)
	}
	return removeIfExists(filepath.Join(s.dir, id))
}

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
func (s *boltStore) create(_ context.Context, r *record) (existing *record, err error) {
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

func (s *boltStore) get(_ context.Context, id string) (r *record, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		r, err = getRecord(tx, id)
		return err
	})
	return r, err
}

func (s *boltStore) list(context.Context) ([]*record, error) {
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
func (s *boltStore) update(_ context.Context, id string, fn func(r *record) error) (r *record, err error) {
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

// delete removes a job, its results, its input and its idempotency key.
func (s *boltStore) delete(_ context.Context, id string) error {
	var format string
	err := s.db.Update(func(tx *bolt.Tx) error {
		r, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		format = r.Format
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
	if err != nil {
		return err
	}
	if err := s.dropFile(id); err != nil {
		return err
	}
	return s.removeInput(context.Background(), id, format)
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
func (s *boltStore) commit(_ context.Context, id string, outs []outcome, checkpoint int64, fn func(r *record)) (r *record, err error) {
	var recs [][]byte
	for _, o := range outs {
		if o.skip {
			continue
		}
		b, err := json.Marshal(o.res)
		if err != nil {
			return nil, err
		}
		recs = append(recs, b)
	}
	offs, err := s.appendRecords(id, recs)
	if err != nil {
		return nil, err
	}
	var superseded [][]byte // index entries of results this commit replaces
	err = s.db.Update(func(tx *bolt.Tx) error {
		superseded = superseded[:0]
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
		// Rows arrive nearly in order: fill pages instead of splitting
		// them in half (bbolt's default suits random keys, like dedup's).
		res.FillPercent = 0.9
		i := 0
		for _, o := range outs {
			if o.skip {
				continue
			}
			k := rowKey(o.row)
			if old := res.Get(k); old != nil {
				r.count(statusOf(old), -1)
				superseded = append(superseded, bytes.Clone(old))
			}
			if err := res.Put(k, encodeIndex(offs[i], len(recs[i]), o.res.Status)); err != nil {
				return err
			}
			i++
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
	if err == nil && len(superseded) > 0 {
		// The file is append-only: a replaced result (an erased row, a
		// row run again) would stay on disk, unreachable, until the job
		// is deleted. Blank it now so an erasure removes the bytes too.
		err = s.scrub(id, superseded)
	}
	return r, err
}

// scrub overwrites with spaces the results the index values olds pointed
// at (the index points elsewhere now) and syncs the file.
func (s *boltStore) scrub(id string, olds [][]byte) error {
	s.mu.Lock()
	rf, err := s.fileLocked(id)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	for _, v := range olds {
		if len(v) < 13 || v[0] != indexMarker {
			continue // stored inline by an older version: replaced in the index itself
		}
		off := int64(binary.BigEndian.Uint64(v[1:9]))
		n := int(binary.BigEndian.Uint32(v[9:13]))
		if _, err := rf.f.WriteAt(bytes.Repeat([]byte{' '}, n), off); err != nil {
			return fmt.Errorf("jobs: results of %s at %d: %w", id, off, err)
		}
	}
	if err := rf.f.Sync(); err != nil {
		return fmt.Errorf("jobs: results of %s: %w", id, err)
	}
	return nil
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
func (s *boltStore) dedupResult(_ context.Context, id, key string) (res *result, from int64, err error) {
	var idx []byte
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
		if v := rb.Get(k); v != nil {
			idx, from = bytes.Clone(v), keyRow(k)
		}
		return nil
	})
	if err != nil || idx == nil {
		return nil, 0, err
	}
	raw, err := s.load(id, idx)
	if err != nil {
		return nil, 0, err
	}
	res = new(result)
	return res, from, json.Unmarshal(raw, res)
}

// lastResult returns the highest row with a result (0 if none).
func (s *boltStore) lastResult(_ context.Context, id string) (n int64, err error) {
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

func (s *boltStore) hasResult(_ context.Context, id string, n int64) (ok bool, err error) {
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
func (s *boltStore) page(_ context.Context, id string, from int64, limit int) ([]rowResult, error) {
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
	if err != nil {
		return nil, err
	}
	// Read the records after the transaction, keeping it short.
	for i := range out {
		if out[i].raw, err = s.load(id, out[i].raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// spoolPath is where a job's input is kept.
func spoolPath(dir, id, format string) string {
	return filepath.Join(dir, id+"."+format)
}

// newInput spools an upload to spool/<id>.<format>.tmp, renamed into place
// when it is committed.
func (s *boltStore) newInput(_ context.Context, id, format string) (inputWriter, error) {
	final := spoolPath(s.spool, id, format)
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("jobs: spool: %w", err)
	}
	return &spoolWriter{f: f, bw: bufio.NewWriterSize(f, 256<<10), tmp: tmp, final: final}, nil
}

func (s *boltStore) openInput(_ context.Context, id, format string) (io.ReadCloser, error) {
	f, err := os.Open(spoolPath(s.spool, id, format))
	if err != nil {
		return nil, fmt.Errorf("jobs: input of %s: %w", id, err)
	}
	return f, nil
}

func (s *boltStore) removeInput(_ context.Context, id, format string) error {
	return removeIfExists(spoolPath(s.spool, id, format))
}

func (s *boltStore) ready(context.Context) error {
	return s.db.View(func(*bolt.Tx) error { return nil })
}

// spoolWriter is an upload on its way to the spool.
type spoolWriter struct {
	f          *os.File
	bw         *bufio.Writer
	tmp, final string
}

func (w *spoolWriter) Write(p []byte) (int, error) { return w.bw.Write(p) }
func (w *spoolWriter) row(Row) error               { return nil }

func (w *spoolWriter) commit() error {
	if err := w.bw.Flush(); err != nil {
		return fmt.Errorf("jobs: spool: %w", err)
	}
	if err := w.f.Sync(); err != nil {
		return fmt.Errorf("jobs: spool: %w", err)
	}
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("jobs: spool: %w", err)
	}
	if err := os.Rename(w.tmp, w.final); err != nil {
		return fmt.Errorf("jobs: spool: %w", err)
	}
	return nil
}

func (w *spoolWriter) abort() {
	_ = w.f.Close()
	_ = removeIfExists(w.tmp)
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}
