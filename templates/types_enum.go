package templates

import (
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// emitEnum emits a named string or integer type, one constant per value and
// a Valid method:
//
//	type Color string
//	const (
//		ColorRed Color = "red"
//	)
//	func (v Color) Valid() bool { switch v { case ColorRed: return true }; return false }
func emitEnum(f *jen.File, s *model.Schema) {
	name := s.GoName
	base := jen.String()
	if primaryType(s) == "integer" {
		base = jen.Int64()
		if s.Format == "int32" {
			base = jen.Int32()
		}
	}
	addComments(f, typeDocLines(s, name))
	f.Type().Id(name).Add(base)

	consts := EnumConsts(s)
	defs := make([]jen.Code, 0, len(consts))
	cases := make([]jen.Code, 0, len(consts))
	for _, c := range consts {
		defs = append(defs, jen.Id(c.Name).Id(name).Op("=").Add(constLit(c.Value)))
		cases = append(cases, jen.Id(c.Name))
	}
	f.Comment("Values of " + name + ".")
	f.Const().Defs(defs...)

	f.Comment("Valid reports whether v is one of the values the document allows.")
	f.Func().Params(jen.Id("v").Id(name)).Id("Valid").Params().Bool().Block(
		jen.Switch(jen.Id("v")).Block(jen.Case(cases...).Block(jen.Return(jen.True()))),
		jen.Return(jen.False()),
	)
}

// EnumConst is one constant of an enum type.
type EnumConst struct {
	Name  string
	Value any // string or int64
}

// EnumConsts names the constants of an enum schema: type name plus the
// PascalCase value ("red" -> ColorRed, 2 -> Level2, -1 -> LevelMinus1);
// values with no letters or digits, and repeats, get the value's position
// ("Color3"). Null is not a constant: the type's pointer carries it.
func EnumConsts(s *model.Schema) []EnumConst {
	var out []EnumConst
	used := map[string]bool{}
	for i, v := range s.Enum {
		var c EnumConst
		switch x := v.(type) {
		case nil:
			continue
		case string:
			c = EnumConst{Name: s.GoName + naming.Pascal(x), Value: x}
			if naming.Pascal(x) == "" {
				c.Name = ""
			}
		default:
			n, ok := asInt(x)
			if !ok {
				continue
			}
			digits := strconv.FormatInt(n, 10)
			c = EnumConst{Name: s.GoName + strings.Replace(digits, "-", "Minus", 1), Value: n}
		}
		if c.Name == "" || used[c.Name] {
			c.Name = s.GoName + "Value" + strconv.Itoa(i+1)
		}
		used[c.Name] = true
		out = append(out, c)
	}
	return out
}

// asInt converts a decoded JSON integer to int64.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case float64:
		if x == float64(int64(x)) {
			return int64(x), true
		}
	}
	return 0, false
}

// constLit renders a constant value; integers as plain literals so they fit
// any integer type.
func constLit(v any) *jen.Statement {
	if n, ok := asInt(v); ok {
		return jen.Lit(int(n))
	}
	return jen.Lit(v)
}
