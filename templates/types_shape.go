package templates

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/mqttgen/mqttgen/generator/model"
)

// Kind is the Go shape a JSON Schema maps to. The naming stage and the
// emitters both classify schemas with KindOf, so they always agree on which
// schemas become named types.
type Kind int

// The kinds, from the mapping rules in the package documentation.
const (
	KindRaw      Kind = iota // {}, true, no type, several types: json.RawMessage
	KindBool                 // bool
	KindInteger              // int64, or int32 for format int32
	KindNumber               // float64, or float32 for format float
	KindString               // string
	KindTime                 // format date-time: time.Time
	KindBytes                // format byte: []byte (base64 on the wire)
	KindEnum                 // string or integer enum: named type with constants
	KindArray                // []T
	KindTuple                // prefixItems / array-form items: []any
	KindMap                  // object with only additionalProperties: map[string]T
	KindStruct               // object with properties, or allOf: named struct
	KindSum                  // oneOf/anyOf of several variants: named sum type
	KindExternal             // x-go-type: an existing Go type
)

// Named reports whether schemas of kind k become named Go types.
func (k Kind) Named() bool { return k == KindEnum || k == KindStruct || k == KindSum }

// KindOf classifies s after removing nullability (see Unwrap).
func KindOf(s *model.Schema) Kind {
	s, _ = Unwrap(s)
	if s == nil || s.Bool != nil {
		return KindRaw
	}
	if s.Extension("x-go-type") != "" {
		return KindExternal
	}
	if len(variants(s)) > 1 {
		return KindSum
	}
	if len(s.AllOf) > 0 {
		if o := objectParts(s); o {
			return KindStruct
		}
		return KindRaw
	}
	t := primaryType(s)
	switch t {
	case "boolean":
		return KindBool
	case "integer":
		if enumOf(s, "integer") {
			return KindEnum
		}
		return KindInteger
	case "number":
		return KindNumber
	case "string":
		if enumOf(s, "string") {
			return KindEnum
		}
		switch s.Format {
		case "date-time":
			return KindTime
		case "byte":
			return KindBytes
		}
		return KindString
	case "array":
		if len(s.PrefixItems) > 0 {
			return KindTuple
		}
		return KindArray
	case "object":
		if len(s.Properties) > 0 {
			return KindStruct
		}
		return KindMap
	}
	return KindRaw
}

// Unwrap strips the null alternative from s: for `type: [T, "null"]`,
// `nullable: true` and `oneOf/anyOf: [{type: null}, X]` it returns the
// schema describing T or X and nullable = true. Other schemas come back
// unchanged, with nullable = false.
func Unwrap(s *model.Schema) (core *model.Schema, nullable bool) {
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
		if sawNull && len(rest) == 1 {
			core, _ := Unwrap(rest[0])
			return core, true
		}
	}
	return s, nullable
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

// primaryType is the schema's single non-null type, inferred from its
// keywords when `type` is absent; "" when there is none or several.
func primaryType(s *model.Schema) string {
	var ts []string
	for _, t := range s.Type {
		if t != "null" {
			ts = append(ts, t)
		}
	}
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

// variants returns the non-null alternatives of a oneOf/anyOf that becomes a
// sum type; nil when s is not one. A schema mixing oneOf with its own
// properties or type keeps its own shape (validation enforces the rest).
func variants(s *model.Schema) []*model.Schema {
	if len(s.Properties) > 0 || len(s.AllOf) > 0 {
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

// objectParts reports whether every allOf part of s describes an object.
func objectParts(s *model.Schema) bool {
	for _, p := range s.AllOf {
		p, _ = Unwrap(p)
		if p == nil || p.Bool != nil {
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

// Object is the merged view of an object schema: its own properties plus
// those of every allOf part, in order of first appearance.
type Object struct {
	Properties []*model.Property
	Required   map[string]bool
	// Extra is the schema of additional properties to keep in a map field;
	// nil when extras are not kept. Its Bool is true for `true`.
	Extra *model.Schema
	// Closed is set by additionalProperties: false.
	Closed bool
}

// Conflict is an allOf merge conflict: a property defined twice with
// different schemas.
type Conflict struct {
	Loc  model.Loc // where the second definition was written
	Name string
}

func (c Conflict) Error() string {
	return fmt.Sprintf("%s: property %q is defined differently by two allOf parts", c.Loc, c.Name)
}

// MergeObject merges s with its allOf parts. A property defined by several
// parts with different schemas is reported as a Conflict; the first
// definition wins so generation can continue to report every conflict.
func MergeObject(s *model.Schema) (*Object, []Conflict) {
	o := &Object{Required: map[string]bool{}}
	seen := map[string]*model.Property{}
	var conflicts []Conflict
	visited := map[*model.Schema]bool{}
	var merge func(s *model.Schema)
	merge = func(s *model.Schema) {
		s, _ = Unwrap(s)
		if s == nil || visited[s] {
			return
		}
		visited[s] = true
		for _, p := range s.Properties {
			if prev, ok := seen[p.Name]; ok {
				if prev.Schema != p.Schema && !sameSchema(prev.Schema, p.Schema) {
					conflicts = append(conflicts, Conflict{Loc: p.Loc, Name: p.Name})
				}
				continue
			}
			seen[p.Name] = p
			o.Properties = append(o.Properties, p)
		}
		for _, r := range s.Required {
			o.Required[r] = true
		}
		if ap := s.AdditionalProperties; ap != nil {
			if ap.Bool != nil && !*ap.Bool {
				o.Closed = true
			} else if o.Extra == nil {
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

// sameSchema compares two schemas by their validation-relevant content, so
// that the same inline schema copied into two allOf parts is no conflict.
func sameSchema(a, b *model.Schema) bool {
	ja, errA := SchemaJSON(a)
	jb, errB := SchemaJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(ja, jb)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
