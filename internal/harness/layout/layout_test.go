// Package layout holds the test that keeps footprint's package layering
// (docs/ARCHITECTURE.md) true: it reads the imports of every package in the
// module and checks the rules a newcomer relies on.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/footprint-oss/footprint"

// imports maps every package directory of the module (relative, slash
// separated) to the module-internal and standard packages its non-test
// files import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	out := map[string][]string{}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != "." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		dir := filepath.ToSlash(rel)
		for _, im := range f.Imports {
			ip := strings.Trim(im.Path.Value, `"`)
			if !slices.Contains(out[dir], ip) {
				out[dir] = append(out[dir], ip)
			}
		}
		if _, ok := out[dir]; !ok {
			out[dir] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func local(ip string) (string, bool) {
	if ip == module {
		return ".", true
	}
	return strings.CutPrefix(ip, module+"/")
}

func under(dir, prefix string) bool { return dir == prefix || strings.HasPrefix(dir, prefix+"/") }

// leaf helpers any source may use: pure functions, no I/O.
var leaves = []string{"enrichers/links", "enrichers/personname", "enrichers/textlang", "enrichers/redact", "enrichers/numplan"}

// TestLayering checks the rules of docs/ARCHITECTURE.md.
func TestLayering(t *testing.T) {
	pkgs := imports(t)
	if len(pkgs) < 20 {
		t.Fatalf("read only %d packages: is the walk rooted right?", len(pkgs))
	}
	for dir, ims := range pkgs {
		for _, ip := range ims {
			dep, own := local(ip)
			// No top-level package imports internal/ (cmd is the composition root).
			if own && under(dep, "internal") && !under(dir, "internal") && !under(dir, "cmd") &&
				!strings.Contains(dir, "/internal") {
				t.Errorf("%s imports %s: no top-level package imports internal/", dir, dep)
			}
			// scoring is pure: no network code, no runtime, no cache.
			if under(dir, "scoring") {
				if ip == "net" || ip == "net/http" || (own && (under(dep, "enrichers/engine") || under(dep, "enrichers/transport") || under(dep, "cache"))) {
					t.Errorf("%s imports %s: scoring imports no network code", dir, ip)
				}
			}
			// A source imports the plugin API, transport and leaf helpers only.
			if src, ok := strings.CutPrefix(dir, "enrichers/"); ok && isSource(src) && own && dep != "enrichers" {
				okDep := under(dep, "enrichers/transport") || slices.Contains(leaves, dep) ||
					under(dep, dir) // its own subpackages (email/internal/gen)
				if !okDep {
					t.Errorf("%s imports %s: a source imports only the plugin API, transport and leaf helpers", dir, dep)
				}
			}
			if src, ok := strings.CutPrefix(dir, "enrichers/"); ok && isSource(src) && strings.HasPrefix(ip, "github.com/gin-gonic/") {
				t.Errorf("%s imports %s: a source never imports gin", dir, ip)
			}
			// The plugin API depends on nothing but leaf helpers.
			if dir == "enrichers" && own && !slices.Contains(leaves, dep) {
				t.Errorf("enrichers (the plugin API) imports %s", dep)
			}
		}
	}
}

// isSource reports whether enrichers/<name> is a source package (not the
// plugin API's runtime, transport, list or a leaf helper).
func isSource(name string) bool {
	top, _, _ := strings.Cut(name, "/")
	switch top {
	case "engine", "transport", "all":
		return false
	}
	return !slices.Contains(leaves, path.Join("enrichers", top))
}
