package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/footprint-oss/footprint/client"
	"github.com/footprint-oss/footprint/internal/app/pipeline"
)

// remoteMargin is added to the largest request budget the API admits to
// bound one call to a server: the server answers within the budget it was
// given, so this only catches a server that hangs.
const remoteMargin = 15 * time.Second

// lookupRemote sends in to a running footprint server through the
// generated client (package client) and writes the server's profile to
// out, as the server sent it (indented with pretty). A 400 or 422 answer
// is the caller's fault (exit code 2), like an *pipeline.InputError
// in-process; any other failure is a runtime error.
func lookupRemote(ctx context.Context, server string, in pipeline.Input, pretty bool, out io.Writer) error {
	base, err := serverURL(server)
	if err != nil {
		return errUsage{err}
	}
	c, err := client.NewClientWithResponses(base, client.WithHTTPClient(&http.Client{
		Timeout: pipeline.MaxTimeout + remoteMargin,
	}))
	if err != nil {
		return errUsage{fmt.Errorf("--server: %w", err)}
	}
	res, err := c.EnrichWithResponse(ctx, nil, enrichRequest(in))
	if err != nil {
		return fmt.Errorf("calling %s: %w", base, err)
	}
	if res.JSON200 == nil {
		return remoteError(base, res.HTTPResponse, res.Body)
	}
	var buf bytes.Buffer
	if pretty {
		err = json.Indent(&buf, res.Body, "", "  ")
	} else {
		err = json.Compact(&buf, res.Body)
	}
	if err != nil {
		return fmt.Errorf("%s answered a profile that is not JSON: %w", base, err)
	}
	buf.WriteByte('\n')
	_, err = out.Write(buf.Bytes())
	return err
}

// serverURL checks --server: an http(s) URL with a host, no query or
// fragment. The client appends /v1/enrich to it.
func serverURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--server %q: want an http:// or https:// URL such as http://127.0.0.1:8080", s)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// enrichRequest is the contract's request for in; empty fields are left
// out, as the server treats them as absent.
func enrichRequest(in pipeline.Input) client.EnrichRequest {
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	list := func(l []string) *[]string {
		if len(l) == 0 {
			return nil
		}
		return &l
	}
	req := client.EnrichRequest{Email: str(in.Email), Phone: str(in.Phone), Name: str(in.Name), Country: str(in.Country)}
	o := in.Options
	opts := client.EnrichOptions{
		TimeoutMs:      o.TimeoutMS,
		Sources:        list(o.Sources),
		ExcludeSources: list(o.ExcludeSources),
		MinMatch:       o.MinMatch,
		MaxAgeS:        o.MaxAgeS,
	}
	if o.IncludeCandidates {
		opts.IncludeCandidates = &o.IncludeCandidates
	}
	if o.Cache != "" {
		cache := client.EnrichOptionsCache(o.Cache)
		opts.Cache = &cache
	}
	if opts != (client.EnrichOptions{}) {
		req.Options = &opts
	}
	return req
}

// remoteError turns a non-200 answer into an error: the problem's detail
// and field errors when the server sent a problem document. A 400 or 422
// is the caller's fault (exit code 2).
func remoteError(base string, res *http.Response, body []byte) error {
	status := res.StatusCode
	var p client.Problem
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || json.Unmarshal(body, &p) != nil || p.Title == "" {
		return fmt.Errorf("%s answered %s (%s)", base, res.Status, truncateBody(body))
	}
	var b strings.Builder
	if len(derefErrors(p.Errors)) > 0 {
		for i, fe := range derefErrors(p.Errors) {
			if i > 0 {
				b.WriteString("; ")
			}
			if fe.Field != "" {
				b.WriteString(fe.Field + ": ")
			}
			b.WriteString(fe.Reason)
		}
	} else if p.Detail != nil {
		b.WriteString(*p.Detail)
	} else {
		b.WriteString(p.Title)
	}
	err := fmt.Errorf("%s (server answered %d, request id %s)", b.String(), status, p.RequestId)
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
		return errUsage{err}
	}
	return err
}

func derefErrors(e *[]client.FieldError) []client.FieldError {
	if e == nil {
		return nil
	}
	return *e
}

func truncateBody(b []byte) string {
	const max = 200
	s := strings.TrimSpace(string(b))
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
