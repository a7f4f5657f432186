package audit

import (
	"context"
	"slices"
	"sync"

	"github.com/footprint-oss/footprint/internal/app/subject"
)

// Note collects what one API call did while it runs, for its audit entry:
// the authentication layer sets the actor, handlers set the subjects, the
// purpose, the sources contacted and an outcome when the status alone does
// not say it (a suppressed subject answers 200). The server's audit
// middleware turns it into one Entry when the call ends. A nil *Note
// ignores every call, so code can note things whether or not auditing is on.
type Note struct {
	mu        sync.Mutex
	actor     string
	operation string
	purpose   string
	subjects  []subject.Hash
	sources   []string
	outcome   string
	target    string
}

type noteKey struct{}

// WithNote returns ctx carrying a fresh Note.
func WithNote(ctx context.Context) (context.Context, *Note) {
	n := &Note{}
	return context.WithValue(ctx, noteKey{}, n), n
}

// NoteFrom returns ctx's Note, nil when there is none.
func NoteFrom(ctx context.Context) *Note {
	n, _ := ctx.Value(noteKey{}).(*Note)
	return n
}

// SetActor records who is calling (a key id).
func (n *Note) SetActor(id string) {
	if n != nil {
		n.mu.Lock()
		n.actor = id
		n.mu.Unlock()
	}
}

// SetOperation overrides the operation name (default: method and route).
func (n *Note) SetOperation(op string) {
	if n != nil {
		n.mu.Lock()
		n.operation = op
		n.mu.Unlock()
	}
}

// SetPurpose records the purpose a lookup ran under.
func (n *Note) SetPurpose(p string) {
	if n != nil {
		n.mu.Lock()
		n.purpose = p
		n.mu.Unlock()
	}
}

// AddSubjects records subjects the call concerned (batch items add theirs
// concurrently). Duplicates are kept once.
func (n *Note) AddSubjects(hs ...subject.Hash) {
	if n == nil {
		return
	}
	n.mu.Lock()
	if n.subjects == nil && len(hs) > 1 {
		n.subjects = make([]subject.Hash, 0, len(hs)) // one allocation, not one per append
	}
	for _, h := range hs {
		if !slices.Contains(n.subjects, h) {
			n.subjects = append(n.subjects, h)
		}
	}
	n.mu.Unlock()
}

// AddSources records sources contacted upstream, kept once each.
func (n *Note) AddSources(names ...string) {
	if n == nil {
		return
	}
	n.mu.Lock()
	for _, s := range names {
		if !slices.Contains(n.sources, s) {
			n.sources = append(n.sources, s)
		}
	}
	n.mu.Unlock()
}

// SetOutcome overrides the outcome derived from the HTTP status.
func (n *Note) SetOutcome(o string) {
	if n != nil {
		n.mu.Lock()
		n.outcome = o
		n.mu.Unlock()
	}
}

// SetTarget names the object acted on (job id, key id, erasure id).
func (n *Note) SetTarget(t string) {
	if n != nil {
		n.mu.Lock()
		n.target = t
		n.mu.Unlock()
	}
}

// Entry builds the call's entry. operation and status come from the
// server (method and route, HTTP status); the note's own values win.
func (n *Note) Entry(operation string, status int) Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.entryLocked(operation, status, slices.Clone(n.subjects), slices.Clone(n.sources))
}

// Final is Entry once the call is answered: the note hands its subjects
// and sources over to the entry instead of copying them, and holds none
// after (anything noted later starts new slices).
func (n *Note) Final(operation string, status int) Entry {
	n.mu.Lock()
	defer n.mu.Unlock()
	subjects, sources := n.subjects, n.sources
	n.subjects, n.sources = nil, nil
	return n.entryLocked(operation, status, subjects, sources)
}

// entryLocked is the entry with the given subjects and sources; n.mu is
// held.
func (n *Note) entryLocked(operation string, status int, subjects []subject.Hash, sources []string) Entry {
	e := Entry{
		Actor:     n.actor,
		Operation: n.operation,
		Purpose:   n.purpose,
		Subjects:  subjects,
		Sources:   sources,
		Outcome:   n.outcome,
		Status:    status,
		Target:    n.target,
	}
	if e.Actor == "" {
		e.Actor = ActorOpen
	}
	if e.Operation == "" {
		e.Operation = operation
	}
	slices.Sort(e.Sources)
	if e.Outcome == "" {
		e.Outcome = OutcomeOf(status)
	}
	return e
}

// OutcomeOf names the outcome an HTTP status stands for.
func OutcomeOf(status int) string {
	switch {
	case status >= 200 && status < 400:
		return "ok"
	case status == 401 || status == 403:
		return "denied"
	case status == 429:
		return "rate_limited"
	case status == 404:
		return "not_found"
	case status >= 400 && status < 500:
		return "rejected"
	default:
		return "error"
	}
}
