package openapi

import (
	"bytes"
	_ "embed"
	"html"
)

// RedocVersion is the version of the vendored Redoc bundle (npm package
// redoc); docs/SOURCES.md records where it came from and its sha256.
const RedocVersion = "2.5.4"

//go:embed docs/index.html
var docsHTML []byte

//go:embed docs/redoc.standalone.js
var redocJS []byte

// DocsScript returns Redoc's standalone bundle (a copy; callers may keep
// it). GET /docs/redoc.standalone.js serves it.
func DocsScript() []byte { return bytes.Clone(redocJS) }

// DocsPage returns the HTML page that renders this contract with Redoc,
// loading the script from scriptURL and the contract from openapi.json,
// both relative to the page (/docs), so the page works offline and behind
// a path prefix.
func DocsPage(scriptURL string) []byte {
	return bytes.ReplaceAll(docsHTML, []byte("{{SCRIPT}}"), []byte(html.EscapeString(scriptURL)))
}
