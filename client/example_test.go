package client_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/footprint-oss/footprint/client"
	"github.com/footprint-oss/footprint/openapi"
)

// Enrich an email address and read the profile: the accounts that belong
// to the subject, the risk verdict, and what each source did.
func Example() {
	srv := cannedServer() // a footprint server, e.g. "http://127.0.0.1:8080"
	defer srv.Close()

	c, err := client.NewClientWithResponses(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	email := "Jane.Doe@Example.com"
	res, err := c.EnrichWithResponse(context.Background(), nil, client.EnrichRequest{Email: &email})
	if err != nil {
		log.Fatal(err) // the server could not be reached
	}
	p := res.JSON200
	if p == nil {
		log.Fatalf("enrich: %s", res.Status()) // a problem document: see the next example
	}
	fmt.Println("subject:", p.Subject.Email.Address)
	for _, a := range p.Accounts {
		fmt.Printf("account: %s/%s (p=%.2f)\n", a.Source, a.Username, a.Match.Probability)
	}
	fmt.Printf("risk: %s (score %.1f)\n", p.Risk.Verdict, p.Risk.Score)
	for _, s := range p.Sources {
		fmt.Printf("source %s: %s\n", s.Name, s.Status)
	}
	// Output:
	// subject: jane.doe@example.com
	// account: github/janedoe (p=0.99)
	// risk: approve (score 2.2)
	// source github: ok
	// source gravatar: not_found
}

// A request the server refuses comes back as an RFC 9457 problem document,
// with one entry per field at fault.
func ExampleClientWithResponses_EnrichWithResponse_problem() {
	srv := cannedServer()
	defer srv.Close()

	c, err := client.NewClientWithResponses(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	email := "jane.doe.example.com"
	res, err := c.EnrichWithResponse(context.Background(), nil, client.EnrichRequest{Email: &email})
	if err != nil {
		log.Fatal(err)
	}
	if pr := res.ApplicationproblemJSON400; pr != nil {
		fmt.Println(pr.Status, pr.Title)
		for _, e := range *pr.Errors {
			fmt.Printf("%s: %s\n", e.Field, e.Reason)
		}
	}
	// Output:
	// 400 Bad Request
	// email: missing @
}

// cannedServer stands in for a footprint server: POST /v1/enrich answers
// the profile in testdata/enrich_200.json, or for an email without an @ the
// problem in testdata/enrich_400.json.
func cannedServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in client.EnrichRequest
		if r.Method != http.MethodPost || r.URL.Path != "/v1/enrich" || json.NewDecoder(r.Body).Decode(&in) != nil || in.Email == nil {
			http.Error(w, "not in this example", http.StatusNotImplemented)
			return
		}
		file, status, mediaType := "enrich_200.json", http.StatusOK, "application/json"
		if !strings.Contains(*in.Email, "@") {
			file, status, mediaType = "enrich_400.json", http.StatusBadRequest, "application/problem+json"
		}
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", mediaType)
		w.WriteHeader(status)
		_, _ = w.Write(b)
	}))
}

// TestCannedResponses: the examples' canned answers are valid answers of
// the contract, so the examples show what a server sends.
func TestCannedResponses(t *testing.T) {
	doc, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	for file, schema := range map[string]string{"enrich_200.json": "Profile", "enrich_400.json": "Problem"} {
		b, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		s := doc.Components.Schemas[schema]
		if s == nil {
			t.Fatalf("the contract has no schema %s", schema)
		}
		if err := s.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors()); err != nil {
			t.Errorf("%s is not a valid %s: %v", file, schema, err)
		}
	}
}
