// Package openapi holds footprint's HTTP contract, openapi.yaml, embedded in
// the binary. The API server validates requests against it and serves it at
// /openapi.yaml and /openapi.json; its tests validate every response against
// it.
package openapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

//go:embed openapi.yaml
var specYAML []byte

// YAML returns the contract as written (a copy; callers may keep it).
func YAML() []byte { return bytes.Clone(specYAML) }

// Load parses and validates the contract. Each call returns a new document,
// so callers never share mutable state. It does no I/O: external $refs are
// not allowed.
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(specYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: openapi.yaml is not a valid OpenAPI 3.0 document: %w", err)
	}
	return doc, nil
}

// JSON returns the contract converted to JSON (indented), after checking
// that it is valid. The conversion is of the YAML document itself, not of
// kin-openapi's model of it, so nothing is dropped or reordered in meaning
// (kin omits e.g. an explicit empty top-level `security: []`). It parses
// the YAML each time it is called: call it once at start-up and keep the
// bytes.
func JSON() ([]byte, error) {
	if _, err := Load(); err != nil {
		return nil, err
	}
	var tree any
	if err := yaml.Unmarshal(specYAML, &tree); err != nil {
		return nil, fmt.Errorf("openapi: parse openapi.yaml: %w", err)
	}
	tree, err := jsonCompatible(tree)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(tree, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: convert to JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// jsonCompatible turns the maps yaml.v3 decodes non-string keys into (a
// response code written as 200 rather than '200') into JSON objects.
func jsonCompatible(v any) (any, error) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			v[k] = c
		}
		return v, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			switch k.(type) {
			case string, int, bool:
				out[fmt.Sprint(k)] = c
			default:
				return nil, fmt.Errorf("openapi: openapi.yaml has a map key of type %T (%v)", k, k)
			}
		}
		return out, nil
	case []any:
		for i, e := range v {
			c, err := jsonCompatible(e)
			if err != nil {
				return nil, err
			}
			v[i] = c
		}
		return v, nil
	default:
		return v, nil
	}
}
