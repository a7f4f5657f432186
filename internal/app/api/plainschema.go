package api

import (
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// plainObject is a body schema simple enough to accept a document without
// walking it through kin-openapi: an object with no other properties than
// it names, some of them strings bounded only in length. The usual
// POST /v1/enrich body (an email and a phone) is such a document. A
// document it does not accept (another property, a value of another
// type, a string out of bounds, a missing required property) is left to
// schema.VisitJSON, which finds what is wrong with it; plainObject only
// ever accepts what VisitJSON accepts (TestPlainObjectAcceptsOnlyValid).
type plainObject struct {
	strings  map[string]plainString // the plain properties
	required []string
}

// plainString is a string property: type string, length bounds.
type plainString struct {
	name string // the property's name (the map's key)
	min  uint64
	max  *uint64
}

// plainObjectKeyword and plainStringKeyword say which keywords a plain
// schema may use: the others (pattern, format, enum, nullable, readOnly,
// allOf …) make it not plain.
func plainObjectKeyword(k string) bool {
	switch k {
	case "type", "description", "example", "additionalProperties", "properties", "required":
		return true
	}
	return false
}

func plainStringKeyword(k string) bool {
	switch k {
	case "type", "description", "example", "minLength", "maxLength":
		return true
	}
	return false
}

// plainObjectOf returns s as a plainObject, or nil when it is not one.
func plainObjectOf(s *openapi3.Schema) *plainObject {
	kw, ok := keywordsOf(s, plainObjectKeyword)
	if !ok || string(kw["type"]) != `"object"` || string(kw["additionalProperties"]) != `false` {
		return nil
	}
	o := &plainObject{strings: map[string]plainString{}, required: slices.Clone(s.Required)}
	for name, ref := range s.Properties {
		if ref == nil || ref.Value == nil {
			continue
		}
		kw, ok := keywordsOf(ref.Value, plainStringKeyword)
		if !ok || string(kw["type"]) != `"string"` {
			continue // not plain: a document with it goes to VisitJSON
		}
		o.strings[name] = plainString{name: name, min: ref.Value.MinLength, max: ref.Value.MaxLength}
	}
	for _, name := range o.required {
		if _, ok := s.Properties[name]; !ok {
			return nil
		}
	}
	return o
}

// keywordsOf returns s's keywords as the contract writes them, and
// whether allowed allows each.
func keywordsOf(s *openapi3.Schema, allowed func(string) bool) (map[string]json.RawMessage, bool) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, false
	}
	var kw map[string]json.RawMessage
	if err := json.Unmarshal(b, &kw); err != nil {
		return nil, false
	}
	for k := range kw {
		if !allowed(k) {
			return nil, false
		}
	}
	return kw, true
}

// accepts reports whether doc (decoded with UseNumber) is an object of
// plain properties only, each within its bounds, with every required
// property present. False says nothing: ask VisitJSON.
func (o *plainObject) accepts(doc any) bool {
	if o == nil {
		return false
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range obj {
		p, ok := o.strings[k]
		if !ok {
			return false
		}
		s, ok := v.(string)
		if !ok {
			return false
		}
		if !p.fits(s) {
			return false
		}
	}
	for _, name := range o.required {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	return true
}

// fits reports whether s is within p's length bounds.
func (p plainString) fits(s string) bool {
	return p.unbounded() || p.within(schemaLength(s))
}

func (p plainString) unbounded() bool { return p.min == 0 && p.max == nil }

// within reports whether a length n is within p's bounds.
func (p plainString) within(n uint64) bool {
	return n >= p.min && (p.max == nil || n <= *p.max)
}

// maxPlainProps bounds the properties of a plainDoc; a document with more
// is read the long way.
const maxPlainProps = 8

// plainDoc is a document plainObject.read accepted: each property once,
// every value a string. validate hands it to the handler in place of the
// decoded map (inputFromDoc reads both).
type plainDoc struct {
	n     int
	props [maxPlainProps]plainProp
}

type plainProp struct{ name, value string }

// read is accepts without decoding data into a map: it accepts the bytes
// of a JSON object whose keys and values are strings without escape
// sequences, each key once (at most maxPlainProps of them), that accepts
// would accept once decoded, and returns its properties. The value strings
// share one allocation. False says nothing: decode data and ask accepts.
func (o *plainObject) read(data []byte) (*plainDoc, bool) {
	if o == nil {
		return nil, false
	}
	type span struct {
		p          plainString
		start, end int // the value's bytes, between its quotes
	}
	var spans [maxPlainProps]span
	n, total := 0, 0
	i := skipJSONSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}
	i = skipJSONSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			ks, ke, ok := plainJSONString(data, i)
			if !ok {
				return nil, false
			}
			p, ok := o.strings[string(data[ks:ke])]
			if !ok || n == maxPlainProps {
				return nil, false
			}
			for _, sp := range spans[:n] {
				if sp.p.name == p.name { // a repeated key: the map keeps the last
					return nil, false
				}
			}
			i = skipJSONSpace(data, ke+1)
			if i >= len(data) || data[i] != ':' {
				return nil, false
			}
			vs, ve, ok := plainJSONString(data, skipJSONSpace(data, i+1))
			if !ok || !p.fitsBytes(data[vs:ve]) {
				return nil, false
			}
			spans[n] = span{p, vs, ve}
			n++
			total += ve - vs
			i = skipJSONSpace(data, ve+1)
			if i < len(data) && data[i] == ',' {
				i = skipJSONSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			return nil, false
		}
	}
	if skipJSONSpace(data, i) != len(data) {
		return nil, false
	}
	for _, name := range o.required {
		found := false
		for _, sp := range spans[:n] {
			found = found || sp.p.name == name
		}
		if !found {
			return nil, false
		}
	}
	var b strings.Builder
	b.Grow(total)
	for _, sp := range spans[:n] {
		b.Write(data[sp.start:sp.end])
	}
	all := b.String()
	d := &plainDoc{n: n}
	at := 0
	for k, sp := range spans[:n] {
		l := sp.end - sp.start
		d.props[k] = plainProp{name: sp.p.name, value: all[at : at+l]}
		at += l
	}
	return d, true
}

// skipJSONSpace returns the index of the first byte at or after i that is
// not JSON whitespace.
func skipJSONSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// plainJSONString reads the JSON string starting at data[i] when it has
// no escape sequence: its content is data[start:end], its closing quote
// data[end]. Control characters and invalid UTF-8 (not JSON) are refused.
func plainJSONString(data []byte, i int) (start, end int, ok bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, 0, false
	}
	ascii := true
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(data[i+1:j]) {
				return 0, 0, false
			}
			return i + 1, j, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return 0, 0, false
}

// fitsBytes is fits for a string's valid UTF-8 bytes. schemaLength counts
// its runes (no rune decoded from UTF-8 is a surrogate), so does this.
func (p plainString) fitsBytes(b []byte) bool {
	return p.unbounded() || p.within(uint64(utf8.RuneCount(b)))
}

// schemaLength is a string's length as kin-openapi counts it for
// minLength and maxLength (openapi3.Schema.visitJSONString).
func schemaLength(s string) uint64 {
	n := uint64(0)
	for _, r := range s {
		if utf16.IsSurrogate(r) {
			n += 2
		} else {
			n++
		}
	}
	return n
}
