package loader

import (
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// kind is the shape of a node.
type kind int

const (
	scalarNode kind = iota
	mapNode
	seqNode
)

// node is one value of a parsed file with aliases expanded and positions
// and JSON pointers attached. The loader works on nodes rather than on
// yaml.Node so that every later stage sees the same, bounded tree and
// every value knows its file for relative $refs and diagnostics.
type node struct {
	kind  kind
	tag   string // short YAML tag of scalars: !!str, !!int, !!float, !!bool, !!null...
	value string // scalar text

	keys []*node // mapping keys (scalars), in document order
	vals []*node // mapping values, parallel to keys
	// index maps a key to its first position in keys once a mapping has
	// indexFrom keys: every $ref into components/schemas of a large
	// document looks a name up, and scanning made loading quadratic.
	index map[string]int
	list  []*node // sequence items

	file string // file the node was read from
	line int
	col  int
	ptr  string // JSON pointer inside file
	// synthetic marks a mapping merged from traits: it has the position
	// and pointer of the object it was merged into, not that object's
	// content, so it cannot be found again by its pointer.
	synthetic bool
}

// get returns the value under key in a mapping, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != mapNode {
		return nil
	}
	if n.index != nil {
		if i, ok := n.index[key]; ok {
			return n.vals[i]
		}
		return nil
	}
	for i, k := range n.keys {
		if k.value == key {
			return n.vals[i]
		}
	}
	return nil
}

// indexFrom is the number of keys from which a mapping gets an index;
// below it a scan is as fast.
const indexFrom = 16

// appendEntry adds a key and its value to a mapping, keeping its index.
func (n *node) appendEntry(k, v *node) {
	n.keys = append(n.keys, k)
	n.vals = append(n.vals, v)
	switch {
	case len(n.keys) < indexFrom:
	case n.index == nil:
		n.index = make(map[string]int, 2*len(n.keys))
		for i, k := range n.keys {
			if _, dup := n.index[k.value]; !dup {
				n.index[k.value] = i
			}
		}
	default:
		if _, dup := n.index[k.value]; !dup {
			n.index[k.value] = len(n.keys) - 1
		}
	}
}

// isMap reports whether n is a mapping.
func (n *node) isMap() bool { return n != nil && n.kind == mapNode }

// isNull reports whether n is absent or an explicit null.
func (n *node) isNull() bool { return n == nil || (n.kind == scalarNode && n.tag == "!!null") }

// ref returns the $ref string node of a Reference Object, or nil.
func (n *node) ref() *node {
	r := n.get("$ref")
	if r == nil || r.kind != scalarNode {
		return nil
	}
	return r
}

// loc is the model location of n.
func (n *node) loc() model.Loc {
	return model.Loc{Pos: n.pos(), Pointer: n.ptr}
}

func (n *node) pos() model.Pos {
	return model.Pos{File: n.file, Line: n.line, Col: n.col}
}

// escapeToken escapes one JSON pointer reference token (RFC 6901).
func escapeToken(s string) string {
	s = strings.ReplaceAll(s, "~", "~0")
	return strings.ReplaceAll(s, "/", "~1")
}

// unescapeToken reverses escapeToken.
func unescapeToken(s string) string {
	s = strings.ReplaceAll(s, "~1", "/")
	return strings.ReplaceAll(s, "~0", "~")
}

// lastToken returns the unescaped last token of ptr and the pointer of its
// parent ("/a/b~1c" -> "b/c", "/a").
func lastToken(ptr string) (tok, parent string) {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 {
		return "", ""
	}
	return unescapeToken(ptr[i+1:]), ptr[:i]
}
