package openapi

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestVendoredRedoc: the embedded bundle is the one docs/SOURCES.md names,
// byte for byte, and its licences sit next to it.
func TestVendoredRedoc(t *testing.T) {
	t.Parallel()
	sources, err := os.ReadFile("docs/SOURCES.md")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(DocsScript())
	want := regexp.MustCompile("`redoc.standalone.js`: `([0-9a-f]{64})`").FindSubmatch(sources)
	if want == nil {
		t.Fatal("docs/SOURCES.md does not record the sha256 of redoc.standalone.js")
	}
	if got := hex.EncodeToString(sum[:]); got != string(want[1]) {
		t.Errorf("redoc.standalone.js sha256 = %s, SOURCES.md says %s", got, want[1])
	}
	if !strings.Contains(string(sources), "**"+RedocVersion+"**") {
		t.Errorf("SOURCES.md does not name redoc %s", RedocVersion)
	}
	if !strings.Contains(string(DocsScript()), `ReDoc Version: ","`+RedocVersion+`"`) {
		t.Errorf("the bundle does not say it is version %s", RedocVersion)
	}
	for _, f := range []string{"docs/LICENSE", "docs/redoc.standalone.js.LICENSE.txt"} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// TestDocsPageIsSelfContained: the page loads nothing from another origin.
func TestDocsPageIsSelfContained(t *testing.T) {
	t.Parallel()
	page := string(DocsPage("docs/redoc.standalone.js?v=1"))
	if strings.Contains(page, "{{") {
		t.Error("template placeholder left in the page")
	}
	refs := regexp.MustCompile(`(?i)\b(?:src|href|spec-url)\s*=\s*"([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 2 {
		t.Fatalf("expected the script and spec references, found %q", refs)
	}
	for _, r := range refs {
		if u := strings.ToLower(r[1]); strings.Contains(u, "//") || strings.HasPrefix(u, "data:") {
			t.Errorf("the page references %q: every asset must be served by footprint", r[1])
		}
	}
	if !strings.Contains(page, `src="docs/redoc.standalone.js?v=1"`) {
		t.Errorf("script URL not substituted: %s", page)
	}
}
