// Package client is a Go client for footprint's HTTP API, generated from
// the contract (openapi/openapi.yaml) by oapi-codegen. Do not edit
// client.gen.go; change the contract and run `go generate ./client/`.
//
//	c, err := client.NewClientWithResponses("http://127.0.0.1:8080")
//	res, err := c.EnrichWithResponse(ctx, nil, client.EnrichRequest{Email: ptr("jane@example.com")})
//	// res.JSON200 is the profile; res.ApplicationproblemJSON400 etc. the problems.
package client

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2 -config oapi-codegen.yaml ../openapi/openapi.yaml
