package sim

// The avatar URLs each platform reports, and the image CDNs that serve
// them (source "avatars" in /_sim/stats and for faults).

import (
	"container/list"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"image/color"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// srcAvatars names the image hosts in stats and faults.
const srcAvatars = "avatars"

// avatarFormat is a platform's avatar size (px) and share of JPEG uploads.
type avatarFormat struct {
	size      int
	jpegShare float64
}

func avatarFormatFor(slot int) avatarFormat {
	switch slot {
	case 0: // github
		return avatarFormat{460, 0.7}
	case 1: // gitlab
		return avatarFormat{192, 0.5}
	case 2: // dev.to, resized to the URL's width=640
		return avatarFormat{640, 0.6}
	case 4: // keybase, processed to 360 px JPEG
		return avatarFormat{360, 1}
	case 5: // reddit
		return avatarFormat{256, 0.3}
	case 6: // mastodon, resized to 400 px on upload
		return avatarFormat{400, 0.5}
	case 7: // bluesky, served @jpeg
		return avatarFormat{400, 1}
	case gravatarSlot: // gravatar, ?s= (default 80)
		return avatarFormat{80, 0.7}
	}
	return avatarFormat{}
}

// renditionOf is a's upload of its photo at size px (0: the platform's).
func renditionOf(a *account, size int) rendition {
	f := avatarFormatFor(avatarSlot(a.source))
	if size <= 0 {
		size = f.size
	}
	return newRendition(mix64(a.photo, a.avatarTok), size, f.jpegShare)
}

func (a *account) custom() bool { return a.photoKind != photoDefault }

func ext(r rendition) string {
	if r.jpeg {
		return "jpg"
	}
	return "png"
}

// --- URLs in the platforms' responses ---

func githubAvatarURL(a *account) string {
	return fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", a.id)
}

func gitlabAvatarURL(a *account) string {
	if !a.custom() {
		return "https://secure.gravatar.com/avatar/" + sha256Hex(a.username) + "?s=80&d=identicon"
	}
	return fmt.Sprintf("https://gitlab.com/uploads/-/system/user/avatar/%d/avatar.%s", a.id, ext(renditionOf(a, 0)))
}

// mastodonID is the account's Mastodon id (a Snowflake-like number).
func mastodonID(a *account) int64 {
	return a.created.UnixMilli()<<16 | int64(hash64(a.username)&0xffff)
}

const mastodonMissing = "https://mastodon.social/avatars/original/missing.png"

func mastodonAvatar(a *account) string {
	if !a.custom() {
		return mastodonMissing
	}
	id := fmt.Sprintf("%018d", mastodonID(a))
	var groups []string
	for i := 0; i+3 <= len(id); i += 3 {
		groups = append(groups, id[i:i+3])
	}
	e := ext(renditionOf(a, 0))
	if e == "jpg" {
		e = "jpeg"
	}
	return fmt.Sprintf("https://files.mastodon.social/accounts/avatars/%s/original/%016x.%s", strings.Join(groups, "/"), a.avatarTok, e)
}

func mastodonAvatarType(a *account) string {
	if a.custom() && renditionOf(a, 0).jpeg {
		return "image/jpeg"
	}
	return "image/png"
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// bskyCID is the avatar blob's CID: 32 bytes, the token first.
func bskyCID(a *account) string {
	var b [32]byte
	binary.BigEndian.PutUint64(b[:], a.avatarTok)
	for i := 1; i < 4; i++ {
		binary.BigEndian.PutUint64(b[8*i:], mix64(a.avatarTok, uint64(i)))
	}
	return "bafkrei" + strings.ToLower(b32.EncodeToString(b[:]))
}

func bskyAvatar(a *account) string {
	if !a.custom() {
		return ""
	}
	return "https://cdn.bsky.app/img/avatar/plain/" + a.did + "/" + bskyCID(a) + "@jpeg"
}

func redditID(a *account) string {
	return strconv.FormatUint(hash64("reddit", a.username)%2000000000, 36)
}

func redditIcon(a *account) string {
	if !a.custom() {
		return fmt.Sprintf("https://www.redditstatic.com/avatars/defaults/v2/avatar_default_%d.png", hash64(a.username)%8)
	}
	// Reddit's JSON escapes the query's ampersands.
	return fmt.Sprintf("https://styles.redditmedia.com/t5_%s/styles/profileIcon_%s.%s?width=256&amp;height=256&amp;crop=256:256,smart&amp;s=%s",
		redditID(a), strconv.FormatUint(a.avatarTok, 36), ext(renditionOf(a, 0)), redditIconSig(a))
}

// redditIconSig is the s= signature of a's resized icon: Reddit's CDN
// refuses a resizing query without it, so the icon URL read with its
// ampersands still escaped (the query then reads width=256 alone) is a
// 403, as on Reddit.
func redditIconSig(a *account) string {
	return fmt.Sprintf("%016x%016x", mix64(a.avatarTok, 5), mix64(a.avatarTok, 6))
}

const devtoImagePrefix = "https://media2.dev.to/dynamic/image/width=640,height=640,fit=cover,gravity=auto,format=auto/"

func devtoID(a *account) int64 { return int64(hash64("devto", a.username) % 3000000) }

func devtoImage(a *account) string {
	orig := "https://dev-to-uploads.s3.amazonaws.com/uploads/user/profile_image/default/default-avatar.png"
	if a.custom() {
		u := fmt.Sprintf("%016x%016x", a.avatarTok, mix64(a.avatarTok, 7))
		orig = fmt.Sprintf("https://dev-to-uploads.s3.amazonaws.com/uploads/user/profile_image/%d/%s-%s-%s-%s-%s.%s",
			devtoID(a), u[:8], u[8:12], u[12:16], u[16:20], u[20:], ext(renditionOf(a, 0)))
	}
	return devtoImagePrefix + url.QueryEscape(orig)
}

func keybasePictureURL(a *account) string {
	if !a.custom() {
		return ""
	}
	return fmt.Sprintf("https://s3.amazonaws.com/keybase_processed_uploads/%016x%016x_360_360.jpg", a.avatarTok, mix64(a.avatarTok, 8))
}

// --- serving ---

// avatarHost reports whether host (with the path rest) is an image CDN.
func avatarHost(host, rest string) bool {
	switch host {
	case "avatars.githubusercontent.com", "secure.gravatar.com", "0.gravatar.com", "1.gravatar.com", "2.gravatar.com",
		"files.mastodon.social", "cdn.bsky.app", "styles.redditmedia.com", "www.redditstatic.com", "media2.dev.to":
		return true
	case "gravatar.com", "www.gravatar.com":
		return strings.HasPrefix(rest, "/avatar/")
	case "mastodon.social":
		return strings.HasPrefix(rest, "/avatars/")
	case "s3.amazonaws.com":
		return strings.HasPrefix(rest, "/keybase_processed_uploads/")
	case "gitlab.com":
		return strings.HasPrefix(rest, "/uploads/")
	}
	return false
}

// avatarImage is one image to serve: its cache key and how to draw it.
// Without a draw it is refused (403): the CDN knows the image but not the
// way it was asked for.
type avatarImage struct {
	key  string
	draw func() []byte
}

func (s *Sim) serveAvatar(w http.ResponseWriter, r *http.Request, host, rest string) {
	im, ok := s.resolveAvatar(host, rest, r.URL.Query())
	if !ok {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if im.draw == nil {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	b := s.images.get(im.key, im.draw)
	h := w.Header()
	h.Set("Content-Type", http.DetectContentType(b))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "public, max-age=86400")
	h.Set("ETag", fmt.Sprintf(`"%016x"`, hash64(im.key)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func photoImage(a *account, size int) avatarImage {
	rd := renditionOf(a, size)
	return avatarImage{fmt.Sprintf("p/%x/%x/%d", a.photo, rd.seed, rd.size), func() []byte { return renderPhoto(a.photo, rd) }}
}

// sizeParam reads a ?s= or ?size= size, clamped to [16, max].
func sizeParam(q url.Values, def, maxSize int) int {
	v := q.Get("s")
	if v == "" {
		v = q.Get("size")
	}
	if n, err := strconv.Atoi(v); err == nil {
		return min(max(n, 16), maxSize)
	}
	return def
}

// resolveAvatar finds the image a CDN URL shows.
func (s *Sim) resolveAvatar(host, rest string, q url.Values) (avatarImage, bool) {
	w := s.w
	switch host {
	case "avatars.githubusercontent.com":
		id, err := strconv.ParseInt(strings.TrimPrefix(rest, "/u/"), 10, 64)
		if err != nil || !strings.HasPrefix(rest, "/u/") {
			return avatarImage{}, false
		}
		a := w.ghByID[id]
		if a == nil {
			a = w.strangerByID(srcGitHub, id)
		}
		if a == nil {
			return avatarImage{}, false
		}
		if a.custom() {
			return photoImage(a, sizeParam(q, 460, 460)), true
		}
		return avatarImage{"gh-identicon/" + strconv.FormatInt(id, 10), func() []byte { return identicon(mix64(uint64(id), 0x1d), 420, false) }}, true
	case "secure.gravatar.com", "0.gravatar.com", "1.gravatar.com", "2.gravatar.com", "gravatar.com", "www.gravatar.com":
		hash, ok := strings.CutPrefix(rest, "/avatar/")
		hash = strings.ToLower(strings.TrimSuffix(strings.TrimSuffix(hash, ".jpg"), ".png"))
		if !ok || hash == "" || strings.Contains(hash, "/") {
			return avatarImage{}, false
		}
		size := sizeParam(q, 80, 512)
		if a := w.gravatar[hash]; a != nil && a.custom() {
			return photoImage(a, size), true
		}
		sz := strconv.Itoa(size)
		switch d := q.Get("d"); d {
		case "404":
			return avatarImage{}, false
		case "identicon":
			return avatarImage{"gr-identicon/" + hash + "/" + sz, func() []byte { return identicon(hash64("gravatar", hash), size, true) }}, true
		case "mp", "mm":
			return avatarImage{"gr-mp/" + sz, func() []byte {
				return silhouette(size, color.RGBA{200, 200, 200, 255}, color.RGBA{255, 255, 255, 255})
			}}, true
		default: // the Gravatar logo
			return avatarImage{"gr-logo/" + sz, func() []byte {
				return silhouette(size, color.RGBA{29, 79, 196, 255}, color.RGBA{255, 255, 255, 255})
			}}, true
		}
	case "mastodon.social":
		if rest != "/avatars/original/missing.png" {
			return avatarImage{}, false
		}
		return avatarImage{"mastodon-missing", func() []byte {
			return silhouette(400, color.RGBA{96, 105, 132, 255}, color.RGBA{217, 225, 232, 255})
		}}, true
	case "files.mastodon.social":
		dir, file, ok := cutLast(rest)
		name, e, _ := strings.Cut(file, ".")
		tok, err := strconv.ParseUint(name, 16, 64)
		if !ok || err != nil || len(name) != 16 {
			return avatarImage{}, false
		}
		a := w.avatarAccount(tok)
		if a == nil || a.source != srcMastodon || !strings.HasSuffix(mastodonAvatar(a), dir+"/"+name+"."+e) {
			return avatarImage{}, false
		}
		return photoImage(a, 0), true
	case "cdn.bsky.app":
		p, ok := strings.CutPrefix(rest, "/img/avatar/plain/")
		if !ok {
			p, ok = strings.CutPrefix(rest, "/img/avatar_thumbnail/plain/")
		}
		did, cid, _ := strings.Cut(p, "/")
		cid = strings.TrimSuffix(cid, "@jpeg")
		raw, err := b32.DecodeString(strings.ToUpper(strings.TrimPrefix(cid, "bafkrei")))
		if !ok || err != nil || len(raw) < 8 {
			return avatarImage{}, false
		}
		a := w.avatarAccount(binary.BigEndian.Uint64(raw))
		if a == nil || a.source != srcBluesky || a.did != did || bskyCID(a) != cid {
			return avatarImage{}, false
		}
		return photoImage(a, 0), true
	case "styles.redditmedia.com":
		dir, file, _ := cutLast(rest)
		name, e, _ := strings.Cut(strings.TrimPrefix(file, "profileIcon_"), ".")
		tok, err := strconv.ParseUint(name, 36, 64)
		if err != nil {
			return avatarImage{}, false
		}
		a := w.avatarAccount(tok)
		if a == nil || a.source != srcReddit || dir != "/t5_"+redditID(a)+"/styles" || e != ext(renditionOf(a, 0)) {
			return avatarImage{}, false
		}
		if len(q) > 0 && q.Get("s") != redditIconSig(a) {
			return avatarImage{key: "refused"}, true
		}
		return photoImage(a, 0), true
	case "www.redditstatic.com":
		n, ok := strings.CutPrefix(rest, "/avatars/defaults/v2/avatar_default_")
		i, err := strconv.Atoi(strings.TrimSuffix(n, ".png"))
		if !ok || err != nil || i < 0 || i > 7 || !strings.HasSuffix(n, ".png") {
			return avatarImage{}, false
		}
		return avatarImage{"reddit-default/" + strconv.Itoa(i), func() []byte {
			return silhouette(256, hsl(float64(i)/8, 0.7, 0.55), color.RGBA{255, 255, 255, 255})
		}}, true
	case "media2.dev.to":
		if u, err := url.PathUnescape(rest); err == nil {
			rest = u
		}
		if !strings.HasPrefix("https://media2.dev.to"+rest, devtoImagePrefix) {
			return avatarImage{}, false
		}
		dir, file, _ := cutLast(rest)
		if strings.HasSuffix(dir, "/profile_image/default") && file == "default-avatar.png" {
			return avatarImage{"devto-default", func() []byte {
				return silhouette(640, color.RGBA{59, 73, 223, 255}, color.RGBA{245, 245, 245, 255})
			}}, true
		}
		tok, err := strconv.ParseUint(strings.ReplaceAll(file, "-", "")[:min(16, len(file))], 16, 64)
		if err != nil {
			return avatarImage{}, false
		}
		a := w.avatarAccount(tok)
		if a == nil || a.source != srcDevTo {
			return avatarImage{}, false
		}
		if want, _ := url.QueryUnescape(strings.TrimPrefix(devtoImage(a), devtoImagePrefix)); devtoImagePrefix+want != "https://media2.dev.to"+rest {
			return avatarImage{}, false
		}
		return photoImage(a, 0), true
	case "s3.amazonaws.com":
		file := strings.TrimPrefix(rest, "/keybase_processed_uploads/")
		if len(file) < 16 {
			return avatarImage{}, false
		}
		tok, err := strconv.ParseUint(file[:16], 16, 64)
		if err != nil {
			return avatarImage{}, false
		}
		a := w.avatarAccount(tok)
		if a == nil || a.source != srcKeybase || keybasePictureURL(a) != "https://s3.amazonaws.com"+rest {
			return avatarImage{}, false
		}
		return photoImage(a, 0), true
	case "gitlab.com":
		p, ok := strings.CutPrefix(rest, "/uploads/-/system/user/avatar/")
		idStr, file, _ := strings.Cut(p, "/")
		id, err := strconv.ParseInt(idStr, 10, 64)
		if !ok || err != nil {
			return avatarImage{}, false
		}
		a := w.gitlabByID[id]
		if a == nil {
			a = w.strangerByID(srcGitLab, id)
		}
		if a == nil || !a.custom() || file != "avatar."+ext(renditionOf(a, 0)) {
			return avatarImage{}, false
		}
		return photoImage(a, 0), true
	}
	return avatarImage{}, false
}

// cutLast splits a path at its last slash.
func cutLast(p string) (dir, file string, ok bool) {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", p, false
	}
	return p[:i], p[i+1:], true
}

// imageCache is a small LRU of encoded images (drawing one costs a few
// milliseconds; an evaluation asks for the same avatar several times).
type imageCache struct {
	mu  sync.Mutex
	max int
	ll  *list.List // of *cached, most recent first
	m   map[string]*list.Element
}

type cached struct {
	key string
	b   []byte
}

func newImageCache(n int) *imageCache {
	return &imageCache{max: n, ll: list.New(), m: map[string]*list.Element{}}
}

// get returns key's image, drawing it (outside the lock) when absent.
func (c *imageCache) get(key string, draw func() []byte) []byte {
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.ll.MoveToFront(e)
		b := e.Value.(*cached).b
		c.mu.Unlock()
		return b
	}
	c.mu.Unlock()
	b := draw()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[key]; !ok {
		c.m[key] = c.ll.PushFront(&cached{key, b})
		if c.ll.Len() > c.max {
			old := c.ll.Remove(c.ll.Back()).(*cached)
			delete(c.m, old.key)
		}
	}
	return b
}
