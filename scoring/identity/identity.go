// Package identity decides which of the accounts the sources found really
// belong to the subject, and how sure we are. It is a pure function of the
// subject and the accounts; the model is documented in docs/IDENTITY.md.
//
// The model works in log-odds. Each account starts from a prior set by how
// it was found (the platform matched the email itself; a verified link from
// an account already attributed; a username reused from another platform; a
// guess from the email's local part), scaled by the rarity of the username
// where a username is reused or guessed. Independent pieces of evidence then
// add their log likelihood ratios: name similarity with the supplied name
// and with names of confidently matched accounts, location consistency, and
// cross-links (the profile links to the subject's own domain or to another
// confidently matched account). Two passes: the second uses the names,
// locations and links of accounts that the first pass found confidently.
package identity

import (
	"fmt"
	"math"
	"math/bits"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/links"
	"github.com/footprint-oss/footprint/enrichers/personname"
	"github.com/footprint-oss/footprint/enrichers/textlang"
	"github.com/footprint-oss/footprint/scoring"
	"github.com/footprint-oss/footprint/scoring/boost"
)

// Subject is what the request says about the person.
type Subject struct {
	EmailLocal  string
	EmailDomain string
	// OwnDomain is true when the email domain is the person's or their
	// employer's (not a free-mail or disposable provider), so links to it
	// are evidence.
	OwnDomain bool
	Name      string
	// Countries are ISO alpha-2 regions known for the subject (phone
	// number's region, the request's country).
	Countries []string
}

// Model parameters. Probabilities are converted to log-odds internally.
// They were fitted on simulated populations (see docs/IDENTITY.md); change
// them only together with that document and the calibration test.
type Model struct {
	// Priors by discovery method.
	EmailMatch   float64 // the platform matched the subject's email (search, hash)
	VerifiedLink float64 // linked from an attributed account, verified by the platform
	PlainLink    float64 // linked from an attributed account, unverified
	// NameSearch is P(an account is the subject's | the platform's name
	// search returned it, with exactly the subject's name, as the only
	// such result); k such results share it (the identifier's prior is
	// 1/k of the name's). It is the prior before the name evidence, which
	// every such hit has by construction and which is counted as for any
	// account (the parameter is fitted that way).
	NameSearch float64
	// ReuseGivenOwner is P(the same username on another platform is the
	// same person) for a username of average rarity.
	ReuseGivenOwner float64
	// Likelihood ratios.
	NameMatchLR, NameMismatchLR      float64
	LocationMatchLR, LocationClashLR float64
	LinkToDomainLR, LinkToAccountLR  float64
	LocalPartNameLR                  float64
	Confident                        float64 // threshold for "confidently matched"
	// Bias and PriorScale recalibrate the prior's log-odds
	// (Bias + PriorScale·logit(prior)) before evidence is added; fitted
	// with the other parameters (calibrate.FitIdentity).
	Bias, PriorScale float64
	// UncorroboratedLR applies to a guessed username whose profile has no
	// name, location or link evidence at all (0: not applied).
	UncorroboratedLR float64
	// TopicMatchLR and TopicClashLR compare what a profile writes about
	// (interest categories of its bio and tags) with the confidently
	// matched accounts: a shared topic, or two or more topics on each side
	// with none shared. 0: not applied.
	TopicMatchLR, TopicClashLR float64
	// NameMatchDerivedLR replaces NameMatchLR when the username was built
	// from the supplied name and only that name matches (0: NameMatchLR).
	NameMatchDerivedLR float64
	// SamePlatformLR applies to an account when another account on the
	// same platform is confidently matched and likelier (0: not applied).
	SamePlatformLR float64
	// TopicAloneLR replaces TopicMatchLR for a profile that nothing else
	// (name, location, link, language) corroborates: there, a shared
	// topic is the only sign of who writes it (0: TopicMatchLR).
	TopicAloneLR float64
	// UnlinkedLR applies once for each confidently matched account on
	// another platform when the profile is cross-linked with none: the
	// more of a person's accounts are known, the likelier their own
	// accounts link to one of them (0: not applied). Accounts found
	// through this one are no evidence either way.
	UnlinkedLR float64
	// NamesakeLR applies to a display-name match once for each account
	// beyond the first that carries exactly the supplied name on one
	// platform: a name several accounts carry is shared by several
	// people, and matching it says less (0: not applied).
	NamesakeLR float64
	// LanguageMatchLR and LanguageClashLR compare the language a bio is
	// written in, when not English, with the languages of the subject's
	// regions and of the confidently matched accounts' bios (0: not
	// applied). Language detects it (nil: no language evidence).
	LanguageMatchLR, LanguageClashLR float64
	Language                         func(text string) (string, bool) `json:"-"`
	// NamePartLR applies when the display name is part of a known name
	// (a first name alone, "Sanne" for "Sanne de Groot"): consistent, but
	// shared by many (0: no evidence).
	NamePartLR float64
	// HandleSharedLR applies to a guessed username once for each other
	// person seen holding the same handle: accounts with that handle on
	// other platforms carrying clearly different names are different
	// people, so the handle is shared and a guess of it says less
	// (0: not applied).
	HandleSharedLR float64
	// CrowdedHandleLR applies to a guessed username once for each
	// platform beyond CrowdedFrom on which the handle exists: a handle
	// every platform answers for (`owen`) is taken by strangers
	// everywhere (0: not applied).
	CrowdedHandleLR float64
	// CrowdBias shifts a guess's log-odds once per doubling of the
	// accounts one platform shows carrying exactly the supplied name
	// (log2 of that count; 0 when one or none does): what the lookup sees
	// of how crowded the name is tells how much a guess is worth, rather
	// than a constant fitted to one population (0: not applied).
	CrowdBias float64
	// GuessCrowdBias shifts a guess's log-odds by how many of the
	// usernames built from the supplied name turned out to be taken:
	// log2((taken+1)/(built+1)), taken the accounts found by trying them
	// on every username platform, built how many were built. On a sparse
	// web most such guesses find nothing and a hit is worth more; on a
	// crowded one every variant is held by someone (0: not applied).
	GuessCrowdBias float64
	// PlatformBias shifts a guess's log-odds (a guessed username, a
	// name-search hit) by platform: how likely a person is to hold an
	// account there, against how many strangers hold the guessed handle
	// (a platform most people use makes a hit likelier theirs). Missing
	// platforms: no shift.
	PlatformBias map[string]float64
	// EmployerLR applies when a profile's company, job title or bio
	// names the organisation of the email's own domain (a GitHub company
	// "Umbra Kitchen Ltd" for jo@umbra-kitchen.co.uk): evidence tied to
	// the subject, not to the name (0: not applied).
	EmployerLR float64
	// NamesBias and ReusedBias shift a guess's log-odds by where the
	// guessed username came from: built from the supplied name (which a
	// namesake's accounts match as well) or used on another platform by
	// an account found for the subject (0: no shift). Email-local guesses
	// and name-search hits keep Bias alone.
	NamesBias, ReusedBias float64
	// OtherHandleLR applies to an account found through the name (a name
	// search hit, a username built from the name) whose username is
	// neither the email's local part nor the username of a confidently
	// matched account: most people reuse one handle, so a namesake's
	// account usually carries another (0: not applied).
	OtherHandleLR float64
	// LinkClashLR applies when the profile links to a profile on a
	// platform where the subject's is another one: a confidently matched
	// account there, or the one such an account links to. People keep
	// one account per platform and link their own, so a profile that
	// points elsewhere is likely somebody else's (0: not applied).
	LinkClashLR float64
	// PhotoMatchLR applies when the account shows the same profile photo
	// (dHashes at most PhotoDistance bits apart) as a confidently matched
	// account it was not found through, scaled by how sure that account
	// is: 1 + p·(PhotoMatchLR − 1). People reuse a photo across
	// platforms; a namesake's differs. A photo accounts of clearly
	// different people show (a stock image) and a flat graphic (an
	// identicon, a letter avatar) are no evidence (0: not applied).
	PhotoMatchLR float64
	// PhotoDifferLR applies, once, when the account shows a custom photo
	// and the confidently matched accounts that show one all show
	// another, scaled by the likeliest of them as above: people do use
	// different photos, so it is weak (0: not applied).
	PhotoDifferLR float64
	// PhotoDistance is the most bits (of 64) two photo hashes may differ
	// by and still be one photo (0: DefaultPhotoDistance). Not fitted:
	// it is a property of the hash (docs/IDENTITY.md).
	PhotoDistance int `json:",omitempty"`
	// PhotoPoolWeight pools what two accounts that show the same photo
	// say: one person holds both, so whatever ties the other account to
	// the subject (or to somebody else) counts for this one too — its
	// evidence (pass-1 log-odds over its prior) times this weight, which
	// is below 1 because part of that evidence (the name) is shared by
	// the two accounts rather than independent (0: not applied). Accounts
	// matched confidently count through PhotoMatchLR instead.
	PhotoPoolWeight float64
	// EmailHandleDigitsLR applies to a guessed username (not a name-search
	// hit) that holds the email's local part, letters and digits read
	// alike (john.walker91 → johnwalker91, john_walker91), when that local
	// part carries digits next to at least two letters: the digits were
	// picked to make the address the subject's own among millions, so a
	// stranger rarely holds the same string (0: not applied).
	EmailHandleDigitsLR float64
	// LinkedNameMatchLR replaces NameMatchLR (and NameMatchDerivedLR) for
	// an account found through links only from accounts that were
	// themselves guessed or found by a name search: their probability,
	// which this account's prior takes, rests on the name already, and
	// one person's two profiles carry one name (a namesake's too), so the
	// same name here adds little to the link (0: NameMatchLR).
	LinkedNameMatchLR float64
	// Second is the second look (nil: none): a tree ensemble that takes
	// the additive model's log-odds and how each account agrees with the
	// other accounts of its lookup, and gives the final probability
	// (second.go, docs/IDENTITY.md tenth round).
	Second *boost.Ensemble
	// Topics maps a bio and tags to topic ids (default: the scoring
	// lexicon's TopicsOf); nil disables topic evidence.
	Topics func(bio string, tags []string) map[string]bool `json:"-"`
}

// DefaultModel returns the fitted parameters.
func DefaultModel() Model {
	// Sixth round (docs/IDENTITY.md): every parameter refitted on the
	// corrected simulated web, tuning seeds only — 1001–1004 at 20 000
	// people (300 each), 1007 at 100 000 (300) and 1009–1010 at 1 000
	// (200) — with `footprint eval --fit-from` on all 1 900 cases, rounded
	// to three significant digits; checked on tuning seeds 1005–1006 and
	// 1008.
	return Model{
		EmailMatch:      0.966,
		VerifiedLink:    0.805,
		PlainLink:       0.0849,
		NameSearch:      0.618,
		SamePlatformLR:  0.0104,
		ReuseGivenOwner: 0.957,
		NameMatchLR:     5.71, NameMismatchLR: 0.252, NameMatchDerivedLR: 4.22, NamePartLR: 3.08,
		LocationMatchLR: 1.08, LocationClashLR: 0.0226,
		LinkToDomainLR: 199.5, LinkToAccountLR: 191.8,
		LocalPartNameLR: 1.26,
		Confident:       0.8,
		Bias:            -1.8, PriorScale: 0.615, CrowdBias: -0.089, GuessCrowdBias: -0.324,
		NamesBias: -0.2, ReusedBias: -0.7,
		PlatformBias: map[string]float64{"bluesky": 0.2, "devto": 0.5, "github": 0.1,
			"hackernews": 0.8, "keybase": 0.3, "mastodon": -0.5, "reddit": 0.8},
		UncorroboratedLR: 0.981,
		TopicMatchLR:     3.12, TopicClashLR: 0.272, TopicAloneLR: 6.64,
		UnlinkedLR: 0.616, NamesakeLR: 0.651,
		LanguageMatchLR: 1.03, LanguageClashLR: 0.153,
		HandleSharedLR: 0.965, CrowdedHandleLR: 0.647,
		EmployerLR: 42.2, OtherHandleLR: 0.338,
		PhotoMatchLR: 60.8, PhotoDifferLR: 0.894, PhotoDistance: DefaultPhotoDistance, PhotoPoolWeight: 0.146,
		LinkClashLR:         0.0525,
		EmailHandleDigitsLR: 5, LinkedNameMatchLR: 1.03,
		Topics:   scoring.DefaultLexicon().TopicsOf,
		Language: textlang.New().Detect,
		Second:   shippedSecond(),
	}
}

// Resolve fills in Match for every account and returns them sorted by
// probability, highest first. The input slice is not modified.
// The same account found twice (by email search and by a username guess,
// say) is returned once, with its strongest discovery method.
func (m Model) Resolve(sub Subject, accounts []enrichers.Account) []enrichers.Account {
	if len(accounts) == 0 {
		return nil // nothing to weigh (a lookup of offline sources only)
	}
	r := m.resolve(sub, accounts)
	if m.Second != nil {
		rows := m.lookRows(sub, r)
		for i := range r.out {
			r.final[i], r.finalEv[i] = m.secondLook(rows[i], r.finalEv[i])
		}
	}
	out := r.matches()
	slices.SortStableFunc(out, func(a, b enrichers.Account) int {
		switch {
		case a.Match.Probability > b.Match.Probability:
			return -1
		case a.Match.Probability < b.Match.Probability:
			return 1
		}
		return strings.Compare(a.Source+a.Username, b.Source+b.Username)
	})
	return out
}

// resolution is the additive model's answer for one lookup, before the
// second look: the accounts (each once), how each was found, its evidence
// and probability, and what the second pass compared them with.
type resolution struct {
	out     []enrichers.Account
	methods []enrichers.Method
	evid    [][]string // lines about the prior
	final   []float64
	finalEv [][]string // lines about the evidence
	ref     reference  // pass 2's
}

// matches sets each account's Match from the resolution, in its order.
func (r *resolution) matches() []enrichers.Account {
	for i := range r.out {
		r.out[i].Match = &enrichers.Match{
			Probability: round3(r.final[i]),
			Method:      r.methods[i],
			Evidence:    append(slices.Clone(r.evid[i]), r.finalEv[i]...),
		}
	}
	return r.out
}

func (m Model) resolve(sub Subject, accounts []enrichers.Account) *resolution {
	var out []enrichers.Account
	var base []float64
	var methods []enrichers.Method
	var evid [][]string
	// probs starts as pass 1: prior plus evidence from the request alone
	// (no confidently matched accounts yet, so no topic evidence either).
	var probs []float64
	seen := map[string]int{}
	ref := reference{names: nonEmpty(sub.Name), countries: sub.Countries, digitLocal: digitLocal(sub.EmailLocal)}
	ref.guessCrowd = guessCrowd(sub.Name, accounts)
	for _, a := range accounts {
		p, method, ev := m.prior(a, a.Via.Prior)
		p1, _ := m.score(sub, a, p, isGuess(method), ref, -1)
		key := a.Source + "\x00" + strings.ToLower(a.Username)
		if i, dup := seen[key]; dup {
			// Of two discoveries of one account keep the one that makes
			// it likelier on the request's evidence.
			if p1 > probs[i] {
				out[i], base[i], methods[i], evid[i], probs[i] = a, p, method, ev, p1
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, a)
		base = append(base, p)
		methods = append(methods, method)
		evid = append(evid, ev)
		probs = append(probs, p1)
	}
	if m.Language != nil && (m.LanguageMatchLR > 0 || m.LanguageClashLR > 0) {
		ref.langs = make([]string, len(out))
		for i, a := range out {
			ref.langs[i], _ = m.Language(a.Bio)
		}
	}
	if m.HandleSharedLR > 0 || m.CrowdedHandleLR > 0 {
		ref.handles = handleCrowds(out)
	}
	if m.PhotoMatchLR > 0 || m.PhotoDifferLR > 0 {
		ref.photos = m.telling(out)
	}
	if m.LinkClashLR > 0 {
		ref.profiles = make([]accountProfiles, len(out))
		for i, a := range out {
			ref.profiles[i] = profilesOf(a)
		}
	}
	if m.NamesakeLR > 0 && personname.WordCount(sub.Name) >= 2 {
		ref.namesakes.platform, ref.namesakes.count = mostNamed(out, sub.Name)
	}
	// Each account's topics are read once, for the chain updates and pass 2.
	if m.Topics != nil && (m.TopicMatchLR > 0 || m.TopicClashLR > 0) {
		ref.topics = make([]map[string]bool, len(out))
		for i, a := range out {
			ref.topics[i] = m.Topics(a.Bio+" "+a.JobTitle, a.Tags)
		}
	}
	// An account found through another account (a link on it, or its
	// username reused) is only as likely the subject's as that account:
	// the identifier's prior assumed the linking account was the
	// subject's. Replace it by the linking account's probability, a few
	// times so that chains (gravatar → github → mastodon) settle.
	parents := linkParents(out)
	if m.LinkedNameMatchLR > 0 {
		ref.nameBorrowed = make([]bool, len(out))
		for i, ps := range parents {
			ref.nameBorrowed[i] = out[i].Method.IsLink() && len(ps) > 0 && !slices.ContainsFunc(ps, func(j int) bool { return !isGuess(methods[j]) })
		}
	}
	settle := func(p []float64, rescore func(i int)) {
		for range 3 {
			changed := false
			for i, ps := range parents {
				if len(ps) == 0 {
					continue
				}
				pp := 0.0
				for _, j := range ps {
					pp = max(pp, p[j])
				}
				b, _, ev := m.prior(out[i], pp)
				if b == base[i] {
					continue
				}
				base[i], evid[i], changed = b, ev, true
				rescore(i)
			}
			if !changed {
				return
			}
		}
	}
	settle(probs, func(i int) { probs[i], _ = m.score(sub, out[i], base[i], isGuess(methods[i]), ref, i) })
	// Pass 2: add what confidently matched accounts say.
	ref2 := ref
	ref2.found = descendants(parents)
	ref2.parents = parents
	if m.PhotoPoolWeight > 0 && ref.photos != nil {
		ref2.pool = make([]pooled, len(out))
		for i, a := range out {
			ref2.pool[i] = pooled{source: a.Source, lo: logit(clamp(probs[i], 0.001, 0.999)) - logit(clamp(base[i], 0.001, 0.999)), p: probs[i]}
		}
	}
	for i, a := range out {
		if probs[i] >= m.Confident {
			ref2.accounts = append(ref2.accounts, confident{idx: i, a: a, named: personname.WordCount(a.DisplayName) > 0, p: probs[i]})
		}
	}
	final := make([]float64, len(out))
	finalEv := make([][]string, len(out))
	scoreFinal := func(i int) {
		p, ev := m.score(sub, out[i], base[i], isGuess(methods[i]), ref2, i)
		if m.SamePlatformLR > 0 {
			for _, c := range ref2.accounts {
				if c.idx != i && c.a.Source == out[i].Source && probs[c.idx] > probs[i] {
					p = clamp(sigmoid(logit(p)+math.Log(m.SamePlatformLR)), 0.001, 0.999)
					ev = append(ev, "another "+c.a.Source+" account is matched more confidently (few people keep two)")
					break
				}
			}
		}
		final[i], finalEv[i] = p, ev
	}
	for i := range out {
		scoreFinal(i)
	}
	// What pass 2 says of an account changes what the accounts found
	// through it are worth: a profile that pass 1 rated likely and pass 2
	// found to be a namesake's passes its doubt on to the accounts it
	// links to. Settle the chains again on the final probabilities.
	settle(final, scoreFinal)
	return &resolution{out: out, methods: methods, evid: evid, final: final, finalEv: finalEv, ref: ref2}
}

// byName reports whether an account was found through the supplied name:
// by a name search, or by a username built from the name.
func byName(a enrichers.Account) bool {
	return a.Method == enrichers.MethodNameSearch || a.Via.Origin == "names"
}

// isGuess: accounts whose discovery alone is weak evidence (a guessed
// username, a name search hit), so a profile with nothing to corroborate
// them counts against them.
func isGuess(method enrichers.Method) bool {
	return method == enrichers.MethodUsernameGuess || method == enrichers.MethodNameSearch
}

type confident struct {
	idx   int
	a     enrichers.Account
	named bool    // its display name has words (read once, compared often)
	p     float64 // its pass-1 probability
}

type reference struct {
	names     []string
	countries []string
	accounts  []confident
	// namesakes is the platform with the most accounts carrying exactly
	// the supplied name, and how many.
	namesakes struct {
		platform string
		count    int
	}
	// guessCrowd describes how many usernames built from the supplied
	// name were taken (see Model.GuessCrowdBias).
	guessCrowd crowd
	// langs are the languages of the accounts' bios by index ("": none
	// detected; nil: language evidence off).
	langs []string
	// topics are the accounts' topics by index (nil: topic evidence off).
	topics []map[string]bool
	// handles holds, by account index, how many platforms answered for
	// the account's handle and how many different people (clearly
	// different display names) hold it there (nil: not computed).
	handles []handleCrowd
	// found[i] holds the accounts found through account i, directly or
	// in a chain (its links, its username reused): they agree with it
	// because they were found through it, so they are no evidence for it.
	found []map[int]bool
	// parents[i] are the accounts account i was found through (nil in
	// pass 1): a link from them is how it was found, already in its prior.
	parents [][]int
	// photos[i] is account i's profile photo when it says something
	// about who holds the account: not a flat graphic, not a stock image
	// (nil: none, or photo evidence off).
	photos []*enrichers.ImageFacts
	// profiles[i] is which profile account i is and which profiles on
	// other platforms it links to (nil: link agreement off).
	profiles []accountProfiles
	// digitLocal is the email's local part, letters and digits only, when
	// EmailHandleDigitsLR reads it (digitLocal), "" otherwise: made once
	// per lookup, not per account.
	digitLocal string
	// nameBorrowed[i] says account i was found through links only from
	// accounts that were themselves guessed or found by a name search:
	// their probability rests on the name it carries too (nil: off).
	nameBorrowed []bool
	// pool[i] is what account i's own evidence says (pass-1 log-odds
	// over its prior) and its platform, for PhotoPoolWeight (nil in pass
	// 1 and with photo pooling off).
	pool []pooled
}

// pooled is one account's own evidence, for the accounts showing its photo.
type pooled struct {
	source string
	lo     float64 // pass-1 log-odds minus the prior's
	p      float64 // pass-1 probability
}

// others returns the confident accounts that are independent evidence
// about account self: not self, and not found through it.
func (r reference) others(self int) []confident {
	out := make([]confident, 0, len(r.accounts))
	for _, c := range r.accounts {
		if c.idx == self || self >= 0 && self < len(r.found) && r.found[self][c.idx] {
			continue
		}
		out = append(out, c)
	}
	return out
}

// languageAgreement compares the language account self's bio is written
// in, when not English, with the languages of the subject's regions and of
// the bios of others: 1 one of them, -1 none of them (when any is known),
// 0 no evidence (English, none detected, language evidence off).
func (r reference) languageAgreement(self int, others []confident) int {
	if self < 0 || self >= len(r.langs) || r.langs[self] == "" || r.langs[self] == "en" {
		return 0
	}
	l := r.langs[self]
	var want []string
	for _, c := range r.countries {
		want = append(want, countryLanguages(c)...)
	}
	known := len(r.countries) > 0
	for _, c := range others {
		if cl := r.langs[c.idx]; cl != "" {
			known = true
			want = append(want, cl)
		}
	}
	switch {
	case slices.Contains(want, l):
		return 1
	case known:
		return -1
	}
	return 0
}

// topicAgreement compares what account self writes about with what others
// write about: 1 a topic shared, -1 two or more topics on each side and
// none shared, 0 otherwise (or topic evidence off).
func (r reference) topicAgreement(self int, others []confident) int {
	if r.topics == nil || self < 0 || self >= len(r.topics) {
		return 0
	}
	mine := r.topics[self]
	theirs := map[string]bool{}
	for _, c := range others {
		for k := range r.topics[c.idx] {
			theirs[k] = true
		}
	}
	for k := range mine {
		if theirs[k] {
			return 1
		}
	}
	if len(mine) >= 2 && len(theirs) >= 2 {
		return -1
	}
	return 0
}

// mostNamed returns the platform on which most of the accounts carry
// exactly name (personname.Key; a display name that only spells the
// username carries none, as in score), and how many.
// Two such accounts that link to each other count once: one person's two
// accounts, not two people.
func mostNamed(out []enrichers.Account, name string) (string, int) {
	per := map[string][]enrichers.Account{}
	key := personname.Key(name)
	if key == "" {
		return "", 0
	}
	for _, a := range out {
		if a.DisplayName == "" || personname.SpellsUsername(a.DisplayName, a.Username) || personname.Key(a.DisplayName) != key {
			continue // no name, the username again, or another name
		}
		same := slices.ContainsFunc(per[a.Source], func(b enrichers.Account) bool { return crossLinked(a, b) })
		if !same {
			per[a.Source] = append(per[a.Source], a)
		}
	}
	best, n := "", 0
	for src, as := range per {
		if k := len(as); k > n || k == n && src < best {
			best, n = src, k
		}
	}
	return best, n
}

// descendants returns, for each account, the accounts found through it
// (the transitive closure of parents).
func descendants(parents [][]int) []map[int]bool {
	children := make([][]int, len(parents))
	for i, ps := range parents {
		for _, j := range ps {
			children[j] = append(children[j], i)
		}
	}
	out := make([]map[int]bool, len(parents))
	for i := range parents {
		seen := map[int]bool{}
		stack := slices.Clone(children[i])
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if k == i || seen[k] {
				continue
			}
			seen[k] = true
			stack = append(stack, children[k]...)
		}
		out[i] = seen
	}
	return out
}

// linkParents returns, for each account found through another found
// account, the indices of the accounts it was found through: those on the
// identifier's origin platform that link to it, or whose username it is.
// Accounts found by the request itself (email, name, local part) or
// through something that is not an account (a website) have none.
func linkParents(out []enrichers.Account) [][]int {
	parents := make([][]int, len(out))
	for i, a := range out {
		via := a.Via
		if via.Kind != enrichers.KindUsername || via.Origin == "" || a.Method == enrichers.MethodEmailSearch || a.Method == enrichers.MethodEmailHash {
			continue
		}
		for j, c := range out {
			if j == i || c.Source != via.Origin {
				continue
			}
			if strings.EqualFold(handle(c.Username), via.Value) || linksTo(c, via) {
				parents[i] = append(parents[i], j)
			}
		}
	}
	return parents
}

// linksTo reports whether account c links to the username id names.
func linksTo(c enrichers.Account, id enrichers.Identifier) bool {
	for _, l := range profileLinks(c) {
		if platform, user, ok := links.ProfileFromURL(l); ok && strings.EqualFold(user, id.Value) && (id.Platform == "" || platform == id.Platform) {
			return true
		}
	}
	return false
}

// handle is the part of a username other platforms would reuse
// (bob@fosstodon.org → bob, bob.bsky.social → bob).
func handle(u string) string {
	if i := strings.IndexByte(u, '@'); i > 0 {
		return u[:i]
	}
	return strings.TrimSuffix(u, ".bsky.social")
}

// prior returns the account's prior probability, the method label and the
// evidence lines that explain it. viaPrior is the probability that what
// the account was found through is the subject's (the identifier's prior,
// or the probability of the account that linked to it).
func (m Model) prior(a enrichers.Account, viaPrior float64) (float64, enrichers.Method, []string) {
	via := a.Via
	via.Prior = viaPrior
	switch {
	case a.Method == enrichers.MethodEmailSearch || a.Method == enrichers.MethodEmailHash:
		return m.EmailMatch, a.Method, []string{platformName(a.Source) + " itself matched the subject's email address"}
	case a.Method == enrichers.MethodNameSearch && via.Platform == a.Source:
		p := m.NameSearch
		if via.Prior > 0 {
			p *= via.Prior
		}
		why := "found by " + platformName(a.Source) + "'s name search"
		if k := personname.WordCount(a.DisplayName); k > 0 && via.Prior > 0 && via.Prior < 0.99 {
			why += fmt.Sprintf("; it returned about %d accounts carrying the name", int(math.Round(1/via.Prior)))
		}
		return p, a.Method, []string{why}
	case a.Method.IsLink() && via.Platform != "" && via.Platform != a.Source:
		// The link named another platform; the same username tried
		// here is a guess, as good as the linking profile and the
		// username's rarity.
		from, _ := a.Method.LinkSource()
		p := m.reuse(a.Username)
		if via.Prior > 0 {
			p *= via.Prior
		}
		return p, enrichers.MethodUsernameGuess, []string{"found by trying the username the " + platformName(from) + " profile links to (on " + platformName(via.Platform) + ") on " + platformName(a.Source) + "; " + rarityWords(rarity(a.Username))}
	case a.Method.IsLink():
		from, _ := a.Method.LinkSource()
		p := m.PlainLink
		why := "linked from the " + platformName(from) + " profile"
		if a.Verified {
			p = m.VerifiedLink
			why = "a link " + platformName(from) + " verified"
		}
		if via.Prior > 0 {
			p *= via.Prior
		}
		return p, a.Method, []string{why}
	default:
		// A username guess: from the email's local part or reused.
		r := m.reuse(a.Username)
		p := r
		if via.Prior > 0 {
			p = via.Prior * r
		}
		return p, "username_guess", []string{"found by trying the username " + guessOrigin(via) + " on " + platformName(a.Source) + "; " + rarityWords(rarity(a.Username))}
	}
}

// guessOrigin says where a guessed username came from, for evidence.
func guessOrigin(via enrichers.Identifier) string {
	switch via.Origin {
	case "", "email":
		return "from the email address"
	case "names":
		return "built from the name"
	}
	return "used on " + platformName(via.Origin)
}

// rarityWords says in words how likely a stranger holds a username.
func rarityWords(r float64) string {
	switch {
	case r < 0.2:
		return "a short or common username that strangers often hold"
	case r < 0.45:
		return "a username other people may hold too"
	}
	return "a fairly distinctive username"
}

// reuse is P(an account with this username is the subject's | the subject
// uses this username elsewhere): scaled by how rare the username is.
func (m Model) reuse(username string) float64 {
	return clamp(m.ReuseGivenOwner*rarity(username), 0.02, 0.95)
}

// rarity estimates how unlikely it is that a stranger picked the same
// username, in [0.05, 0.9]: longer names, digits and separators are rarer;
// dictionary first names and short words are common.
func rarity(u string) float64 {
	u = strings.TrimSuffix(strings.ToLower(u), ".bsky.social") // the handle, not its domain
	n := len([]rune(u))
	var r float64
	switch {
	case n <= 4:
		r = 0.08
	case n <= 6:
		r = 0.2
	case n <= 8:
		r = 0.4
	case n <= 11:
		r = 0.55
	default:
		r = 0.7
	}
	if strings.IndexFunc(u, unicode.IsDigit) >= 0 {
		r += 0.1
	}
	if strings.ContainsAny(u, "._-") {
		r += 0.05
	}
	if commonNames[u] {
		r *= 0.3
	}
	return clamp(r, 0.05, 0.9)
}

// score returns the posterior probability and the evidence lines.
func (m Model) score(sub Subject, a enrichers.Account, prior float64, guess bool, ref reference, self int) (float64, []string) {
	scale := m.PriorScale
	if scale == 0 {
		scale = 1
	}
	// The recalibration of the prior is for guesses (a guessed username, a
	// name-search hit), whose priors are rough; an email match or a link
	// keeps its prior as it is: a strong prior on verified links.
	var ev []string
	lo := logit(prior)
	if guess {
		lo = m.Bias + scale*lo
		switch origin := a.Via.Origin; {
		case a.Method == enrichers.MethodNameSearch || origin == "" || origin == "email":
		case origin == "names":
			lo += m.NamesBias
		default:
			lo += m.ReusedBias
		}
		lo += m.PlatformBias[a.Source]
		if c := ref.guessCrowd; c.built > 0 && m.GuessCrowdBias != 0 {
			lo += m.GuessCrowdBias * c.level()
			ev = append(ev, c.sentence())
		}
		if ref.namesakes.count >= 2 && m.CrowdBias != 0 {
			lo += m.CrowdBias * math.Log2(float64(ref.namesakes.count))
			ev = append(ev, fmt.Sprintf("the name is common: %d accounts on %s carry it", ref.namesakes.count, platformName(ref.namesakes.platform)))
		}
	}
	pre := len(ev) // lines about the prior, not evidence about the profile
	add := func(lr float64, why string) {
		lo += math.Log(lr)
		ev = append(ev, why)
	}
	others := ref.others(self)
	// Names: the supplied name, then names of confidently matched accounts.
	// A display name that is only the username again says nothing.
	if isName(a) {
		names := slices.Clone(ref.names)
		for _, c := range others {
			if c.named {
				names = append(names, c.a.DisplayName)
			}
		}
		if len(names) > 0 {
			best, bestAccount, part := 0.0, 0.0, false
			for i, n := range names {
				sim := personname.Similarity(a.DisplayName, n)
				best = max(best, sim)
				if i >= len(ref.names) {
					bestAccount = max(bestAccount, sim)
				}
				part = part || personname.Part(a.DisplayName, n)
			}
			if best >= 0.85 && guess && ref.namesakes.count >= 2 && m.NamesakeLR > 0 {
				// Only for accounts found by guessing or searching: an
				// account the email or a link found does not rest on
				// the name.
				add(math.Pow(m.NamesakeLR, math.Log2(float64(ref.namesakes.count))), fmt.Sprintf("%d accounts on %s carry this name, so other people share it", ref.namesakes.count, platformName(ref.namesakes.platform)))
			}
			switch {
			case best >= 0.85 && !guess && self >= 0 && self < len(ref.nameBorrowed) && ref.nameBorrowed[self]:
				// Found through a link from a guessed profile, whose
				// probability rests on the same name: one person's
				// profiles carry one name, a namesake's too.
				add(m.LinkedNameMatchLR, "display name matches a known name, as the guessed profile that links to it does (counted once)")
			case best >= 0.85 && bestAccount < 0.85 && a.Via.Origin == "names" && m.NameMatchDerivedLR > 0:
				// The username was built from the supplied name, so a
				// namesake's profile matches it just as well.
				add(m.NameMatchDerivedLR, "display name matches the supplied name the username was built from")
			case best >= 0.85:
				add(m.NameMatchLR, "display name matches a known name")
			case part:
				if m.NamePartLR > 0 {
					add(m.NamePartLR, "display name is part of a known name")
				}
			case localMatchesName(sub.EmailLocal, a.DisplayName):
				// The supplied name differs, but the email spells this one.
				add(m.LocalPartNameLR, "display name matches the email's local part")
			case best < 0.4:
				add(m.NameMismatchLR, "display name differs from the known names")
			}
		} else if localMatchesName(sub.EmailLocal, a.DisplayName) {
			add(m.LocalPartNameLR, "display name matches the email's local part")
		}
	}
	// Location.
	if a.Location != "" {
		var locs []string
		for _, c := range others {
			if c.a.Location != "" {
				locs = append(locs, c.a.Location)
			}
		}
		switch locationAgreement(a.Location, locs, ref.countries) {
		case 1:
			add(m.LocationMatchLR, "location consistent with other evidence")
		case -1:
			add(m.LocationClashLR, "location conflicts with other evidence")
		}
	}
	// Language: a bio in a language other than English says where its
	// writer is from.
	switch ref.languageAgreement(self, others) {
	case 1:
		if m.LanguageMatchLR > 0 {
			add(m.LanguageMatchLR, "writes in a language of the subject's region or matched accounts")
		}
	case -1:
		if m.LanguageClashLR > 0 {
			add(m.LanguageClashLR, "writes in a language foreign to the subject's region and matched accounts")
		}
	}
	// Cross-links.
	switch {
	case sub.OwnDomain && sub.EmailDomain != "" && linksToDomain(profileLinks(a), a.Bio, sub.EmailDomain):
		add(m.LinkToDomainLR, "profile links to the email's domain")
	case sub.OwnDomain && m.EmployerLR > 0 && namesOrganisation(a, sub.EmailDomain):
		add(m.EmployerLR, "the profile names the organisation of the email's domain ("+sub.EmailDomain+")")
	}
	linked, unlinked := false, 0
	for _, c := range others {
		if a.Method.IsLink() && self >= 0 && self < len(ref.parents) && slices.Contains(ref.parents[self], c.idx) {
			// The link from c is how this account was found: its
			// prior holds it already (× c's probability).
			continue
		}
		if crossLinked(a, c.a) {
			if !linked {
				add(m.LinkToAccountLR, "cross-linked with the "+c.a.Source+" account")
			}
			linked = true
		} else if c.a.Source != a.Source {
			unlinked++
		}
	}
	// Third profiles: where the profile links, against what the matched
	// accounts are and where they link (once; a cross-link says more).
	if !linked && self >= 0 && self < len(ref.profiles) && m.LinkClashLR > 0 {
		if clash := ref.linkClash(self, others); clash != nil {
			add(m.LinkClashLR, "links to a "+platformName(clash.platform)+" profile other than the subject's (the "+platformName(clash.via)+" account matched to the subject shows another; people keep one)")
		}
	}
	// Profile photos: the same photo as a confidently matched account.
	samePhoto, differs := m.photoEvidence(ref, self, a.Source, others)
	if samePhoto != nil && m.PhotoMatchLR > 0 {
		add(1+samePhoto.p*(m.PhotoMatchLR-1), "shows the same profile photo as the "+platformName(samePhoto.a.Source)+" account matched to the subject")
	}
	if lo1, n, src := m.photoPool(ref, self, a.Source); n > 0 {
		what := "ties it to the subject"
		if lo1 < 0 {
			what = "says it is somebody else's"
		}
		if n == 1 {
			add(math.Exp(m.PhotoPoolWeight*lo1), "shows the same profile photo as a "+platformName(src)+" account found for the subject, and what "+what+" counts here too")
		} else {
			add(math.Exp(m.PhotoPoolWeight*lo1), fmt.Sprintf("shows the same profile photo as %d accounts found for the subject, and what %s counts here too", n, strings.Replace(what, "it", "them", 1)))
		}
	}
	// Topics are no corroboration of who the profile is: many strangers
	// write about the same things (docs/IDENTITY.md).
	identifying := len(ev) - pre
	switch topics := ref.topicAgreement(self, others); {
	case topics > 0 && identifying == 0 && m.TopicAloneLR > 0:
		// Nothing else says whose profile it is.
		add(m.TopicAloneLR, "writes about the same topics as the matched accounts (nothing else corroborates it)")
	case topics > 0 && m.TopicMatchLR > 0:
		add(m.TopicMatchLR, "writes about the same topics as the matched accounts")
	case topics < 0 && m.TopicClashLR > 0:
		add(m.TopicClashLR, "writes about other topics than the matched accounts")
	}
	if samePhoto == nil && differs != nil && m.PhotoDifferLR > 0 {
		add(1+differs.p*(m.PhotoDifferLR-1), "shows a different profile photo from the "+platformName(differs.a.Source)+" account matched to the subject (people do use different photos)")
	}
	if !linked && unlinked > 0 && m.UnlinkedLR > 0 {
		add(math.Pow(m.UnlinkedLR, float64(unlinked)), fmt.Sprintf("not cross-linked with any of the %d matched accounts on other platforms", unlinked))
	}
	if self >= 0 && self < len(ref.handles) && guess && a.Method != enrichers.MethodNameSearch {
		hc := ref.handles[self]
		if hc.people >= 2 && m.HandleSharedLR > 0 {
			add(math.Pow(m.HandleSharedLR, float64(hc.people-1)), fmt.Sprintf("the username is held by at least %d different people (accounts with it on other platforms carry other names)", hc.people))
		}
		if hc.platforms > CrowdedFrom && m.CrowdedHandleLR > 0 {
			add(math.Pow(m.CrowdedHandleLR, float64(hc.platforms-CrowdedFrom)), fmt.Sprintf("the username exists on %d platforms, as common usernames do", hc.platforms))
		}
	}
	if m.EmailHandleDigitsLR > 0 && guess && a.Method != enrichers.MethodNameSearch && ref.digitLocal != "" &&
		strings.Contains(alnum(handle(a.Username)), ref.digitLocal) {
		add(m.EmailHandleDigitsLR, "the username is the one in the subject's email address ("+sub.EmailLocal+"), digits included, which strangers rarely hold")
	}
	if m.OtherHandleLR > 0 && byName(a) && !knownHandle(a, sub, others) {
		add(m.OtherHandleLR, "found through the name, under a username the subject is not known to use")
	}
	if guess && identifying == 0 && m.UncorroboratedLR > 0 {
		// A guessed username whose profile has no name, location or link
		// evidence either way: in a large population such names collide
		// often.
		add(m.UncorroboratedLR, "no name, location or link on the profile corroborates it")
	}
	return clamp(sigmoid(lo), 0.001, 0.999), ev
}

// digitLocal is an email's local part, letters and digits only, when it
// has at least four of them, two letters and one digit (jwalker91,
// john.walker91 → johnwalker91), and "" otherwise: a username holding it
// counts as EmailHandleDigitsLR.
func digitLocal(local string) string {
	l := alnum(local)
	letters, digits := 0, 0
	for _, r := range l {
		if unicode.IsDigit(r) {
			digits++
		} else {
			letters++
		}
	}
	if letters >= 2 && digits > 0 && letters+digits >= 4 {
		return l
	}
	return ""
}

// CrowdedFrom is the number of platforms answering for a guessed handle
// beyond which each further one counts as CrowdedHandleLR.
const CrowdedFrom = 3

// handleCrowd is what the found accounts say about a handle.
type handleCrowd struct {
	platforms int // platforms with an account of this handle
	people    int // clearly different display names among them (≥ 1 when any has a name)
}

// handleCrowds counts, for each account, the platforms with an account
// of the same handle and the different people (display names that are
// not the same name, personname.Similarity < 0.85) among them.
func handleCrowds(out []enrichers.Account) []handleCrowd {
	by := map[string][]int{}
	for i, a := range out {
		h := strings.ToLower(handle(a.Username))
		by[h] = append(by[h], i)
	}
	res := make([]handleCrowd, len(out))
	for _, idx := range by {
		srcs := map[string]bool{}
		var names []string
		for _, i := range idx {
			srcs[out[i].Source] = true
			if !isName(out[i]) {
				continue
			}
			n := out[i].DisplayName
			if !slices.ContainsFunc(names, func(o string) bool {
				return personname.Similarity(n, o) >= 0.85 || personname.Part(n, o) || personname.Part(o, n)
			}) {
				names = append(names, n)
			}
		}
		for _, i := range idx {
			res[i] = handleCrowd{platforms: len(srcs), people: len(names)}
		}
	}
	return res
}

// localMatchesName reports whether an email local part spells the name
// (jane.doe, janedoe, jdoe, doe.jane).
func localMatchesName(local, name string) bool {
	toks := personname.Words(name)
	if len(toks) < 2 || local == "" {
		return false
	}
	l := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) {
			return r
		}
		return -1
	}, personname.Fold(local))
	first, last := toks[0], toks[len(toks)-1]
	for _, c := range []string{first + last, last + first, string(firstRune(first)) + last, first + string(firstRune(last))} {
		if l == c {
			return true
		}
	}
	return false
}

// locationAgreement: 1 agree, -1 clash, 0 unknown.
func locationAgreement(loc string, others, countries []string) int {
	l := personname.Fold(loc)
	agree, clash := false, false
	for _, o := range others {
		if personname.Similarity(loc, o) >= 0.5 {
			agree = true
		} else {
			clash = true
		}
	}
	for _, c := range countries {
		names := countryNames[strings.ToUpper(c)]
		if len(names) == 0 {
			continue
		}
		matched := false
		for _, n := range names {
			if strings.Contains(l, n) {
				matched = true
			}
		}
		if matched {
			agree = true
		} else if mentionsOtherCountry(l, c) {
			clash = true
		}
	}
	switch {
	case agree:
		return 1
	case clash:
		return -1
	}
	return 0
}

func mentionsOtherCountry(loc, except string) bool {
	for code, names := range countryNames {
		if code == strings.ToUpper(except) {
			continue
		}
		for _, n := range names {
			if strings.Contains(loc, n) {
				return true
			}
		}
	}
	return false
}

func linksToDomain(links []string, bio, domain string) bool {
	for _, l := range links {
		if h := hostOf(l); h == domain || strings.HasSuffix(h, "."+domain) {
			return true
		}
	}
	return strings.Contains(strings.ToLower(bio), domain)
}

// knownHandle reports whether an account's username is the email's local
// part or the username of one of the confidently matched accounts (letters
// and digits compared: jane.doe is janedoe).
func knownHandle(a enrichers.Account, sub Subject, others []confident) bool {
	h := alnum(handle(a.Username))
	if h == "" {
		return true
	}
	if h == alnum(sub.EmailLocal) {
		return true
	}
	for _, c := range others {
		if alnum(handle(c.a.Username)) == h {
			return true
		}
	}
	return false
}

// namesOrganisation reports whether a profile's company, job title or
// bio names the organisation whose domain the email is at: the domain's
// registrable label (umbra-kitchen in umbra-kitchen.co.uk), letters and
// digits only, at least 4 of them, inside the text read the same way.
func namesOrganisation(a enrichers.Account, domain string) bool {
	key := alnum(orgLabel(domain))
	if len(key) < 4 {
		return false
	}
	for _, t := range []string{a.Company, a.JobTitle, a.Bio} {
		if t != "" && strings.Contains(alnum(t), key) {
			return true
		}
	}
	return false
}

// orgLabel is the label of a domain that names its owner: the one before
// the public suffix (example in example.com, example.co.uk, example.com.au).
func orgLabel(domain string) string {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(domain, ".")), ".")
	if len(labels) < 2 {
		return ""
	}
	labels = labels[:len(labels)-1]
	if n := len(labels); n >= 2 && secondLevel[labels[n-1]] {
		labels = labels[:n-1]
	}
	return labels[len(labels)-1]
}

// secondLevel are second-level labels under a country code that belong to
// the suffix (co.uk, com.au).
var secondLevel = map[string]bool{"co": true, "com": true, "org": true, "net": true, "ac": true, "gov": true, "edu": true, "ltd": true, "plc": true}

// alnum is s folded (personname.Fold) with only its letters and digits.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, personname.Fold(s))
}

// profileLinks is everything a profile links to: its links and website.
func profileLinks(a enrichers.Account) []string {
	return append(slices.Clone(a.Links), a.Website)
}

// crossLinked reports whether either account links to the other.
func crossLinked(a, b enrichers.Account) bool {
	return linksToAccount(profileLinks(a), b) || linksToAccount(profileLinks(b), a)
}

func linksToAccount(links []string, a enrichers.Account) bool {
	if a.URL == "" {
		return false
	}
	target := linkKey(a.URL)
	for _, l := range links {
		if l != "" && linkKey(l) == target {
			return true
		}
	}
	return false
}

// linkKey names what a URL points at: a platform's profile by platform
// and username (x.com and twitter.com alike; Hacker News by its ?id=),
// anything else by host and path.
func linkKey(raw string) string {
	if p, ok := profileAt(raw); ok {
		return p.platform + ":" + p.user
	}
	return normURL(raw)
}

// profile is an account on a platform, as a link names it.
type profile struct{ platform, user string }

// profileAt is the profile a URL points at, if it is one.
func profileAt(raw string) (profile, bool) {
	platform, user, ok := links.ProfileFromURL(raw)
	return profile{platform, strings.ToLower(user)}, ok
}

// accountProfiles is which profile an account is (own; zero when its URL
// names none) and which profiles on other platforms it links to.
type accountProfiles struct {
	own   profile
	links []profile
}

func profilesOf(a enrichers.Account) accountProfiles {
	var out accountProfiles
	out.own, _ = profileAt(a.URL)
	for _, l := range profileLinks(a) {
		if p, ok := profileAt(l); ok && p.platform != out.own.platform && !slices.Contains(out.links, p) {
			out.links = append(out.links, p)
		}
	}
	return out
}

// linkNote is a platform on which two accounts' links disagree, and the
// matched account that says so.
type linkNote struct{ platform, via string }

// linkClash compares the profiles account self links to with the
// confidently matched accounts (others; not the ones on its own platform,
// which SamePlatformLR weighs, nor the ones it was found through, whose
// link is already in its prior): a clash when one of them is, or links
// to, another profile on a platform self links to. A link to the same
// profile is no evidence here: in the simulated web X handles are not
// unique, so it cannot be measured (docs/IDENTITY.md, fifth round).
func (r reference) linkClash(self int, others []confident) *linkNote {
	mine := r.profiles[self]
	for _, c := range others {
		if c.a.Source == mine.own.platform || c.idx >= len(r.profiles) ||
			self < len(r.parents) && slices.Contains(r.parents[self], c.idx) {
			continue
		}
		theirs := r.profiles[c.idx]
		for _, l := range mine.links {
			if theirs.own.platform == l.platform && theirs.own.user != l.user {
				return &linkNote{l.platform, c.a.Source}
			}
			for _, t := range theirs.links {
				if t.platform == l.platform && t.user != l.user {
					return &linkNote{l.platform, c.a.Source}
				}
			}
		}
	}
	return nil
}

func hostOf(raw string) string {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}

func normURL(raw string) string {
	h := hostOf(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return h + strings.TrimSuffix(strings.ToLower(u.EscapedPath()), "/")
}

// nonEmpty is the supplied name as a reference name, if it has words.
func nonEmpty(s string) []string {
	if personname.WordCount(s) == 0 {
		return nil
	}
	return []string{s}
}

// isName reports whether an account's display name is name evidence: it
// has words (personname.Words) and is not only the username again.
func isName(a enrichers.Account) bool {
	return personname.WordCount(a.DisplayName) > 0 && !personname.SpellsUsername(a.DisplayName, a.Username)
}

func firstRune(w string) rune {
	r, _ := utf8.DecodeRuneInString(w)
	return r
}

func logit(p float64) float64 {
	p = clamp(p, 1e-4, 1-1e-4)
	return math.Log(p / (1 - p))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func clamp(x, lo, hi float64) float64 { return math.Min(hi, math.Max(lo, x)) }

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// crowd is what trying the usernames built from the supplied name showed
// of how crowded the web is: built of them were tried on every username
// platform, and taken accounts answered.
type crowd struct{ built, taken int }

// guessCrowd counts the usernames built from name and the distinct
// accounts found by trying them.
func guessCrowd(name string, accounts []enrichers.Account) crowd {
	c := crowd{built: len(personname.Variants(name))}
	if c.built == 0 {
		return c
	}
	seen := map[string]bool{}
	for _, a := range accounts {
		if a.Method != enrichers.MethodUsernameGuess || a.Via.Origin != "names" {
			continue
		}
		k := a.Source + "\x00" + strings.ToLower(a.Username)
		if !seen[k] {
			seen[k] = true
			c.taken++
		}
	}
	return c
}

// level is log2((taken+1)/(built+1)): about −3 when almost none of the
// usernames built from the name exist anywhere, above 0 when each is taken
// on a platform or more.
func (c crowd) level() float64 {
	return math.Log2(float64(c.taken+1) / float64(c.built+1))
}

// sentence says it for a support agent.
func (c crowd) sentence() string {
	switch {
	case c.taken == 0:
		return fmt.Sprintf("none of the %d usernames built from the name is taken on any platform: the name is rare", c.built)
	case c.taken == 1:
		return fmt.Sprintf("1 account answered for the %d usernames built from the name: the name is uncommon", c.built)
	case c.taken < c.built:
		return fmt.Sprintf("%d accounts answered for the %d usernames built from the name: the name is uncommon", c.taken, c.built)
	}
	return fmt.Sprintf("%d accounts answered for the %d usernames built from the name: people with this name are many", c.taken, c.built)
}

// DefaultPhotoDistance is the most bits two profile-photo hashes (dHash,
// 64 bits) may differ by and be the same photo: renditions a platform
// serves (resized, re-encoded, slightly cropped or brightened) stay within
// it, different photos almost never come this close (enrichers/avatar's
// TestThreshold: 158 of 160 renditions within, 3 of 780 pairs of different
// photos).
const DefaultPhotoDistance = 10

func (m Model) photoDistance() int {
	if m.PhotoDistance > 0 {
		return m.PhotoDistance
	}
	return DefaultPhotoDistance
}

// samePhoto reports whether two photos are one: their hashes, or one's
// and the other's mirror image's (a mirrored upload), are within the
// distance.
func (m Model) samePhoto(a, b *enrichers.ImageFacts) bool {
	d := bits.OnesCount64(a.Hash ^ b.Hash)
	if a.Mirrored != 0 { // 0: not computed (or a flat image)
		d = min(d, bits.OnesCount64(a.Mirrored^b.Hash))
	}
	return d <= m.photoDistance()
}

// telling returns, by account index, the photos that say who holds the
// account: photos that are flat graphics (identicons, letter avatars) say
// nothing, and neither does a stock image — a photo (within the distance)
// that accounts of clearly different people show in the lookup: two
// clearly different display names, or two accounts on one platform (few
// people keep two).
func (m Model) telling(out []enrichers.Account) []*enrichers.ImageFacts {
	res := make([]*enrichers.ImageFacts, len(out))
	for i, a := range out {
		if a.Photo == nil || a.Photo.Graphic {
			continue
		}
		stock := false
		var names []string
		if isName(a) {
			names = append(names, a.DisplayName)
		}
		for j, b := range out {
			if j == i || b.Photo == nil || b.Photo.Graphic || !m.samePhoto(a.Photo, b.Photo) {
				continue
			}
			if b.Source == a.Source {
				stock = true
				break
			}
			if !isName(b) {
				continue
			}
			if slices.ContainsFunc(names, func(n string) bool { return clearlyDifferent(n, b.DisplayName) }) {
				stock = true
				break
			}
			names = append(names, b.DisplayName)
		}
		if !stock {
			res[i] = a.Photo
		}
	}
	return res
}

// clearlyDifferent reports whether two display names are clearly not one
// person's (as for NameMismatchLR: similarity under 0.4, neither part of
// the other).
func clearlyDifferent(a, b string) bool {
	return personname.Similarity(a, b) < 0.4 && !personname.Part(a, b) && !personname.Part(b, a)
}

// photoEvidence compares account self's photo with the confidently
// matched accounts' (others) on other platforms than source: the likeliest one showing the same photo,
// else the likeliest one showing another custom photo (nil: none).
func (m Model) photoEvidence(ref reference, self int, source string, others []confident) (same, differs *confident) {
	if self < 0 || self >= len(ref.photos) || ref.photos[self] == nil {
		return nil, nil
	}
	mine := ref.photos[self]
	for k := range others {
		c := &others[k]
		if c.a.Source == source {
			continue // the same platform: SamePlatformLR's business
		}
		theirs := ref.photos[c.idx]
		if theirs == nil {
			continue
		}
		if m.samePhoto(mine, theirs) {
			if same == nil || c.p > same.p {
				same = c
			}
		} else if differs == nil || c.p > differs.p {
			differs = c
		}
	}
	return same, differs
}

// photoPool sums the own evidence (PhotoPoolWeight) of the accounts that
// show account self's photo on other platforms and are not confidently
// matched (those count through PhotoMatchLR) nor linked with it (a link
// is already in its prior): the log-odds, how many, and the platform of
// the first.
func (m Model) photoPool(ref reference, self int, source string) (lo float64, n int, src string) {
	if m.PhotoPoolWeight <= 0 || ref.pool == nil || self < 0 || self >= len(ref.photos) || ref.photos[self] == nil {
		return 0, 0, ""
	}
	for j, o := range ref.pool {
		if j == self || o.source == source || ref.photos[j] == nil || o.p >= m.Confident || related(ref, self, j) {
			continue
		}
		if !m.samePhoto(ref.photos[self], ref.photos[j]) {
			continue
		}
		if n == 0 {
			src = o.source
		}
		lo += o.lo
		n++
	}
	return lo, n, src
}

// related reports whether one of two accounts was found through the other.
func related(ref reference, i, j int) bool {
	return i < len(ref.found) && ref.found[i][j] || j < len(ref.found) && ref.found[j][i]
}
