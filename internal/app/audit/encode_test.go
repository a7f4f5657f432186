package audit

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// The embedded store's encoder writes what json.Marshal writes, byte for
// byte, for the usual entries and for every string json.Marshal escapes.
func TestAppendJSONIsMarshal(t *testing.T) {
	at := time.Date(2026, 12, 4, 3, 20, 1, 123456000, time.UTC)
	odd := []string{"", "plain", `quo"te`, `back\slash`, "<b>&amp;</b>", "tab\there", "nul\x00", "del\x7f",
		"é ü ☃", "line\u2028sep\u2029", "bad\xffutf8", "emoji 😀", "\x1f"}
	entries := []Entry{
		{},
		{ID: "00000000000000000001", At: at, Actor: "k_1", Operation: "enrich", Purpose: "fraud_prevention",
			Subjects: []subject.Hash{"h1", "h2"}, Sources: []string{"github", "gravatar"}, Outcome: "ok", Status: 200},
		{At: at.In(time.FixedZone("CET", 3600)), Actor: ActorCLI, Operation: "erasure", Outcome: "ok", Target: "er_1"},
		{At: at.In(time.FixedZone("odd", -(9*3600 + 30*60))), Outcome: "denied", Status: 403},
		{At: at.In(time.FixedZone("secs", 3600+7)), Outcome: "ok"},       // json.Marshal's own way
		{At: at.In(time.FixedZone("far", 25*3600)), Outcome: "ok"},       // json.Marshal refuses
		{At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Outcome: "x"}, // json.Marshal refuses
		{At: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), Outcome: "x"},    // json.Marshal refuses
		{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Status: -1, Subjects: []subject.Hash{}, Sources: []string{}},
	}
	for _, s := range odd {
		entries = append(entries, Entry{ID: s, At: at, Actor: s, Operation: s, Purpose: s,
			Subjects: []subject.Hash{subject.Hash(s)}, Sources: []string{s, s}, Outcome: s, Target: s})
	}
	for i, e := range entries {
		want, wantErr := json.Marshal(e)
		got, err := marshalEntry([]byte("prefix"), &e)
		if (err != nil) != (wantErr != nil) {
			t.Errorf("%d: error %v, json.Marshal's %v", i, err, wantErr)
			continue
		}
		if wantErr == nil && string(got) != "prefix"+string(want) {
			t.Errorf("%d:\n got %s\nwant prefix%s", i, got, want)
		}
		if hint := entrySizeHint(&e); wantErr == nil && len(want) > hint && i < 9 {
			t.Errorf("%d: size hint %d < %d", i, hint, len(want))
		}
	}
}

func FuzzAppendJSONIsMarshal(f *testing.F) {
	f.Add("enrich", "a<b", int64(1733282401123456789), 3600, 200)
	f.Fuzz(func(t *testing.T, s, s2 string, ns int64, off, status int) {
		e := Entry{ID: s, At: time.Unix(0, ns).In(time.FixedZone("z", off%(30*3600))), Actor: s2, Operation: s,
			Subjects: []subject.Hash{subject.Hash(s2)}, Sources: []string{s}, Outcome: s2, Status: status, Target: s}
		want, wantErr := json.Marshal(e)
		got, err := marshalEntry(nil, &e)
		if (err != nil) != (wantErr != nil) || wantErr == nil && string(got) != string(want) {
			t.Fatalf("got %s, %v\nwant %s, %v", got, err, want, wantErr)
		}
	})
}

// The embedded store reuses one buffer for every Append's keys and
// values: what an earlier Append stored reads back unchanged after later
// ones overwrote the buffer.
func TestBoltAppendsReuseTheBuffer(t *testing.T) {
	b, err := OpenBolt(t.TempDir() + "/audit.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := t.Context()
	at := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	var want []Entry
	for batch := range 3 {
		var es []Entry
		for i := range 50 * (3 - batch) { // shorter batches: the buffer is reused, not grown
			es = append(es, Entry{At: at, Actor: "k_" + strings.Repeat("x", batch), Operation: "enrich", Outcome: "ok", Status: 200 + i})
		}
		if err := b.Append(ctx, es...); err != nil {
			t.Fatal(err)
		}
		want = append(want, es...)
	}
	got, err := b.Find(ctx, Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i := range got {
		w := want[i]
		w.ID = SequenceID(uint64(i + 1))
		if !reflect.DeepEqual(got[i], w) {
			t.Fatalf("entry %d: %+v, want %+v", i, got[i], w)
		}
	}
}
