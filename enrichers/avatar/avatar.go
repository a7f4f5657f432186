// Package avatar is the profile-photo source: it fetches the photo a
// found account shows (Account.Avatar, emitted by the engine as a
// KindImage identifier), decodes it (PNG, JPEG, GIF, WebP) and reduces it
// to a 64-bit perceptual hash (dHash) that identity resolution compares
// across accounts: people reuse one photo across platforms, namesakes'
// photos differ. The image itself is never kept.
//
// Platform defaults (Mastodon's missing.png, Reddit's avatar_default_*,
// dev.to's default-avatar.png, Gravatar's generated d=identicon/mp/… images) are skipped by URL: they
// say nothing about who holds the account. Images are refused before
// decoding when they are not images, larger than MaxBytes, than MaxSide
// pixels on a side or MaxPixels in all (decompression bombs).
package avatar

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // registers the GIF decoder
	_ "image/jpeg"
	_ "image/png"
	"math/bits"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // registers the WebP decoder

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
)

// Name is the source name.
const Name = "avatar"

// MaxBytes caps an image's body (the composition root gives the source's
// client this MaxBody; Enrich checks it again).
const MaxBytes = 1 << 20

// MaxSide is the largest width or height decoded, and MaxPixels the
// largest canvas: a small compressed file can declare a huge canvas, and
// decoding allocates for all of it (a 16-bit RGBA PNG of MaxPixels holds
// 32 MiB; no platform serves an avatar over 2048 px a side).
const (
	MaxSide   = 4096
	MaxPixels = 2048 * 2048
)

// DefaultMaxPerLookup is how many photos one lookup fetches at most
// (sources.avatar.max_per_lookup), the likeliest accounts' first.
const DefaultMaxPerLookup = 32

// Config configures the source.
type Config struct {
	// Client is the source's own HTTP client (with MaxBody MaxBytes and
	// the SSRF guard: avatar hosts come from profiles).
	Client *transport.Client
}

// Source is the avatar source.
type Source struct{ cfg Config }

var (
	_ enrichers.Enricher = (*Source)(nil)
	_ enrichers.Applier  = (*Source)(nil)
)

// New returns the source. It does no I/O.
func New(cfg Config) *Source { return &Source{cfg: cfg} }

// Describe implements enrichers.Enricher.
func (s *Source) Describe() enrichers.Description {
	return enrichers.Description{
		Name:         Name,
		Description:  "Profile photos of found accounts, reduced to a 64-bit perceptual hash (never stored) that identity resolution compares across accounts.",
		Version:      1,
		Inputs:       []enrichers.Kind{enrichers.KindImage},
		Network:      true,
		RatePerS:     10,
		Burst:        10,
		Timeout:      3 * time.Second,
		TTL:          7 * 24 * time.Hour,
		NegativeTTL:  24 * time.Hour,
		MaxPerLookup: DefaultMaxPerLookup,
		Settings: []enrichers.Setting{
			{Key: enrichers.SettingMaxPerLookup, Doc: fmt.Sprintf("photos fetched per lookup at most, the likeliest accounts' first (default %d)", DefaultMaxPerLookup)},
		},
	}
}

// Applies implements enrichers.Applier: platform defaults and URLs that
// are not http(s) are skipped.
func (s *Source) Applies(id enrichers.Identifier) (bool, string) {
	if why := Default(id.Value); why != "" {
		return false, why
	}
	return true, ""
}

// gravatarDefaults are Gravatar's generated images (d= or default=):
// with forcedefault, or for an address without a photo, every account
// shows one of these.
var gravatarDefaults = map[string]bool{
	"identicon": true, "mp": true, "mm": true, "mystery": true, "retro": true, "monsterid": true,
	"wavatar": true, "robohash": true, "blank": true, "initials": true, "color": true,
}

// Default says why a photo URL shows nothing about its account ("": it
// may): empty, not http(s), or a platform's default image.
func Default(raw string) string {
	if strings.TrimSpace(raw) == "" {
		return "no photo"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "not an http(s) image URL"
	}
	host, path := strings.ToLower(u.Hostname()), u.Path
	switch {
	case strings.HasSuffix(path, "/avatars/original/missing.png"):
		return "Mastodon's default avatar"
	case strings.Contains(path, "avatar_default_"):
		return "Reddit's default avatar"
	case strings.Contains(raw, "profile_image/default/default-avatar") || strings.Contains(raw, "profile_image%2Fdefault%2Fdefault-avatar"):
		return "dev.to's default avatar"
	case strings.HasSuffix(host, "gravatar.com"):
		q := u.Query()
		d := strings.ToLower(q.Get("d") + q.Get("default"))
		if f := strings.ToLower(q.Get("f") + q.Get("forcedefault")); (f == "y" || f == "true") || gravatarDefaults[d] {
			return "Gravatar's generated default image"
		}
	}
	return ""
}

// Enrich implements enrichers.Enricher: GET the image, check what it is,
// hash it.
func (s *Source) Enrich(ctx context.Context, id enrichers.Identifier) (*enrichers.Finding, error) {
	h := http.Header{"Accept": {"image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1"}}
	resp, err := s.cfg.Client.Get(ctx, id.Value, h)
	if errors.Is(err, transport.ErrNotFound) {
		return &enrichers.Finding{NotFound: true, Simulated: s.cfg.Client.Simulated()}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(resp.Body) > MaxBytes {
		return nil, enrichers.NewSourceError(Name, enrichers.StatusError, "image over %d bytes", MaxBytes)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if !strings.HasPrefix(mt, "image/") && mt != "application/octet-stream" {
			return nil, enrichers.NewSourceError(Name, enrichers.StatusError, "not an image (Content-Type %q)", mt)
		}
	}
	facts, err := Read(resp.Body)
	if err != nil {
		return nil, &enrichers.SourceError{Source: Name, Status: enrichers.StatusError, Err: err}
	}
	return &enrichers.Finding{Image: facts, Simulated: s.cfg.Client.Simulated()}, nil
}

// Read decodes an image (PNG, JPEG, GIF, WebP) after checking its declared
// size, and returns its hash. It never panics on any input.
func Read(b []byte) (facts *enrichers.ImageFacts, err error) {
	defer func() {
		// The decoders are meant not to panic on garbage; a bug in one
		// must not take a lookup down.
		if r := recover(); r != nil {
			facts, err = nil, fmt.Errorf("image decoder panicked: %v", r)
		}
	}()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("not a readable image: %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, fmt.Errorf("%s image of %d×%d pixels refused (at most %d on a side, %d in all)", format, cfg.Width, cfg.Height, MaxSide, MaxPixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s image: %w", format, err)
	}
	r := img.Bounds()
	if r.Dx() <= 0 || r.Dy() <= 0 {
		return nil, errors.New("empty image")
	}
	hash, mirrored := Hashes(img)
	return &enrichers.ImageFacts{Hash: hash, Mirrored: mirrored, Graphic: Graphic(img), Width: r.Dx(), Height: r.Dy()}, nil
}

// DHash is the difference hash of img: its luminance averaged over a 9×8
// grid of areas, then bit 8·y+x set when area (x, y) is darker than area
// (x+1, y). Transparent pixels count as white (the page behind them).
// An image under 9×8 pixels leaves areas empty (their mean is 0).
func DHash(img image.Image) uint64 {
	h, _ := Hashes(img)
	return h
}

// Hashes returns img's difference hash and that of its mirror image (the
// same grid read right to left), so that a mirrored upload of a photo
// still matches it.
func Hashes(img image.Image) (hash, mirrored uint64) {
	var sum [8][9]float64
	var n [8][9]float64
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	// Over 512 pixels a side, every k-th pixel stands for its area:
	// the grid's means barely move, and a 4096-pixel canvas costs what a
	// 512-pixel one does.
	sx, sy := (w+511)/512, (h+511)/512
	for y := 0; y < h; y += sy {
		gy := y * 8 / h
		for x := 0; x < w; x += sx {
			gx := x * 9 / w
			sum[gy][gx] += luma(img, r.Min.X+x, r.Min.Y+y)
			n[gy][gx]++
		}
	}
	var m [8][9]float64
	for y := range 8 {
		for x := range 9 {
			m[y][x] = mean(sum[y][x], n[y][x])
		}
	}
	for y := range 8 {
		for x := range 8 {
			if m[y][x] < m[y][x+1] {
				hash |= 1 << (8*y + x)
			}
			// The mirror's area x is this one's 8−x.
			if m[y][8-x] < m[y][7-x] {
				mirrored |= 1 << (8*y + x)
			}
		}
	}
	return hash, mirrored
}

func mean(s, n float64) float64 {
	if n == 0 {
		return 0
	}
	return s / n
}

// luma is the pixel's luminance in [0, 255] (Rec. 601), over white.
func luma(img image.Image, x, y int) float64 {
	switch m := img.(type) {
	case *image.YCbCr:
		return float64(m.Y[m.YOffset(x, y)])
	case *image.Gray:
		return float64(m.Pix[m.PixOffset(x, y)])
	case *image.RGBA: // premultiplied: over white, add what alpha leaves
		i := m.PixOffset(x, y)
		p := m.Pix[i : i+4 : i+4]
		white := 255 - float64(p[3])
		return 0.299*(float64(p[0])+white) + 0.587*(float64(p[1])+white) + 0.114*(float64(p[2])+white)
	case *image.NRGBA:
		i := m.PixOffset(x, y)
		p := m.Pix[i : i+4 : i+4]
		a := float64(p[3]) / 255
		l := 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
		return l*a + 255*(1-a)
	}
	r, g, b, a := img.At(x, y).RGBA() // premultiplied, 16 bits
	white := float64(0xffff - a)
	return (0.299*(float64(r)+white) + 0.587*(float64(g)+white) + 0.114*(float64(b)+white)) / 257
}

// Graphic reports whether img is a flat graphic rather than a photo: on
// a 32×32 sample, the two commonest colours (5 bits a channel) cover at
// least 80 % of it — an identicon, a letter on a colour, a default
// silhouette. Re-encoding (JPEG) blurs edges but keeps that share.
func Graphic(img image.Image) bool {
	r := img.Bounds()
	const k = 32
	counts := map[uint16]int{}
	for j := range k {
		for i := range k {
			x := r.Min.X + (2*i+1)*r.Dx()/(2*k)
			y := r.Min.Y + (2*j+1)*r.Dy()/(2*k)
			counts[quantize(img.At(x, y))]++
		}
	}
	first, second := 0, 0
	for _, c := range counts {
		switch {
		case c > first:
			first, second = c, first
		case c > second:
			second = c
		}
	}
	return first+second >= k*k*8/10
}

func quantize(c color.Color) uint16 {
	r, g, b, a := c.RGBA()
	white := 0xffff - a
	r, g, b = r+white, g+white, b+white
	return uint16(r>>11)<<10 | uint16(g>>11)<<5 | uint16(b>>11)
}

// Distance is the Hamming distance between two hashes: how many of the 64
// bits differ.
func Distance(a, b uint64) int { return bits.OnesCount64(a ^ b) }
