package textlang

import "testing"

func TestDetect(t *testing.T) {
	d := New()
	cases := []struct {
		text, want string
	}{
		{"Passionate about hardware. Opinions my own.", "en"},
		{"I write about smartphones and web development.", "en"},
		{"Interessiert an Analogfotografie und Hardware.", "de"},
		{"Einfach ich.", "de"},
		{"Fan de économie, bandes dessinées, cyclisme et documentaires.", "fr"},
		{"Juste moi.", "fr"},
		{"Apasionado de compras.", "es"},
		{"Me encanta programación.", "es"},
		{"Appassionato di fotografia e viaggi.", "it"},
		{"Gewoon ik, schrijf over fietsen.", "nl"},
		{"Apaixonado por fotografia e viagens, também escrevo.", "pt"},
		{"ÉCRIS PARFOIS SUR LE VÉLO ET LA MONTAGNE", "fr"},
		// Too few function words, or as many of two languages: no answer.
		{"Hi!", ""},
		{"Rust, Go, Kubernetes", ""},
		{"", ""},
		{"Jane Doe", ""},
		{"de la", ""}, // fr, es: one word each way
	}
	for _, c := range cases {
		got, ok := d.Detect(c.text)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("Detect(%q) = %q, %v; want %q", c.text, got, ok, c.want)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"Einfach ich.", "Hi!", "\xff\xfe", "de la de la"} {
		f.Add(s)
	}
	d := New()
	f.Fuzz(func(t *testing.T, s string) {
		l, ok := d.Detect(s)
		if ok != (l != "") {
			t.Fatalf("Detect(%q) = %q, %v", s, l, ok)
		}
		if ok {
			found := false
			for _, x := range Languages() {
				found = found || x == l
			}
			if !found {
				t.Fatalf("Detect(%q) = %q, not one of Languages()", s, l)
			}
		}
	})
}
