package templates

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// runtimePath is the runtime package, imported by generated code as mqttrt.
const runtimePath = "github.com/mqttgen/mqttgen/runtime"

// Types emits every named type reachable from the document's message
// payloads and headers and from its component schemas, sorted by name.
// It expects generator.AssignTypeNames to have run.
//
// Mapping (the README repeats it): objects become structs with json tags
// in property order; required, non-null properties are values, optional
// ones pointers, and optional slices, maps and raw JSON use `omitzero` so an
// explicit empty array or object still round-trips; enums become named
// types with constants and Valid(); oneOf/anyOf become sum types; schemas
// that say nothing about their shape ({}, true, several types) stay
// json.RawMessage, so no value is ever reinterpreted.
func Types(f *jen.File, doc *model.Document) error {
	named := NamedSchemas(doc)
	byName := map[string]*model.Schema{}
	for _, s := range named {
		if prev, ok := byName[s.GoName]; ok && prev != s {
			return fmt.Errorf("%s: type name %s is used by two schemas (also %s); generator.AssignTypeNames must run first", s.Loc, s.GoName, prev.Loc)
		}
		byName[s.GoName] = s
	}
	for _, s := range named {
		if err := emitNamed(f, s); err != nil {
			return err
		}
	}
	return nil
}

// NamedSchemas returns every schema with a GoName that is reachable from the
// document's messages and components, sorted by GoName.
func NamedSchemas(doc *model.Document) []*model.Schema {
	var out []*model.Schema
	WalkSchemas(doc, func(s *model.Schema) {
		if s.GoName != "" {
			out = append(out, s)
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].GoName < out[j].GoName })
	return out
}

// WalkSchemas calls fn once for every schema reachable from the document's
// message payloads and headers and its components: components first (by
// key), then messages in document order, each depth-first in keyword order.
func WalkSchemas(doc *model.Document, fn func(*model.Schema)) {
	seen := map[*model.Schema]bool{}
	var walk func(*model.Schema)
	walk = func(s *model.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		fn(s)
		for _, c := range Children(s) {
			walk(c)
		}
	}
	for _, s := range doc.Schemas {
		walk(s)
	}
	for _, m := range doc.Messages {
		walk(m.Payload)
		walk(m.Headers)
	}
}

// Children lists the direct subschemas of s in a fixed keyword order.
func Children(s *model.Schema) []*model.Schema {
	var out []*model.Schema
	for _, p := range s.Properties {
		out = append(out, p.Schema)
	}
	out = append(out, s.AdditionalProperties)
	for _, p := range s.PatternProperties {
		out = append(out, p.Schema)
	}
	out = append(out, s.PropertyNames, s.Items)
	out = append(out, s.PrefixItems...)
	out = append(out, s.Contains)
	out = append(out, s.AllOf...)
	out = append(out, s.OneOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.Not, s.If, s.Then, s.Else)
	kept := out[:0]
	for _, c := range out {
		if c != nil {
			kept = append(kept, c)
		}
	}
	return kept
}

// TypeOf is the Go type expression for s: its named type when it has a
// GoName, else the inline type (int64, []T, map[string]T, time.Time...),
// behind a pointer when the schema admits null and the type has no nil of
// its own.
func TypeOf(s *model.Schema) *jen.Statement {
	return typeOf(s, map[*model.Schema]bool{})
}

func typeOf(s *model.Schema, stack map[*model.Schema]bool) *jen.Statement {
	core, nullable := Unwrap(s)
	t := baseType(core, stack)
	if nullable && !Nilable(core) {
		return jen.Op("*").Add(t)
	}
	return t
}

// Nilable reports whether the Go type for s already has nil (slices, maps,
// json.RawMessage), so optional or null values need no pointer.
func Nilable(s *model.Schema) bool {
	core, _ := Unwrap(s)
	if core != nil && core.GoName != "" && !KindOf(core).Named() {
		// A named slice or map (recursive schemas).
		return true
	}
	switch KindOf(core) {
	case KindRaw, KindBytes, KindArray, KindTuple, KindMap:
		return true
	}
	return false
}

// baseType is the Go type for s ignoring null.
func baseType(s *model.Schema, stack map[*model.Schema]bool) *jen.Statement {
	if s == nil {
		return jen.Qual("encoding/json", "RawMessage")
	}
	if s.GoName != "" {
		return jen.Id(s.GoName)
	}
	return inlineType(s, stack)
}

// inlineType is the Go type for s spelled out, ignoring its GoName.
func inlineType(s *model.Schema, stack map[*model.Schema]bool) *jen.Statement {
	if stack[s] {
		// A cycle the naming stage did not break; raw JSON loses nothing.
		return jen.Qual("encoding/json", "RawMessage")
	}
	stack[s] = true
	defer delete(stack, s)
	switch KindOf(s) {
	case KindExternal:
		return externalType(s)
	case KindBool:
		return jen.Bool()
	case KindInteger:
		if s.Format == "int32" {
			return jen.Int32()
		}
		return jen.Int64()
	case KindNumber:
		if s.Format == "float" {
			return jen.Float32()
		}
		return jen.Float64()
	case KindString:
		return jen.String()
	case KindTime:
		return jen.Qual("time", "Time")
	case KindBytes:
		return jen.Index().Byte()
	case KindEnum:
		// Unnamed enum (naming has not run): its base type; validation
		// still checks the values.
		if primaryType(s) == "integer" {
			return jen.Int64()
		}
		return jen.String()
	case KindArray:
		if s.Items == nil || s.Items.Bool != nil {
			return jen.Index().Qual("encoding/json", "RawMessage")
		}
		return jen.Index().Add(elemType(s.Items, stack))
	case KindTuple:
		return jen.Index().Any()
	case KindMap:
		return jen.Map(jen.String()).Add(mapValueType(s, stack))
	}
	// KindRaw, and structs or sums that the naming stage did not name.
	return jen.Qual("encoding/json", "RawMessage")
}

// elemType is the type of a slice element or map value: nullable elements
// become pointers, except where the element type has nil itself.
func elemType(s *model.Schema, stack map[*model.Schema]bool) *jen.Statement {
	return typeOf(s, stack)
}

// mapValueType is the value type of an object with only additional (or
// pattern) properties.
func mapValueType(s *model.Schema, stack map[*model.Schema]bool) *jen.Statement {
	ap := s.AdditionalProperties
	if ap == nil && len(s.PatternProperties) == 1 {
		ap = s.PatternProperties[0].Schema
	}
	if ap == nil || ap.Bool != nil || len(s.PatternProperties) > 1 {
		return jen.Qual("encoding/json", "RawMessage")
	}
	return elemType(ap, stack)
}

// externalType renders x-go-type: "time.Duration", "uuid.UUID" with
// x-go-type-import "github.com/google/uuid", or a full
// "github.com/google/uuid.UUID"; a bare name ("string") is used as is.
func externalType(s *model.Schema) *jen.Statement {
	goType := s.Extension("x-go-type")
	path := s.Extension("x-go-type-import")
	if m, ok := s.Extensions["x-go-type-import"].(map[string]any); ok {
		path, _ = m["path"].(string)
	}
	ptr := ""
	for strings.HasPrefix(goType, "*") {
		ptr += "*"
		goType = goType[1:]
	}
	dot := strings.LastIndexByte(goType, '.')
	var t *jen.Statement
	switch {
	case dot < 0:
		t = jen.Id(goType)
	case path != "":
		t = jen.Qual(path, goType[dot+1:])
	default:
		t = jen.Qual(goType[:dot], goType[dot+1:])
	}
	if ptr != "" {
		return jen.Op(ptr).Add(t)
	}
	return t
}

// emitNamed emits the declaration of one named schema.
func emitNamed(f *jen.File, s *model.Schema) error {
	switch KindOf(s) {
	case KindStruct:
		return emitStruct(f, s)
	case KindEnum:
		emitEnum(f, s)
		return nil
	case KindSum:
		return emitSum(f, s)
	}
	// A named slice or map breaking a recursive cycle, e.g. type Tree []Tree.
	core, _ := Unwrap(s)
	addComments(f, typeDocLines(s, s.GoName))
	f.Type().Id(s.GoName).Add(inlineType(core, map[*model.Schema]bool{}))
	return nil
}

// DeclaredConsts lists the package-level constants emitted with the named
// type s (enum values, const properties), so naming can check them for
// collisions.
func DeclaredConsts(s *model.Schema) []string {
	var out []string
	switch KindOf(s) {
	case KindEnum:
		for _, c := range EnumConsts(s) {
			out = append(out, c.Name)
		}
	case KindStruct:
		obj, _ := MergeObject(s)
		for _, p := range obj.Properties {
			if _, ok := constOf(p.Schema); ok {
				out = append(out, ConstName(s.GoName, p))
			}
		}
	}
	return out
}
