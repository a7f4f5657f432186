package config

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/footprint-oss/footprint/enrichers"
)

// noteGiven records that the per-source setting at path was given at
// origin (a file position and key, or a variable).
func (c *Config) noteGiven(path, origin string) {
	if c.given == nil {
		c.given = map[string][]string{}
	}
	c.given[path] = append(c.given[path], origin)
}

// ValidateSources checks the per-source settings against the sources' own
// descriptions (the registry's, known once the sources are built): a key
// that only some sources take (api_key, base_url) is an error under a
// source that does not list it in its Description.Settings. Each error
// names where the key was given, the source and the keys it accepts:
//
//	config.yaml:7: sources.rdap.base_url: rdap takes no base_url (it accepts: enabled, …)
//	FOOTPRINT_SOURCES_RDAP_BASE_URL: rdap takes no base_url (it accepts: enabled, …)
//
// A key Load saw is an error even with an empty value; in a Config built
// otherwise, a non-empty value is. Names no source has are left to the
// engine, which rejects them.
func (c *Config) ValidateSources(sources []enrichers.Description) error {
	byName := make(map[string]enrichers.Description, len(sources))
	for _, d := range sources {
		byName[d.Name] = d
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(c.Sources)) {
		d, ok := byName[name]
		if !ok {
			continue
		}
		sc := c.Sources[name]
		for _, k := range sourceKeys() {
			if !k.declared || takes(d, k.path) {
				continue
			}
			path := "sources." + name + "." + k.path
			origins := c.given[path]
			if len(origins) == 0 && !reflect.ValueOf(k.ptr(&sc)).Elem().IsZero() {
				origins = []string{path}
			}
			for _, o := range origins {
				errs = append(errs, fmt.Errorf("%s: %s takes no %s (it accepts: %s)", o, name, k.path, strings.Join(accepted(d), ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// takes reports whether the source declares the key.
func takes(d enrichers.Description, key string) bool {
	return slices.ContainsFunc(d.Settings, func(s enrichers.Setting) bool { return s.Key == key })
}

// accepted lists the keys the source takes, in the key table's order.
func accepted(d enrichers.Description) []string {
	var out []string
	for _, k := range sourceKeys() {
		if !k.declared || takes(d, k.path) {
			out = append(out, k.path)
		}
	}
	return out
}
