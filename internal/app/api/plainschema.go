package api

import (
	"encoding/json"
	"slices"
	"unicode/utf16"

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
	min uint64
	max *uint64
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
		o.strings[name] = plainString{min: ref.Value.MinLength, max: ref.Value.MaxLength}
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
		if p.min != 0 || p.max != nil {
			n := schemaLength(s)
			if n < p.min || p.max != nil && n > *p.max {
				return false
			}
		}
	}
	for _, name := range o.required {
		if _, ok := obj[name]; !ok {
			return false
		}
	}
	return true
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
