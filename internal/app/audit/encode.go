package audit

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendJSON appends e as json.Marshal writes it (the same bytes, which
// TestAppendJSONIsMarshal pins), without reflection: the embedded store
// encodes every entry of the trail, in the background, but on the same
// cores as the requests. ok is false where it does not know json.Marshal's
// answer (a time outside years 0–9999 or with an offset json.Marshal
// refuses or writes another way): the caller then asks json.Marshal.
func (e *Entry) appendJSON(b []byte) (_ []byte, ok bool) {
	if y := e.At.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := e.At.Zone(); off%60 != 0 || off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	b = append(b, `{"id":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"at":"`...)
	b = e.At.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","actor":`...)
	b = appendJSONString(b, e.Actor)
	b = append(b, `,"operation":`...)
	b = appendJSONString(b, e.Operation)
	if e.Purpose != "" {
		b = append(b, `,"purpose":`...)
		b = appendJSONString(b, e.Purpose)
	}
	if len(e.Subjects) > 0 {
		b = append(b, `,"subjects":[`...)
		for i, s := range e.Subjects {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(s))
		}
		b = append(b, ']')
	}
	if len(e.Sources) > 0 {
		b = append(b, `,"sources":[`...)
		for i, s := range e.Sources {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		b = append(b, ']')
	}
	b = append(b, `,"outcome":`...)
	b = appendJSONString(b, e.Outcome)
	if e.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	if e.Target != "" {
		b = append(b, `,"target":`...)
		b = appendJSONString(b, e.Target)
	}
	return append(b, '}'), true
}

// appendJSONString appends s quoted as json.Marshal quotes it. The usual
// string (printable ASCII without a quote, backslash or one of the
// characters json.Marshal escapes for HTML) is copied as it is; any other
// is left to json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// marshalEntry is json.Marshal(e), appended to b.
func marshalEntry(b []byte, e *Entry) ([]byte, error) {
	if out, ok := e.appendJSON(b); ok {
		return out, nil
	}
	v, err := json.Marshal(e)
	return append(b, v...), err
}

// entrySizeHint is about the length of e's JSON (exact for the usual
// entry, whose strings need no escaping).
func entrySizeHint(e *Entry) int {
	n := len(`{"id":"","at":"2006-01-02T15:04:05.999999999+07:00","actor":"","operation":"","purpose":"","subjects":[],"sources":[],"outcome":"","status":000,"target":""}`) +
		len(SequenceID(0)) + len(e.Actor) + len(e.Operation) + len(e.Purpose) + len(e.Outcome) + len(e.Target)
	for _, s := range e.Subjects {
		n += len(s) + 3
	}
	for _, s := range e.Sources {
		n += len(s) + 3
	}
	return n
}
