package identity

import (
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
)

// reusePrior discounts the prior of the identifier an account was found by
// for that account's username: the account may not be the subject's
// (identity resolution decides), and people reuse handles often, not always.
const reusePrior = 0.9

// ReusedUsername returns the username of an account found by something
// other than that username (a GitHub search by email, a Gravatar hash, a
// link naming a Mastodon account on another instance) as a guess for the
// other platforms: people reuse a handle across platforms. Accounts found
// by the username itself add nothing new, nor do opaque handles (hashes,
// ids) that no one types as a username. The composition root hands it to
// the engine (engine.Options.ReusedUsername), which looks the username up
// in the next round.
func ReusedUsername(via enrichers.Identifier, a enrichers.Account) (enrichers.Identifier, bool) {
	// user@instance → user, jane.bsky.social → jane, @handle → handle.
	u := strings.TrimSuffix(strings.TrimPrefix(handle(a.Username), "@"), ".bsky.social")
	if !plausibleHandle(u) || (via.Kind == enrichers.KindUsername && strings.EqualFold(via.Value, u)) {
		return enrichers.Identifier{}, false
	}
	prior := via.EffectivePrior()
	return enrichers.Identifier{Kind: enrichers.KindUsername, Value: u, Method: enrichers.MethodUsernameGuess, Prior: prior * reusePrior}, true
}

// plausibleHandle accepts what people use as a handle: 3–30 letters,
// digits and single separators, not a long hex string (a hash or an id).
func plausibleHandle(u string) bool {
	if len(u) < 3 || len(u) > 30 {
		return false
	}
	hex := true
	for i, r := range u {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
		case r == '.' || r == '_' || r == '-':
			if i == 0 || i == len(u)-1 {
				return false
			}
		default:
			return false
		}
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			hex = false
		}
	}
	return !(hex && len(u) >= 16)
}
