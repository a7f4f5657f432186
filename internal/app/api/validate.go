package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// validate checks a request against its operation in openapi.yaml before the
// handler runs: media type (415), size (413), JSON syntax (400), then the
// contract's schema through openapi3filter (400, one errors[] entry per
// field). The validated body is left in the context for the handler.
func (s *Server) validate(route *routers.Route) gin.HandlerFunc {
	opts := &openapi3filter.Options{
		MultiError: true,
		// Defaults documented in the contract are applied by the pipeline
		// (they are configurable); do not inject them into the body.
		SkipSettingDefaults: true,
		AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
	}
	var body *openapi3.RequestBody
	if route.Operation.RequestBody != nil {
		body = route.Operation.RequestBody.Value
	}
	mode := bodyModeOf(route.Operation)
	// openapi3filter checks the parameters; JSON bodies are checked here
	// against their schema, from the bytes already read (the filter would
	// need a copy of the request to read them again). Streamed uploads and
	// batch items are left to their handlers.
	opts.ExcludeRequestBody = true
	var bodySchema *openapi3.Schema
	if body != nil && mode == bodyWhole {
		if mt := body.Content.Get(mimeJSON); mt != nil && mt.Schema != nil {
			bodySchema = mt.Schema.Value
		}
	}
	var plain *plainObject // the body schema's fast acceptance, if it is plain
	if bodySchema != nil {
		plain = plainObjectOf(bodySchema)
	}
	limit := s.cfg.MaxBodyBytes
	if mode == bodyPerItem {
		limit = s.cfg.MaxBatchBodyBytes
	}
	skip := skippableParams(route, opts)
	// A job's options are its query: a misspelt one must not be ignored
	// silently, as unknown JSON fields are not on /v1/enrich.
	var knownQuery map[string]bool
	if route.Operation.OperationID == "createJob" {
		knownQuery = queryParams(route)
	}
	return func(c *gin.Context) {
		req := c.Request
		if body != nil {
			if ce := req.Header.Get("Content-Encoding"); ce != "" && !strings.EqualFold(strings.TrimSpace(ce), "identity") {
				// Never read compressed bytes as the body.
				s.fail(c, &mediaTypeError{what: "Content-Encoding", got: ce, want: "the body uncompressed (no Content-Encoding)"})
				return
			}
			mediaType, err := acceptedMediaType(body, req.Header.Get("Content-Type"))
			if err != nil {
				s.fail(c, err)
				return
			}
			callOf(c).mediaType = mediaType
		}
		if knownQuery != nil {
			if errs := unknownQuery(req, knownQuery); len(errs) > 0 {
				s.fail(c, &contractError{errs: errs})
				return
			}
		}
		var readDoc *plainDoc // the body as its plain schema's fast acceptance read it
		if body != nil && mode != bodyStreamed {
			data, err := readBody(c, limit)
			if err != nil {
				s.fail(c, err)
				return
			}
			// A body the fast acceptance reads is JSON (it reads a subset
			// of the grammar: one object of unescaped strings, valid
			// UTF-8, nothing after), so it needs no other check.
			if d, ok := plain.read(data); ok {
				readDoc = d
			} else if err := checkJSON(data); err != nil {
				s.fail(c, err)
				return
			}
			callOf(c).body = data
		}
		var errs []pipeline.FieldError
		if !skip.skips(req) {
			var params map[string]string // nil for a route without path parameters
			if len(c.Params) > 0 {
				params = make(map[string]string, len(c.Params))
				for _, p := range c.Params {
					params[p.Key] = p.Value
				}
			}
			if err := openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
				Request:    req,
				PathParams: params,
				Route:      route,
				Options:    opts,
			}); err != nil {
				errs = fieldErrors(err)
			}
		}
		if readDoc != nil {
			callOf(c).doc = readDoc
		} else if bodySchema != nil {
			doc, bad, err := schemaErrorsPlain(bodySchema, plain, bodyOf(c))
			if err != nil { // checkJSON passed it: unreachable
				s.fail(c, &bodyError{msg: "The body is not valid JSON."})
				return
			}
			errs = mergeFieldErrors(errs, bad)
			callOf(c).doc = doc
		}
		if len(errs) > 0 {
			s.fail(c, &contractError{errs: errs})
			return
		}
		c.Next()
	}
}

// paramSkip says when openapi3filter.ValidateRequest (with the body
// excluded) has nothing to check in a request: when the operation's
// parameters are all optional headers and the request sends none of them,
// its answer is the one it gave at start-up for a request without them
// (the security requirements pass with the no-op authentication whatever
// the request; authorize checks keys). nil never skips.
type paramSkip struct {
	headers []string // the parameters' canonical names
}

// skippableParams returns route's paramSkip, or nil when a request's
// parameters need ValidateRequest: a parameter in the path, query or a
// cookie, a required or schema-less one, or a request without parameters
// that ValidateRequest refuses.
func skippableParams(route *routers.Route, opts *openapi3filter.Options) *paramSkip {
	sk := &paramSkip{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p == nil || p.Value == nil || p.Value.In != openapi3.ParameterInHeader || p.Value.Required || p.Value.Schema == nil {
				return nil
			}
			sk.headers = append(sk.headers, http.CanonicalHeaderKey(p.Value.Name))
		}
	}
	bare := &http.Request{Method: route.Method, URL: &url.URL{Path: route.Path}, Header: http.Header{}}
	if err := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{
		Request: bare, Route: route, Options: opts,
	}); err != nil {
		return nil
	}
	return sk
}

// skips reports whether req sends none of the parameters (an empty value
// is sent: ValidateRequest may refuse it).
func (sk *paramSkip) skips(req *http.Request) bool {
	if sk == nil {
		return false
	}
	for _, h := range sk.headers {
		if _, ok := req.Header[h]; ok {
			return false
		}
	}
	return true
}

// bodyMode says who reads and validates an operation's request body.
type bodyMode int

const (
	// bodyWhole: validate reads the JSON body and checks it against the
	// contract before the handler runs.
	bodyWhole bodyMode = iota
	// bodyPerItem: validate reads the JSON body (up to MaxBatchBodyBytes);
	// the handler checks each item against its schema, so that one bad
	// item does not fail the others.
	bodyPerItem
	// bodyStreamed: the handler streams the body (an upload of any size,
	// not JSON); validate checks only its media type.
	bodyStreamed
)

func bodyModeOf(op *openapi3.Operation) bodyMode {
	switch {
	case op.OperationID == "enrichBatch":
		return bodyPerItem
	case op.RequestBody != nil && op.RequestBody.Value.Content.Get(mimeJSON) == nil:
		return bodyStreamed
	default:
		return bodyWhole
	}
}

// acceptedMediaType returns the request's media type if the operation's
// content map lists it. Media types compare case-insensitively; a charset
// parameter is accepted when it is UTF-8 (JSON is UTF-8 by definition).
func acceptedMediaType(body *openapi3.RequestBody, header string) (string, error) {
	// The usual header, exactly as the contract names it: nothing to
	// parse (ParseMediaType would return it unchanged, without params).
	if header == mimeJSON && body.Content[mimeJSON] != nil {
		return mimeJSON, nil
	}
	mt, params, err := mime.ParseMediaType(header)
	if err != nil || body.Content[mt] == nil {
		return "", unacceptedMediaType(body, header)
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return "", unacceptedMediaType(body, header)
	}
	return mt, nil
}

// unacceptedMediaType is the 415 for header: it names the media types the
// operation accepts.
func unacceptedMediaType(body *openapi3.RequestBody, header string) error {
	want := make([]string, 0, len(body.Content))
	for mt := range body.Content {
		want = append(want, mt)
	}
	sort.Strings(want)
	return &mediaTypeError{got: truncate(header, 100), want: strings.Join(want, " or ")}
}

// readBody reads at most limit bytes; more is an *http.MaxBytesError.
func readBody(c *gin.Context, limit int64) ([]byte, error) {
	n := c.Request.ContentLength
	if n > limit {
		return nil, &http.MaxBytesError{Limit: limit}
	}
	if n >= 0 {
		// A declared length within the limit: the server's body reader
		// ends there, so the body is read into a buffer of exactly that
		// size (ReadAll starts at 512 bytes and grows).
		data := make([]byte, n)
		if _, err := io.ReadFull(c.Request.Body, data); err != nil {
			return nil, readBodyError(err)
		}
		return data, nil
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err != nil {
		return nil, readBodyError(err)
	}
	return data, nil
}

// readBodyError is readBody's error for err. (Its own function: the
// errors.As target would be allocated on every read, failed or not.)
func readBodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return mbe
	}
	return &bodyError{msg: "The request body could not be read."}
}

// checkJSON requires exactly one UTF-8 JSON value, so that the contract
// validation and the decoder see the same document.
func checkJSON(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return &bodyError{msg: "The request body is empty; send a JSON object."}
	}
	if !utf8.Valid(data) {
		return &bodyError{msg: "The request body is not valid UTF-8."}
	}
	// json.Valid checks the same (one value, nothing after it) without
	// building it; only an invalid body is decoded, for a precise message.
	if json.Valid(data) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return &bodyError{msg: "The request body is not valid JSON: " + jsonErrorText(err, len(data))}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &bodyError{msg: fmt.Sprintf("The request body is not valid JSON: unexpected data after the top-level value (at byte %d).", dec.InputOffset())}
	}
	return nil
}

func jsonErrorText(err error, size int) string {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d).", se.Error(), se.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("unexpected end of input after %d bytes.", size)
	default:
		return err.Error() + "."
	}
}

// inputOf is the pipeline's input of a validated request: read from the
// document validate decoded for the contract (inputFromDoc) or, when that
// cannot read it as encoding/json would, decoded again (decodeInput).
func inputOf(c *gin.Context) (pipeline.Input, error) {
	st := callOf(c)
	if st.doc != nil {
		if in, ok := inputFromDoc(st.doc); ok {
			return in, nil
		}
	}
	return decodeInput(st.body)
}

// inputFromDoc reads a body validate decoded (json.Number numbers) as
// decodeInput would decode it, without decoding it again. It reads only
// what decodeInput would take without an error or a subtlety of its own:
// every key one of Input's or Options' JSON names exactly (not in another
// case), no null, strings where strings go, integers written as integers
// and numbers in range; for anything else it returns false, and the
// caller decodes (and decodeInput reports the error in its own words).
func inputFromDoc(doc any) (in pipeline.Input, ok bool) {
	if d, isPlain := doc.(*plainDoc); isPlain {
		return inputFromPlain(d)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return in, false
	}
	for k, v := range obj {
		if k == "options" {
			in.Options, ok = optionsFromDoc(v)
		} else {
			var str string
			str, ok = v.(string)
			ok = ok && setInputString(&in, k, str)
		}
		if !ok {
			return in, false
		}
	}
	return in, true
}

// inputFromPlain is inputFromDoc for a document plainObject.read read.
func inputFromPlain(d *plainDoc) (in pipeline.Input, ok bool) {
	for _, p := range d.props[:d.n] {
		if !setInputString(&in, p.name, p.value) {
			return in, false
		}
	}
	return in, true
}

// setInputString sets in's string property of JSON name name to v, and
// reports false for a name that is not one.
func setInputString(in *pipeline.Input, name, v string) bool {
	switch name {
	case "email":
		in.Email = v
	case "phone":
		in.Phone = v
	case "name":
		in.Name = v
	case "country":
		in.Country = v
	default:
		return false
	}
	return true
}

func optionsFromDoc(doc any) (o pipeline.Options, ok bool) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return o, false
	}
	for k, v := range obj {
		switch k {
		case "timeout_ms":
			o.TimeoutMS, ok = intFromDoc(v)
		case "max_age_s":
			o.MaxAgeS, ok = intFromDoc(v)
		case "min_match":
			o.MinMatch, ok = floatFromDoc(v)
		case "min_probability":
			o.MinProbability, ok = floatFromDoc(v)
		case "sources":
			o.Sources, ok = stringsFromDoc(v)
		case "exclude_sources":
			o.ExcludeSources, ok = stringsFromDoc(v)
		case "include_candidates":
			o.IncludeCandidates, ok = v.(bool)
		case "cache":
			o.Cache, ok = v.(string)
		case "purpose":
			o.Purpose, ok = v.(string)
		default:
			ok = false
		}
		if !ok {
			return o, false
		}
	}
	return o, true
}

// intFromDoc is encoding/json's reading of a number into an int: an
// integer literal in range (1e3 and 3000.5 are not).
func intFromDoc(v any) (*int, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	i, err := strconv.ParseInt(string(n), 10, strconv.IntSize)
	if err != nil {
		return nil, false
	}
	x := int(i)
	return &x, true
}

// floatFromDoc is encoding/json's reading of a number into a float64.
func floatFromDoc(v any) (*float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return nil, false
	}
	return &f, true
}

// stringsFromDoc is encoding/json's reading of an array into a []string
// (an empty array is an empty slice, not nil).
func stringsFromDoc(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		if out[i], ok = e.(string); !ok {
			return nil, false
		}
	}
	return out, true
}

// decodeInput decodes a validated body into the pipeline's input. The
// contract has already rejected unknown fields and wrong types; what is left
// is what JSON Schema cannot see (3000.5 is not an int; 1e3 is, for JSON
// Schema, but not for encoding/json).
func decodeInput(data []byte) (pipeline.Input, error) {
	var in pipeline.Input
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return in, &contractError{errs: []pipeline.FieldError{{Field: te.Field, Reason: "value must be " + jsonKind(te.Type.Kind().String())}}}
		}
		return in, &bodyError{msg: "The request body could not be decoded: " + err.Error()}
	}
	return in, nil
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "an integer"
	case goKind == "slice":
		return "an array"
	case goKind == "struct", goKind == "map":
		return "an object"
	default:
		return "a " + goKind
	}
}

// schemaErrors checks a JSON document against schema as openapi3filter
// checks a request body: numbers kept as written (1e3 is no integer),
// read-only properties refused, every error reported. It returns the
// document as it decoded it (numbers as json.Number). Its error is only
// for data that is not JSON.
func schemaErrors(schema *openapi3.Schema, data []byte) (any, []pipeline.FieldError, error) {
	return schemaErrorsPlain(schema, nil, data)
}

// schemaErrorsPlain is schemaErrors, accepting a document plain accepts
// (plainObjectOf(schema), or nil) without the schema's walk.
// A document plain reads from the bytes (plainObject.read) is returned as
// a *plainDoc, without decoding it into a map.
func schemaErrorsPlain(schema *openapi3.Schema, plain *plainObject, data []byte) (any, []pipeline.FieldError, error) {
	if d, ok := plain.read(data); ok {
		return d, nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, nil, err
	}
	if plain.accepts(v) {
		return v, nil, nil
	}
	if err := schema.VisitJSON(v, openapi3.VisitAsRequest(), openapi3.MultiErrors()); err != nil {
		return v, fieldErrors(err), nil
	}
	return v, nil, nil
}

// mergeFieldErrors joins two sorted lists of field errors, sorted.
func mergeFieldErrors(a, b []pipeline.FieldError) []pipeline.FieldError {
	out := append(a, b...)
	sortFieldErrors(out)
	return slices.Compact(out)
}

func sortFieldErrors(errs []pipeline.FieldError) {
	slices.SortFunc(errs, func(a, b pipeline.FieldError) int {
		if c := strings.Compare(a.Field, b.Field); c != 0 {
			return c
		}
		return strings.Compare(a.Reason, b.Reason)
	})
}

// fieldErrors flattens openapi3filter's errors into errors[] entries named by
// the field's JSON path (options.timeout_ms, options.sources[0]); unknown
// properties are reported under their own name with reason "unknown field".
// The result is sorted and free of duplicates.
func fieldErrors(err error) []pipeline.FieldError {
	var out []pipeline.FieldError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(x)
			}
		case *openapi3filter.RequestError:
			switch e.Err.(type) {
			case openapi3.MultiError, *openapi3.SchemaError:
				walk(e.Err)
				return
			}
			field := ""
			if e.Parameter != nil {
				field = e.Parameter.Name
			}
			reason := e.Reason
			if reason == "" && e.Err != nil {
				reason = e.Err.Error()
			}
			out = append(out, pipeline.FieldError{Field: field, Reason: reason})
		case *openapi3.SchemaError:
			out = append(out, schemaFieldErrors(e)...)
		default:
			out = append(out, pipeline.FieldError{Field: "", Reason: err.Error()})
		}
	}
	walk(err)
	sortFieldErrors(out)
	return slices.Compact(out)
}

func schemaFieldErrors(se *openapi3.SchemaError) []pipeline.FieldError {
	path := se.JSONPointer()
	switch se.SchemaField {
	case "properties": // a property the schema does not list (additionalProperties: false)
		obj, _ := se.Value.(map[string]any)
		var out []pipeline.FieldError
		for k := range obj {
			if _, known := se.Schema.Properties[k]; !known {
				out = append(out, pipeline.FieldError{Field: fieldPath(append(slices.Clone(path), k)), Reason: "unknown field"})
			}
		}
		if len(out) > 0 {
			return out
		}
	case "required":
		return []pipeline.FieldError{{Field: fieldPath(path), Reason: "is required"}}
	}
	return []pipeline.FieldError{{Field: fieldPath(path), Reason: se.Reason}}
}

// fieldPath renders a JSON pointer's segments as a.b[0].c.
func fieldPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		if _, err := strconv.Atoi(s); err == nil {
			b.WriteString("[" + s + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// queryParams are the names of route's query parameters.
func queryParams(route *routers.Route) map[string]bool {
	known := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				known[p.Value.Name] = true
			}
		}
	}
	return known
}

// unknownQuery names every query parameter of req not in known.
func unknownQuery(req *http.Request, known map[string]bool) []pipeline.FieldError {
	var errs []pipeline.FieldError
	q := req.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		if !known[name] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		errs = append(errs, pipeline.FieldError{Field: name, Reason: "is not a query parameter of this operation"})
	}
	return errs
}
