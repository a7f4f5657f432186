package audit_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/footprint-oss/footprint/internal/app/audit"
	"github.com/footprint-oss/footprint/internal/app/audit/audittest"
	"github.com/footprint-oss/footprint/internal/app/subject"
)

func TestMemory(t *testing.T) { audittest.Run(t, &audit.Memory{}) }

func TestSequenceIDSortsAsNumbers(t *testing.T) {
	for _, p := range [][2]uint64{{1, 2}, {9, 10}, {99, 100}, {12345, 123456}} {
		if !(audit.SequenceID(p[0]) < audit.SequenceID(p[1])) {
			t.Errorf("SequenceID(%d) >= SequenceID(%d)", p[0], p[1])
		}
	}
}

func TestNote(t *testing.T) {
	var nilNote *audit.Note
	nilNote.SetActor("k") // a nil note ignores calls
	nilNote.AddSubjects("x")

	ctx, n := audit.WithNote(context.Background())
	if audit.NoteFrom(ctx) != n || audit.NoteFrom(context.Background()) != nil {
		t.Fatal("NoteFrom does not return the note")
	}
	tests := []struct {
		name   string
		set    func(n *audit.Note)
		status int
		want   audit.Entry
	}{
		{"defaults", func(*audit.Note) {}, 200, audit.Entry{Actor: audit.ActorOpen, Operation: "POST /v1/enrich", Outcome: "ok", Status: 200}},
		{"denied", func(*audit.Note) {}, 403, audit.Entry{Actor: audit.ActorOpen, Operation: "POST /v1/enrich", Outcome: "denied", Status: 403}},
		{"throttled", func(*audit.Note) {}, 429, audit.Entry{Actor: audit.ActorOpen, Operation: "POST /v1/enrich", Outcome: "rate_limited", Status: 429}},
		{"server error", func(*audit.Note) {}, 503, audit.Entry{Actor: audit.ActorOpen, Operation: "POST /v1/enrich", Outcome: "error", Status: 503}},
		{"noted", func(n *audit.Note) {
			n.SetActor("key_1")
			n.SetOperation("enrich")
			n.SetPurpose("marketing")
			n.AddSubjects("email:a", "email:a", "phone:b")
			n.AddSources("github", "gravatar", "github")
			n.SetOutcome("suppressed")
			n.SetTarget("job_1")
		}, 200, audit.Entry{Actor: "key_1", Operation: "enrich", Purpose: "marketing", Subjects: []subject.Hash{"email:a", "phone:b"},
			Sources: []string{"github", "gravatar"}, Outcome: "suppressed", Status: 200, Target: "job_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, n := audit.WithNote(context.Background())
			tt.set(n)
			if got := n.Entry("POST /v1/enrich", tt.status); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Entry = %+v, want %+v", got, tt.want)
			}
			// Final answers the same, handing the slices over: the note
			// holds none after, and what it notes next is not the entry's.
			got := n.Final("POST /v1/enrich", tt.status)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Final = %+v, want %+v", got, tt.want)
			}
			if after := n.Entry("POST /v1/enrich", tt.status); after.Subjects != nil || after.Sources != nil {
				t.Errorf("after Final the note still holds %v %v", after.Subjects, after.Sources)
			}
			n.AddSubjects("email:later")
			n.AddSources("later")
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("noting after Final changed its entry: %+v", got)
			}
		})
	}
}
