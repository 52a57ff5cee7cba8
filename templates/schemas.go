package templates

import (
	"encoding/json"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/ir"
)

// Schemas emits the JSON Schema bundle, one definition per line, and the
// codecs bound to it:
//
//	var schemas = gen.NewSchemas(`{"$schema":...,"definitions":{
//	"Alert":{...},
//	}}`)
//	var codecAlert = gen.NewJSON[Alert](schemas, "/definitions/Alert")
func Schemas(f *jen.File, p *ir.Package) {
	if len(p.Codecs) == 0 {
		return
	}
	if len(p.Schemas) > 0 {
		(&Doc{}).Paraf("%s is the document's payload schemas, compiled on first use.", p.SchemasVar).To(f)
		f.Var().Id(p.SchemasVar).Op("=").Add(gen("NewSchemas")).Call(rawString(ir.Bundle(p)))
	}
	var defs []jen.Code
	for _, c := range p.Codecs {
		var value jen.Code
		switch c.Kind {
		case ir.CodecJSON:
			value = gen("NewJSON").Types(typeOf(c.Type)).Call(jen.Id(p.SchemasVar), jen.Lit(c.Pointer()))
		case ir.CodecText:
			value = gen("NewText").Types(typeOf(c.Type)).Call(jen.Id(p.SchemasVar), jen.Lit(c.Pointer()))
		case ir.CodecMessages:
			var variants []jen.Code
			for _, v := range c.Variants {
				variants = append(variants, codecValue(v))
			}
			value = gen("NewMessages").Types(typeOf(c.Type)).Call(variants...)
		default:
			continue
		}
		defs = append(defs, jen.Id(c.Var).Op("=").Add(value))
	}
	(&Doc{}).Para("The payload codecs, each bound to its schema.").To(f)
	f.Var().Defs(defs...)
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
