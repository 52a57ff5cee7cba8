package ir

import (
	"reflect"
	"slices"

	"github.com/mqttgen/mqttgen/generator/model"
)

// kind is the Go shape a schema maps to; kindOf is the one place that
// decides it (README, "Schema mapping").
type kind int

const (
	kindRaw      kind = iota // {}, true, false, null, several types, unknown shapes: json.RawMessage
	kindBool                 // bool
	kindInteger              // int64 (format int32: int32)
	kindNumber               // float64 (format float: float32)
	kindString               // string
	kindTime                 // format date-time: time.Time
	kindBytes                // format byte: []byte, base64 on the wire
	kindEnum                 // string or integer enum: a named type with constants
	kindArray                // []T
	kindTuple                // array-form items / prefixItems: []json.RawMessage
	kindMap                  // object without properties: map[string]T
	kindStruct               // object with properties, or allOf of objects
	kindSum                  // oneOf/anyOf of several variants, no shape of its own
	kindExternal             // x-go-type: an existing Go type
)

// named reports whether schemas of kind k become named Go types.
func (k kind) named() bool { return k == kindEnum || k == kindStruct || k == kindSum }

// kindOf classifies s after removing nullability (see unwrap).
func kindOf(s *model.Schema) kind {
	s, _ = unwrap(s)
	if s == nil || s.Bool != nil {
		return kindRaw
	}
	if s.Extension("x-go-type") != "" {
		return kindExternal
	}
	if len(variants(s)) > 1 {
		return kindSum
	}
	if len(s.AllOf) > 0 && (primaryType(s) == "" || primaryType(s) == "object") && objectParts(s) && someObject(s) {
		return kindStruct
	}
	t := primaryType(s)
	if t == "" && len(s.AllOf) > 0 {
		t = partsType(s)
	}
	switch t {
	case "boolean":
		return kindBool
	case "integer":
		if enumOf(s, "integer") {
			return kindEnum
		}
		return kindInteger
	case "number":
		return kindNumber
	case "string":
		if enumOf(s, "string") {
			return kindEnum
		}
		switch s.Format {
		case "date-time":
			return kindTime
		case "byte":
			return kindBytes
		}
		return kindString
	case "array":
		if len(s.PrefixItems) > 0 {
			return kindTuple
		}
		return kindArray
	case "object":
		if len(s.Properties) > 0 {
			return kindStruct
		}
		return kindMap
	}
	return kindRaw
}

// untypedObject reports a struct whose schema has no type of its own: it
// also allows values that are not objects, which a struct cannot hold.
// An allOf part that admits objects only gives it one
// ({allOf: [{$ref: Base}, {properties: ...}]} with Base of type object).
func untypedObject(s *model.Schema) bool {
	core, _ := unwrap(s)
	return kindOf(core) == kindStruct && len(nonNull(core.Type)) == 0 && !objectsOnly(core)
}

// objectsOnly reports whether s admits JSON objects only: its type is
// object without null, or one of its allOf parts, which every value must
// also match, admits objects only.
func objectsOnly(s *model.Schema) bool {
	if s == nil || s.Bool != nil {
		return false
	}
	if _, nullable := unwrap(s); !nullable && len(s.Type) == 1 && s.Type[0] == "object" {
		return true
	}
	for _, p := range s.AllOf {
		if objectsOnly(p) {
			return true
		}
	}
	return false
}

// unwrap strips the null alternative from s: for `type: [T, "null"]`,
// `nullable: true` and `oneOf/anyOf: [{type: null}, X]` it returns the
// schema describing T or X and nullable = true. Other schemas come back
// unchanged, with nullable = false.
func unwrap(s *model.Schema) (core *model.Schema, nullable bool) {
	if s == nil {
		return nil, false
	}
	if s.Nullable || (s.HasType("null") && len(s.Type) > 1) || enumHasNull(s) {
		nullable = true
	}
	if len(s.Type) == 0 && len(s.Properties) == 0 && len(s.AllOf) == 0 {
		alts := s.OneOf
		if len(alts) == 0 {
			alts = s.AnyOf
		}
		var rest []*model.Schema
		sawNull := false
		for _, a := range alts {
			if isNullSchema(a) {
				sawNull = true
				continue
			}
			rest = append(rest, a)
		}
		if sawNull && len(rest) == 1 && onlyComposition(s) {
			core, _ := unwrap(rest[0])
			return core, true
		}
	}
	return s, nullable
}

// onlyComposition reports whether s says nothing but its oneOf/anyOf (and
// annotations), so that {oneOf: [null, X]} can stand for X or null.
func onlyComposition(s *model.Schema) bool {
	return s.Not == nil && s.If == nil && len(s.Enum) == 0 && !s.HasConst && len(s.PatternProperties) == 0 &&
		s.AdditionalProperties == nil && s.Items == nil && len(s.PrefixItems) == 0 && len(s.Required) == 0 &&
		!(len(s.OneOf) > 0 && len(s.AnyOf) > 0)
}

func isNullSchema(s *model.Schema) bool {
	return s != nil && len(s.Type) == 1 && s.Type[0] == "null"
}

func enumHasNull(s *model.Schema) bool {
	for _, v := range s.Enum {
		if v == nil {
			return true
		}
	}
	return false
}

func nonNull(types []string) []string {
	var out []string
	for _, t := range types {
		if t != "null" {
			out = append(out, t)
		}
	}
	return out
}

// primaryType is the schema's single non-null type, inferred from its
// keywords when `type` is absent; "" when there is none or several.
func primaryType(s *model.Schema) string {
	ts := nonNull(s.Type)
	switch len(ts) {
	case 1:
		return ts[0]
	case 0:
	default:
		return ""
	}
	if len(s.Properties) > 0 {
		return "object"
	}
	if s.HasConst {
		return jsonTypeOf(s.Const)
	}
	if len(s.Enum) > 0 {
		t := ""
		for _, v := range s.Enum {
			if v == nil {
				continue
			}
			vt := jsonTypeOf(v)
			if t != "" && vt != t {
				return ""
			}
			t = vt
		}
		return t
	}
	return ""
}

// partsType is the one primitive type every typed allOf part of s agrees
// on ({allOf: [{type: string}, {minLength: 2}]} is a string), else "".
func partsType(s *model.Schema) string {
	t := ""
	for _, p := range s.AllOf {
		p, _ = unwrap(p)
		if p == nil || p.Bool != nil {
			continue
		}
		pt := primaryType(p)
		if pt == "" && len(p.AllOf) > 0 {
			pt = partsType(p)
		}
		switch {
		case pt == "":
		case t == "":
			t = pt
		case t != pt:
			return ""
		}
	}
	if t == "object" || t == "array" {
		return ""
	}
	return t
}

// jsonTypeOf names the JSON type of a decoded value.
func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case bool:
		return "boolean"
	case string:
		return "string"
	case int, int32, int64:
		return "integer"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// enumOf reports whether s has an enum whose non-null values are all of
// JSON type t (integers for "integer").
func enumOf(s *model.Schema, t string) bool {
	n := 0
	for _, v := range s.Enum {
		if v == nil {
			continue
		}
		if jsonTypeOf(v) != t {
			return false
		}
		n++
	}
	return n > 0
}

// variants returns the non-null alternatives of a oneOf (else anyOf) that
// makes s a sum type; nil when s is not one. A schema with a shape of its
// own (properties, allOf, a type) keeps that shape and validation enforces
// the alternatives.
func variants(s *model.Schema) []*model.Schema {
	if len(s.Properties) > 0 || len(s.AllOf) > 0 || len(nonNull(s.Type)) > 0 || len(s.Enum) > 0 || s.HasConst {
		return nil
	}
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	var out []*model.Schema
	for _, a := range alts {
		if !isNullSchema(a) {
			out = append(out, a)
		}
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// sumIsAnyOf reports whether a sum's variants come from anyOf (the first
// match wins) rather than oneOf (exactly one matches).
func sumIsAnyOf(s *model.Schema) bool { return len(s.OneOf) == 0 }

// objectParts reports whether every allOf part of s describes an object.
func objectParts(s *model.Schema) bool {
	for _, p := range s.AllOf {
		p, _ = unwrap(p)
		if p == nil || p.Bool != nil {
			if p != nil && *p.Bool {
				continue
			}
			return false
		}
		if len(p.AllOf) > 0 {
			if !objectParts(p) {
				return false
			}
			continue
		}
		if t := primaryType(p); t != "object" && !(t == "" && len(p.Type) == 0 && len(p.OneOf) == 0 && len(p.AnyOf) == 0) {
			return false
		}
	}
	return true
}

// someObject reports whether s or one of its allOf parts positively
// describes an object (a type or properties), so that an allOf of bare
// constraints ({required: [a]}) does not become an empty struct.
func someObject(s *model.Schema) bool {
	s, _ = unwrap(s)
	if s == nil || s.Bool != nil {
		return false
	}
	if primaryType(s) == "object" {
		return true
	}
	for _, p := range s.AllOf {
		if someObject(p) {
			return true
		}
	}
	return false
}

// object is the merged view of an object schema: its own properties plus
// those of every allOf part, in order of first appearance.
type object struct {
	Properties []*model.Property
	Required   map[string]bool
	// Extra is the schema of the members additionalProperties applies to,
	// nil when such members are not kept (absent, true without patterns, or
	// false). Patterns are the patternProperties entries.
	Extra    *model.Schema
	Patterns []*model.Property
	// Closed is set by additionalProperties: false.
	Closed bool
}

// conflict is a property two allOf parts define differently.
type conflict struct {
	Loc  model.Loc // where the second definition was written
	Name string
}

// mergeObject merges s with its allOf parts. A property defined by several
// parts with different schemas is a conflict; the first definition wins,
// so that every conflict is reported.
func mergeObject(s *model.Schema) (*object, []conflict) {
	o := &object{Required: map[string]bool{}}
	seen := map[string]*model.Property{}
	seenPattern := map[string]bool{}
	var conflicts []conflict
	visited := map[*model.Schema]bool{}
	var merge func(s *model.Schema)
	merge = func(s *model.Schema) {
		s, _ = unwrap(s)
		if s == nil || visited[s] {
			return
		}
		visited[s] = true
		for _, p := range s.Properties {
			if prev, ok := seen[p.Name]; ok {
				switch {
				case prev.Schema == p.Schema || sameSchema(prev.Schema, p.Schema) || acceptsAll(p.Schema):
				case acceptsAll(prev.Schema):
					// allOf [{Payload: {}}, {Payload: X}] is X: the field
					// takes the definition that says something.
					seen[p.Name] = p
					o.Properties[slices.Index(o.Properties, prev)] = p
				default:
					conflicts = append(conflicts, conflict{Loc: p.Loc, Name: p.Name})
				}
				continue
			}
			seen[p.Name] = p
			o.Properties = append(o.Properties, p)
		}
		for _, r := range s.Required {
			o.Required[r] = true
		}
		for _, p := range s.PatternProperties {
			if !seenPattern[p.Name] {
				seenPattern[p.Name] = true
				o.Patterns = append(o.Patterns, p)
			}
		}
		if ap := s.AdditionalProperties; ap != nil {
			switch {
			case ap.Bool != nil && !*ap.Bool:
				o.Closed = true
			case ap.Bool != nil:
			case o.Extra == nil:
				o.Extra = ap
			}
		}
		for _, p := range s.AllOf {
			merge(p)
		}
	}
	merge(s)
	if o.Closed {
		o.Extra = nil
	}
	return o, conflicts
}

// acceptsAll reports whether s allows every value ({}, true, or only
// annotations), so that another definition of the same property in an
// allOf says all there is.
func acceptsAll(s *model.Schema) bool {
	switch v := standalone(s).(type) {
	case map[string]any:
		return len(v) == 0
	case bool:
		return v
	}
	return false
}

// sameSchema compares two schemas by what validation sees, so that the
// same inline schema copied into two allOf parts is no conflict.
func sameSchema(a, b *model.Schema) bool {
	return reflect.DeepEqual(standalone(a), standalone(b))
}
