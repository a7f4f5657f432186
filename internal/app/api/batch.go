package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// batchConcurrency bounds the items of one batch enriched at once; the
// sources' own limiters bound what reaches the upstreams.
const batchConcurrency = 16

// batchSchema is what enrichBatch checks a request against, taken from the
// contract at start-up: the request's item bounds and the item schema.
type batchSchema struct {
	minItems, maxItems int
	item               *openapi3.Schema
}

func newBatchSchema(doc *openapi3.T) batchSchema {
	b := batchSchema{minItems: 1, maxItems: 100}
	req := doc.Components.Schemas["EnrichBatchRequest"]
	item := doc.Components.Schemas["BatchItem"]
	if req == nil || item == nil || req.Value.Properties["items"] == nil {
		panic("api: the contract has no EnrichBatchRequest/BatchItem schema")
	}
	items := req.Value.Properties["items"].Value
	b.minItems = int(items.MinItems)
	if items.MaxItems != nil {
		b.maxItems = int(*items.MaxItems)
	}
	b.item = item.Value
	return b
}

// batchItem is one item: an EnrichRequest plus metadata.
type batchItem struct {
	pipeline.Input
	Metadata json.RawMessage `json:"metadata,omitempty"`
}

// batchResult is schema BatchResult.
type batchResult struct {
	Index    int               `json:"index"`
	Status   int               `json:"status"`
	Metadata json.RawMessage   `json:"metadata,omitempty"`
	Profile  *pipeline.Profile `json:"profile,omitempty"`
	Error    *problem          `json:"error,omitempty"`
}

// enrichBatch serves POST /v1/enrich/batch (operation enrichBatch): every
// item is validated on its own and enriched as POST /v1/enrich would, at
// most batchConcurrency at once, all within the contract's largest request
// budget. One bad item gets its own problem; the batch answers 200.
func (s *Server) enrichBatch(c *gin.Context) {
	var req struct {
		Items []json.RawMessage `json:"items"`
	}
	dec := json.NewDecoder(bytes.NewReader(bodyOf(c)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.fail(c, &contractError{errs: []pipeline.FieldError{{Field: "", Reason: "must be an object with an items array: " + err.Error()}}})
		return
	}
	switch n := len(req.Items); {
	case req.Items == nil:
		s.fail(c, &contractError{errs: []pipeline.FieldError{{Field: "items", Reason: "is required"}}})
		return
	case n < s.batch.minItems || n > s.batch.maxItems:
		s.fail(c, &contractError{errs: []pipeline.FieldError{{Field: "items",
			Reason: fmt.Sprintf("must hold %d to %d items, not %d", s.batch.minItems, s.batch.maxItems, n)}}})
		return
	}
	// Every item is a lookup against the key's quotas, charged up front,
	// all or none.
	if !s.charge(c, int64(len(req.Items))) {
		return
	}

	ctx, cancel := context.WithTimeout(c.Request.Context(), s.maxBudget)
	defer cancel()
	out := make([]batchResult, len(req.Items))
	sem := make(chan struct{}, batchConcurrency)
	var wg sync.WaitGroup
	for i, raw := range req.Items {
		out[i].Index = i
		item, err := s.decodeBatchItem(raw)
		out[i].Metadata = item.Metadata
		if err != nil {
			s.itemFailed(c, &out[i], err)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Past the batch's deadline an item still runs, on a done
			// context: it comes back at once, partial, every source timed out.
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
			}
			defer func() {
				if r := recover(); r != nil {
					s.itemFailed(c, &out[i], fmt.Errorf("%w: %v", errPanic, r))
				}
			}()
			in := item.Input
			s.withPurpose(ctx, &in)
			p, err := s.svc.Enrich(ctx, in)
			s.noteLookup(ctx, p, false)
			switch {
			case err != nil:
				s.itemFailed(c, &out[i], err)
			case p == nil:
				s.itemFailed(c, &out[i], errNoResult)
			default:
				s.observeLookup(c, p)
				out[i].Status, out[i].Profile = http.StatusOK, withArrays(p)
			}
		}()
	}
	wg.Wait()
	if c.Request.Context().Err() != nil {
		s.fail(c, c.Request.Context().Err())
		return
	}
	s.writeJSON(c, http.StatusOK, struct {
		Items []batchResult `json:"items"`
	}{out})
}

// decodeBatchItem checks one item against the contract's BatchItem schema,
// then decodes it as POST /v1/enrich would decode its body. Its metadata,
// verbatim, is returned even when the item is unusable, so that the caller
// can still tell which item failed.
func (s *Server) decodeBatchItem(raw json.RawMessage) (batchItem, error) {
	var item batchItem
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err == nil {
		if md := bytes.TrimSpace(fields["metadata"]); len(md) > 0 && md[0] == '{' {
			item.Metadata = md
		}
	}
	_, bad, err := schemaErrors(s.batch.item, raw)
	if err != nil {
		return item, &bodyError{msg: "The item is not valid JSON."}
	}
	if len(bad) > 0 {
		return item, &contractError{errs: bad}
	}
	// The schema passed: the item is an object. Decode it without its
	// metadata, from its own bytes (so 1e3 is no integer here either).
	delete(fields, "metadata")
	rest, err := json.Marshal(fields)
	if err != nil {
		return item, &bodyError{msg: "The item could not be decoded."}
	}
	in, err := decodeInput(rest)
	if err != nil {
		return item, err
	}
	item.Input = in
	return item, nil
}

// itemFailed records err as item r's problem.
func (s *Server) itemFailed(c *gin.Context, r *batchResult, err error) {
	p := problemFor(err)
	p.RequestID = requestIDOf(c)
	p.Instance = fmt.Sprintf("%s#/items/%d", c.Request.URL.Path, r.Index)
	if p.Status >= 500 {
		s.logFailure(c, err)
	}
	r.Status, r.Error, r.Profile = p.Status, &p, nil
}

// withArrays makes the arrays the contract requires non-null: a nil slice
// from the data path must not break it.
func withArrays(p *pipeline.Profile) *pipeline.Profile {
	if p.Accounts == nil {
		p.Accounts = []enrichers.Account{}
	}
	if p.Sources == nil {
		p.Sources = []pipeline.SourceStatus{}
	}
	return p
}
