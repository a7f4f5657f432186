package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// applyYAML overlays the YAML document data onto c. file names the document
// in errors, which carry its line numbers.
//
// The document is walked as a node tree against the key table rather than
// decoded into the struct: that is what lets an unknown key be reported by
// its full path ("server.adr") and every bad value by its key, all at once.
func (c *Config) applyYAML(file string, data []byte) []error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // empty file
		}
		return []error{fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return []error{fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))}
	default:
		return []error{fmt.Errorf("%s:%d: only one YAML document is allowed", file, next.Line)}
	}

	w := &yamlWalker{file: file}
	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	switch {
	case isNull(root):
	case root.Kind != yaml.MappingNode:
		w.errorf(root.Line, "the top level must be a mapping of settings, got %s", describe(root))
	default:
		s := scope{}
		for _, k := range keys() {
			s[k.path] = k.ptr(c)
		}
		w.mapping(root, "", "", s, func(rel string, v *yaml.Node) bool {
			if rel != "sources" {
				return false
			}
			w.sources(c, v)
			return true
		})
	}
	return w.errs
}

// scope maps the dotted paths known below one mapping to the settings they
// set. A path that is a proper prefix of a known one is a group.
type scope map[string]any

func (s scope) isGroup(path string) bool {
	for p := range s {
		if strings.HasPrefix(p, path+".") {
			return true
		}
	}
	return false
}

type yamlWalker struct {
	file string
	errs []error
}

func (w *yamlWalker) errorf(line int, format string, args ...any) {
	w.errs = append(w.errs, fmt.Errorf("%s:%d: %s", w.file, line, fmt.Sprintf(format, args...)))
}

// mapping applies the mapping n found at path rel within scope s, whose own
// path in the document is base. hook may claim a key and handle it itself.
func (w *yamlWalker) mapping(n *yaml.Node, base, rel string, s scope, hook func(rel string, v *yaml.Node) bool) {
	for _, p := range w.pairs(n, join(base, rel)) {
		childRel := join(rel, p.k.Value)
		at := join(base, childRel)
		v := deref(p.v)
		switch ptr, isLeaf := s[childRel]; {
		case hook != nil && hook(childRel, v):
		case isLeaf:
			w.leaf(ptr, at, v)
		case s.isGroup(childRel):
			switch {
			case isNull(v):
			case v.Kind != yaml.MappingNode:
				w.errorf(v.Line, "%s: want a mapping of settings, got %s", at, describe(v))
			default:
				w.mapping(v, base, childRel, s, hook)
			}
		default:
			known := make([]string, 0, len(s)+1)
			for k := range s {
				for p := k; p != ""; p, _ = cutLast(p) {
					known = append(known, join(base, p))
				}
			}
			if base == "" {
				known = append(known, "sources")
			}
			msg := fmt.Sprintf("unknown key %q", at)
			if sug := suggest(at, known); sug != "" {
				msg += fmt.Sprintf(" (did you mean %q?)", sug)
			}
			w.errorf(p.k.Line, "%s", msg)
		}
	}
}

// sources applies the sources mapping: source name → settings.
func (w *yamlWalker) sources(c *Config, n *yaml.Node) {
	switch {
	case isNull(n):
		return
	case n.Kind != yaml.MappingNode:
		w.errorf(n.Line, "sources: want a mapping of source names to settings, got %s", describe(n))
		return
	}
	for _, p := range w.pairs(n, "sources") {
		name := p.k.Value
		at := "sources." + name
		v := deref(p.v)
		sc := c.Sources[name]
		switch {
		case isNull(v):
			// A bare "name:" still names the source, so a misspelt name is
			// reported by the engine.
		case v.Kind != yaml.MappingNode:
			w.errorf(v.Line, "%s: want a mapping of settings, got %s", at, describe(v))
			continue
		default:
			s := scope{}
			for _, k := range sourceKeys() {
				s[k.path] = k.ptr(&sc)
			}
			w.mapping(v, at, "", s, func(rel string, v *yaml.Node) bool {
				if _, leaf := s[rel]; leaf {
					c.noteGiven(at+"."+rel, fmt.Sprintf("%s:%d: %s.%s", w.file, v.Line, at, rel))
				}
				return false // applied as usual
			})
		}
		c.Sources[name] = sc
	}
}

func (w *yamlWalker) leaf(ptr any, at string, v *yaml.Node) {
	switch {
	case isNull(v):
		// "key:" or "key: ~" leaves the lower layer's value.
	case v.Kind != yaml.ScalarNode:
		w.errorf(v.Line, "%s: want a single value, got %s", at, describe(v))
	default:
		if err := parseValue(ptr, v.Value); err != nil {
			w.errorf(v.Line, "%s: %v", at, err)
		}
	}
}

type pair struct{ k, v *yaml.Node }

// pairs returns n's key/value pairs, those brought in by merge keys ("<<")
// first so that the mapping's own keys override them. It reports
// non-scalar and duplicate keys.
func (w *yamlWalker) pairs(n *yaml.Node, at string) []pair {
	var merged, own []pair
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			w.errorf(k.Line, "%s: keys must be plain names, got %s", orTop(at), describe(k))
			continue
		}
		if k.Value == "<<" && k.ShortTag() == "!!merge" {
			merged = append(merged, w.mergePairs(deref(v), at)...)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			w.errorf(k.Line, "duplicate key %q (first at line %d)", join(at, k.Value), line)
			continue
		}
		seen[k.Value] = k.Line
		own = append(own, pair{k, v})
	}
	return append(merged, own...)
}

// mergePairs expands the value of a merge key: a mapping, or a list of
// mappings of which earlier ones take precedence.
func (w *yamlWalker) mergePairs(v *yaml.Node, at string) []pair {
	switch v.Kind {
	case yaml.MappingNode:
		return w.pairs(v, at)
	case yaml.SequenceNode:
		var out []pair
		for _, m := range slices.Backward(v.Content) {
			if m = deref(m); m.Kind != yaml.MappingNode {
				w.errorf(m.Line, "%s: a merge (<<) list must hold mappings, got %s", orTop(at), describe(m))
				continue
			}
			out = append(out, w.pairs(m, at)...)
		}
		return out
	}
	w.errorf(v.Line, "%s: a merge (<<) must be a mapping, got %s", orTop(at), describe(v))
	return nil
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "." + b
}

func orTop(at string) string {
	if at == "" {
		return "top level"
	}
	return at
}

// cutLast splits a dotted path at its last dot: "a.b.c" → "a.b", "c".
func cutLast(path string) (parent, last string) {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i], path[i+1:]
	}
	return "", path
}
