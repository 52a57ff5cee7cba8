package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/ir"
)

// Channels emits, per channel, its address and, when the address has
// parameters, the Params type that builds, filters and parses its topics:
//
//	const TemperatureAddress = "sensors/{room}/temperature"
//	var topicTemperature = gen.NewTopic(TemperatureAddress)
//	type TemperatureParams struct{ Room string }
//	func (p TemperatureParams) Topic() (string, error)  { return topicTemperature.Build(p.Room) }
//	func (p TemperatureParams) Filter() (string, error) { return topicTemperature.Filter(p.Room) }
//	func ParseTemperatureTopic(topic string) (p TemperatureParams, err error)
func Channels(f *jen.File, p *ir.Package) {
	for _, c := range p.Channels {
		ch := c.Model
		(&Doc{}).Paraf("%s is the address of channel %s.", c.AddressConst, quote(ch.Key)).
			Text(ch.Title).Text(ch.Summary).Text(ch.Description).To(f)
		f.Const().Id(c.AddressConst).Op("=").Lit(ch.Address)
		for _, prm := range c.Params {
			if prm.Enum != nil {
				enumType(f, prm.Enum.Name, jen.String(), prm.Enum.Values,
					(&Doc{}).Paraf("%s is a value of parameter %s of channel %s.", prm.Enum.Name, quote(prm.Model.Name), quote(ch.Key)).Text(prm.Model.Description))
			}
		}
		var enums []jen.Code
		for _, prm := range c.Params {
			if prm.Enum != nil {
				enums = append(enums, gen("Enum").Values(jen.Dict{
					jen.Id("Param"):  jen.Lit(prm.Model.Name),
					jen.Id("Values"): jen.Index().String().Values(stringsOf(prm.Enum.Values)...),
				}))
			}
		}
		f.Var().Id(c.TopicVar).Op("=").Add(gen("NewTopic")).Call(append([]jen.Code{jen.Id(c.AddressConst)}, enums...)...)
		if len(c.Params) > 0 {
			params(f, c)
		}
	}
}

// params emits the Params type of a channel and its methods.
func params(f *jen.File, c *ir.Channel) {
	ch := c.Model
	var fields []jen.Code
	var values, dests []jen.Code
	for _, prm := range c.Params {
		d := (&Doc{}).Paraf("%s is {%s}.", prm.Field, oneLine(prm.Model.Name))
		if desc := firstPara(prm.Model.Description); desc != "" {
			d = (&Doc{}).Paraf("%s is {%s}: %s", prm.Field, oneLine(prm.Model.Name), desc).Text(restParas(prm.Model.Description))
		}
		if len(prm.Model.Examples) > 0 {
			d.Paraf("Examples: %s.", strings.Join(quoteAll(prm.Model.Examples), ", "))
		}
		typ := jen.String()
		value := jen.Id("p").Dot(prm.Field)
		dest := jen.Op("&").Id("p").Dot(prm.Field)
		if prm.Enum != nil {
			typ = jen.Id(prm.Enum.Name)
			value = jen.String().Parens(value)
			dest = jen.Parens(jen.Op("*").String()).Parens(dest)
		}
		fields = append(fields, d.Code().Id(prm.Field).Add(typ))
		values = append(values, value)
		dests = append(dests, dest)
	}
	(&Doc{}).Paraf("%s are the parameters of channel %s (%s).", c.ParamsType, quote(ch.Key), oneLine(ch.Address)).To(f)
	f.Type().Id(c.ParamsType).Struct(fields...)

	(&Doc{}).Paraf("Topic is the topic of channel %s for p. A parameter that is empty, holds /, +, #, NUL or invalid UTF-8%s is refused with an error wrapping mqttrt.ErrInvalidTopic: no value changes which topic is used.", quote(ch.Key), enumNote(c)).To(f)
	f.Func().Params(jen.Id("p").Id(c.ParamsType)).Id("Topic").Params().Params(jen.String(), jen.Error()).Block(
		jen.Return(jen.Id(c.TopicVar).Dot("Build").Call(values...)))

	(&Doc{}).Paraf("Filter is the subscription filter of channel %s for p: fields left empty are wildcards (+); the others are checked as Topic checks them.", quote(ch.Key)).To(f)
	f.Func().Params(jen.Id("p").Id(c.ParamsType)).Id("Filter").Params().Params(jen.String(), jen.Error()).Block(
		jen.Return(jen.Id(c.TopicVar).Dot("Filter").Call(values...)))

	(&Doc{}).Paraf("%s returns the parameters of a topic of channel %s, or an error wrapping mqttrt.ErrInvalidTopic when the topic does not fit the address.", c.ParseFunc, quote(ch.Key)).To(f)
	f.Func().Id(c.ParseFunc).Params(jen.Id("topic").String()).Params(jen.Id("p").Id(c.ParamsType), jen.Err().Error()).Block(
		jen.Err().Op("=").Id(c.TopicVar).Dot("Parse").Call(append([]jen.Code{jen.Id("topic")}, dests...)...),
		jen.Return(jen.Id("p"), jen.Err()))
}

func enumNote(c *ir.Channel) string {
	for _, prm := range c.Params {
		if prm.Enum != nil {
			return ", or a value outside its parameter's enum,"
		}
	}
	return ""
}

// enumType emits a named type with one constant per value and Valid.
func enumType(f *jen.File, name string, base *jen.Statement, values []ir.EnumValue, doc *Doc) {
	doc.To(f)
	f.Type().Id(name).Add(base)
	var defs, cases []jen.Code
	for _, v := range values {
		defs = append(defs, jen.Id(v.Const).Id(name).Op("=").Add(constLit(v.Value)))
		cases = append(cases, jen.Id(v.Const))
	}
	(&Doc{}).Paraf("The values of %s.", name).To(f)
	f.Const().Defs(defs...)
	(&Doc{}).Paraf("Valid reports whether v is one of the values of %s.", name).To(f)
	f.Func().Params(jen.Id("v").Id(name)).Id("Valid").Params().Bool().Block(
		jen.Switch(jen.Id("v")).Block(jen.Case(cases...).Block(jen.Return(jen.True()))),
		jen.Return(jen.False()))
}

// constLit renders an enum value as an untyped constant.
func constLit(v any) *jen.Statement {
	if i, ok := v.(int64); ok {
		return jen.Lit(int(i))
	}
	return jen.Lit(v)
}

func stringsOf(values []ir.EnumValue) []jen.Code {
	out := make([]jen.Code, len(values))
	for i, v := range values {
		out[i] = jen.Lit(fmt.Sprint(v.Value))
	}
	return out
}

// quote renders document text as a Go-quoted string for a comment.
func quote(s string) string { return fmt.Sprintf("%q", s) }

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(s)
	}
	return out
}
