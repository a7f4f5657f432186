package sim

// Profile photos: which picture each account shows (this file) and the
// images served at the avatar URLs the platforms report (photo.go,
// avatar_serve.go). See docs/SIM.md, "Profile photos".
//
// Every person — in the population or the background — has a main photo
// and, half of them, a second one. Each account shows either its
// platform's default avatar or a custom one: the main photo, the second,
// a photo used only there, or a stock image (meme, logo, anime character,
// pet) drawn Zipf-like from a pool everybody shares. The choice is a hash
// of (seed, owner, platform), so a background stranger's avatar is derived
// like the rest of their account and costs no storage.

import (
	"math"
)

// photoKind is what an account's avatar shows.
type photoKind uint8

const (
	photoDefault photoKind = iota // the platform's default avatar
	photoMain                     // the owner's main photo
	photoSecond                   // the owner's second photo
	photoOneOff                   // a photo the owner uses only on this account
	photoStock                    // an image from the shared stock pool
)

// String names a kind for stats and tests.
func (k photoKind) String() string {
	return [...]string{"default", "main", "second", "one_off", "stock"}[k]
}

// stockPool is how many stock images (memes, logos, anime characters,
// pets) avatars are drawn from; the r-th most used carries weight about
// 1/(r+1.5).
const stockPool = 300

// gravatarSlot is Gravatar's platform slot; the username platforms' are
// their usernamePlatforms positions.
const gravatarSlot = 8

// avatarSlot is source's platform slot, or -1.
func avatarSlot(source string) int {
	if source == srcGravatar {
		return gravatarSlot
	}
	return platformIndex(source)
}

// avatarRates are the avatar habits on one platform: the share of
// accounts with a custom avatar and, of those, the shares showing the
// main photo, the second photo and a one-off photo (stock: the rest).
type avatarRates struct {
	custom, main, second, oneOff float64
}

// ratesFor returns the avatar habits of a platform slot (docs/SIM.md says
// why each one).
func ratesFor(slot int) avatarRates {
	switch slot {
	case 0: // github: many keep the identicon
		return avatarRates{0.60, 0.50, 0.15, 0.20}
	case 1: // gitlab: the default is a Gravatar identicon
		return avatarRates{0.50, 0.50, 0.15, 0.20}
	case 2: // dev.to: signing up with GitHub or X imports that avatar
		return avatarRates{0.65, 0.55, 0.15, 0.15}
	case 3: // hacker news: no avatars
		return avatarRates{}
	case 4: // keybase: an identity product, real photos more often
		return avatarRates{0.55, 0.55, 0.15, 0.15}
	case 5: // reddit: pseudonymous, snoos and memes
		return avatarRates{0.50, 0.25, 0.10, 0.30}
	case 6: // mastodon
		return avatarRates{0.70, 0.45, 0.15, 0.20}
	case 7: // bluesky
		return avatarRates{0.65, 0.50, 0.15, 0.20}
	case gravatarSlot: // gravatar: a profile is made to carry a photo
		return avatarRates{0.85, 0.70, 0.10, 0.10}
	}
	return avatarRates{}
}

// secondPhotoShare is the share of people who have a second photo; the
// others who would show it upload a one-off instead.
const secondPhotoShare = 0.5

// Owner spaces of avatar owner keys.
const (
	ownerSpacePerson   = 1 // population person index
	ownerSpaceStranger = 2 // background stranger index
	ownerSpaceStored   = 3 // stored account serial (colliding strangers, organisations)
)

// mix64 is a splitmix64 step over a and b: a well-spread 64-bit hash.
func mix64(a, b uint64) uint64 {
	z := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// avatarOwner is the key of an avatar owner in the world of seed.
func avatarOwner(seed uint64, space, index uint64) uint64 {
	return mix64(mix64(seed, 0xa7a7a7), space<<48^index)
}

// choosePhoto decides what the account of owner on platform slot shows:
// its kind and the photo id (0 for a platform default). Stock photo ids
// are 1..stockPool; every other id is a 64-bit hash.
func choosePhoto(owner uint64, slot int, org bool) (photoKind, uint64) {
	r := ratesFor(slot)
	h := mix64(owner, uint64(slot)+0xc0ffee)
	if org { // an organisation shows its logo, or the default
		if unit(h) < 0.9 && r.custom > 0 {
			return photoOneOff, photoID(mix64(owner, 0x10e0))
		}
		return photoDefault, 0
	}
	if unit(h) >= r.custom {
		return photoDefault, 0
	}
	u := unit(mix64(h, 1))
	switch {
	case u < r.main:
		return photoMain, photoID(mix64(owner, 0x3a1))
	case u < r.main+r.second:
		if unit(mix64(owner, 0x2d)) < secondPhotoShare {
			return photoSecond, photoID(mix64(owner, 0x2e))
		}
		return photoOneOff, photoID(mix64(h, 0x1))
	case u < r.main+r.second+r.oneOff:
		return photoOneOff, photoID(mix64(h, 0x1))
	}
	return photoStock, 1 + stockRank(unit(mix64(h, 2)))
}

// photoID keeps hashed photo ids clear of the stock range.
func photoID(h uint64) uint64 { return h | 1<<63 }

// stockRank draws a stock image rank from u in [0, 1): P(r) ∝
// log((r+2)/(r+1)) ≈ 1/(r+1.5), a Zipf law with exponent 1.
func stockRank(u float64) uint64 {
	r := int(math.Pow(stockPool+1, u)) - 1
	return uint64(min(max(r, 0), stockPool-1))
}

// setPhoto fills the avatar fields of a stored account (population,
// colliding stranger or organisation) when it is registered.
func (w *world) setPhoto(a *account) {
	slot := avatarSlot(a.source)
	if slot < 0 {
		return
	}
	a.serial = uint32(len(w.stored))
	w.stored = append(w.stored, a)
	owner := avatarOwner(w.bg.seed, ownerSpaceStored, uint64(a.serial))
	if a.owner >= 0 {
		owner = avatarOwner(w.bg.seed, ownerSpacePerson, uint64(a.owner))
	}
	a.photoKind, a.photo = choosePhoto(owner, slot, a.org)
	a.avatarTok = w.avatarToken(slot, false, uint64(a.serial))
}

// setStrangerPhoto fills the avatar fields of background stranger i's
// account on username platform k.
func (w *world) setStrangerPhoto(a *account, i uint32, k int) {
	a.photoKind, a.photo = choosePhoto(avatarOwner(w.bg.seed, ownerSpaceStranger, uint64(i)), k, false)
	a.avatarTok = w.avatarToken(k, true, uint64(i))
}

// An avatar token names the account an avatar URL shows: a keyed 64-bit
// bijection of (check, platform slot, stranger?, index), so URLs carry no
// photo id and reveal nothing, yet a stranger's avatar needs no index.
const (
	tokIndexBits = 40
	tokCheckMask = 0xffff << 48
)

// avatarToken encodes (slot, stranger, index).
func (w *world) avatarToken(slot int, stranger bool, index uint64) uint64 {
	p := index&(1<<tokIndexBits-1) | uint64(slot)<<tokIndexBits
	if stranger {
		p |= 1 << 44
	}
	p |= mix64(w.bg.seed^0x70c, p) & tokCheckMask
	return fmix64(p ^ mix64(w.bg.seed, 0x7e7))
}

// avatarAccount decodes a token into the account it names (nil for a
// token no account carries).
func (w *world) avatarAccount(tok uint64) *account {
	p := unfmix64(tok) ^ mix64(w.bg.seed, 0x7e7)
	body := p &^ tokCheckMask
	if mix64(w.bg.seed^0x70c, body)&tokCheckMask != p&tokCheckMask {
		return nil
	}
	slot := int(body >> tokIndexBits & 0xf)
	index := body & (1<<tokIndexBits - 1)
	var a *account
	if body>>44&1 == 1 {
		if slot >= len(usernamePlatforms()) || index >= uint64(w.bg.n) {
			return nil
		}
		a = w.strangerAccount(uint32(index), slot)
	} else if index < uint64(len(w.stored)) {
		a = w.stored[index]
	}
	if a == nil || a.avatarTok != tok || a.photoKind == photoDefault {
		return nil
	}
	return a
}

// fmix64 is MurmurHash3's finalizer, a bijection on 64 bits.
func fmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// unfmix64 inverts fmix64.
func unfmix64(k uint64) uint64 {
	k ^= k >> 33
	k *= inverse64(0xc4ceb9fe1a85ec53)
	k ^= k >> 33
	k *= inverse64(0xff51afd7ed558ccd)
	k ^= k >> 33
	return k
}

// inverse64 is the multiplicative inverse of an odd a modulo 2^64
// (Newton's iteration doubles the correct bits from 3).
func inverse64(a uint64) uint64 {
	x := a
	for range 5 {
		x *= 2 - a*x
	}
	return x
}
