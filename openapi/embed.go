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

// JSON returns the contract converted to JSON (indented). It parses the YAML
// each time it is called: call it once at start-up and keep the bytes.
func JSON() ([]byte, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi: convert to JSON: %w", err)
	}
	return append(b, '\n'), nil
}
