// Package sources is the one file that lists every source footprint ships,
// in the order responses list them, and builds each network source's own
// HTTP client. Adding a source means adding it here.
package sources

import (
	"fmt"
	"net/url"

	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/catalogue"
	"github.com/footprint-oss/footprint/enrichers/email"
	"github.com/footprint-oss/footprint/enrichers/phone"
	"github.com/footprint-oss/footprint/enrichers/transport"
	"github.com/footprint-oss/footprint/scoring"
)

// Deps are what network sources need from the composition root.
type Deps struct {
	// UserAgent identifies footprint to upstreams.
	UserAgent string
	// Upstream, when set, is the simulated web every network source talks to.
	Upstream *url.URL
	// Catalogue is the site catalogue (default: the built-in one).
	Catalogue []byte
}

// client builds one source's HTTP client.
func (d Deps) client(name string, botWall []string) *transport.Client {
	return transport.New(transport.Config{
		Source:         name,
		UserAgent:      d.UserAgent,
		Upstream:       d.Upstream,
		BotWallMarkers: botWall,
	})
}

// Register adds every source to reg. It panics on a duplicate name and
// returns an error for an invalid catalogue.
func Register(reg *enrichers.Registry, d Deps) error {
	data := d.Catalogue
	if data == nil {
		data = catalogue.Builtin()
	}
	cat, err := catalogue.Load(data, isCategory)
	if err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	reg.Register(
		email.New(),
		phone.New(),
	)
	reg.Register(cat.Sources(d.client)...)
	return nil
}

func isCategory(id string) bool {
	for _, c := range scoring.Taxonomy() {
		if c.ID == id {
			return true
		}
	}
	return false
}
