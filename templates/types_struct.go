package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// ExtrasField is the struct field that keeps additional properties.
const ExtrasField = "AdditionalProperties"

// emitStruct emits an object schema (with its allOf parts merged):
//
//	type Reading struct {
//		SensorID string   `json:"sensorId"`
//		Note     *string  `json:"note,omitempty"`
//		Tags     []string `json:"tags,omitzero"`
//		AdditionalProperties map[string]T `json:"-"` // only with additionalProperties
//	}
//	const ReadingKindConst = "reading" // for each const property
//
// plus MarshalJSON/UnmarshalJSON when additional properties are kept.
func emitStruct(f *jen.File, s *model.Schema) error {
	name := s.GoName
	obj, conflicts := MergeObject(s)
	if len(conflicts) > 0 {
		return conflicts[0]
	}
	var fields []jen.Code
	for _, p := range obj.Properties {
		fname := FieldName(p)
		st := jen.Null()
		if lines := fieldDoc(p); len(lines) > 0 {
			st.Add(commentLines(lines))
		}
		st.Id(fname).Add(FieldType(s, obj, p)).Tag(map[string]string{"json": FieldTag(obj, p)})
		fields = append(fields, st)
	}
	if obj.Extra != nil {
		fields = append(fields, jen.Comment(ExtrasField+" keeps the properties the schema does not declare, so they survive decode and encode.").Line().
			Id(ExtrasField).Map(jen.String()).Add(extrasType(obj)).Tag(map[string]string{"json": "-"}))
	}
	addComments(f, typeDocLines(s, name))
	f.Type().Id(name).Struct(fields...)

	var consts []jen.Code
	for _, p := range obj.Properties {
		if c, ok := constOf(p.Schema); ok {
			consts = append(consts, jen.Id(ConstName(name, p)).Op("=").Add(constLit(c)))
		}
	}
	if len(consts) > 0 {
		f.Comment("Fixed property values of " + name + " (JSON Schema const).")
		f.Const().Defs(consts...)
	}
	if obj.Extra != nil {
		emitExtrasCodec(f, name, obj)
	}
	return nil
}

// typeDocLines is the godoc of a named type; without a description it
// says where the schema comes from, so every exported name has a comment.
func typeDocLines(s *model.Schema, name string) []string {
	lines := docLines(s, name)
	if strings.TrimSpace(s.Description) != "" {
		return lines
	}
	where := "an inline schema"
	if s.Key != "" {
		where = "the component schema " + s.Key
	} else if s.Pointer != "" {
		where = "the schema at " + s.Pointer
	}
	first := name + " is " + where + "."
	if t := strings.TrimSpace(s.Title); t != "" && !strings.Contains(t, "\n") {
		first = fmt.Sprintf("%s is %s, titled %q.", name, where, t)
	}
	// docLines started with the title; the constraints and deprecation
	// paragraphs follow it.
	rest := lines
	if strings.TrimSpace(s.Title) != "" && len(rest) > 0 {
		rest = rest[1:]
	}
	return append([]string{first}, rest...)
}

// fieldDoc documents a field; a field of a named type leaves the
// description to the type's own godoc.
func fieldDoc(p *model.Property) []string {
	if core, _ := Unwrap(p.Schema); core != nil && core.GoName != "" {
		return nil
	}
	return docLines(p.Schema, "")
}

// FieldName is p's Go field name (set by the naming stage).
func FieldName(p *model.Property) string {
	if p.GoName != "" {
		return p.GoName
	}
	return naming.Pascal(p.Name)
}

// ConstName names the constant emitted for a const property.
func ConstName(structName string, p *model.Property) string {
	return structName + FieldName(p) + "Const"
}

// FieldType is the Go type of property p in struct s: the value type when
// required and not nullable, else a pointer, except for types that have nil
// (slices, maps, raw JSON). A required field whose struct contains s by
// value also becomes a pointer, or the type would be infinitely large.
func FieldType(s *model.Schema, obj *Object, p *model.Property) *jen.Statement {
	core, nullable := Unwrap(p.Schema)
	base := baseType(core, map[*model.Schema]bool{})
	if Nilable(core) {
		return base
	}
	if nullable || !obj.Required[p.Name] || containsByValue(core, s, map[*model.Schema]bool{}) {
		return jen.Op("*").Add(base)
	}
	return base
}

// FieldTag is the json tag: the wire name, with omitempty on optional
// pointers and omitzero on optional slices, maps and raw JSON (omitzero
// drops only nil, so an explicit [] or {} round-trips).
func FieldTag(obj *Object, p *model.Property) string {
	if obj.Required[p.Name] {
		return p.Name
	}
	if Nilable(p.Schema) {
		return p.Name + ",omitzero"
	}
	return p.Name + ",omitempty"
}

// containsByValue reports whether the Go type of from embeds target by
// value through required, non-null struct fields.
func containsByValue(from, target *model.Schema, seen map[*model.Schema]bool) bool {
	if from == target {
		return true
	}
	if from == nil || seen[from] || KindOf(from) != KindStruct || from.GoName == "" {
		return false
	}
	seen[from] = true
	obj, _ := MergeObject(from)
	for _, p := range obj.Properties {
		core, nullable := Unwrap(p.Schema)
		if nullable || !obj.Required[p.Name] || Nilable(core) {
			continue
		}
		if containsByValue(core, target, seen) {
			return true
		}
	}
	return false
}

// constOf returns the value of a const (or one-value enum) property that
// can be a Go constant.
func constOf(s *model.Schema) (any, bool) {
	core, _ := Unwrap(s)
	if core == nil {
		return nil, false
	}
	var v any
	switch {
	case core.HasConst:
		v = core.Const
	case len(core.Enum) == 1 && KindOf(core) != KindEnum:
		v = core.Enum[0]
	default:
		return nil, false
	}
	switch v.(type) {
	case string, bool, int, int32, int64, float64:
		return v, true
	}
	return nil, false
}

// extrasType is the value type of the AdditionalProperties map.
func extrasType(obj *Object) *jen.Statement {
	if obj.Extra == nil || obj.Extra.Bool != nil {
		return jen.Qual("encoding/json", "RawMessage")
	}
	return elemType(obj.Extra, map[*model.Schema]bool{})
}

// emitExtrasCodec emits MarshalJSON and UnmarshalJSON that put the extras
// map next to the declared properties:
//
//	func (v Reading) MarshalJSON() ([]byte, error) {
//		type plain Reading // same fields, no methods: no recursion
//		b, err := json.Marshal(plain(v))
//		... refuse extras named like a declared property, then splice
//		    json.Marshal(v.AdditionalProperties) into b
//	}
//
// UnmarshalJSON decodes into plain, then collects the undeclared members.
func emitExtrasCodec(f *jen.File, name string, obj *Object) {
	errName := naming.Camel(name) // error strings start lower case
	known := make([]jen.Code, 0, len(obj.Properties))
	for _, p := range obj.Properties {
		known = append(known, jen.Lit(p.Name))
	}
	f.Comment("MarshalJSON writes the declared properties, then " + ExtrasField + " in key order.")
	f.Func().Params(jen.Id("v").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Type().Id("plain").Id(name),
		jen.Id("b").Op(",").Err().Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("plain").Call(jen.Id("v"))),
		jen.If(jen.Err().Op("!=").Nil().Op("||").Len(jen.Id("v").Dot(ExtrasField)).Op("==").Lit(0)).Block(
			jen.Return(jen.Id("b"), jen.Err()),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Index().String().Values(known...)).Block(
			jen.If(jen.List(jen.Id("_"), jen.Id("dup")).Op(":=").Id("v").Dot(ExtrasField).Index(jen.Id("k")), jen.Id("dup")).Block(
				jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(
					jen.Lit(errName+": "+ExtrasField+" repeats the declared property %q"), jen.Id("k"))),
			),
		),
		jen.List(jen.Id("extra"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("v").Dot(ExtrasField)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.Comment("Both are JSON objects: splice the extras' members into b."),
		jen.If(jen.Len(jen.Id("b")).Op("==").Lit(2)).Block(jen.Return(jen.Id("extra"), jen.Nil())),
		jen.Id("out").Op(":=").Append(jen.Id("b").Index(jen.Empty(), jen.Len(jen.Id("b")).Op("-").Lit(1)), jen.LitByte(',')),
		jen.Return(jen.Append(jen.Id("out"), jen.Id("extra").Index(jen.Lit(1), jen.Empty()).Op("...")), jen.Nil()),
	)

	f.Comment("UnmarshalJSON reads the declared properties and keeps every other one in " + ExtrasField + ".")
	f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Type().Id("plain").Id(name),
		jen.Var().Id("p").Id("plain"),
		jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("p")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Var().Id("all").Map(jen.String()).Qual("encoding/json", "RawMessage"),
		jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("all")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.For(jen.List(jen.Id("_"), jen.Id("k")).Op(":=").Range().Index().String().Values(known...)).Block(
			jen.Delete(jen.Id("all"), jen.Id("k")),
		),
		jen.Id("p").Dot(ExtrasField).Op("=").Nil(),
		jen.If(jen.Len(jen.Id("all")).Op(">").Lit(0)).Block(
			jen.Id("p").Dot(ExtrasField).Op("=").Make(jen.Map(jen.String()).Add(extrasType(obj)), jen.Len(jen.Id("all"))),
			jen.For(jen.List(jen.Id("k"), jen.Id("raw")).Op(":=").Range().Id("all")).Block(
				jen.Var().Id("x").Add(extrasType(obj)),
				jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("raw"), jen.Op("&").Id("x")), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": property %q: %w"), jen.Id("k"), jen.Err())),
				),
				jen.Id("p").Dot(ExtrasField).Index(jen.Id("k")).Op("=").Id("x"),
			),
		),
		jen.Op("*").Id("v").Op("=").Id(name).Call(jen.Id("p")),
		jen.Return(jen.Nil()),
	)
}
