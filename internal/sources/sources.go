// Package sources is the one file that lists every source footprint ships,
// in the order responses list them. Adding a source means adding it here.
package sources

import (
	"github.com/footprint-oss/footprint/enrichers"
	"github.com/footprint-oss/footprint/enrichers/email"
	"github.com/footprint-oss/footprint/enrichers/phone"
)

// Deps are what network sources need from the composition root.
type Deps struct{}

// Register adds every source to reg. It panics on a duplicate name.
func Register(reg *enrichers.Registry, _ Deps) {
	reg.Register(
		email.New(),
		phone.New(),
	)
}
