package evaluate

import (
	"encoding/json"
	"io"
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/footprint-oss/footprint/scoring/calibrate"
	"github.com/footprint-oss/footprint/scoring/identity"
)

// WriteFeatures resolves every case with m and writes one JSON line per
// returned account: its ground truth, the model's probability, which
// evidence fired (numbers replaced by #), how it was found, the profile's
// facts and the lookup's, for the frontier study of docs/IDENTITY.md
// (eval --fit-from … --features-out; tools/identity-frontier/frontier.py).
// The profile's own text (display name, location, bio, URL, links) and
// photo hash are written too, so the study can compare the accounts of one
// lookup with each other (its collective features), and the second look's
// input row ("look", in identity.LookFeatures order, built on m's additive
// part: its first input is the additive model's log-odds), so a study can
// give another learner exactly what the second look reads. Case numbers run
// across cases in order. Cases come from the simulated web: nothing in
// them is a real person's.
func WriteFeatures(w io.Writer, cases []calibrate.IdentityCase, m identity.Model) error {
	digitRun := regexp.MustCompile(`[0-9]+`)
	enc := json.NewEncoder(w)
	logCount := func(p *int64) float64 {
		if p == nil {
			return -1
		}
		return math.Log1p(float64(*p))
	}
	for ci, c := range cases {
		out := m.Resolve(c.Subject, c.Accounts)
		look := map[[2]string][]float64{}
		looked, rows := m.LookRows(c.Subject, c.Accounts)
		for i, a := range looked {
			look[[2]string{a.Source, a.Username}] = rows[i]
		}
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
			ev := make([]string, 0, len(a.Match.Evidence))
			for _, e := range a.Match.Evidence {
				ev = append(ev, digitRun.ReplaceAllString(e, "#"))
			}
			row := map[string]any{
				"case": ci, "truth": c.Truth(a.Source, a.Username), "owned": c.Owned,
				"p": a.Match.Probability, "method": string(a.Method), "source": a.Source, "origin": a.Via.Origin,
				"verified": a.Verified, "user": a.Username, "local": c.Subject.EmailLocal, "ulen": len(a.Username), "udigits": digits,
				"dn": a.DisplayName != "", "loc": a.Location != "", "bio": a.Bio != "", "avatar": a.Avatar != "", "photo": a.Photo != nil,
				"followers": logCount(a.Followers), "following": logCount(a.Following), "karma": logCount(a.Karma), "repos": logCount(a.Repos),
				"links": len(a.Links), "tags": len(a.Tags), "website": a.Website != "", "company": a.Company != "",
				"n": len(out), "conf": conf, "hasname": c.Subject.Name != "", "owndomain": c.Subject.OwnDomain,
				"localname": c.Subject.EmailLocal != "" && strings.Contains(strings.ToLower(a.Username), strings.ToLower(c.Subject.EmailLocal)),
				"ev":        ev, "year": 0,
				"dn_text": a.DisplayName, "loc_text": a.Location, "bio_text": a.Bio, "url": a.URL, "web": a.Website, "link_list": a.Links,
				"look": look[[2]string{a.Source, a.Username}],
			}
			if a.Photo != nil && !a.Photo.Graphic {
				row["ph"], row["phm"] = a.Photo.Hash, a.Photo.Mirrored
			}
			if a.CreatedAt != nil {
				row["year"] = a.CreatedAt.Year()
			}
			if err := enc.Encode(row); err != nil {
				return err
			}
		}
	}
	return nil
}
