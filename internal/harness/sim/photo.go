package sim

// Photo-like images for avatars: a smooth random low-frequency field
// (a colour gradient, a few soft blobs, a faint wave) generated from the
// photo id, sampled through one upload's rendition (size, crop, mirror,
// brightness, contrast, fine noise, format) — so the bytes never match
// across uploads, a perceptual hash of two renditions of one photo is
// usually close, and two photos are about as far apart as chance makes
// them. Identicons and the platforms' default avatars are drawn here too.

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// fieldN is the side of the grid a photo's field is sampled on; pixels
// interpolate it bilinearly.
const fieldN = 40

// photoField is a photo: RGB values on a fieldN × fieldN grid over the
// unit square.
type photoField [fieldN * fieldN * 3]float32

// newPhotoField generates photo id's field.
func newPhotoField(id uint64) *photoField {
	rng := rand.New(rand.NewPCG(id, 0xf1e1d))
	randColor := func() [3]float64 {
		return [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
	}
	c0, c1 := randColor(), randColor()
	ang := rng.Float64() * 2 * math.Pi
	dx, dy := math.Cos(ang), math.Sin(ang)
	type blob struct {
		x, y, s2, w float64
		c           [3]float64
	}
	blobs := make([]blob, 3+rng.IntN(4))
	for i := range blobs {
		s := 0.1 + 0.25*rng.Float64()
		blobs[i] = blob{x: rng.Float64()*1.2 - 0.1, y: rng.Float64()*1.2 - 0.1, s2: 2 * s * s, w: 0.8 + 2.5*rng.Float64(), c: randColor()}
	}
	fx, fy := (0.7+2*rng.Float64())*2*math.Pi, (0.7+2*rng.Float64())*2*math.Pi
	phase, amp := rng.Float64()*2*math.Pi, 20+25*rng.Float64()
	f := new(photoField)
	for j := range fieldN {
		v := float64(j) / (fieldN - 1)
		for i := range fieldN {
			u := float64(i) / (fieldN - 1)
			t := math.Min(math.Max((u-0.5)*dx+(v-0.5)*dy+0.5, 0), 1)
			var c [3]float64
			for k := range 3 {
				c[k] = c0[k]*(1-t) + c1[k]*t
			}
			total := 1.0
			for _, b := range blobs {
				g := b.w * math.Exp(-((u-b.x)*(u-b.x)+(v-b.y)*(v-b.y))/b.s2)
				total += g
				for k := range 3 {
					c[k] += g * b.c[k]
				}
			}
			wave := amp * math.Sin(fx*u+phase) * math.Sin(fy*v+phase/2)
			o := (j*fieldN + i) * 3
			for k := range 3 {
				f[o+k] = float32(c[k]/total + wave)
			}
		}
	}
	return f
}

// rendition is how one upload of a photo is served: its size, format,
// crop (a window of side scale at x0, y0 in photo coordinates), mirror,
// tone and noise.
type rendition struct {
	size     int
	jpeg     bool
	quality  int
	x0, y0   float64
	scale    float64
	mirror   bool
	bright   float64 // added, in 0..255 units
	contrast float64 // factor around mid-grey
	noise    float64 // amplitude of the per-pixel noise
	seed     uint64
	hard     bool // a harder variant: bigger crop, often mirrored
}

// hardVariantShare is the share of uploads served as a harder variant.
const hardVariantShare = 0.10

// newRendition draws upload's rendition (upload: a hash unique to the
// account and photo) at size px; jpegShare is the platform's share of
// JPEG uploads (1: always JPEG).
func newRendition(upload uint64, size int, jpegShare float64) rendition {
	rng := rand.New(rand.NewPCG(upload, 0x4e4d))
	r := rendition{size: size, seed: upload}
	r.jpeg = rng.Float64() < jpegShare
	r.quality = 70 + rng.IntN(23)
	crop := 0.02 + 0.04*rng.Float64()
	if rng.Float64() < hardVariantShare {
		r.hard = true
		crop = 0.12 + 0.12*rng.Float64()
		r.mirror = rng.Float64() < 0.6
	}
	r.scale = 1 - crop
	r.x0, r.y0 = crop*rng.Float64(), crop*rng.Float64()
	r.bright = (rng.Float64()*2 - 1) * 12
	r.contrast = 0.88 + 0.24*rng.Float64()
	r.noise = 3 + 5*rng.Float64()
	return r
}

// renderPhoto draws photo id through r and encodes it.
func renderPhoto(id uint64, r rendition) []byte {
	return encode(drawPhoto(id, r), r.jpeg, r.quality)
}

// drawPhoto draws photo id through r.
func drawPhoto(id uint64, r rendition) *image.RGBA {
	f := newPhotoField(id)
	img := image.NewRGBA(image.Rect(0, 0, r.size, r.size))
	inv := r.scale / float64(r.size)
	// Where each column samples the field (the same on every row).
	cols := make([]int, r.size)
	wts := make([]float32, r.size)
	for x := range r.size {
		u := r.x0 + (float64(x)+0.5)*inv
		if r.mirror {
			u = 1 - u
		}
		cols[x], wts[x] = gridPos(u)
	}
	c := float32(r.contrast)
	off := float32(r.bright) + 128*(1-c)
	amp := float32(r.noise) / 128
	n := r.seed
	for y := range r.size {
		j, ay := gridPos(r.y0 + (float64(y)+0.5)*inv)
		top, bot := f[j*fieldN*3:], f[(j+1)*fieldN*3:]
		row := img.Pix[y*img.Stride:]
		for x := range r.size {
			o, ax := cols[x]*3, wts[x]
			n = n*6364136223846793005 + 1442695040888963407
			h := n >> 16
			for k := range 3 {
				t := top[o+k] + (top[o+3+k]-top[o+k])*ax
				b := bot[o+k] + (bot[o+3+k]-bot[o+k])*ax
				row[4*x+k] = clamp8((t+(b-t)*ay)*c + off + float32(int8(h>>(8*k)))*amp)
			}
			row[4*x+3] = 255
		}
	}
	return img
}

// gridPos is the field cell left of (or above) a coordinate in [0, 1]
// (clamped) and the weight of the next one.
func gridPos(u float64) (int, float32) {
	g := math.Min(math.Max(u, 0), 1) * (fieldN - 1)
	i := min(int(g), fieldN-2)
	return i, float32(g - float64(i))
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

func encode(img *image.RGBA, asJPEG bool, quality int) []byte {
	if !asJPEG {
		return encodePNG(img)
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: quality}) // writes to memory: cannot fail
	return b.Bytes()
}

// identicon draws a GitHub-style identicon for h: a 5×5 grid mirrored
// about its middle column, one colour on a light grey, with a margin.
// Gravatar's (gravatar) uses a square-on-white variant.
func identicon(h uint64, size int, gravatar bool) []byte {
	hue := float64(h>>40&0xfff) / 4096
	sat := 0.45 + 0.2*float64(h>>52&0xf)/15
	lum := 0.5 + 0.15*float64(h>>56&0xf)/15
	fg := hsl(hue, sat, lum)
	bg := color.RGBA{240, 240, 240, 255}
	if gravatar {
		bg = color.RGBA{255, 255, 255, 255}
	}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	margin := size / 12
	cell := (size - 2*margin) / 5
	for y := range size {
		for x := range size {
			c := bg
			cx, cy := (x-margin)/max(cell, 1), (y-margin)/max(cell, 1)
			if x >= margin && y >= margin && cx < 5 && cy < 5 {
				col := cx
				if col > 2 {
					col = 4 - col
				}
				if h>>(col*5+cy)&1 == 1 {
					c = fg
				}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return encode(img, false, 0)
}

func hsl(h, s, l float64) color.RGBA {
	q := l + s - l*s
	if l < 0.5 {
		q = l * (1 + s)
	}
	p := 2*l - q
	f := func(t float64) uint8 {
		t -= math.Floor(t)
		var v float64
		switch {
		case t < 1.0/6:
			v = p + (q-p)*6*t
		case t < 0.5:
			v = q
		case t < 2.0/3:
			v = p + (q-p)*(2.0/3-t)*6
		default:
			v = p
		}
		return uint8(math.Round(v * 255))
	}
	return color.RGBA{f(h + 1.0/3), f(h), f(h - 1.0/3), 255}
}

// silhouette draws a default "no photo" avatar: a head and shoulders of
// fg on bg (Mastodon's missing.png, Gravatar's mystery person, dev.to's
// default, Reddit's eight default snoo colours).
func silhouette(size int, bg, fg color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	s := float64(size)
	for y := range size {
		for x := range size {
			u, v := (float64(x)+0.5)/s, (float64(y)+0.5)/s
			c := bg
			head := (u-0.5)*(u-0.5)+(v-0.38)*(v-0.38) < 0.035
			body := v > 0.62 && (u-0.5)*(u-0.5)+(v-1.0)*(v-1.0)*0.9 < 0.12
			if head || body {
				c = fg
			}
			img.SetRGBA(x, y, c)
		}
	}
	return encode(img, false, 0)
}
