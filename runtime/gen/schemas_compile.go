package gen

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// vnode is one schema of the bundle compiled for the fast validator
// (schemas_check.go): the draft-07 keywords that jsonschema/v5 applies,
// precompiled. A node the fast validator cannot decide exactly as
// jsonschema/v5 does (a $ref out of the document or under an $id, a
// keyword value it does not understand) is marked inexact, and every
// payload that reaches it takes the slow path.
type vnode struct {
	ptr     string
	raw     map[string]any // nil for a boolean schema
	always  int8           // 1: the schema true; -1: false; 0: an object schema
	inexact bool
	ref     *vnode // draft-07: a $ref hides every other keyword

	types    uint8 // typeNull... bits; 0: any type
	enum     []constant
	cnst     *constant
	min      *bound
	max      *bound
	xmin     *bound
	xmax     *bound
	mult     *bound
	minLen   int
	maxLen   int
	pattern  *regexp.Regexp
	format   func(any) bool
	anyArray bool // some array keyword is present
	items    *vnode
	tuple    []*vnode
	isTuple  bool
	addItems *vnode // after a tuple; nil: anything
	minItems int
	maxItems int
	unique   bool
	contains *vnode

	anyObject bool // some object keyword is present
	names     []string
	index     map[string]int // names' indices, when there are many
	props     []*vnode       // by name index; nil: not a property
	required  []int
	patterns  []patternSchema
	addProps  *vnode // nil: anything
	minProps  int
	maxProps  int
	propNames *vnode
	deps      []dependency

	allOf, anyOf, oneOf []*vnode
	not                 *vnode
	ifS, thenS, elseS   *vnode
	applies             bool // some in-place applicator is present
}

const (
	typeNull uint8 = 1 << iota
	typeBool
	typeObject
	typeArray
	typeNumber
	typeString
	typeInteger
)

var typeBits = map[string]uint8{
	"null": typeNull, "boolean": typeBool, "object": typeObject, "array": typeArray,
	"number": typeNumber, "string": typeString, "integer": typeInteger,
}

type patternSchema struct {
	re     *regexp.Regexp
	schema *vnode
}

// dependency is one entry of "dependencies": when the member names[at] is
// present, the members required must be too, and the object must satisfy
// schema (when not nil).
type dependency struct {
	at       int
	required []int
	schema   *vnode
}

// constant is a value of enum or const: the decoded value, and for a
// number its exact form.
type constant struct {
	v   any
	num *bound
}

// compileAt compiles the node at pointer (b.mu held).
func (b *bundle) compileAt(pointer string) (*vnode, error) {
	if n, ok := b.fast[pointer]; ok {
		return n, nil
	}
	raw, ok := b.resolve(pointer)
	if !ok {
		return nil, &BindError{Pointer: pointer, Reason: "no schema at this pointer"}
	}
	return b.compile(pointer, raw, b.idAbove(pointer)), nil
}

// idAbove reports whether a node on the way to pointer (not the root)
// declares $id, which changes how references below it resolve.
func (b *bundle) idAbove(pointer string) bool {
	if pointer == "" {
		return false
	}
	v := b.root
	for _, tok := range strings.Split(pointer[1:], "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		v = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
		if m, ok := v.(map[string]any); ok {
			if _, ok := m["$id"]; ok {
				return true
			}
		}
	}
	return false
}

// compile compiles raw, the schema at ptr; scoped says an $id above it
// changed the base of references.
func (b *bundle) compile(ptr string, raw any, scoped bool) *vnode {
	if n, ok := b.fast[ptr]; ok {
		return n
	}
	n := &vnode{ptr: ptr, minLen: -1, maxLen: -1, minItems: -1, maxItems: -1, minProps: -1, maxProps: -1}
	b.fast[ptr] = n
	switch raw := raw.(type) {
	case bool:
		n.always = -1
		if raw {
			n.always = 1
		}
		return n
	case map[string]any:
		n.raw = raw
	default:
		n.inexact = true
		return n
	}
	m := n.raw
	if _, ok := m["$id"]; ok && ptr != "" {
		scoped = true
	}
	sub := func(key string) *vnode {
		v, ok := m[key]
		if !ok {
			return nil
		}
		return b.compile(ptr+"/"+key, v, scoped)
	}
	if ref, ok := m["$ref"]; ok {
		n.ref = b.compileRef(ref, scoped)
		return n
	}
	c := compiler{n: n, ok: true}
	c.types(m["type"])
	c.constants(m)
	c.numbers(m)
	c.strings(m)
	b.compileArray(n, m, sub, scoped, &c)
	b.compileObject(n, m, sub, scoped, &c)
	n.allOf = b.compileList(ptr+"/allOf", m["allOf"], scoped, &c)
	n.anyOf = b.compileList(ptr+"/anyOf", m["anyOf"], scoped, &c)
	n.oneOf = b.compileList(ptr+"/oneOf", m["oneOf"], scoped, &c)
	n.not = sub("not")
	if m["if"] != nil {
		n.ifS, n.thenS, n.elseS = sub("if"), sub("then"), sub("else")
	}
	n.applies = n.allOf != nil || n.anyOf != nil || n.oneOf != nil || n.not != nil || n.ifS != nil
	for _, d := range n.deps {
		n.applies = n.applies || d.schema != nil
	}
	n.inexact = !c.ok
	return n
}

// compileRef compiles the target of a $ref; only references inside the
// document, not under an $id, are followed exactly.
func (b *bundle) compileRef(ref any, scoped bool) *vnode {
	s, ok := ref.(string)
	if !ok || scoped || (s != "#" && !strings.HasPrefix(s, "#/")) {
		return &vnode{inexact: true}
	}
	pointer, err := url.PathUnescape(s[1:])
	if err != nil {
		return &vnode{inexact: true}
	}
	target, found := b.resolve(pointer)
	if !found {
		return &vnode{inexact: true}
	}
	return b.compile(pointer, target, b.idAbove(pointer))
}

func (b *bundle) compileList(ptr string, v any, scoped bool, c *compiler) []*vnode {
	if v == nil {
		return nil
	}
	list, ok := v.([]any)
	if !ok {
		c.ok = false
		return nil
	}
	out := make([]*vnode, len(list))
	for i, s := range list {
		out[i] = b.compile(ptr+"/"+itoa(i), s, scoped)
	}
	return out
}

func (b *bundle) compileArray(n *vnode, m map[string]any, sub func(string) *vnode, scoped bool, c *compiler) {
	n.minItems, n.maxItems = c.count(m, "minItems"), c.count(m, "maxItems")
	if u, ok := m["uniqueItems"].(bool); ok {
		n.unique = u
	}
	n.contains = sub("contains")
	if items, ok := m["items"]; ok {
		if list, ok := items.([]any); ok {
			n.isTuple = true
			n.tuple = b.compileList(n.ptr+"/items", list, scoped, c)
			switch m["additionalItems"].(type) {
			case bool, map[string]any:
				n.addItems = sub("additionalItems")
			}
		} else {
			n.items = sub("items")
		}
	}
	n.anyArray = n.minItems >= 0 || n.maxItems >= 0 || n.unique || n.contains != nil || n.isTuple || n.items != nil
}

func (b *bundle) compileObject(n *vnode, m map[string]any, sub func(string) *vnode, scoped bool, c *compiler) {
	n.minProps, n.maxProps = c.count(m, "minProperties"), c.count(m, "maxProperties")
	if props, ok := m["properties"].(map[string]any); ok {
		for _, name := range sortedKeys(props) {
			i := n.name(name)
			n.props[i] = b.compile(n.ptr+"/properties/"+escapeToken(name), props[name], scoped)
		}
	}
	if req, ok := m["required"].([]any); ok {
		for _, r := range req {
			name, ok := r.(string)
			if !ok {
				c.ok = false
				continue
			}
			n.required = append(n.required, n.name(name))
		}
	}
	if pats, ok := m["patternProperties"].(map[string]any); ok {
		for _, p := range sortedKeys(pats) {
			re, err := regexp.Compile(p)
			if err != nil {
				c.ok = false
				continue
			}
			n.patterns = append(n.patterns, patternSchema{re: re,
				schema: b.compile(n.ptr+"/patternProperties/"+escapeToken(p), pats[p], scoped)})
		}
	}
	n.addProps = sub("additionalProperties")
	n.propNames = sub("propertyNames")
	if deps, ok := m["dependencies"].(map[string]any); ok {
		for _, name := range sortedKeys(deps) {
			d := dependency{at: n.name(name)}
			switch dv := deps[name].(type) {
			case []any:
				for _, r := range dv {
					s, ok := r.(string)
					if !ok {
						c.ok = false
						continue
					}
					d.required = append(d.required, n.name(s))
				}
			default:
				d.schema = b.compile(n.ptr+"/dependencies/"+escapeToken(name), dv, scoped)
			}
			n.deps = append(n.deps, d)
		}
	}
	if len(n.names) > 8 {
		n.index = make(map[string]int, len(n.names))
		for i, name := range n.names {
			n.index[name] = i
		}
	}
	n.anyObject = len(n.names) > 0 || n.minProps >= 0 || n.maxProps >= 0 || n.patterns != nil ||
		n.addProps != nil || n.propNames != nil
}

// name returns the index of a member name the node cares about, adding it.
func (n *vnode) name(name string) int {
	for i, have := range n.names {
		if have == name {
			return i
		}
	}
	n.names = append(n.names, name)
	n.props = append(n.props, nil)
	return len(n.names) - 1
}

// lookup is the index of a member name, or -1.
func (n *vnode) lookup(key []byte) int {
	if n.index != nil {
		if i, ok := n.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i, name := range n.names {
		if name == string(key) {
			return i
		}
	}
	return -1
}

// compiler reads the keyword values of one node; ok turns false on a value
// the fast validator does not understand.
type compiler struct {
	n  *vnode
	ok bool
}

func (c *compiler) types(t any) {
	switch t := t.(type) {
	case nil:
	case string:
		c.typeName(t)
	case []any:
		for _, name := range t {
			s, _ := name.(string)
			c.typeName(s)
		}
	default:
		c.ok = false
	}
}

func (c *compiler) typeName(name string) {
	bit, ok := typeBits[name]
	c.ok = c.ok && ok
	c.n.types |= bit
}

func (c *compiler) constants(m map[string]any) {
	if v, ok := m["const"]; ok {
		k := c.constant(v)
		c.n.cnst = &k
	}
	if e, ok := m["enum"]; ok {
		list, ok := e.([]any)
		if !ok {
			c.ok = false
			return
		}
		c.n.enum = make([]constant, 0, len(list))
		for _, v := range list {
			c.n.enum = append(c.n.enum, c.constant(v))
		}
		if len(list) == 0 {
			// jsonschema/v5 ignores an empty enum; so does the fast path.
			c.n.enum = nil
		}
	}
}

func (c *compiler) constant(v any) constant {
	k := constant{v: v}
	if num, ok := v.(json.Number); ok {
		b, ok := newBound(string(num))
		c.ok = c.ok && ok
		k.num = b
	}
	return k
}

func (c *compiler) numbers(m map[string]any) {
	n := c.n
	n.min, n.max, n.mult = c.bound(m, "minimum"), c.bound(m, "maximum"), c.bound(m, "multipleOf")
	for key, target := range map[string]**bound{"exclusiveMinimum": &n.xmin, "exclusiveMaximum": &n.xmax} {
		switch x := m[key].(type) {
		case nil:
		case bool:
			// Draft-04 spelling, which jsonschema/v5 still honours.
			if x && key == "exclusiveMinimum" {
				n.xmin, n.min = n.min, nil
			} else if x {
				n.xmax, n.max = n.max, nil
			}
		default:
			*target = c.bound(m, key)
		}
	}
}

func (c *compiler) bound(m map[string]any, key string) *bound {
	v, ok := m[key]
	if !ok {
		return nil
	}
	num, ok := v.(json.Number)
	if !ok {
		c.ok = false
		return nil
	}
	b, ok := newBound(string(num))
	c.ok = c.ok && ok
	return b
}

// count reads a non-negative integer keyword as jsonschema/v5 does; -1
// when absent.
func (c *compiler) count(m map[string]any, key string) int {
	v, ok := m[key]
	if !ok {
		return -1
	}
	num, ok := v.(json.Number)
	if !ok {
		c.ok = false
		return -1
	}
	f, err := num.Float64()
	if err != nil || f < 0 || f > 1<<40 {
		c.ok = false
		return -1
	}
	return int(f)
}

func (c *compiler) strings(m map[string]any) {
	n := c.n
	n.minLen, n.maxLen = c.count(m, "minLength"), c.count(m, "maxLength")
	if p, ok := m["pattern"]; ok {
		s, _ := p.(string)
		re, err := regexp.Compile(s)
		if err != nil {
			c.ok = false
		}
		n.pattern = re
	}
	if f, ok := m["format"].(string); ok {
		n.format = jsonschema.Formats[f]
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
