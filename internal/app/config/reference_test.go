package config

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/all"
	"github.com/footprint-oss/footprint/enrichers/engine"
)

var update = flag.Bool("update", false, "rewrite REFERENCE.md and the key table in doc.go")

type refRow struct{ key, env, typ, def, doc string }

// registered returns the descriptions of the sources footprint ships.
func registered(t *testing.T) []enrichers.Description {
	t.Helper()
	reg := engine.NewRegistry()
	if err := all.Register(reg, all.Deps{}); err != nil {
		t.Fatal(err)
	}
	return reg.Descriptions()
}

// takenBy lists the sources that declare key, in registry order.
func takenBy(srcs []enrichers.Description, key string) []string {
	var names []string
	for _, d := range srcs {
		if takes(d, key) {
			names = append(names, "`"+d.Name+"`")
		}
	}
	return names
}

// referenceRows is the documentation view of the key tables; srcs are the
// sources, for the keys only some of them take.
func referenceRows(srcs []enrichers.Description) []refRow {
	d := Default()
	var rows []refRow
	for _, k := range keys() {
		def := k.def
		if def == "" {
			def = formatDefault(k.ptr(d))
		}
		rows = append(rows, refRow{k.path, envName(k.path), typeName(k.path, k.ptr(d)), def, k.doc})
	}
	var sc SourceConfig
	for _, k := range sourceKeys() {
		def := "source's own"
		if k.path == "api_key" {
			def = "empty"
		}
		doc := k.doc
		if k.declared {
			doc += "; only " + strings.Join(takenBy(srcs, k.path), ", ") + " (see below)"
		}
		rows = append(rows, refRow{"sources.<name>." + k.path, sourceEnvName("<name>", k.path),
			typeName(k.path, k.ptr(&sc)), def, doc})
	}
	return rows
}

func typeName(path string, ptr any) string {
	if strings.HasSuffix(path, "_ms") {
		return "milliseconds"
	}
	switch ptr.(type) {
	case *string:
		return "string"
	case *bool, **bool:
		return "bool"
	case *int, *int64:
		return "integer"
	case *uint32:
		return "integer ≥ 0"
	case *float64:
		return "number"
	case *Duration:
		return "milliseconds"
	}
	panic(fmt.Sprintf("no type name for %T", ptr))
}

func formatDefault(ptr any) string {
	switch p := ptr.(type) {
	case *string:
		if *p == "" {
			return "empty"
		}
		return *p
	case *Duration:
		v, _ := p.MarshalYAML()
		return fmt.Sprint(v)
	}
	return fmt.Sprint(reflect.ValueOf(ptr).Elem().Interface())
}

func markdownReference(srcs []enrichers.Description) string {
	var b strings.Builder
	b.WriteString(referenceIntro)
	b.WriteString("| YAML key | Environment variable | Type | Default | Meaning |\n|---|---|---|---|---|\n")
	for _, r := range referenceRows(srcs) {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s |\n", r.key, r.env, r.typ, mdDefault(r.def), r.doc)
	}
	b.WriteString(referenceFootnote)
	b.WriteString(sourceSettingsIntro)
	b.WriteString("| Source | Key | Meaning |\n|---|---|---|\n")
	for _, d := range srcs {
		for _, s := range d.Settings {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s |\n", d.Name, s.Key, s.Doc)
		}
	}
	b.WriteString(referenceOutro)
	return b.String()
}

func mdDefault(d string) string {
	switch d {
	case "empty", "source's own", "per-user data folder¹":
		return d
	}
	return "`" + d + "`"
}

// docTable is the key table as it appears in the package documentation:
// a preformatted block, one "//\t" line per row.
func docTable(srcs []enrichers.Description) string {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "YAML key\tEnvironment variable\tType\tDefault")
	for _, r := range referenceRows(srcs) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.key, r.env, r.typ, r.def)
	}
	tw.Flush()
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		out.WriteString("//\t" + strings.TrimRight(line, " ") + "\n")
	}
	return out.String()
}

const referenceIntro = `# Configuration reference

<!-- Generated from internal/app/config/keys.go and the sources'
     enrichers.Description.Settings by
     go test ./internal/app/config -run TestReference -update
     Do not edit by hand. -->

footprint reads its configuration in layers, each overriding the one before:

1. built-in defaults;
2. a YAML file, when one is given with ` + "`--config FILE`" + `;
3. the environment: every key has a ` + "`FOOTPRINT_…`" + ` variable, the key's path
   upper-cased with ` + "`.`" + ` turned into ` + "`_`" + `;
4. command-line flags (for example ` + "`serve --addr`, `--data-dir`, `--log-format`" + `).

Rules:

- An unknown key anywhere in the file is an error naming it
  (` + "`config.yaml:3: unknown key \"server.adr\" (did you mean \"server.addr\"?)`" + `),
  and so is an unparsable value.
- An unknown variable starting ` + "`FOOTPRINT_`" + ` is an error naming it.
  Variables starting ` + "`FOOTPRINT_TEST_`" + ` (such as ` + "`FOOTPRINT_TEST_REDIS_URL`" + `)
  belong to the tests and are ignored.
- Durations are whole numbers of milliseconds; their keys end in ` + "`_ms`" + `.
- A key written with no value (` + "`key:`" + ` or ` + "`key: ~`" + `) keeps the default.
  An empty variable sets a string to empty (` + "`FOOTPRINT_UPSTREAM=`" + ` undoes a
  file's upstream) and leaves any other setting alone.
- ` + "`log.format`" + ` and ` + "`log.level`" + ` are case-insensitive.
- Source settings left at 0 or unset keep the source's own default (see
  ` + "`GET /v1/sources`" + `); unknown source names are rejected at start-up, and so
  is a key the source does not take (` + "`api_key`" + ` and ` + "`base_url`" + ` belong to the
  sources listed below the table).
  In a variable name the source name is upper-cased with ` + "`-`" + ` written as ` + "`_`" + `:
  ` + "`FOOTPRINT_SOURCES_GITHUB_RATE_PER_S=0.5`" + `.

`

const referenceFootnote = `
¹ The per-user data folder is ` + "`$XDG_DATA_HOME/footprint`" + ` when XDG_DATA_HOME is
an absolute path, else ` + "`~/.local/share/footprint`" + `; on macOS
` + "`~/Library/Application Support/footprint`" + `; on Windows
` + "`%LocalAppData%\\footprint`" + `.
`

// sourceSettingsIntro heads the table of the keys only some sources take,
// generated from their enrichers.Description.Settings.
const sourceSettingsIntro = `
Every source takes ` + "`enabled`, `rate_per_s`, `burst`, `timeout_ms` and `breaker.*`" + `.
Only these take more; a key written for a source that does not take it stops
footprint at start-up with an error naming it and what the source accepts
(` + "`sources.rdap.base_url: rdap takes no base_url (it accepts: enabled, …)`" + `):

`

const referenceOutro = `
## Example

` + "```yaml" + `
server:
  addr: 0.0.0.0:8080
  max_timeout_ms: 20000
log:
  format: json
redis_url: redis://redis:6379/0
sources:
  github:
    rate_per_s: 0.5
    api_key: ghp_example
    breaker:
      failures: 3
      open_for_ms: 60000
  hibp:
    enabled: true
` + "```" + `

The same settings in the environment:

` + "```sh" + `
FOOTPRINT_SERVER_ADDR=0.0.0.0:8080
FOOTPRINT_SERVER_MAX_TIMEOUT_MS=20000
FOOTPRINT_LOG_FORMAT=json
FOOTPRINT_REDIS_URL=redis://redis:6379/0
FOOTPRINT_SOURCES_GITHUB_RATE_PER_S=0.5
FOOTPRINT_SOURCES_GITHUB_API_KEY=ghp_example
FOOTPRINT_SOURCES_GITHUB_BREAKER_FAILURES=3
FOOTPRINT_SOURCES_GITHUB_BREAKER_OPEN_FOR_MS=60000
FOOTPRINT_SOURCES_HIBP_ENABLED=true
` + "```" + `
`

// TestReference keeps REFERENCE.md and the table in doc.go in step with the
// key tables. Run with -update to rewrite them.
func TestReference(t *testing.T) {
	srcs := registered(t)
	want := markdownReference(srcs)
	if *update {
		if err := os.WriteFile("REFERENCE.md", []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("REFERENCE.md is stale; run go test ./internal/app/config -run TestReference -update")
	}

	// The README carries the same reference between its markers.
	const readme = "../../../README.md"
	const readmeStart, readmeEnd = "<!-- Generated from internal/app/config/keys.go", "<!-- End of the generated configuration reference. -->"
	body := strings.TrimPrefix(want, "# Configuration reference\n\n")
	rd, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	i, j := strings.Index(string(rd), readmeStart), strings.Index(string(rd), readmeEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md: no generated configuration reference between %q and %q", readmeStart, readmeEnd)
	}
	if *update {
		rd = []byte(string(rd[:i]) + body + string(rd[j:]))
		if err := os.WriteFile(readme, rd, 0o644); err != nil {
			t.Fatal(err)
		}
		i, j = strings.Index(string(rd), readmeStart), strings.Index(string(rd), readmeEnd)
	}
	if string(rd[i:j]) != body {
		t.Errorf("README.md's configuration reference is stale; run go test ./internal/app/config -run TestReference -update")
	}

	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	start, end, ok := docTableSpan(string(doc))
	if !ok {
		t.Fatal("doc.go: no key table (a \"//\\tYAML key\" block)")
	}
	table := docTable(srcs)
	if *update {
		doc = []byte(string(doc[:start]) + table + string(doc[end:]))
		if err := os.WriteFile("doc.go", doc, 0o644); err != nil {
			t.Fatal(err)
		}
		start, end, _ = docTableSpan(string(doc))
	}
	if string(doc[start:end]) != table {
		t.Errorf("doc.go key table is stale; run go test ./internal/app/config -run TestReference -update")
	}
}

// docTableSpan finds the "//\tYAML key" block in doc.go.
func docTableSpan(doc string) (start, end int, ok bool) {
	start = strings.Index(doc, "//\tYAML key")
	if start < 0 {
		return 0, 0, false
	}
	end = start
	for strings.HasPrefix(doc[end:], "//\t") {
		nl := strings.IndexByte(doc[end:], '\n')
		if nl < 0 {
			return start, len(doc), true
		}
		end += nl + 1
	}
	return start, end, true
}
