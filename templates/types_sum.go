package templates

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// SumStrategy is how a sum type's UnmarshalJSON picks its variant.
type SumStrategy int

const (
	// ByDiscriminator reads the schema's discriminator property.
	ByDiscriminator SumStrategy = iota + 1
	// ByConst reads a property every variant fixes to a distinct const.
	ByConst
	// ByValidation validates the value against every variant's schema and
	// requires exactly one match.
	ByValidation
)

// SumPlan says how to tell a sum type's variants apart.
type SumPlan struct {
	Strategy SumStrategy
	Variants []*model.Schema
	Property string   // the tag property, for ByDiscriminator and ByConst
	Tags     []string // the tag value of each variant, same order
}

// PlanSum decides how to tell the variants of a oneOf/anyOf apart: by the
// discriminator when every variant has a distinct value for it (its const,
// its single enum value, else its component key, as AsyncAPI 2.x defines),
// else by the first property that every variant fixes to a distinct string
// const, else by validation.
func PlanSum(s *model.Schema) SumPlan {
	core, _ := Unwrap(s)
	vs := variants(core)
	plan := SumPlan{Strategy: ByValidation, Variants: vs}
	if len(vs) == 0 {
		return plan
	}
	if d := core.Discriminator; d != "" {
		if tags, ok := tagValues(vs, d, true); ok {
			return SumPlan{Strategy: ByDiscriminator, Variants: vs, Property: d, Tags: tags}
		}
	}
	first, _ := Unwrap(vs[0])
	if first != nil && KindOf(first) == KindStruct {
		obj, _ := MergeObject(first)
		for _, p := range obj.Properties {
			if tags, ok := tagValues(vs, p.Name, false); ok {
				return SumPlan{Strategy: ByConst, Variants: vs, Property: p.Name, Tags: tags}
			}
		}
	}
	return plan
}

// tagValues returns each variant's fixed string value of property prop, if
// all have one and no two are equal. With byKey a variant without a const
// is identified by its component key.
func tagValues(vs []*model.Schema, prop string, byKey bool) ([]string, bool) {
	tags := make([]string, len(vs))
	seen := map[string]bool{}
	for i, v := range vs {
		v, _ = Unwrap(v)
		if v == nil || KindOf(v) != KindStruct {
			return nil, false
		}
		obj, _ := MergeObject(v)
		tag := ""
		for _, p := range obj.Properties {
			if p.Name != prop {
				continue
			}
			if c, ok := constOf(p.Schema); ok {
				tag, _ = c.(string)
			}
		}
		if tag == "" && byKey {
			tag = v.Key
		}
		if tag == "" || seen[tag] {
			return nil, false
		}
		seen[tag] = true
		tags[i] = tag
	}
	return tags, true
}

// VariantFields names the fields of a sum type, one per variant: the
// variant's type name without the sum's prefix ("PetCat" in Pet -> "Cat"),
// else its title, else its Go type ("String", "Int64"), made unique with
// the variant's position.
func VariantFields(s *model.Schema) []string {
	plan := PlanSum(s)
	names := make([]string, len(plan.Variants))
	used := map[string]bool{}
	for i, v := range plan.Variants {
		core, _ := Unwrap(v)
		name := ""
		switch {
		case core.GoName != "":
			name = core.GoName
			if rest := strings.TrimPrefix(name, s.GoName); rest != name && rest != "" && naming.IsIdentifier(rest) && !startsWithDigit(rest) {
				name = rest
			}
		case core.Title != "":
			name = naming.Pascal(core.Title)
		}
		if name == "" {
			name = kindWord(core)
		}
		if used[name] || name == "" {
			name += "Variant" + strconv.Itoa(i+1)
		}
		used[name] = true
		names[i] = name
	}
	return names
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }

// kindWord names an unnamed variant after its Go type.
func kindWord(s *model.Schema) string {
	switch KindOf(s) {
	case KindBool:
		return "Bool"
	case KindInteger:
		return "Int"
	case KindNumber:
		return "Number"
	case KindString, KindEnum:
		return "String"
	case KindTime:
		return "Time"
	case KindBytes:
		return "Bytes"
	case KindArray, KindTuple:
		return "Array"
	case KindMap:
		return "Map"
	}
	return "Value"
}

// variantSchemaVar names the compiled schema of one variant.
func variantSchemaVar(sumName, field string) string {
	return "schema" + sumName + field
}

// emitSum emits a oneOf/anyOf as a struct with one pointer per variant,
// exactly one of which is set:
//
//	type Pet struct {
//		Cat *Cat
//		Dog *Dog
//	}
//	func (v Pet) MarshalJSON() ([]byte, error)  // the one set variant
//	func (v *Pet) UnmarshalJSON(data []byte) error // picks by PlanSum
//
// A value that matches no variant, or (by validation) several, is an
// error wrapping mqttrt.ErrDecode: the type never guesses.
func emitSum(f *jen.File, s *model.Schema) error {
	name := s.GoName
	plan := PlanSum(s)
	errName := naming.Camel(name) // error strings start lower case
	fields := VariantFields(s)
	var decl []jen.Code
	for i, v := range plan.Variants {
		st := jen.Null()
		if lines := docLines(v, ""); len(lines) > 0 {
			st.Add(commentLines(lines))
		}
		decl = append(decl, st.Id(fields[i]).Op("*").Add(baseOfVariant(v)))
	}
	addComments(f, append(typeDocLines(s, name), "", "Exactly one field is set. "+strategyDoc(plan)))
	f.Type().Id(name).Struct(decl...)

	// MarshalJSON
	var count []jen.Code
	count = append(count, jen.Id("n").Op(":=").Lit(0), jen.Var().Id("x").Any())
	for _, fld := range fields {
		count = append(count, jen.If(jen.Id("v").Dot(fld).Op("!=").Nil()).Block(
			jen.Id("n").Op("++"),
			jen.Id("x").Op("=").Id("v").Dot(fld),
		))
	}
	count = append(count,
		jen.If(jen.Id("n").Op("!=").Lit(1)).Block(
			jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": %d variants set, want exactly 1"), jen.Id("n"))),
		),
		jen.Return(jen.Qual("encoding/json", "Marshal").Call(jen.Id("x"))),
	)
	f.Comment("MarshalJSON encodes the variant that is set.")
	f.Func().Params(jen.Id("v").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(count...)

	// UnmarshalJSON
	decode := func(i int) []jen.Code {
		return []jen.Code{
			jen.Id("v").Dot(fields[i]).Op("=").New(baseOfVariant(plan.Variants[i])),
			jen.Return(jen.Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Id("v").Dot(fields[i]))),
		}
	}
	body := []jen.Code{jen.Op("*").Id("v").Op("=").Id(name).Values()}
	switch plan.Strategy {
	case ByDiscriminator, ByConst:
		body = append(body,
			jen.Var().Id("probe").Map(jen.String()).Qual("encoding/json", "RawMessage"),
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("probe")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": %w: %v"), jen.Qual(runtimePath, "ErrDecode"), jen.Err())),
			),
			jen.Var().Id("tag").String(),
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("probe").Index(jen.Lit(plan.Property)), jen.Op("&").Id("tag")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": property %q must be a string naming the variant: %w"), jen.Lit(plan.Property), jen.Qual(runtimePath, "ErrDecode"))),
			),
		)
		var cases []jen.Code
		for i, tag := range plan.Tags {
			cases = append(cases, jen.Case(jen.Lit(tag)).Block(decode(i)...))
		}
		body = append(body,
			jen.Switch(jen.Id("tag")).Block(cases...),
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": %q = %q names no variant: %w"), jen.Lit(plan.Property), jen.Id("tag"), jen.Qual(runtimePath, "ErrDecode"))),
		)
	default:
		body = append(body,
			jen.List(jen.Id("doc"), jen.Err()).Op(":=").Qual(runtimePath, "DecodeValue").Call(jen.Id("data")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": %w"), jen.Err()))),
			jen.List(jen.Id("n"), jen.Id("pick")).Op(":=").List(jen.Lit(0), jen.Lit(-1)),
		)
		for i, fld := range fields {
			body = append(body, jen.If(jen.Id(variantSchemaVar(name, fld)).Dot("Validate").Call(jen.Id("doc")).Op("==").Nil()).Block(
				jen.Id("n").Op("++"),
				jen.Id("pick").Op("=").Lit(i),
			))
		}
		var cases []jen.Code
		for i := range fields {
			cases = append(cases, jen.Case(jen.Lit(i)).Block(decode(i)...))
		}
		body = append(body,
			jen.If(jen.Id("n").Op("!=").Lit(1)).Block(
				jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": value matches %d of %d variants, want exactly 1: %w"), jen.Id("n"), jen.Lit(len(fields)), jen.Qual(runtimePath, "ErrDecode"))),
			),
			jen.Switch(jen.Id("pick")).Block(cases...),
			jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(errName+": no variant %d: %w"), jen.Id("pick"), jen.Qual(runtimePath, "ErrDecode"))),
		)
		var vars []jen.Code
		for i, fld := range fields {
			js, err := SchemaJSON(plan.Variants[i])
			if err != nil {
				return fmt.Errorf("%s: %w", s.Loc, err)
			}
			if err := checkCompiles(name+fld, js); err != nil {
				return fmt.Errorf("%s: %w", s.Loc, err)
			}
			vars = append(vars, jen.Id(variantSchemaVar(name, fld)).Op("=").Qual(runtimePath, "CompileOnUse").Call(jen.Lit(name+"."+fld), jen.Lit(string(js))))
		}
		f.Comment("Schemas of " + name + "'s variants, compiled on first use, to tell them apart.")
		f.Var().Defs(vars...)
	}
	f.Comment("UnmarshalJSON decodes data into the one variant it belongs to.")
	f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("data").Index().Byte()).Error().Block(body...)
	return nil
}

// baseOfVariant is a variant's Go type without null.
func baseOfVariant(v *model.Schema) *jen.Statement {
	core, _ := Unwrap(v)
	return baseType(core, map[*model.Schema]bool{})
}

func strategyDoc(p SumPlan) string {
	switch p.Strategy {
	case ByDiscriminator:
		return fmt.Sprintf("Decoding picks the variant by the discriminator property %q.", p.Property)
	case ByConst:
		return fmt.Sprintf("Decoding picks the variant by the constant property %q.", p.Property)
	}
	return "Decoding picks the one variant whose schema the value satisfies; none or several is an error."
}
