package links

import (
	"strings"
	"testing"
)

func TestProfileFromURL(t *testing.T) {
	tests := []struct {
		in             string
		platform, user string
	}{
		{"https://github.com/octocat", "github", "octocat"},
		{"https://github.com/octocat/", "github", "octocat"},
		{"github.com/octocat", "github", "octocat"},
		{"https://www.github.com/Octo-Cat", "github", "Octo-Cat"},
		{"https://github.com/octocat/hello-world", "", ""},
		{"https://github.com/topics", "", ""},
		{"https://gitlab.com/thiago_alves", "gitlab", "thiago_alves"},
		{"https://gitlab.com/explore", "", ""},
		{"https://mastodon.social/@thiago_alves", "mastodon", "thiago_alves"},
		{"https://fosstodon.org/@bob", "mastodon", "bob@fosstodon.org"},
		{"https://fosstodon.org/@bob/1234", "", ""},
		{"https://bsky.app/profile/jane.bsky.social", "bluesky", "jane"},
		{"https://bsky.app/profile/Jane-Doe.bsky.social/", "bluesky", "jane-doe"},
		{"https://bsky.app/profile/jane.example.com", "bluesky", "jane.example.com"},
		{"https://bsky.app/profile/a.b.bsky.social", "bluesky", "a.b.bsky.social"},
		{"https://bsky.app/profile/did:plc:abc", "", ""},
		{"https://keybase.io/jdoe", "keybase", "jdoe"},
		{"https://www.reddit.com/user/jdoe", "reddit", "jdoe"},
		{"https://reddit.com/u/jdoe/", "reddit", "jdoe"},
		{"https://www.reddit.com/r/golang", "", ""},
		{"https://news.ycombinator.com/user?id=pg", "hackernews", "pg"},
		{"https://news.ycombinator.com/item?id=1", "", ""},
		{"https://dev.to/ben", "devto", "ben"},
		{"https://x.com/jack", "x", "jack"},
		{"https://twitter.com/search", "", ""},
		{"https://lichess.org/@/DrNykterstein", "lichess", "DrNykterstein"},
		{"https://www.chess.com/member/hikaru", "chesscom", "hikaru"},
		{"https://codeberg.org/forgejo", "codeberg", "forgejo"},
		{"https://example.com/about", "", ""},
		{"ftp://github.com/octocat", "", ""},
		{"https://user:pw@github.com/octocat", "", ""},
		{"javascript:alert(1)", "", ""},
		{"", "", ""},
		{"https://github.com/a%20b", "", ""},
	}
	for _, tt := range tests {
		p, u, ok := ProfileFromURL(tt.in)
		if p != tt.platform || u != tt.user || ok != (tt.platform != "") {
			t.Errorf("%q → (%q, %q, %v), want (%q, %q)", tt.in, p, u, ok, tt.platform, tt.user)
		}
	}
}

func FuzzProfileFromURL(f *testing.F) {
	for _, s := range []string{"https://github.com/octocat", "https://news.ycombinator.com/user?id=pg", "https://x.y/@z", "%%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, u, ok := ProfileFromURL(s)
		if ok != (p != "" && u != "") {
			t.Fatalf("%q → %q %q %v", s, p, u, ok)
		}
	})
}

func TestInText(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Into music production. #synth mastodon.social/@emilyjones99", []string{"mastodon.social/@emilyjones99"}},
		{`Web dev.<p><a href="https:&#x2F;&#x2F;github.com&#x2F;kobrien80" rel="nofollow">https:&#x2F;&#x2F;github.com&#x2F;kobrien80</a>`, []string{"https://github.com/kobrien80"}},
		{"code at https://github.com/jane, posts at bsky.app/profile/jane.bsky.social.", []string{"https://github.com/jane", "bsky.app/profile/jane.bsky.social"}},
		{"see https://example.com/blog/post and github.com/jane/repo", nil},
		{"Just me.", nil},
		{"", nil},
	}
	for _, tt := range tests {
		got := InText(tt.text)
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("InText(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
