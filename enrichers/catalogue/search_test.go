package catalogue

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/footprint-oss/footprint/enrichers"
)

func siteNamed(t *testing.T, name string) *Site {
	t.Helper()
	for _, s := range builtinCatalogue(t).Sites {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no site %s", name)
	return nil
}

// TestNameSearch runs the sites that search by name against recorded
// search results: only results carrying exactly the searched name become
// usernames (Bluesky's as full handles, a custom domain's too; a longer
// name and an empty one do not), sharing the name's prior; a
// name too common says nothing; no match is not_found; failures keep
// their status.
func TestNameSearch(t *testing.T) {
	tests := []struct {
		site, fixture, name string
		want                []string
	}{
		{"bluesky", "bluesky.json", "Laura Zimmermann", []string{"laurazimmermann.bsky.social", "laura-zimmermann.de"}},
		{"bluesky", "bluesky.json", "zimmermann laura", []string{"laurazimmermann.bsky.social", "laura-zimmermann.de"}},
		{"bluesky", "bluesky.json", "Laura Schmidt", nil},
		{"reddit", "reddit.json", "Megan Martin", []string{"silentpanda"}},
		{"reddit", "reddit.json", "Megan Martín", []string{"silentpanda"}},
	}
	for _, tt := range tests {
		t.Run(tt.site+"/"+tt.name, func(t *testing.T) {
			body, err := os.ReadFile("testdata/search/" + tt.fixture)
			if err != nil {
				t.Fatal(err)
			}
			var asked string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				asked = r.URL.Query().Get("q")
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			src := sourceFor(t, siteNamed(t, tt.site), srv)
			id := enrichers.Identifier{Kind: enrichers.KindName, Value: tt.name, Method: "input", Prior: 1}
			if ok, why := src.Applies(id); !ok {
				t.Fatalf("does not apply: %s", why)
			}
			f, err := src.Enrich(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if asked != tt.name {
				t.Errorf("searched for %q, want %q", asked, tt.name)
			}
			if tt.want == nil {
				if !f.NotFound || len(f.Identifiers) != 0 {
					t.Fatalf("want not_found, got %+v", f)
				}
				return
			}
			var got []string
			for _, u := range f.Identifiers {
				got = append(got, u.Value)
				if u.Kind != enrichers.KindUsername || u.Method != enrichers.MethodNameSearch || u.Platform != tt.site || u.Prior != 1/float64(len(tt.want)) {
					t.Errorf("identifier %+v", u)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || len(f.Accounts) != 0 {
				t.Fatalf("usernames %v, want %v (accounts %v)", got, tt.want, f.Accounts)
			}
		})
	}

	t.Run("too common", func(t *testing.T) {
		var b strings.Builder
		b.WriteString(`{"actors":[`)
		for i, h := range []string{"annam", "anna-mueller", "amueller", "annamueller"} {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(`{"did":"did:plc:x` + h + `","handle":"` + h + `.bsky.social","displayName":"Anna Müller"}`)
		}
		b.WriteString(`]}`)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(b.String())) }))
		defer srv.Close()
		f, err := sourceFor(t, siteNamed(t, "bluesky"), srv).Enrich(context.Background(),
			enrichers.Identifier{Kind: enrichers.KindName, Value: "Anna Müller", Prior: 1})
		if err != nil || f.NotFound || len(f.Identifiers) != 0 {
			t.Fatalf("four namesakes: %+v, %v; want found, nothing to look up", f, err)
		}
	})

	t.Run("failures", func(t *testing.T) {
		for _, c := range []struct {
			status int
			body   string
			want   enrichers.Status
		}{{429, "", enrichers.StatusRateLimited}, {503, "", enrichers.StatusError}, {200, `{"actors":[`, enrichers.StatusError}} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(c.status)
				_, _ = w.Write([]byte(c.body))
			}))
			_, err := sourceFor(t, siteNamed(t, "bluesky"), srv).Enrich(context.Background(),
				enrichers.Identifier{Kind: enrichers.KindName, Value: "Laura Zimmermann", Prior: 1})
			srv.Close()
			var se *enrichers.SourceError
			if !errors.As(err, &se) || se.Status != c.want {
				t.Errorf("%d %q: err %v, want %s", c.status, c.body, err, c.want)
			}
		}
	})

	t.Run("one word", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		src := sourceFor(t, siteNamed(t, "bluesky"), srv)
		if ok, _ := src.Applies(enrichers.Identifier{Kind: enrichers.KindName, Value: "Laura"}); ok {
			t.Fatal("a one-word name should not be searched")
		}
	})
}

// TestBlueskyHandles: a bare username is looked up and reported as a
// bsky.social handle (cut to the site's length first when guessed), a full
// or custom-domain handle as is; a dotted username that is no domain
// handle (a GitLab jane.doe) does not apply.
func TestBlueskyHandles(t *testing.T) {
	site := siteNamed(t, "bluesky")
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor := r.URL.Query().Get("actor")
		asked = append(asked, actor)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"did":"did:plc:abc","handle":"` + actor + `","displayName":"Laura Zimmermann","createdAt":"2024-02-06T19:02:44.990Z"}`))
	}))
	defer srv.Close()
	src := sourceFor(t, site, srv)
	for _, c := range []struct {
		value, method, want string
	}{
		{"LauraZ", "username_guess", "lauraz.bsky.social"},
		{"laurazimmermann.bsky.social", "name_search", "laurazimmermann.bsky.social"},
		{"laura-zimmermann.de", "name_search", "laura-zimmermann.de"},
		{"laurazimmermann1987x", "username_guess", "laurazimmermann198.bsky.social"},
		{"jane.doe", "username_guess", ""},
	} {
		id := enrichers.Identifier{Kind: enrichers.KindUsername, Value: c.value, Method: enrichers.Method(c.method), Prior: 1}
		ok, _ := src.Applies(id)
		if c.want == "" {
			if ok {
				t.Errorf("%s applies", c.value)
			}
			continue
		}
		if !ok {
			t.Fatalf("%s does not apply", c.value)
		}
		f, err := src.Enrich(context.Background(), id)
		if err != nil || len(f.Accounts) != 1 {
			t.Fatalf("%s: %+v %v", c.value, f, err)
		}
		if a := f.Accounts[0]; a.Username != c.want || a.URL != "https://bsky.app/profile/"+c.want || asked[len(asked)-1] != c.want {
			t.Errorf("%s: account %s at %s (asked %s), want %s", c.value, a.Username, a.URL, asked[len(asked)-1], c.want)
		}
	}
}
