package engine

import (
	"fmt"
	"slices"

	"github.com/footprint-oss/footprint/enrichers"
)

// Registry is the explicit list of sources. Registration order is the order
// sources are listed in responses. It is filled once at start-up by the
// composition root (see enrichers/all) and read-only afterwards.
type Registry struct {
	byName map[string]enrichers.Enricher
	order  []string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: map[string]enrichers.Enricher{}} }

// Register adds sources. It panics on an empty or duplicate name: both are
// programming errors in the one file that lists all sources.
func (r *Registry) Register(es ...enrichers.Enricher) {
	for _, e := range es {
		name := e.Describe().Name
		if name == "" {
			panic(fmt.Sprintf("engine: source %T has no name", e))
		}
		if _, dup := r.byName[name]; dup {
			panic(fmt.Sprintf("engine: source %q registered twice", name))
		}
		r.byName[name] = e
		r.order = append(r.order, name)
	}
}

// Names returns the registered names in registration order.
func (r *Registry) Names() []string { return slices.Clone(r.order) }

// Get returns the source with that name.
func (r *Registry) Get(name string) (enrichers.Enricher, bool) {
	e, ok := r.byName[name]
	return e, ok
}

// Len is the number of registered sources.
func (r *Registry) Len() int { return len(r.order) }

// Descriptions returns every source's self-description, in registration
// order (the config validates source settings against them).
func (r *Registry) Descriptions() []enrichers.Description {
	out := make([]enrichers.Description, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.byName[n].Describe())
	}
	return out
}
