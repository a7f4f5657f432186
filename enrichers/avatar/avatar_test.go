package avatar

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"flag"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/transport"
	tt "github.com/footprint-oss/footprint/enrichers/transport/transporttest"
)

var update = flag.Bool("update", false, "regenerate the images in testdata")

// photo draws a photo-like picture for seed: a lit gradient background
// and a few soft blobs (a head, shoulders, things behind), with sensor
// noise. Different seeds are different pictures.
func photo(seed uint64, size int) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 7))
	type blob struct{ x, y, rad, cr, cg, cb float64 }
	var blobs []blob
	for range 5 {
		blobs = append(blobs, blob{r.Float64(), r.Float64(), 0.08 + 0.25*r.Float64(), 255 * r.Float64(), 255 * r.Float64(), 255 * r.Float64()})
	}
	gx, gy := r.Float64()*2-1, r.Float64()*2-1
	base := [3]float64{60 + 120*r.Float64(), 60 + 120*r.Float64(), 60 + 120*r.Float64()}
	noise := rand.New(rand.NewPCG(seed, 99))
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			fx, fy := float64(x)/float64(size), float64(y)/float64(size)
			c := [3]float64{}
			for i := range c {
				c[i] = base[i] + 60*(gx*fx+gy*fy)
			}
			for _, b := range blobs {
				d := math.Hypot(fx-b.x, fy-b.y) / b.rad
				w := math.Exp(-d * d * 2)
				c[0] = c[0]*(1-w) + b.cr*w
				c[1] = c[1]*(1-w) + b.cg*w
				c[2] = c[2]*(1-w) + b.cb*w
			}
			n := noise.NormFloat64() * 4
			img.SetNRGBA(x, y, color.NRGBA{clamp8(c[0] + n), clamp8(c[1] + n), clamp8(c[2] + n), 255})
		}
	}
	return img
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }

// rendition is what a platform serves of an uploaded photo: cropped by
// crop (share of each side), resized to size (area average), brightened by
// gain.
func rendition(src *image.NRGBA, crop float64, size int, gain float64) *image.NRGBA {
	b := src.Bounds()
	cx0, cy0 := int(float64(b.Dx())*crop), int(float64(b.Dy())*crop)
	cw, ch := b.Dx()-2*cx0, b.Dy()-2*cy0
	dst := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			x0, x1 := cx0+x*cw/size, cx0+(x+1)*cw/size
			y0, y1 := cy0+y*ch/size, cy0+(y+1)*ch/size
			var s [3]float64
			n := 0.0
			for yy := y0; yy < max(y1, y0+1); yy++ {
				for xx := x0; xx < max(x1, x0+1); xx++ {
					p := src.NRGBAAt(xx, yy)
					s[0], s[1], s[2] = s[0]+float64(p.R), s[1]+float64(p.G), s[2]+float64(p.B)
					n++
				}
			}
			dst.SetNRGBA(x, y, color.NRGBA{clamp8(s[0] / n * gain), clamp8(s[1] / n * gain), clamp8(s[2] / n * gain), 255})
		}
	}
	return dst
}

// identicon draws a GitHub-like identicon: a mirrored 5×5 grid in one
// colour on a light background.
func identicon(seed uint64, size int) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 3))
	fg := color.NRGBA{uint8(r.IntN(200)), uint8(r.IntN(200)), uint8(r.IntN(200)), 255}
	bg := color.NRGBA{240, 240, 240, 255}
	var cells [5][5]bool
	for y := range 5 {
		for x := range 3 {
			on := r.IntN(2) == 0
			cells[y][x], cells[y][4-x] = on, on
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			c := bg
			if cells[y*5/size][x*5/size] {
				c = fg
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// bomb is a valid PNG header declaring a w×h canvas (and no pixel data).
func bomb(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// pixelWebP is a 1×1 lossless WebP (no encoder in the module's deps).
const pixelWebP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

// fixtures are the generated testdata images.
func fixtures(t testing.TB) map[string][]byte {
	a := photo(1, 256)
	enc := func(kind string, img image.Image) []byte {
		var b bytes.Buffer
		var err error
		switch kind {
		case "png":
			err = png.Encode(&b, img)
		case "jpg":
			err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 70})
		case "gif":
			err = gif.Encode(&b, img, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	webp, err := base64.StdEncoding.DecodeString(pixelWebP)
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{
		"a.png":               enc("png", a),
		"a_github_420.jpg":    enc("jpg", rendition(a, 0, 420, 1)),
		"a_bluesky_crop.jpg":  enc("jpg", rendition(a, 0.04, 128, 1.1)),
		"a_mastodon_dark.gif": enc("gif", rendition(a, 0.02, 96, 0.9)),
		"b.png":               enc("png", photo(2, 256)),
		"c.jpg":               enc("jpg", photo(3, 200)),
		"identicon.png":       enc("png", identicon(5, 420)),
		"identicon.jpg":       enc("jpg", identicon(5, 420)),
		"bomb.png":            bomb(100000, 100000),
		"pixel.webp":          webp,
	}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("%v (regenerate with go test ./enrichers/avatar -run TestFixtures -update)", err)
	}
	return b
}

// TestFixtures regenerates testdata with -update, and otherwise checks it
// is what the generator makes.
func TestFixtures(t *testing.T) {
	for name, b := range fixtures(t) {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(readFixture(t, name), b) {
			t.Errorf("%s differs from the generator's (go test ./enrichers/avatar -run TestFixtures -update)", path)
		}
	}
}

func hashOf(t *testing.T, name string) *enrichers.ImageFacts {
	t.Helper()
	f, err := Read(readFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return f
}

// Renditions of one photo are within a few bits; different photos are
// far apart. The identity model's threshold (10 of 64) sits between.
func TestHashDistances(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max int
	}{
		{"a.png", "a_github_420.jpg", 0, 4},
		{"a.png", "a_bluesky_crop.jpg", 0, 8},
		{"a.png", "a_mastodon_dark.gif", 0, 8},
		{"a_github_420.jpg", "a_bluesky_crop.jpg", 0, 8},
		{"a.png", "b.png", 20, 64},
		{"a.png", "c.jpg", 20, 64},
		{"b.png", "c.jpg", 20, 64},
		{"a_bluesky_crop.jpg", "b.png", 20, 64},
	}
	for _, tc := range tests {
		d := Distance(hashOf(t, tc.a).Hash, hashOf(t, tc.b).Hash)
		t.Logf("%s vs %s: %d", tc.a, tc.b, d)
		if d < tc.min || d > tc.max {
			t.Errorf("distance %s–%s = %d, want %d..%d", tc.a, tc.b, d, tc.min, tc.max)
		}
	}
}

func TestGraphic(t *testing.T) {
	for name, want := range map[string]bool{
		"a.png": false, "a_github_420.jpg": false, "b.png": false, "c.jpg": false,
		"identicon.png": true, "identicon.jpg": true,
	} {
		if got := hashOf(t, name).Graphic; got != want {
			t.Errorf("%s: graphic %v, want %v", name, got, want)
		}
	}
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		wantErr bool
		w, h    int
	}{
		{"png", readFixture(t, "a.png"), false, 256, 256},
		{"jpeg", readFixture(t, "a_github_420.jpg"), false, 420, 420},
		{"gif", readFixture(t, "a_mastodon_dark.gif"), false, 96, 96},
		{"webp", readFixture(t, "pixel.webp"), false, 1, 1},
		{"decompression bomb", readFixture(t, "bomb.png"), true, 0, 0},
		{"just over the side limit", bomb(MaxSide+1, 10), true, 0, 0},
		{"a long strip within the side limit", bomb(MaxSide, 1025), true, 0, 0},
		{"over the pixel budget", bomb(2049, 2048), true, 0, 0},
		{"html", []byte("<html><body>not here</body></html>"), true, 0, 0},
		{"empty", nil, true, 0, 0},
		{"truncated png", readFixture(t, "a.png")[:300], true, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Read(tc.body)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err %v, want error %v", err, tc.wantErr)
			}
			if err == nil && (f.Width != tc.w || f.Height != tc.h) {
				t.Errorf("size %d×%d, want %d×%d", f.Width, f.Height, tc.w, tc.h)
			}
		})
	}
}

func TestDefault(t *testing.T) {
	tests := []struct {
		url     string
		skipped bool
	}{
		{"", true},
		{"data:image/png;base64,AAAA", true},
		{"https://mastodon.social/avatars/original/missing.png", true},
		{"https://files.fosstodon.org/accounts/avatars/000/1/original/a.png", false},
		{"https://www.redditstatic.com/avatars/defaults/v2/avatar_default_3.png", true},
		{"https://styles.redditmedia.com/t5_2/styles/profileIcon_abc.png?width=256", false},
		{"https://secure.gravatar.com/avatar/ab12?s=80&d=identicon", true},
		{"https://0.gravatar.com/avatar/ab12?d=mp", true},
		{"https://0.gravatar.com/avatar/ab12?s=200&f=y&d=404", true},
		{"https://0.gravatar.com/avatar/ab12", false},
		{"https://0.gravatar.com/avatar/ab12?d=404", false},
		{"https://avatars.githubusercontent.com/u/42?v=4", false},
		{"https://media2.dev.to/dynamic/image/width=640,height=640/https%3A%2F%2Fdev-to-uploads.s3.amazonaws.com%2Fuploads%2Fuser%2Fprofile_image%2Fdefault%2Fdefault-avatar.png", true},
		{"https://dev-to-uploads.s3.amazonaws.com/uploads/user/profile_image/default/default-avatar.png", true},
		{"https://dev-to-uploads.s3.amazonaws.com/uploads/user/profile_image/2124764/598cf610.png", false},
	}
	for _, tc := range tests {
		got := Default(tc.url)
		if (got != "") != tc.skipped {
			t.Errorf("Default(%q) = %q, want skipped %v", tc.url, got, tc.skipped)
		}
		ok, _ := New(Config{}).Applies(enrichers.Identifier{Kind: enrichers.KindImage, Value: tc.url})
		if ok == tc.skipped {
			t.Errorf("Applies(%q) = %v", tc.url, ok)
		}
	}
}

const imgPath = "/avatars.githubusercontent.com/u/42"

func image42(id string) enrichers.Identifier {
	return enrichers.Identifier{Kind: enrichers.KindImage, Value: "https://avatars.githubusercontent.com/u/42" + id, Method: enrichers.MethodAvatar}
}

func TestEnrich(t *testing.T) {
	srv := tt.New(t, map[string]tt.Route{imgPath: {File: "testdata/a_github_420.jpg", Header: map[string]string{"Content-Type": "image/jpeg"}}})
	f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), image42(""))
	if err != nil {
		t.Fatal(err)
	}
	want := hashOf(t, "a_github_420.jpg")
	if f.Image == nil || *f.Image != *want || f.NotFound || !f.Simulated {
		t.Fatalf("finding %+v (image %+v), want image %+v", f, f.Image, want)
	}
	if got := srv.Requests()[0].Header.Get("Accept"); got == "" {
		t.Error("no Accept header")
	}
}

func TestEnrichRefuses(t *testing.T) {
	tests := []struct {
		name  string
		route tt.Route
		want  enrichers.Status
	}{
		{"html page", tt.Route{Body: "<html>hello</html>", Header: map[string]string{"Content-Type": "text/html"}}, enrichers.StatusError},
		{"image type, garbage body", tt.Route{Body: "GIF89a garbage", Header: map[string]string{"Content-Type": "image/gif"}}, enrichers.StatusError},
		{"bomb", tt.Route{File: "testdata/bomb.png", Header: map[string]string{"Content-Type": "image/png"}}, enrichers.StatusError},
		{"404", tt.Route{Status: http.StatusNotFound, Body: "gone"}, enrichers.StatusNotFound},
		{"429", tt.Route{Status: http.StatusTooManyRequests, Body: "slow"}, enrichers.StatusRateLimited},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := tt.New(t, map[string]tt.Route{imgPath: tc.route})
			f, err := New(Config{Client: srv.Client(Name)}).Enrich(context.Background(), image42(""))
			got := enrichers.StatusOf(err)
			if err == nil && f.NotFound {
				got = enrichers.StatusNotFound
			}
			if got != tc.want {
				t.Fatalf("status %s (%v, %+v), want %s", got, err, f, tc.want)
			}
			if err == nil && f.Image != nil {
				t.Errorf("image facts from a refused body: %+v", f.Image)
			}
		})
	}
}

// A body over MaxBytes is refused by the client the composition root
// builds (MaxBody) before it is read whole.
func TestEnrichOversized(t *testing.T) {
	big := append(readFixture(t, "a.png"), make([]byte, MaxBytes)...)
	srv := tt.New(t, map[string]tt.Route{imgPath: {Body: string(big), Header: map[string]string{"Content-Type": "image/png"}}})
	u := srv.Client(Name) // default MaxBody (2 MiB): the source's own check refuses it
	_, err := New(Config{Client: u}).Enrich(context.Background(), image42(""))
	if enrichers.StatusOf(err) != enrichers.StatusError {
		t.Fatalf("err %v", err)
	}
	var _ *transport.Client = u
}

func FuzzRead(f *testing.F) {
	for name, b := range fixtures(f) {
		if filepath.Ext(name) != ".png" || len(b) < 4096 {
			f.Add(b)
		}
	}
	f.Add(readFixture(f, "a_mastodon_dark.gif")[:200])
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, b []byte) {
		facts, err := Read(b)
		if err == nil && (facts == nil || facts.Width <= 0 || facts.Width > MaxSide || facts.Height > MaxSide || facts.Width*facts.Height > MaxPixels) {
			t.Fatalf("facts %+v without error", facts)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	for _, name := range []string{"a_github_420.jpg", "a.png"} {
		body := readFixture(b, name)
		b.Run(name+"/read", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := Read(body); err != nil {
					b.Fatal(err)
				}
			}
		})
		img, _, err := image.Decode(bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/dhash", func(b *testing.B) {
			for b.Loop() {
				DHash(img)
			}
		})
	}
}

// hashJPEG is the hash of img as a platform would serve it (JPEG, q 70).
func hashJPEG(t testing.TB, img image.Image) uint64 {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 70}); err != nil {
		t.Fatal(err)
	}
	f, err := Read(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f.Hash
}

// TestThreshold measures where identity's threshold (SamePhoto ≤ 10 of 64
// bits) falls: every rendition of a photo within it, different photos
// beyond it.
func TestThreshold(t *testing.T) {
	const photos, limit = 40, 10
	var hashes []uint64
	worstSame, closestOther, sameOver, same := 0, 64, 0, 0
	for s := range uint64(photos) {
		p := photo(100+s, 256)
		h := hashJPEG(t, p)
		hashes = append(hashes, h)
		for _, r := range []struct {
			crop float64
			size int
			gain float64
		}{{0, 400, 1}, {0.03, 128, 1.12}, {0.05, 96, 0.88}, {0.02, 48, 1}} {
			d := Distance(h, hashJPEG(t, rendition(p, r.crop, r.size, r.gain)))
			worstSame = max(worstSame, d)
			same++
			if d > limit {
				sameOver++
			}
		}
	}
	within := 0
	for i := range hashes {
		for j := i + 1; j < len(hashes); j++ {
			d := Distance(hashes[i], hashes[j])
			closestOther = min(closestOther, d)
			if d <= limit {
				within++
			}
		}
	}
	t.Logf("renditions of one photo: at most %d bits apart, %d of %d over %d; %d different photos: at least %d apart, %d of %d pairs within %d",
		worstSame, sameOver, same, limit, photos, closestOther, within, photos*(photos-1)/2, limit)
	if sameOver*20 > same {
		t.Errorf("%d of %d renditions over %d bits from their photo", sameOver, same, limit)
	}
	if within > photos*(photos-1)/2/100 {
		t.Errorf("%d pairs of different photos within %d bits", within, limit)
	}
}

// Over 512 pixels a side the hash samples every k-th pixel: a large
// rendition still hashes like the photo.
func TestLargeImageHashesLikeItsPhoto(t *testing.T) {
	p := photo(1, 256)
	if d := Distance(hashJPEG(t, p), hashJPEG(t, rendition(p, 0, 1500, 1))); d > 4 {
		t.Errorf("a 1500-pixel rendition is %d bits from its photo", d)
	}
}

// A mirrored upload matches its photo through the mirrored hash.
func TestMirrored(t *testing.T) {
	p := photo(1, 256)
	m := image.NewNRGBA(p.Bounds())
	for y := range 256 {
		for x := range 256 {
			m.SetNRGBA(255-x, y, p.NRGBAAt(x, y))
		}
	}
	a, b := hashOf(t, "a.png"), func() *enrichers.ImageFacts {
		var buf bytes.Buffer
		if err := png.Encode(&buf, m); err != nil {
			t.Fatal(err)
		}
		f, err := Read(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		return f
	}()
	if d := Distance(a.Hash, b.Hash); d < 20 {
		t.Errorf("the mirror image is %d bits from the photo: not a test of the mirrored hash", d)
	}
	if d := Distance(a.Mirrored, b.Hash); d > 2 {
		t.Errorf("mirrored hash %d bits from the mirror image's", d)
	}
}
