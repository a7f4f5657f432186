package sim

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"
)

// TestEncodePNG: encodePNG's files decode (with image/png) to exactly the
// pixels drawn, for the images the simulated web serves and for edge
// shapes; an image with transparency keeps it.
func TestEncodePNG(t *testing.T) {
	t.Parallel()
	noise := image.NewRGBA(image.Rect(0, 0, 37, 23))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.IntN(256))
		if i%4 == 3 {
			noise.Pix[i] = 255
		}
	}
	translucent := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for i := range translucent.Pix {
		translucent.Pix[i] = byte(40 * (i % 5))
		if i%4 == 3 {
			translucent.Pix[i] = 255
		}
	}
	translucent.SetRGBA(1, 1, color.RGBA{10, 20, 30, 128}) // premultiplied: no channel above alpha
	photo := newRendition(42, 120, 0)
	for _, c := range []struct {
		name string
		img  *image.RGBA
	}{
		{"photo", drawPhoto(photoID(7), photo)},
		{"hard photo", drawPhoto(photoID(8), rendition{size: 64, seed: 3, scale: 0.8, x0: 0.1, y0: 0.05, mirror: true, contrast: 1, noise: 4, hard: true})},
		{"noise", noise},
		{"sub-image", noise.SubImage(image.Rect(5, 3, 30, 20)).(*image.RGBA)},
		{"one pixel", noise.SubImage(image.Rect(2, 2, 3, 3)).(*image.RGBA)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := png.Decode(bytes.NewReader(encodePNG(c.img)))
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds().Dx() != c.img.Bounds().Dx() || got.Bounds().Dy() != c.img.Bounds().Dy() {
				t.Fatalf("decoded %v, drew %v", got.Bounds(), c.img.Bounds())
			}
			b, o := got.Bounds().Min, c.img.Bounds().Min
			for y := range c.img.Bounds().Dy() {
				for x := range c.img.Bounds().Dx() {
					want := c.img.RGBAAt(o.X+x, o.Y+y)
					r, g, bl, a := got.At(b.X+x, b.Y+y).RGBA()
					nr, ng, nb, na := want.RGBA()
					if r != nr || g != ng || bl != nb || a != na {
						t.Fatalf("pixel (%d,%d): decoded %v, drew %v", x, y, got.At(b.X+x, b.Y+y), want)
					}
				}
			}
		})
	}
	// Transparency goes through image/png (premultiplied alpha may round).
	got, err := png.Decode(bytes.NewReader(encodePNG(translucent)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := got.At(1, 1).RGBA(); a>>8 != 128 {
		t.Errorf("translucent pixel: alpha %d, drew 128", a>>8)
	}
	if _, _, _, a := got.At(0, 0).RGBA(); a != 0xffff {
		t.Errorf("opaque pixel of a translucent image: alpha %d", a)
	}
}

// TestServedPNGsDecode: the identicons and default silhouettes the CDNs
// serve are valid PNG files of their size.
func TestServedPNGsDecode(t *testing.T) {
	t.Parallel()
	for name, b := range map[string][]byte{
		"identicon":          identicon(0x1d2c3b4a59687786, 420, false),
		"gravatar identicon": identicon(0x99, 80, true),
		"silhouette":         silhouette(256, color.RGBA{200, 210, 220, 255}, color.RGBA{90, 100, 110, 255}),
	} {
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if cfg.Width == 0 || cfg.Width != cfg.Height {
			t.Errorf("%s: %d×%d", name, cfg.Width, cfg.Height)
		}
	}
}

// BenchmarkEncodePNG compares encodePNG with image/png (BestSpeed, which
// tries every filter on every row) on a 400 px photo.
func BenchmarkEncodePNG(b *testing.B) {
	img := drawPhoto(photoID(5), newRendition(42, 400, 0))
	b.Run("encodePNG", func(b *testing.B) {
		for b.Loop() {
			encodePNG(img)
		}
	})
	b.Run("image-png", func(b *testing.B) {
		for b.Loop() {
			var out bytes.Buffer
			_ = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&out, img)
		}
	})
}
