package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// applyEnv overlays the FOOTPRINT_ variables onto c. Fixed keys are looked up
// by name through env; environ is scanned for per-source variables and for
// FOOTPRINT_ names that match nothing, which are errors.
//
// An empty variable sets a string setting to "" (so FOOTPRINT_UPSTREAM= undoes
// a file's upstream) and leaves any other setting alone.
func (c *Config) applyEnv(env func(string) (string, bool), environ []string) []error {
	var errs []error
	known := map[string]bool{}
	for _, k := range keys() {
		name := envName(k.path)
		known[name] = true
		if v, ok := env(name); ok {
			if err := setFromEnv(k.ptr(c), v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}

	values := map[string]string{}
	for _, kv := range environ {
		name, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, envPrefix) || known[name] || strings.HasPrefix(name, envTestPrefix) {
			continue
		}
		if lv, ok := env(name); ok {
			v = lv
		}
		values[name] = v
	}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if err := c.applyScannedEnv(name, values[name]); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// applyScannedEnv applies a FOOTPRINT_ variable that is not a fixed key: it
// must be FOOTPRINT_SOURCES_<NAME>_<SETTING>, else it is an error. Source
// names are not known here, so the variable is split at the longest SETTING
// that ends it; the source is then the entry of Sources whose name spells
// NAME (upper-cased, '-' as '_'), or a new entry named lower-case NAME.
func (c *Config) applyScannedEnv(name, value string) error {
	rest, ok := strings.CutPrefix(name, envPrefix+"SOURCES_")
	if !ok {
		msg := fmt.Sprintf("%s: unknown configuration variable", name)
		var candidates []string
		for _, k := range keys() {
			candidates = append(candidates, envName(k.path))
		}
		if sug := suggest(name, candidates); sug != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", sug)
		}
		return fmt.Errorf("%s (%s* is reserved for configuration; tests use %s*)", msg, envPrefix, envTestPrefix)
	}
	sks := sourceKeys()
	slices.SortFunc(sks, func(a, b sourceKey) int { return cmp.Compare(len(b.path), len(a.path)) })
	for _, sk := range sks {
		src, ok := strings.CutSuffix(rest, "_"+envWord(sk.path))
		if !ok || !validEnvSource(src) {
			continue
		}
		key, err := c.sourceForEnv(src)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		sc := c.Sources[key]
		if err := setFromEnv(sk.ptr(&sc), value); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		c.Sources[key] = sc
		c.noteGiven("sources."+key+"."+sk.path, name)
		return nil
	}
	settings := make([]string, 0, len(sks))
	for _, sk := range sourceKeys() {
		settings = append(settings, envWord(sk.path))
	}
	return fmt.Errorf("%s: unknown configuration variable; source settings are %sSOURCES_<NAME>_<SETTING> with SETTING one of %s",
		name, envPrefix, strings.Join(settings, ", "))
}

// sourceForEnv finds the Sources entry that the variable's NAME part means.
func (c *Config) sourceForEnv(src string) (string, error) {
	var matches []string
	for k := range c.Sources {
		if envWord(k) == src {
			matches = append(matches, k)
		}
	}
	switch len(matches) {
	case 0:
		return strings.ToLower(src), nil
	case 1:
		return matches[0], nil
	}
	slices.Sort(matches)
	return "", fmt.Errorf("matches more than one source (%s)", strings.Join(matches, ", "))
}

// validEnvSource reports whether s can be the NAME part of a source
// variable: upper-case letters, digits and '_', starting with a letter or
// digit.
func validEnvSource(s string) bool {
	if s == "" || s[0] == '_' {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func setFromEnv(ptr any, v string) error {
	if _, isString := ptr.(*string); !isString && strings.TrimSpace(v) == "" {
		return nil
	}
	return parseValue(ptr, v)
}
