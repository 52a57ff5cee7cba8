package loader

import (
	"strings"
)

// The readers below take an object node (already dereferenced) and a key,
// and report a value of the wrong shape instead of silently dropping it.

// str returns the scalar at key as text ("" when absent or null).
func (l *loader) str(n *node, key string) string {
	v := n.get(key)
	if v.isNull() {
		return ""
	}
	if r := v.ref(); r != nil {
		// Some documents keep long descriptions in their own files
		// (description: {$ref: intro.md}); a whole non-JSON/YAML file is
		// read as text.
		if text, ok := l.textRef(r); ok {
			return text
		}
		if t := l.deref(v); t != nil {
			v = t
		} else {
			return ""
		}
	}
	if v.kind != scalarNode {
		l.errorf(v, nil, "%s must be a string", key)
		return ""
	}
	return v.value
}

// boolean returns the boolean at key, or nil when absent.
func (l *loader) boolean(n *node, key string) *bool {
	v := n.get(key)
	if v.isNull() {
		return nil
	}
	if b, ok := scalar(v).(bool); ok && v.kind == scalarNode {
		return &b
	}
	l.errorf(v, nil, "%s must be true or false", key)
	return nil
}

// integer returns the integer at key, or nil when absent.
func (l *loader) integer(n *node, key string) *int {
	v := n.get(key)
	if v.isNull() {
		return nil
	}
	if i, ok := integer(v); ok {
		return &i
	}
	l.errorf(v, nil, "%s must be an integer", key)
	return nil
}

// number returns the number at key, or nil when absent.
func (l *loader) number(n *node, key string) *float64 {
	v := n.get(key)
	if v.isNull() {
		return nil
	}
	if f, ok := number(v); ok {
		return &f
	}
	l.errorf(v, nil, "%s must be a number", key)
	return nil
}

// object returns the object at key with $refs followed, or nil when absent
// or broken (a broken ref is reported by deref).
func (l *loader) object(n *node, key string) *node {
	return l.asObject(n.get(key), key)
}

// asObject follows $refs from v and checks that the result is a mapping.
func (l *loader) asObject(v *node, what string) *node {
	if v.isNull() {
		return nil
	}
	t := l.deref(v)
	if t == nil {
		return nil
	}
	if t.kind != mapNode {
		l.errorf(t, nil, "%s must be an object", what)
		return nil
	}
	return t
}

// list returns the sequence at key, or nil when absent.
func (l *loader) list(n *node, key string) []*node {
	v := n.get(key)
	if v.isNull() {
		return nil
	}
	if v.kind != seqNode {
		l.errorf(v, nil, "%s must be a list", key)
		return nil
	}
	return v.list
}

// strings returns a list of strings at key.
func (l *loader) strings(n *node, key string) []string {
	var out []string
	for _, item := range l.list(n, key) {
		if item.kind != scalarNode || item.tag == "!!null" {
			l.errorf(item, nil, "%s must hold strings", key)
			continue
		}
		out = append(out, item.value)
	}
	return out
}

// entry is one key/value pair of a mapping.
type entry struct {
	key   string
	knode *node
	val   *node
}

// entries returns the pairs of the mapping at key in document order.
func (l *loader) entries(n *node, key string) []entry {
	v := n.get(key)
	if v.isNull() {
		return nil
	}
	if v = l.deref(v); v == nil {
		return nil
	}
	if v.kind != mapNode {
		l.errorf(v, nil, "%s must be an object", key)
		return nil
	}
	out := make([]entry, len(v.keys))
	for i, k := range v.keys {
		out[i] = entry{key: k.value, knode: k, val: v.vals[i]}
	}
	return out
}

// extensions returns the x-* keys of n, decoded.
func extensions(n *node) map[string]any {
	var ext map[string]any
	for i, k := range n.keys {
		if strings.HasPrefix(k.value, "x-") {
			if ext == nil {
				ext = map[string]any{}
			}
			ext[k.value] = value(n.vals[i])
		}
	}
	return ext
}

// tagNames returns the names of a tags list.
func (l *loader) tagNames(n *node) []string {
	var out []string
	for _, t := range l.list(n, "tags") {
		if o := l.asObject(t, "tag"); o != nil {
			if name := l.str(o, "name"); name != "" {
				out = append(out, name)
			}
		}
	}
	return out
}
