package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/model"
)

// Types emits the named types, sorted by name: structs with json tags,
// sums and messages types (one field per variant, exactly one set), enums
// with constants and Valid, and the named slices and maps of recursive
// schemas. Types encoding/json cannot handle get MarshalJSON and
// UnmarshalJSON through their codec.
func Types(f *jen.File, p *ir.Package) {
	for _, t := range p.Types {
		switch t.Kind {
		case ir.TypeStruct, ir.TypeSum, ir.TypeMessages:
			structType(f, t)
		case ir.TypeEnum:
			enumType(f, t.Name, typeOf(t.EnumBase), t.Enum, typeDoc(t))
		case ir.TypeSlice, ir.TypeMap:
			typeDoc(t).To(f)
			elem := typeOf(t.Elem)
			if t.Kind == ir.TypeSlice {
				f.Type().Id(t.Name).Index().Add(elem)
			} else {
				f.Type().Id(t.Name).Map(jen.String()).Add(elem)
			}
		}
		if t.JSONMethods {
			jsonMethods(f, t)
		}
	}
}

// typeDoc is a type's godoc: what it maps, its schema's description and
// constraints, and for sums how a variant is picked.
func typeDoc(t *ir.Type) *Doc {
	d := &Doc{}
	s := t.Schema
	switch {
	case s != nil && strings.TrimSpace(s.Description) != "":
		d.Paraf("%s: %s", t.Name, firstPara(s.Description))
		d.Text(restParas(s.Description))
	case s != nil && strings.TrimSpace(s.Title) != "":
		d.Paraf("%s: %s", t.Name, firstPara(s.Title))
	default:
		d.Paraf("%s is %s.", t.Name, oneLine(t.Owner))
	}
	if s != nil {
		d.Para(constraints(s))
	}
	switch t.Kind {
	case ir.TypeSum:
		if len(s.OneOf) > 0 {
			d.Para("Exactly one field is set. Decoding picks the one variant the value matches (oneOf); a value that matches none or several is refused.")
		} else {
			d.Para("Exactly one field is set. Decoding picks the first variant, in the document's order, that the value matches (anyOf); a value that matches none is refused.")
		}
	case ir.TypeMessages:
		d.Para("Exactly one field is set. Decoding picks the first message, in the document's order, whose schema the payload matches.")
	}
	if s != nil && s.Deprecated {
		d.Para("Deprecated: the document marks this deprecated.")
	}
	return d
}

// structType emits a struct, sum or messages type.
func structType(f *jen.File, t *ir.Type) {
	typeDoc(t).To(f)
	var fields []jen.Code
	for _, fl := range t.Fields {
		fields = append(fields, fieldDoc(fl).Code().Id(fl.Name).Add(typeOf(fl.Type)).Tag(fl.Tag))
	}
	f.Type().Id(t.Name).Struct(fields...)
}

// fieldDoc is a field's godoc.
func fieldDoc(fl *ir.Field) *Doc {
	d := &Doc{}
	switch fl.Role {
	case ir.FieldExtra:
		return d.Paraf("%s holds the members no property names (additionalProperties).", fl.Name)
	case ir.FieldPatterns:
		return d.Paraf("%s holds the members whose names match a patternProperties pattern.", fl.Name)
	}
	s := fl.Schema
	if fl.Message != nil {
		return d.Paraf("%s is message %s.", fl.Name, fl.Message.GoName)
	}
	if s == nil {
		return d
	}
	if text := strings.TrimSpace(s.Description); text != "" {
		d.Text(text)
	} else if text := strings.TrimSpace(s.Title); text != "" && fl.Role == ir.FieldProperty {
		d.Text(text)
	}
	if fl.Role == ir.FieldProperty && fl.Tag["json"] == "-" {
		d.Paraf("Its name on the wire is %s.", quote(fl.Wire))
	}
	if c, ok := constValue(s); ok {
		d.Paraf("Always %s: the encoder writes it whatever the field holds.", literal(c))
	}
	d.Para(constraints(s))
	if s.Deprecated {
		d.Para("Deprecated: the document marks this deprecated.")
	}
	return d
}

// jsonMethods emits MarshalJSON and UnmarshalJSON through the type's codec.
func jsonMethods(f *jen.File, t *ir.Type) {
	codec := t.Codec.Var
	(&Doc{}).Paraf("MarshalJSON writes v as the document lays it out, with mqttgen's codec (encoding/json cannot: %s).", whyCodec(t)).To(f)
	f.Func().Params(jen.Id("v").Id(t.Name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Id(codec).Dot("Marshal").Call(jen.Op("&").Id("v"))))
	(&Doc{}).Para("UnmarshalJSON reads data into v with mqttgen's codec.").To(f)
	f.Func().Params(jen.Id("v").Op("*").Id(t.Name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(
		jen.Return(jen.Id(codec).Dot("Unmarshal").Call(jen.Id("data"), jen.Id("v"))))
}

func whyCodec(t *ir.Type) string {
	switch t.Kind {
	case ir.TypeSum, ir.TypeMessages:
		return "one field of several is set"
	}
	for _, fl := range t.Fields {
		if fl.Role == ir.FieldExtra || fl.Role == ir.FieldPatterns {
			return "members outside the properties are kept in a map"
		}
	}
	return "a property name cannot be a struct tag"
}

// constraints describes default, range, length, pattern and format, the
// facts a user needs and cannot see in the Go type.
func constraints(s *model.Schema) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if s.Format != "" && !typedFormats[s.Format] {
		add("Format: %s.", s.Format)
	}
	if s.HasDefault {
		add("Default: %s.", literal(s.Default))
	}
	for _, b := range []struct {
		what, key string
		v         *float64
	}{{"Minimum", "minimum", s.Minimum}, {"Greater than", "exclusiveMinimum", s.ExclusiveMinimum}, {"Maximum", "maximum", s.Maximum},
		{"Less than", "exclusiveMaximum", s.ExclusiveMaximum}, {"Multiple of", "multipleOf", s.MultipleOf}} {
		if b.v != nil {
			add("%s %s.", b.what, s.Number(b.key, *b.v))
		}
	}
	for _, b := range []struct {
		what string
		v    *int
	}{{"Min length", s.MinLength}, {"Max length", s.MaxLength}, {"Min items", s.MinItems}, {"Max items", s.MaxItems}} {
		if b.v != nil {
			add("%s %d.", b.what, *b.v)
		}
	}
	if s.Pattern != "" {
		add("Pattern: %s.", quote(s.Pattern))
	}
	if s.UniqueItems {
		add("Items are unique.")
	}
	if v, ok := s.Extra["contentMediaType"].(string); ok {
		add("Content: %s.", quote(v))
	}
	if v, ok := s.Extra["contentEncoding"].(string); ok {
		add("Encoding: %s.", quote(v))
	}
	if s.ReadOnly {
		add("Read-only (readOnly).")
	}
	if s.WriteOnly {
		add("Write-only (writeOnly).")
	}
	if len(s.Examples) > 0 {
		ex := s.Examples
		if len(ex) > 3 {
			ex = ex[:3]
		}
		var lits []string
		for _, e := range ex {
			lits = append(lits, clip(literal(e), 80))
		}
		add("Examples: %s.", strings.Join(lits, ", "))
	}
	return strings.Join(parts, " ")
}

// typedFormats are formats the Go type already says.
var typedFormats = map[string]bool{"int32": true, "int64": true, "float": true, "double": true, "date-time": true, "byte": true}

func constValue(s *model.Schema) (any, bool) {
	if s.HasConst {
		return s.Const, true
	}
	return nil, false
}

// literal renders a decoded JSON value as JSON text, on one line.
func literal(v any) string {
	b, err := jsonMarshal(v)
	if err != nil {
		return oneLine(fmt.Sprint(v))
	}
	return oneLine(string(b))
}

// clip shortens s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func firstPara(text string) string {
	ps := splitParas(text)
	if len(ps) == 0 {
		return ""
	}
	return ps[0]
}

func restParas(text string) string {
	ps := splitParas(text)
	if len(ps) < 2 {
		return ""
	}
	return strings.Join(ps[1:], "\n\n")
}
