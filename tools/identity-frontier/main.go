// Command identity-frontier dumps per-account features of
// stored identity cases (eval --cases-out) as JSON lines, one per returned
// account with its ground truth, for the frontier study of docs/IDENTITY.md
// (frontier.py). Usage: go run ./tools/identity-frontier cases.gob... > f.jsonl
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"unicode"

	"github.com/footprint-oss/footprint/internal/harness/evaluate"
	"github.com/footprint-oss/footprint/scoring/identity"
)

func main() {
	num := regexp.MustCompile(`[0-9]+`)
	m := identity.DefaultModel()
	enc := json.NewEncoder(os.Stdout)
	for fi, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			panic(err)
		}
		cases, err := evaluate.ReadCases(f)
		f.Close()
		if err != nil {
			panic(err)
		}
		for ci, c := range cases {
			out := m.Resolve(c.Subject, c.Accounts)
			conf := 0
			for _, a := range out {
				if a.Match.Probability >= 0.8 {
					conf++
				}
			}
			for _, a := range out {
				digits := 0
				for _, r := range a.Username {
					if unicode.IsDigit(r) {
						digits++
					}
				}
				lg := func(p *int64) float64 {
					if p == nil {
						return -1
					}
					return math.Log1p(float64(*p))
				}
				var ev []string
				for _, e := range a.Match.Evidence {
					ev = append(ev, num.ReplaceAllString(e, "#"))
				}
				origin := a.Via.Origin
				row := map[string]any{
					"file": fi, "case": ci, "truth": c.Truth(a.Source, a.Username), "owned": c.Owned,
					"p": a.Match.Probability, "method": string(a.Method), "source": a.Source, "origin": origin,
					"verified": a.Verified, "ulen": len(a.Username), "udigits": digits,
					"dn": a.DisplayName != "", "loc": a.Location != "", "bio": a.Bio != "", "avatar": a.Avatar != "", "photo": a.Photo != nil,
					"followers": lg(a.Followers), "following": lg(a.Following), "karma": lg(a.Karma), "repos": lg(a.Repos),
					"links": len(a.Links), "tags": len(a.Tags), "website": a.Website != "", "company": a.Company != "",
					"n": len(out), "conf": conf, "hasname": c.Subject.Name != "", "owndomain": c.Subject.OwnDomain,
					"localname": strings.Contains(strings.ToLower(a.Username), strings.ToLower(c.Subject.EmailLocal)),
					"ev":        ev,
				}
				if a.CreatedAt != nil {
					row["year"] = a.CreatedAt.Year()
				}
				if err := enc.Encode(row); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(1)
				}
			}
		}
	}
}
