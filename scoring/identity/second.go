package identity

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/personname"
)

// The second look's inputs, in the order of a feature row. The additive
// model compares an account with the confidently matched accounts only,
// one piece of evidence at a time; the second look also sees how it
// agrees with every other account the lookup found, weighted by their
// probability, and how the pieces combine (docs/IDENTITY.md, tenth
// round).
const (
	fLogOdds         = iota // the additive model's log-odds
	fMethod                 // how it was found (lookMethod)
	fPlatform               // which platform (lookPlatforms; -1 other)
	fUserLen                // the handle's length
	fUserDigits             // digits in the handle
	fHasName                // display name with words
	fHasLocation            // location given
	fHasBio                 // bio given
	fHasPhoto               // a photo that says who holds the account
	fLinks                  // links on the profile
	fNameSim                // display name against the supplied name (-1: either missing)
	fLocation               // location against the matched accounts and regions (-1, 0, 1)
	fSameUser               // highest probability among other platforms' accounts with the same handle (0: none)
	fSameUserN              // how many
	fSameName               // … with the same display name
	fSameNameN              //
	fSamePhoto              // … with the same telling photo
	fLink                   // … linked with it either way
	fLinkN                  //
	fSameLocation           // … with the same location
	fSameBio                // … with the same bio, one at most three accounts show
	fSameUserName           // … with the same handle and the same display name
	fRival                  // highest probability of another account on the same platform
	fAccounts               // accounts the lookup found
	fConfident              // accounts the additive model matched confidently
	fNamesakes              // most accounts on one platform carrying exactly the supplied name
	fHandlePlatforms        // platforms answering for its handle
	fHandlePeople           // different people holding its handle
	fNameKnown              // display name against the matched accounts' names (-1: none to compare)
	fTopics                 // what it writes about against the matched accounts (-1, 0, 1)
	fLanguage               // its bio's language against the subject's regions and matched accounts (-1, 0, 1)
	fEmailNumber            // its handle holds a number (a birth year, say) the email's local part holds too
	fSameNumber             // highest probability among other platforms' accounts whose handle holds a number its handle holds
	fEmailStem              // its handle, digits and separators dropped, is the email's local part's
	fSameStem               // highest probability among other platforms' accounts with another handle of the same stem
	lookFeatureCount
)

// LookFeatures names the second look's inputs, in row order.
func LookFeatures() []string {
	return []string{"log_odds", "method", "platform", "username_length", "username_digits",
		"has_name", "has_location", "has_bio", "has_photo", "links",
		"name_similarity", "location_agreement",
		"same_username", "same_username_count", "same_name", "same_name_count", "same_photo",
		"link", "link_count", "same_location", "same_bio", "same_username_and_name",
		"rival", "accounts", "confident", "namesakes", "handle_platforms", "handle_people",
		"name_similarity_matched", "topic_agreement", "language_agreement",
		"email_number", "same_number", "email_stem", "same_stem"}
}

// The inputs are explained in groups: a group's contributions are summed
// and said in one phrase, which reads the inputs' values (a link that is
// there, or the absence of one).
const (
	gEvidence = iota
	gFound
	gUsername
	gProfile
	gName
	gLocation
	gSameUser
	gSameName
	gSamePhoto
	gLink
	gSameText
	gRival
	gLookup
	gCrowd
	gNameKnown
	gTopics
	gLanguage
	gHandles
	lookGroupCount
)

// lookGroup is the group of each input.
var lookGroup = [lookFeatureCount]int{
	fLogOdds: gEvidence, fMethod: gFound, fPlatform: gFound, fUserLen: gUsername, fUserDigits: gUsername,
	fHasName: gProfile, fHasLocation: gProfile, fHasBio: gProfile, fHasPhoto: gProfile, fLinks: gProfile,
	fNameSim: gName, fLocation: gLocation, fSameUser: gSameUser, fSameUserN: gSameUser, fSameUserName: gSameUser,
	fSameName: gSameName, fSameNameN: gSameName, fSamePhoto: gSamePhoto, fLink: gLink, fLinkN: gLink,
	fSameLocation: gSameText, fSameBio: gSameText, fRival: gRival, fAccounts: gLookup, fConfident: gLookup,
	fNamesakes: gCrowd, fHandlePlatforms: gCrowd, fHandlePeople: gCrowd,
	fNameKnown: gNameKnown, fTopics: gTopics, fLanguage: gLanguage,
	fEmailNumber: gHandles, fSameNumber: gHandles, fEmailStem: gHandles, fSameStem: gHandles,
}

// lookWords says what group g of row x is about, in words a support
// agent can read.
func lookWords(g int, x []float64) string {
	either := func(yes bool, a, b string) string {
		if yes {
			return a
		}
		return b
	}
	switch g {
	case gEvidence:
		return "the evidence above"
	case gFound:
		return "how and where it was found"
	case gUsername:
		return "its username's length and digits"
	case gProfile:
		return "how much the profile shows"
	case gName:
		return either(x[fNameSim] >= 0, "its display name against the supplied name", "no display name to compare with the supplied name")
	case gLocation:
		switch {
		case x[fHasLocation] == 0:
			return "no location on the profile"
		case x[fLocation] > 0:
			return "its location, which agrees with the subject's"
		case x[fLocation] < 0:
			return "its location, which conflicts with the subject's"
		}
		return "its location, which says nothing of the subject's"
	case gSameUser:
		return either(x[fSameUserN] > 0, fmt.Sprintf("its username on %s of this lookup (the likeliest of them %s)", count(x[fSameUserN], "other platform", "other platforms"), at(x[fSameUser])), "its username on no other platform of this lookup")
	case gSameName:
		return either(x[fSameNameN] > 0, fmt.Sprintf("its display name on %s of this lookup (the likeliest of them %s)", count(x[fSameNameN], "account on another platform", "accounts on other platforms"), at(x[fSameName])), "its display name on no account on another platform of this lookup")
	case gSamePhoto:
		return either(x[fSamePhoto] > 0, fmt.Sprintf("the same photo as an account on another platform of this lookup (%s)", at(x[fSamePhoto])), "no account on another platform of this lookup showing its photo")
	case gLink:
		return either(x[fLinkN] > 0, fmt.Sprintf("a link with %s of this lookup (the likeliest of them %s)", count(x[fLinkN], "account on another platform", "accounts on other platforms"), at(x[fLink])), "no link with any other account of this lookup")
	case gSameText:
		return either(x[fSameLocation] > 0 || x[fSameBio] > 0, "the same location or bio as an account on another platform of this lookup", "no account on another platform of this lookup with its location or bio")
	case gRival:
		return either(x[fRival] > 0, fmt.Sprintf("another account on the same platform (%s)", at(x[fRival])), "no other account on the same platform")
	case gLookup:
		return fmt.Sprintf("how many accounts this lookup found (%.0f) and matched (%.0f)", x[fAccounts], x[fConfident])
	case gCrowd:
		return "how crowded the name and the username are"
	case gNameKnown:
		return either(x[fNameKnown] >= 0, "its display name against the matched accounts'", "no matched account's name to compare its display name with")
	case gTopics:
		return "what it writes about"
	case gLanguage:
		return "the language it writes in"
	case gHandles:
		var parts []string
		switch {
		case x[fEmailNumber] > 0:
			parts = append(parts, "a number in its username that the email address holds too")
		case x[fSameNumber] > 0:
			parts = append(parts, fmt.Sprintf("a number in its username that an account on another platform of this lookup holds too (the likeliest of them %s)", at(x[fSameNumber])))
		}
		switch {
		case x[fEmailStem] > 0:
			parts = append(parts, "its username, the email's with other digits or separators")
		case x[fSameStem] > 0:
			parts = append(parts, fmt.Sprintf("its username, another platform's account's of this lookup with other digits or separators (the likeliest of them %s)", at(x[fSameStem])))
		}
		if len(parts) == 0 {
			return "its username sharing no number or stem with the email or another account of this lookup"
		}
		return strings.Join(parts, " and ")
	}
	return ""
}

// count says n things ("1 other platform", "3 other platforms").
func count(n float64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%.0f %s", n, many)
}

// at says where a probability is: "at 0.42", or "below 0.01".
func at(p float64) string {
	if p < 0.005 {
		return "below 0.01"
	}
	return fmt.Sprintf("at %.2f", p)
}

// lookPlatforms are the platforms the second look tells apart, by index.
// They are platformNames' keys, but a list of their own and frozen: the
// shipped trees split on these indices, so a platform added to
// platformNames must not renumber them (append here, then refit).
var lookPlatforms = []string{"bluesky", "devto", "github", "gitlab", "gravatar", "hackernews", "keybase", "mastodon", "reddit", "website", "x"}

// lookMethod numbers how an account was found: 0 the platform matched the
// email, 1 a verified link, 2 a plain link, 3 the email's local part
// guessed, 4 a username built from the name, 5 a username used on another
// platform, 6 a name search.
func lookMethod(a enrichers.Account, method enrichers.Method) float64 {
	switch {
	case method == enrichers.MethodEmailSearch || method == enrichers.MethodEmailHash:
		return 0
	case method == enrichers.MethodNameSearch:
		return 6
	case method.IsLink() && a.Verified:
		return 1
	case method.IsLink():
		return 2
	}
	switch a.Via.Origin {
	case "", "email":
		return 3
	case "names":
		return 4
	}
	return 5
}

// LookRows resolves the accounts with the additive model alone (no second
// look) and returns them, each with its Match, in no particular order,
// with the second look's input row for each: what the second look is
// fitted on (eval --fit-from … --fit-second).
func (m Model) LookRows(sub Subject, accounts []enrichers.Account) ([]enrichers.Account, [][]float64) {
	if len(accounts) == 0 {
		return nil, nil
	}
	r := m.resolve(sub, accounts)
	rows := m.lookRows(sub, r)
	return r.matches(), rows
}

// lookRows builds each account's input row from the additive model's
// resolution.
func (m Model) lookRows(sub Subject, r *resolution) [][]float64 {
	out, ref := r.out, r.ref
	bios := map[string]int{}
	for _, a := range out {
		if a.Bio != "" {
			bios[a.Bio]++
		}
	}
	var photos []*enrichers.ImageFacts
	if ref.photos != nil {
		photos = ref.photos
	} else {
		photos = m.telling(out)
	}
	crowds := ref.handles
	if crowds == nil {
		crowds = handleCrowds(out)
	}
	conf := 0
	for _, p := range r.final {
		if p >= m.Confident {
			conf++
		}
	}
	// What each profile is and links to, read once: crossLinked on every
	// pair would parse each URL again for each other account.
	own, linked, nLinks := make([]string, len(out)), make([][]string, len(out)), make([]int, len(out))
	for i, a := range out {
		if a.URL != "" {
			own[i] = linkKey(a.URL)
		}
		ls := profileLinks(a)
		nLinks[i] = len(ls)
		for _, l := range ls {
			if l != "" {
				linked[i] = append(linked[i], linkKey(l))
			}
		}
	}
	cross := func(i, j int) bool {
		return own[j] != "" && slices.Contains(linked[i], own[j]) || own[i] != "" && slices.Contains(linked[j], own[i])
	}
	named, handles := make([]bool, len(out)), make([]string, len(out))
	numbers, stems := make([][]string, len(out)), make([]string, len(out))
	for i, a := range out {
		named[i] = isName(a)
		handles[i] = strings.ToLower(handle(a.Username))
		numbers[i], stems[i] = handleParts(handles[i])
	}
	local := strings.ToLower(sub.EmailLocal)
	localNumbers, localStem := handleParts(local)
	shareNumber := func(a, b []string) bool {
		return slices.ContainsFunc(a, func(n string) bool { return slices.Contains(b, n) })
	}
	// Display names repeat across a lookup's accounts (a name search
	// returns namesakes): compare each ordered pair of names once
	// (Similarity is not symmetric).
	type pair struct{ a, b string }
	sims := map[pair]float64{}
	similarity := func(a, b string) float64 {
		v, ok := sims[pair{a, b}]
		if !ok {
			v = personname.Similarity(a, b)
			sims[pair{a, b}] = v
		}
		return v
	}
	rows := make([][]float64, len(out))
	for i, a := range out {
		x := make([]float64, lookFeatureCount)
		h := handles[i]
		x[fLogOdds] = clamp(logit(clamp(r.final[i], 0.001, 0.999)), -7, 7)
		x[fMethod] = lookMethod(a, r.methods[i])
		x[fPlatform] = float64(slices.Index(lookPlatforms, a.Source))
		x[fUserLen] = float64(len([]rune(h)))
		for _, c := range h {
			if c >= '0' && c <= '9' {
				x[fUserDigits]++
			}
		}
		x[fHasName] = b2f(named[i])
		x[fHasLocation] = b2f(a.Location != "")
		x[fHasBio] = b2f(a.Bio != "")
		x[fHasPhoto] = b2f(photos[i] != nil)
		x[fLinks] = float64(nLinks[i])
		x[fNameSim] = -1
		if sub.Name != "" && named[i] {
			x[fNameSim] = similarity(a.DisplayName, sub.Name)
		}
		others := ref.others(i)
		x[fNameKnown] = -1
		for _, c := range others {
			if c.named && named[i] {
				x[fNameKnown] = max(x[fNameKnown], similarity(a.DisplayName, c.a.DisplayName))
			}
		}
		x[fTopics] = float64(ref.topicAgreement(i, others))
		x[fLanguage] = float64(ref.languageAgreement(i, others))
		if a.Location != "" {
			var locs []string
			for _, c := range others {
				if c.a.Location != "" {
					locs = append(locs, c.a.Location)
				}
			}
			x[fLocation] = float64(locationAgreement(a.Location, locs, ref.countries))
		}
		for j, b := range out {
			if j == i {
				continue
			}
			q := r.final[j]
			if b.Source == a.Source {
				x[fRival] = max(x[fRival], q)
				continue
			}
			sameUser := h != "" && h == handles[j]
			sameName := named[i] && named[j] && similarity(a.DisplayName, b.DisplayName) >= 0.85
			count := func(best, n int, yes bool) {
				if yes {
					x[best] = max(x[best], q)
					if n >= 0 {
						x[n]++
					}
				}
			}
			count(fSameUser, fSameUserN, sameUser)
			count(fSameName, fSameNameN, sameName)
			count(fSameUserName, -1, sameUser && sameName)
			count(fSamePhoto, -1, photos[i] != nil && photos[j] != nil && m.samePhoto(photos[i], photos[j]))
			count(fLink, fLinkN, cross(i, j))
			count(fSameLocation, -1, a.Location != "" && strings.EqualFold(a.Location, b.Location))
			count(fSameBio, -1, a.Bio != "" && a.Bio == b.Bio && bios[a.Bio] <= 3)
			count(fSameNumber, -1, shareNumber(numbers[i], numbers[j]))
			count(fSameStem, -1, stems[i] != "" && stems[i] == stems[j] && h != handles[j])
		}
		x[fEmailNumber] = b2f(shareNumber(numbers[i], localNumbers))
		x[fEmailStem] = b2f(stems[i] != "" && stems[i] == localStem && h != local)
		x[fAccounts] = float64(len(out))
		x[fConfident] = float64(conf)
		x[fNamesakes] = float64(ref.namesakes.count)
		x[fHandlePlatforms] = float64(crowds[i].platforms)
		x[fHandlePeople] = float64(crowds[i].people)
		rows[i] = x
	}
	return rows
}

// handleParts splits a handle into the numbers it holds (runs of two or
// more digits; a four-digit year 19xx or 20xx also as its last two
// digits, as people write a birth year either way) and its stem: its
// letters alone, "" when fewer than three.
func handleParts(h string) (numbers []string, stem string) {
	var letters strings.Builder
	n := 0      // letters, not bytes
	start := -1 // where the current run of digits began
	flush := func(end int) {
		if start >= 0 && end-start >= 2 {
			run := h[start:end]
			numbers = append(numbers, run)
			if len(run) == 4 && (run[:2] == "19" || run[:2] == "20") {
				numbers = append(numbers, run[2:])
			}
		}
		start = -1
	}
	for i, c := range h {
		if c >= '0' && c <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if unicode.IsLetter(c) {
			letters.WriteRune(c)
			n++
		}
	}
	flush(len(h))
	if n >= 3 {
		stem = letters.String()
	}
	return numbers, stem
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// lookShown is the least a group of inputs must move the log-odds by to be
// named in the evidence.
const lookShown = 0.25

// secondLook returns the second look's probability for one account and
// its evidence with a sentence saying what raised and lowered it.
func (m Model) secondLook(x []float64, ev []string) (float64, []string) {
	base, per := m.Second.Contributions(x)
	lo := base
	var sums [lookGroupCount]float64
	for f, c := range per {
		lo += c
		sums[lookGroup[f]] += c
	}
	type moved struct {
		what string
		by   float64
	}
	var up, down []moved
	for g, by := range sums {
		switch {
		case by >= lookShown:
			up = append(up, moved{lookWords(g, x), by})
		case by <= -lookShown:
			down = append(down, moved{lookWords(g, x), by})
		}
	}
	order := func(a, b moved) int {
		if d := math.Abs(b.by) - math.Abs(a.by); d != 0 {
			return int(math.Copysign(1, d))
		}
		return strings.Compare(a.what, b.what)
	}
	slices.SortFunc(up, order)
	slices.SortFunc(down, order)
	say := func(ms []moved) string {
		parts := make([]string, 0, 3)
		for _, m := range ms[:min(3, len(ms))] {
			parts = append(parts, fmt.Sprintf("%s %+.1f", m.what, m.by))
		}
		return strings.Join(parts, ", ")
	}
	p := clamp(sigmoid(lo), 0.001, 0.999)
	line := fmt.Sprintf("a second look, weighing it against everything else the lookup found, puts it at %.2f", p)
	unit := " (log-odds)" // said once, on the first list
	if len(up) > 0 {
		line += "; what raised it" + unit + ": " + say(up)
		unit = ""
	}
	if len(down) > 0 {
		line += "; what lowered it" + unit + ": " + say(down)
	}
	return p, append(slices.Clone(ev), line)
}
