package sim

import "time"

// Helpers shared by the platform handlers (one file per platform:
// gravatar.go, github.go, keybase.go, mastodon.go, bluesky.go,
// hackernews.go, reddit.go, gitlab.go, devto.go, hibp.go). Each platform
// file declares its wire format — the JSON response structs — once; the
// handlers encode them and the tests decode them.

// nullable is a JSON string that is null when empty.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func jsonTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func (s *Sim) owner(a *account) *Person {
	if a.owner >= 0 {
		return &s.w.people[a.owner]
	}
	return nil
}
