package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
	"github.com/footprint-oss/footprint/openapi"
)

// TestSpecIsValid lints openapi.yaml with kin-openapi's loader: structure,
// $refs, schema formats and patterns, defaults and every example against
// its schema.
func TestSpecIsValid(t *testing.T) {
	t.Parallel()
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(openapi.YAML())
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context,
		openapi3.EnableSchemaFormatValidation(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.EnableSchemaDefaultsValidation(),
		openapi3.EnableExamplesValidation(),
	); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
	}
	// Every schema and every inline property is described; every scalar
	// or array property has an example.
	for name, ref := range doc.Components.Schemas {
		s := ref.Value
		if s.Description == "" {
			t.Errorf("schema %s: no description", name)
		}
		for prop, pref := range s.Properties {
			if pref.Ref != "" {
				if doc.Components.Schemas[strings.TrimPrefix(pref.Ref, "#/components/schemas/")].Value.Description == "" {
					t.Errorf("schema %s.%s: the referenced schema has no description", name, prop)
				}
				continue
			}
			p := pref.Value
			if p.Description == "" {
				t.Errorf("schema %s.%s: no description", name, prop)
			}
			listOfObjects := p.Type.Is("array") && p.Items.Ref != ""
			if p.Example == nil && !p.Type.Is("object") && !listOfObjects {
				t.Errorf("schema %s.%s: no example", name, prop)
			}
		}
	}
	ids := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: operationId %q missing or duplicated", where, op.OperationID)
			}
			ids[op.OperationID] = true
			if len(op.Tags) == 0 || op.Summary == "" || op.Description == "" {
				t.Errorf("%s: needs tags, a summary and a description", where)
			}
			for _, p := range op.Parameters {
				if p.Value.Description == "" || (p.Value.Example == nil && len(p.Value.Examples) == 0) {
					t.Errorf("%s: parameter %s needs a description and an example", where, p.Value.Name)
				}
			}
			if p := op.Parameters.GetByInAndName("header", headerRequestID); p == nil {
				t.Errorf("%s: does not document the X-Request-ID request header", where)
			}
			if op.Responses.Status(500) == nil {
				t.Errorf("%s: does not document 500", where)
			}
			for code, r := range op.Responses.Map() {
				if r.Value.Headers[headerRequestID] == nil {
					t.Errorf("%s → %s: does not document the X-Request-ID header", where, code)
				}
				for name, h := range r.Value.Headers {
					if h.Value.Description == "" || h.Value.Example == nil {
						t.Errorf("%s → %s: header %s needs a description and an example", where, code, name)
					}
				}
				for mt, c := range r.Value.Content {
					isProblem := c.Schema != nil && c.Schema.Ref == "#/components/schemas/Problem"
					// A 503 is a problem, except GET /readyz's Readiness.
					wantProblem := code >= "400" && (code != "503" || op.OperationID != "checkReadiness")
					if wantProblem != isProblem || isProblem != (mt == mimeProblem) {
						t.Errorf("%s → %s %s: errors must be, and only errors may be, application/problem+json Problems", where, code, mt)
					}
				}
			}
		}
	}
}

// TestRouteCoverage: every gin route is an operation of the contract and
// every operation is routed.
func TestRouteCoverage(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	var routed, documented []string
	for _, r := range srv.router.Routes() {
		routed = append(routed, r.Method+" "+r.Path)
	}
	for path, item := range srv.doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+ginPath(path))
		}
	}
	sort.Strings(routed)
	sort.Strings(documented)
	if !slices.Equal(routed, documented) {
		t.Errorf("gin routes and openapi.yaml operations differ\nrouted:     %q\ndocumented: %q", routed, documented)
	}
}

// TestSpecServedAsJSON: /openapi.json is the same document as /openapi.yaml.
func TestSpecServedAsJSON(t *testing.T) {
	t.Parallel()
	srv := New(Config{}, realService(t))
	y := do(t, srv, get("/openapi.yaml"))
	j := do(t, srv, get("/openapi.json"))
	if y.Body.String() != string(openapi.YAML()) {
		t.Error("/openapi.yaml is not the embedded file")
	}
	var fromYAML, fromJSON any
	if err := yaml.Unmarshal(y.Body.Bytes(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(j.Body.Bytes(), &fromJSON); err != nil {
		t.Fatal(err)
	}
	// Round-trip the YAML through JSON so both sides have JSON's types.
	b, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var yamlAsJSON any
	if err := json.Unmarshal(b, &yamlAsJSON); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(yamlAsJSON, fromJSON) {
		t.Error("/openapi.json and /openapi.yaml differ")
	}
}

// TestSpecMatchesGoTypes keeps the contract and the Go types in step while
// other packages evolve: every JSON field of the request and response
// types is documented with a compatible type, omitempty fields are
// optional and the others required, nil-able slices that are always
// serialized are nullable, no schema documents a field the type lacks, and
// every object schema forbids additional properties.
func TestSpecMatchesGoTypes(t *testing.T) {
	t.Parallel()
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *openapi3.Schema { return doc.Components.Schemas[name].Value }
	c := &typeChecker{t: t, alwaysArrays: map[string]bool{
		// Guarded by the enrich handler: never null on the wire.
		"Profile.accounts": true, "Profile.sources": true,
		// Guarded by the pipeline (scores always carry their evidence lists).
		"Profile.interests": true, "Profile.interests[].evidence": true, "Profile.influence.evidence": true, "Profile.risk.reasons": true,
		// Built by the handlers, never nil.
		"SourceList.sources": true, "SourceList.sources[].inputs": true,
	}, gated: map[string]bool{
		"Profile.interests": true, "Profile.influence": true, "Profile.risk": true, "Profile.verification": true,
	}}
	c.check("EnrichRequest", reflect.TypeFor[pipeline.Input](), schema("EnrichRequest"), true)
	c.check("Profile", reflect.TypeFor[pipeline.Profile](), schema("Profile"), false)
	c.check("SourceList", reflect.TypeFor[struct {
		Sources []sourceJSON `json:"sources"`
	}](), schema("SourceList"), false)
	c.check("Readiness", reflect.TypeFor[readinessJSON](), schema("Readiness"), false)
	c.check("Problem", reflect.TypeFor[problem](), schema("Problem"), false)

	// The status enum is the enrichers vocabulary, in order.
	var enum []string
	for _, v := range schema("Status").Enum {
		enum = append(enum, v.(string))
	}
	vocabulary := []enrichers.Status{enrichers.StatusOK, enrichers.StatusNotFound, enrichers.StatusSkipped, enrichers.StatusTimeout,
		enrichers.StatusRateLimited, enrichers.StatusCircuitOpen, enrichers.StatusBlocked, enrichers.StatusError}
	for i, s := range vocabulary {
		if i >= len(enum) || enum[i] != string(s) {
			t.Errorf("Status enum = %q, want the enrichers vocabulary %q", enum, vocabulary)
			break
		}
	}
	// The request limits are the pipeline's.
	opts := schema("EnrichOptions").Properties
	tm := opts["timeout_ms"].Value
	if *tm.Min != float64(pipeline.MinTimeout.Milliseconds()) || *tm.Max != float64(pipeline.MaxTimeout.Milliseconds()) ||
		tm.Default != float64(pipeline.DefaultTimeout.Milliseconds()) {
		t.Errorf("timeout_ms: min %v max %v default %v, want the pipeline's %v/%v/%v", *tm.Min, *tm.Max, tm.Default,
			pipeline.MinTimeout.Milliseconds(), pipeline.MaxTimeout.Milliseconds(), pipeline.DefaultTimeout.Milliseconds())
	}
	if mm := opts["min_match"].Value; mm.Default != pipeline.DefaultMinMatch {
		t.Errorf("min_match default %v, want the pipeline's %v", mm.Default, pipeline.DefaultMinMatch)
	}
}

type typeChecker struct {
	t            *testing.T
	alwaysArrays map[string]bool
	// gated fields are left out when the lookup's purpose withholds them
	// (pipeline.Profile.MarshalJSON), present otherwise: optional.
	gated map[string]bool
}

var timeType = reflect.TypeFor[time.Time]()

func (c *typeChecker) check(path string, typ reflect.Type, s *openapi3.Schema, request bool) {
	c.t.Helper()
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	switch {
	case typ == timeType:
		if !s.Type.Is("string") || s.Format != "date-time" {
			c.t.Errorf("%s: a time; want type string, format date-time", path)
		}
	case typ.Kind() == reflect.Struct:
		c.checkStruct(path, typ, s, request)
	case typ.Kind() == reflect.Slice:
		if !s.Type.Is("array") {
			c.t.Errorf("%s: a slice; want type array, have %v", path, s.Type)
			return
		}
		c.check(path+"[]", typ.Elem(), s.Items.Value, request)
	case typ.Kind() == reflect.Map:
		if !s.Type.Is("object") || s.AdditionalProperties.Schema == nil {
			c.t.Errorf("%s: a map; want an object with an additionalProperties schema", path)
			return
		}
		c.check(path+"{}", typ.Elem(), s.AdditionalProperties.Schema.Value, request)
	case typ.Kind() == reflect.String:
		if !s.Type.Is("string") {
			c.t.Errorf("%s: a string; schema type %v", path, s.Type)
		}
	case typ.Kind() == reflect.Bool:
		if !s.Type.Is("boolean") {
			c.t.Errorf("%s: a bool; schema type %v", path, s.Type)
		}
	case typ.Kind() >= reflect.Int && typ.Kind() <= reflect.Uint64:
		if !s.Type.Is("integer") {
			c.t.Errorf("%s: an integer; schema type %v", path, s.Type)
		}
	case typ.Kind() == reflect.Float32 || typ.Kind() == reflect.Float64:
		if !s.Type.Is("number") {
			c.t.Errorf("%s: a number; schema type %v", path, s.Type)
		}
	default:
		c.t.Errorf("%s: Go type %s not handled by the checker", path, typ)
	}
}

func (c *typeChecker) checkStruct(path string, typ reflect.Type, s *openapi3.Schema, request bool) {
	c.t.Helper()
	if !s.Type.Is("object") {
		c.t.Errorf("%s: a struct; schema type %v", path, s.Type)
		return
	}
	if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
		c.t.Errorf("%s: object schema must set additionalProperties: false", path)
	}
	seen := map[string]bool{}
	// Visible fields: an embedded struct's fields are its parent's on the
	// wire, as encoding/json inlines them.
	for _, f := range reflect.VisibleFields(typ) {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" || (f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		fp := path + "." + name
		seen[name] = true
		ref := s.Properties[name]
		if ref == nil {
			c.t.Errorf("%s: not documented in openapi.yaml", fp)
			continue
		}
		if !request {
			if c.gated[fp] {
				optional = true
			}
			if required := slices.Contains(s.Required, name); required == optional {
				c.t.Errorf("%s: required=%v, but the field is %s", fp, required, map[bool]string{true: "omitted when empty", false: "always present"}[optional])
			}
			ft := f.Type
			if ft.Kind() == reflect.Slice && !optional && !ref.Value.Nullable && !c.alwaysArrays[fp] {
				c.t.Errorf("%s: a nil slice serializes as null; mark it nullable", fp)
			}
			if (ft.Kind() == reflect.Pointer) && !optional && !ref.Value.Nullable {
				c.t.Errorf("%s: a nil pointer serializes as null; mark it nullable or omitempty", fp)
			}
		}
		c.check(fp, f.Type, ref.Value, request)
	}
	for name := range s.Properties {
		if !seen[name] {
			c.t.Errorf("%s.%s: documented, but %s has no such JSON field", path, name, typ)
		}
	}
}

// TestBreakerStateIsListed: the live breaker state reaches GET /v1/sources.
func TestBreakerStateIsListed(t *testing.T) {
	t.Parallel()
	svc := realService(t)
	srv := New(Config{}, svc)
	for range 5 { // the default breaker opens after 5 consecutive failures
		do(t, srv, post(`{"email":"`+testEmail+`","options":{"sources":["throttled"]}}`))
	}
	rec := do(t, srv, get("/v1/sources"))
	var list struct {
		Sources []sourceJSON `json:"sources"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	for _, s := range list.Sources {
		want := "closed"
		if s.Name == "throttled" {
			want = "open"
		}
		if s.Breaker.State != want {
			t.Errorf("%s: breaker %q, want %q", s.Name, s.Breaker.State, want)
		}
	}
}
