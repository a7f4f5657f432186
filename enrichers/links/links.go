// Package links recognises profile URLs on platforms footprint has a
// source for, so a link found on one profile (a Gravatar verified account,
// a GitHub blog field, a Mastodon field, a personal website's rel=me) can
// become a username to look up on that platform.
package links

import (
	"html"
	"net/url"
	"regexp"
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
)

// ProfileFromURL returns the source name and username a profile URL
// points at: https://github.com/octocat → ("github", "octocat"). ok is false
// for anything that is not a profile page (repositories, posts, search).
// Mastodon accounts on instances other than mastodon.social come back as
// user@instance. Bluesky handles under bsky.social come back without the
// suffix (jane.bsky.social → jane), as the bluesky source looks them up;
// custom-domain handles (jane.example.com) come back whole.
func ProfileFromURL(raw string) (platform, username string, ok bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 2048 {
		return "", "", false
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", "", false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	segs := segments(u.Path)
	one := func(name string) (string, string, bool) {
		if len(segs) == 1 && validUser(segs[0]) {
			return name, segs[0], true
		}
		return "", "", false
	}
	switch host {
	case "github.com":
		if len(segs) == 1 && reservedGitHub(segs[0]) {
			return "", "", false
		}
		return one("github")
	case "gitlab.com":
		if len(segs) == 1 && reservedGitLab(segs[0]) {
			return "", "", false
		}
		return one("gitlab")
	case "keybase.io":
		return one("keybase")
	case "dev.to":
		return one("devto")
	case "codeberg.org":
		return one("codeberg")
	case "lichess.org":
		if len(segs) == 2 && segs[0] == "@" && validUser(segs[1]) {
			return "lichess", segs[1], true
		}
	case "chess.com":
		if len(segs) == 2 && segs[0] == "member" && validUser(segs[1]) {
			return "chesscom", segs[1], true
		}
	case "reddit.com", "old.reddit.com":
		if len(segs) >= 2 && (segs[0] == "user" || segs[0] == "u") && validUser(segs[1]) && (len(segs) == 2 || len(segs) == 3 && segs[2] == "") {
			return "reddit", segs[1], true
		}
	case "news.ycombinator.com":
		if len(segs) == 1 && segs[0] == "user" {
			if id := u.Query().Get("id"); validUser(id) {
				return "hackernews", id, true
			}
		}
	case "bsky.app":
		if len(segs) == 2 && segs[0] == "profile" && strings.Contains(segs[1], ".") && validHandle(segs[1]) {
			h := strings.ToLower(segs[1])
			if u, ok := strings.CutSuffix(h, ".bsky.social"); ok && u != "" && !strings.Contains(u, ".") {
				return "bluesky", u, true
			}
			return "bluesky", h, true
		}
	case "x.com", "twitter.com":
		if len(segs) == 1 && validUser(segs[0]) && !reservedX(segs[0]) {
			return "x", segs[0], true
		}
	}
	// Mastodon-style profiles: https://instance/@user.
	if len(segs) == 1 && strings.HasPrefix(segs[0], "@") && validUser(segs[0][1:]) && strings.Contains(host, ".") {
		user := segs[0][1:]
		if host == "mastodon.social" {
			return "mastodon", user, true
		}
		return "mastodon", user + "@" + host, true
	}
	return "", "", false
}

// urlInText matches what may be a URL in free text: with a scheme, or a
// bare host with a path (mastodon.social/@jane, github.com/jane).
var urlInText = regexp.MustCompile(`(?i)(?:https?://)?[a-z0-9][a-z0-9.-]*\.[a-z]{2,}/[^\s<>"']+`)

// InText returns the profile URLs (those ProfileFromURL recognises) that a
// free-text bio mentions, HTML entities decoded (a Hacker News about text
// writes https:&#x2F;&#x2F;github.com&#x2F;jane), in order, without repeats.
func InText(text string) []string {
	if text == "" || !strings.Contains(text, "/") {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, m := range urlInText.FindAllString(html.UnescapeString(text), 32) {
		m = strings.TrimRight(m, ".,;:!?)")
		if _, _, ok := ProfileFromURL(m); ok && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	return out
}

func segments(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// validUser accepts the characters usernames use on the supported
// platforms.
func validUser(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r == '.' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return s != "." && s != ".."
}

func validHandle(s string) bool {
	return validUser(s) && !strings.HasPrefix(s, ".") && !strings.HasSuffix(s, ".")
}

func reservedGitHub(s string) bool {
	switch strings.ToLower(s) {
	case "about", "orgs", "topics", "explore", "features", "pricing", "login", "join", "settings", "marketplace",
		"sponsors", "collections", "trending", "issues", "pulls", "notifications", "search", "enterprise", "security", "site":
		return true
	}
	return false
}

func reservedGitLab(s string) bool {
	switch strings.ToLower(s) {
	case "explore", "users", "help", "dashboard", "groups", "projects", "search", "admin", "-":
		return true
	}
	return false
}

func reservedX(s string) bool {
	switch strings.ToLower(s) {
	case "home", "explore", "search", "settings", "i", "intent", "share", "login", "signup", "hashtag", "tos", "privacy":
		return true
	}
	return false
}

// Usernames turns profile links found on a page of source `from` into the
// usernames to look up in the next round: Method linked_from:<from>, the
// platform each link points at, and prior. Links back to `from`, links
// that are not profiles, repeats, and platforms keep rejects (nil keeps
// all) are dropped.
func Usernames(from string, prior float64, urls []string, keep func(platform string) bool) []enrichers.Identifier {
	var out []enrichers.Identifier
	seen := map[string]bool{}
	for _, u := range urls {
		platform, user, ok := ProfileFromURL(u)
		if !ok || platform == from || seen[platform+"/"+user] || (keep != nil && !keep(platform)) {
			continue
		}
		seen[platform+"/"+user] = true
		out = append(out, enrichers.Identifier{
			Kind: enrichers.KindUsername, Value: user, Method: enrichers.LinkedFrom(from), Platform: platform, Prior: prior,
		})
	}
	return out
}
