package ir

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/mqttgen/mqttgen/generator/model"
)

// draft07 is the dialect of the bundle: AsyncAPI's schema object is a
// superset of draft-07.
const draft07 = "http://json-schema.org/draft-07/schema#"

// bundler renders schemas as draft-07 JSON for the package's one schema
// bundle. A schema that has a definition (a named Go type's, a payload's,
// a components/schemas entry's, or one that contains itself) is written
// once under "definitions" and referenced everywhere else with "$ref";
// every other schema is written inline. Keys are sorted by encoding/json,
// so the bundle is deterministic.
type bundler struct {
	defName map[*model.Schema]string // schemas that get a definition
	used    map[string]bool          // definition names taken
	defs    map[string]any           // rendered definitions
	// at maps the bundle pointer of every rendered schema object to the
	// model schema it came from, for compile errors.
	at map[string]*model.Schema
	// inline renders nothing as a definition except schemas on the
	// current path (standalone rendering, for comparisons).
	inline  bool
	onStack map[*model.Schema]bool
}

func newBundler() *bundler {
	return &bundler{defName: map[*model.Schema]string{}, used: map[string]bool{}, defs: map[string]any{},
		at: map[string]*model.Schema{}, onStack: map[*model.Schema]bool{}}
}

// define gives s a definition named base (or base with a numeric suffix)
// unless it has one, and returns its name. Rendering happens in finish.
func (b *bundler) define(s *model.Schema, base string) string {
	if name, ok := b.defName[s]; ok {
		return name
	}
	name := base
	for i := 2; b.used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	b.used[name] = true
	b.defName[s] = name
	return name
}

// finish renders every definition, including those rendering them adds
// (recursive schemas), and returns them sorted by name.
func (b *bundler) finish() []Definition {
	for {
		var todo []string
		for _, name := range b.defName {
			if _, done := b.defs[name]; !done {
				todo = append(todo, name)
			}
		}
		if len(todo) == 0 {
			break
		}
		sort.Strings(todo)
		byName := map[string]*model.Schema{}
		for s, name := range b.defName {
			byName[name] = s
		}
		for _, name := range todo {
			b.defs[name] = b.body(byName[name], "/definitions/"+escapePointer(name))
		}
	}
	names := make([]string, 0, len(b.defs))
	for name := range b.defs {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]Definition, len(names))
	for i, name := range names {
		out[i] = Definition{Name: name, JSON: marshal(b.defs[name])}
	}
	return out
}

// marshal writes v as compact JSON with sorted keys and no HTML escaping.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from YAML or JSON documents and render as JSON.
		panic("ir: schema does not render as JSON: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// use renders a use of s at ptr: a $ref to its definition, or s inline.
func (b *bundler) use(s *model.Schema, ptr string) any {
	if s == nil {
		return true
	}
	if name, ok := b.defName[s]; ok && !b.inline {
		return map[string]any{"$ref": "#/definitions/" + escapePointer(name)}
	}
	if b.onStack[s] {
		if b.inline {
			return map[string]any{"$ref": "#"}
		}
		// A schema that contains itself and has no definition yet gets one.
		name := b.define(s, "schema")
		return map[string]any{"$ref": "#/definitions/" + escapePointer(name)}
	}
	return b.body(s, ptr)
}

// body renders s itself at bundle pointer ptr, with every draft-07
// validation keyword the model holds (keywords.go lists where each goes).
func (b *bundler) body(s *model.Schema, ptr string) any {
	if s.Bool != nil {
		return *s.Bool
	}
	b.at[ptr] = s
	b.onStack[s] = true
	defer delete(b.onStack, s)
	m := map[string]any{}
	types := append([]string(nil), s.Type...)
	if s.Nullable && len(types) > 0 && !s.HasType("null") {
		types = append(types, "null")
	}
	switch len(types) {
	case 0:
	case 1:
		m["type"] = types[0]
	default:
		m["type"] = types
	}
	if s.Enum != nil {
		enum := append([]any{}, s.Enum...)
		if s.Nullable && len(s.Enum) > 0 && !enumHasNull(s) {
			enum = append(enum, nil)
		}
		m["enum"] = enum
	}
	if s.HasConst {
		m["const"] = s.Const
	}
	if s.Format != "" {
		m["format"] = s.Format
	}
	if s.Properties != nil {
		m["properties"] = b.named(s.Properties, ptr+"/properties")
	}
	if s.Required != nil {
		m["required"] = s.Required
	}
	if s.AdditionalProperties != nil {
		m["additionalProperties"] = b.use(s.AdditionalProperties, ptr+"/additionalProperties")
	}
	if s.PatternProperties != nil {
		m["patternProperties"] = b.named(s.PatternProperties, ptr+"/patternProperties")
	}
	if s.PropertyNames != nil {
		m["propertyNames"] = b.use(s.PropertyNames, ptr+"/propertyNames")
	}
	if len(s.Dependencies) > 0 {
		deps := map[string]any{}
		for _, d := range s.Dependencies {
			if d.Schema != nil {
				deps[d.Name] = b.use(d.Schema, ptr+"/dependencies/"+escapePointer(d.Name))
			} else {
				deps[d.Name] = d.Required
			}
		}
		m["dependencies"] = deps
	}
	switch {
	case s.PrefixItems != nil:
		m["items"] = b.list(s.PrefixItems, ptr+"/items")
	case s.Items != nil:
		m["items"] = b.use(s.Items, ptr+"/items")
	}
	if s.AdditionalItems != nil {
		m["additionalItems"] = b.use(s.AdditionalItems, ptr+"/additionalItems")
	}
	if s.Contains != nil {
		m["contains"] = b.use(s.Contains, ptr+"/contains")
	}
	for _, kw := range []struct {
		key  string
		list []*model.Schema
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		if kw.list != nil {
			m[kw.key] = b.list(kw.list, ptr+"/"+kw.key)
		}
	}
	for _, kw := range []struct {
		key string
		sub *model.Schema
	}{{"not", s.Not}, {"if", s.If}, {"then", s.Then}, {"else", s.Else}} {
		if kw.sub != nil {
			m[kw.key] = b.use(kw.sub, ptr+"/"+kw.key)
		}
	}
	for _, kw := range []struct {
		key string
		v   *float64
	}{{"minimum", s.Minimum}, {"maximum", s.Maximum}, {"exclusiveMinimum", s.ExclusiveMinimum},
		{"exclusiveMaximum", s.ExclusiveMaximum}, {"multipleOf", s.MultipleOf}} {
		if kw.v != nil {
			m[kw.key] = json.Number(s.Number(kw.key, *kw.v))
		}
	}
	for _, kw := range []struct {
		key string
		v   *int
	}{{"minLength", s.MinLength}, {"maxLength", s.MaxLength}, {"minItems", s.MinItems}, {"maxItems", s.MaxItems},
		{"minProperties", s.MinProperties}, {"maxProperties", s.MaxProperties}} {
		if kw.v != nil {
			m[kw.key] = *kw.v
		}
	}
	if s.Pattern != "" {
		m["pattern"] = s.Pattern
	}
	if s.UniqueItems {
		m["uniqueItems"] = true
	}
	if t := s.Extension("x-go-type"); t != "" {
		// The codec reads and writes such a value with encoding/json.
		m["x-go-type"] = t
	}
	return m
}

// named renders a properties-like mapping.
func (b *bundler) named(ps []*model.Property, ptr string) map[string]any {
	out := make(map[string]any, len(ps))
	for _, p := range ps {
		out[p.Name] = b.use(p.Schema, ptr+"/"+escapePointer(p.Name))
	}
	return out
}

func (b *bundler) list(ss []*model.Schema, ptr string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = b.use(s, ptr+"/"+strconv.Itoa(i))
	}
	return out
}

// SchemaJSON renders s as a standalone draft-07 document, as the bundle
// would: the same keywords, schemas that contain themselves under
// "definitions".
func SchemaJSON(s *model.Schema) []byte {
	b := newBundler()
	root := b.define(s, "root")
	b.finish()
	doc := map[string]any{"$schema": draft07, "allOf": []any{map[string]any{"$ref": "#/definitions/" + root}}, "definitions": b.defs}
	return marshal(doc)
}

// standalone renders s with everything inline (a schema that contains
// itself refers to the root), to compare two schemas by what validation
// sees.
func standalone(s *model.Schema) any {
	if s == nil {
		return nil
	}
	b := newBundler()
	b.inline = true
	return b.use(s, "")
}

// escapePointer escapes a name for a JSON pointer (RFC 6901).
func escapePointer(s string) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, '~', '0')
		case '/':
			out = append(out, '~', '1')
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
