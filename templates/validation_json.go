package templates

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// draft07 is the dialect of every bundled schema: AsyncAPI's schema object
// is a superset of draft-07.
const draft07 = "http://json-schema.org/draft-07/schema#"

// SchemaJSON renders s as a standalone, deterministic draft-07 document:
// keys sorted, no $ref to anything outside it. Schemas that refer to
// themselves (directly or through others) move into "definitions" and are
// reached by "#/definitions/<name>" ("#" for the root); all others are
// inlined. 2.x `nullable: true` becomes a "null" type; tuple items become
// the draft-07 array form of items. Documentation keywords are left out.
func SchemaJSON(s *model.Schema) ([]byte, error) { return schemaJSON(s, false) }

// schemaJSON is SchemaJSON; with keysOnly, definitions are named without
// the Go names of the naming stage (see CheckSchemas).
func schemaJSON(s *model.Schema, keysOnly bool) ([]byte, error) {
	b := &bundler{root: s, keysOnly: keysOnly, recursive: map[*model.Schema]bool{}, names: map[*model.Schema]string{}}
	b.findCycles(s, map[*model.Schema]bool{}, map[*model.Schema]bool{})
	doc := b.render(s, true)
	if m, ok := doc.(map[string]any); ok {
		m["$schema"] = draft07
		if len(b.defs) > 0 {
			m["definitions"] = b.defs
		}
	} else {
		// A boolean root schema: keep it a document of its own.
		doc = map[string]any{"$schema": draft07, "allOf": []any{doc}}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type bundler struct {
	root *model.Schema
	// shared makes every components/schemas entry (a schema with a Key) a
	// definition of its own, referenced wherever it is used: the check
	// bundle of CheckSchemas.
	shared bool
	// keysOnly names definitions after components/schemas keys only, never
	// after Go names, which the naming stage may be writing meanwhile.
	keysOnly  bool
	recursive map[*model.Schema]bool
	names     map[*model.Schema]string
	used      map[string]bool
	defs      map[string]any
}

// findCycles marks every schema reached again while it is being walked.
func (b *bundler) findCycles(s *model.Schema, onStack, done map[*model.Schema]bool) {
	if s == nil {
		return
	}
	if onStack[s] {
		b.recursive[s] = true
		return
	}
	if done[s] {
		return
	}
	onStack[s] = true
	for _, c := range Children(s) {
		b.findCycles(c, onStack, done)
	}
	delete(onStack, s)
	done[s] = true
}

// ref returns the reference to a recursive schema, rendering its definition
// the first time.
func (b *bundler) ref(s *model.Schema) any {
	if s == b.root {
		return map[string]any{"$ref": "#"}
	}
	if name, ok := b.names[s]; ok {
		return map[string]any{"$ref": "#/definitions/" + jsonPointerEscape(name)}
	}
	base := s.Key
	if base == "" && !b.keysOnly {
		base = s.GoName
	}
	if base == "" {
		base = "schema"
	}
	if b.used == nil {
		b.used = map[string]bool{}
		b.defs = map[string]any{}
	}
	name := base
	for i := 2; b.used[name]; i++ {
		name = base + strconv.Itoa(i)
	}
	b.used[name] = true
	b.names[s] = name
	b.defs[name] = b.render(s, true)
	return map[string]any{"$ref": "#/definitions/" + jsonPointerEscape(name)}
}

func jsonPointerEscape(s string) string {
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

// render converts one schema; body is true when rendering the definition
// itself rather than a use of it.
func (b *bundler) render(s *model.Schema, body bool) any {
	if s == nil {
		return true
	}
	if !body && (b.recursive[s] || b.shared && s.Key != "") {
		return b.ref(s)
	}
	if s.Bool != nil {
		return *s.Bool
	}
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
	if len(s.Enum) > 0 {
		enum := append([]any(nil), s.Enum...)
		if s.Nullable && !enumHasNull(s) {
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
	if len(s.Properties) > 0 {
		props := map[string]any{}
		for _, p := range s.Properties {
			props[p.Name] = b.render(p.Schema, false)
		}
		m["properties"] = props
	}
	if len(s.Required) > 0 {
		m["required"] = s.Required
	}
	if s.AdditionalProperties != nil {
		m["additionalProperties"] = b.render(s.AdditionalProperties, false)
	}
	if len(s.PatternProperties) > 0 {
		pp := map[string]any{}
		for _, p := range s.PatternProperties {
			pp[p.Name] = b.render(p.Schema, false)
		}
		m["patternProperties"] = pp
	}
	if s.PropertyNames != nil {
		m["propertyNames"] = b.render(s.PropertyNames, false)
	}
	if len(s.PrefixItems) > 0 {
		m["items"] = b.list(s.PrefixItems)
		if s.Items != nil {
			m["additionalItems"] = b.render(s.Items, false)
		}
	} else if s.Items != nil {
		m["items"] = b.render(s.Items, false)
	}
	if s.Contains != nil {
		m["contains"] = b.render(s.Contains, false)
	}
	if len(s.AllOf) > 0 {
		m["allOf"] = b.list(s.AllOf)
	}
	if len(s.OneOf) > 0 {
		m["oneOf"] = b.list(s.OneOf)
	}
	if len(s.AnyOf) > 0 {
		m["anyOf"] = b.list(s.AnyOf)
	}
	for key, sub := range map[string]*model.Schema{"not": s.Not, "if": s.If, "then": s.Then, "else": s.Else} {
		if sub != nil {
			m[key] = b.render(sub, false)
		}
	}
	setNum := func(key string, v *float64) {
		if v != nil {
			m[key] = *v
		}
	}
	setInt := func(key string, v *int) {
		if v != nil {
			m[key] = *v
		}
	}
	setNum("minimum", s.Minimum)
	setNum("maximum", s.Maximum)
	setNum("exclusiveMinimum", s.ExclusiveMinimum)
	setNum("exclusiveMaximum", s.ExclusiveMaximum)
	setNum("multipleOf", s.MultipleOf)
	setInt("minLength", s.MinLength)
	setInt("maxLength", s.MaxLength)
	setInt("minItems", s.MinItems)
	setInt("maxItems", s.MaxItems)
	setInt("minProperties", s.MinProperties)
	setInt("maxProperties", s.MaxProperties)
	if s.Pattern != "" {
		m["pattern"] = s.Pattern
	}
	if s.UniqueItems {
		m["uniqueItems"] = true
	}
	for _, key := range extraKeywords {
		if v, ok := s.Extra[key]; ok {
			m[key] = v
		}
	}
	return m
}

// extraKeywords are the validation keywords the model keeps only in Extra
// and whose values hold no subschemas (which could carry unresolved $refs).
var extraKeywords = []string{"dependentRequired", "minContains", "maxContains", "contentEncoding", "contentMediaType"}

func (b *bundler) list(ss []*model.Schema) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = b.render(s, false)
	}
	return out
}

// checkBundle renders the payload schemas roots, and every schema they
// reach, into one document in which each components/schemas entry is a
// definition of its own, rendered once: the payloads that inline it share
// it. Each schema's keywords are rendered as SchemaJSON renders them, so
// whether the schemas compile does not depend on where they are placed;
// only the work does, since a schema nested in many payloads is checked
// once. pointers are the JSON pointers of the roots' definitions.
func checkBundle(roots []*model.Schema) (doc []byte, pointers []string, err error) {
	b := &bundler{shared: true, keysOnly: true, recursive: map[*model.Schema]bool{}, names: map[*model.Schema]string{}}
	done := map[*model.Schema]bool{}
	for _, r := range roots {
		b.findCycles(r, map[*model.Schema]bool{}, done)
	}
	for _, r := range roots {
		ref, ok := b.ref(r).(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("check bundle: no definition for a payload schema")
		}
		pointers = append(pointers, strings.TrimPrefix(ref["$ref"].(string), "#"))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"$schema": draft07, "definitions": b.defs}); err != nil {
		return nil, nil, err
	}
	return buf.Bytes(), pointers, nil
}
