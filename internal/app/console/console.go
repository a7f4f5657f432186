// Package console is footprint's web console: the pages people open first
// (/console/lookup, /console/batch, /console/sources), served by the binary
// itself with their script and styles embedded (no CDN, works offline).
//
// The pages are server-rendered shells (html/template, rendered once in New)
// with a small vanilla script that calls the public API from the browser:
// POST /v1/enrich, /v1/jobs and GET /v1/sources. The console has no API of
// its own and no state on the server; the API key a user enters stays in the
// tab's sessionStorage and travels as Authorization: Bearer.
//
// Why no front-end framework: three pages of forms, cards and tables need
// no component runtime, the Go build stays free of Node, every byte the
// browser runs is in this folder for review, and the whole console weighs
// less than one framework's runtime. See docs/CONSOLE.md.
package console

import (
	"bytes"
	"embed"
	"fmt"
	"github.com/footprint-oss/footprint/internal/app/static"
	"html/template"
	"net/http"
	"strings"
)

//go:embed assets
var assetFS embed.FS

// Pages are the console's pages, in navigation order.
var pages = []struct{ name, title string }{
	{"lookup", "Lookup"},
	{"batch", "Batch jobs"},
	{"sources", "Sources"},
}

// staticAssets are the files under assets/ served at /console/assets/.
var staticAssets = map[string]string{
	"console.js":  "text/javascript; charset=utf-8",
	"console.css": "text/css; charset=utf-8",
	"icon.svg":    "image/svg+xml",
}

// csp lets a page run its own script and styles and talk to this server
// only: no other origin can be contacted (so it provably works offline and
// leaks nothing, not even an avatar request, to third parties). Bars are
// sized through the CSSOM, which style-src does not restrict.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Config configures the console. Every field is optional.
type Config struct {
	// Version is shown in the footer.
	Version string
	// Demo labels every page: the server answers from the simulated web.
	Demo bool
}

// Console serves the console's pages and assets. It is an http.Handler
// for the paths /console, /console/{page} and /console/assets/{file}.
type Console struct {
	pages  map[string]static.File
	assets map[string]static.File
}

var _ http.Handler = (*Console)(nil)

// pageData is what page.html renders. Every URL in a page is relative to
// it, so the console works behind a proxy's path prefix: Here leads from
// the page to /console/ ("" for /console/{page}, "console/" for /console
// itself) and Root from the page to the server's root.
type pageData struct {
	Page, Title string
	Here, Root  string
	Nav         []navItem
	CSS, JS     string
	Icon        string
	Version     string
	Demo        bool
}

type navItem struct {
	Name, Title string
	Current     bool
}

// New renders every page once from the embedded template. It does no I/O
// beyond reading the embedded files, and panics if they are broken (a
// build-time mistake the package's tests catch).
func New(cfg Config) *Console {
	c := &Console{pages: map[string]static.File{}, assets: map[string]static.File{}}
	for name, ct := range staticAssets {
		b, err := assetFS.ReadFile("assets/" + name)
		if err != nil {
			panic(fmt.Sprintf("console: embedded %s: %v", name, err))
		}
		c.assets[name] = static.New(b, ct, "public, max-age=31536000, immutable")
	}
	tpl := template.Must(template.ParseFS(assetFS, "assets/page.html"))
	render := func(name, title, here, root string) static.File {
		d := pageData{
			Page: name, Title: title, Here: here, Root: root, Version: cfg.Version, Demo: cfg.Demo,
			CSS:  here + "assets/console.css?v=" + c.assets["console.css"].Version(),
			JS:   here + "assets/console.js?v=" + c.assets["console.js"].Version(),
			Icon: here + "assets/icon.svg?v=" + c.assets["icon.svg"].Version(),
		}
		for _, q := range pages {
			d.Nav = append(d.Nav, navItem{Name: q.name, Title: q.title, Current: q.name == name})
		}
		var buf bytes.Buffer
		if err := tpl.Execute(&buf, d); err != nil {
			panic(fmt.Sprintf("console: rendering %s: %v", name, err))
		}
		return static.New(buf.Bytes(), "text/html; charset=utf-8", "no-cache")
	}
	for _, p := range pages {
		c.pages[p.name] = render(p.name, p.title, "", "../")
	}
	// /console itself is the lookup page (no redirect to wait for).
	c.pages[""] = render(pages[0].name, pages[0].title, "console/", "")
	return c
}

// ServeHTTP serves GET (and HEAD) /console (the lookup page),
// /console/{page} and /console/assets/{file}; anything else is a 404.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(r.URL.Path, "/console")
	switch {
	case !ok || rest == "/":
		http.NotFound(w, r)
	case strings.HasPrefix(rest, "/assets/"):
		f, ok := c.assets[strings.TrimPrefix(rest, "/assets/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f.Serve(w, r)
	default:
		f, ok := c.pages[strings.TrimPrefix(rest, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		// A shared lookup URL carries an email address: never send it on
		// to the sites an account card links to.
		h.Set("Referrer-Policy", "no-referrer")
		f.Serve(w, r)
	}
}
