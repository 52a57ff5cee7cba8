package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/ir"
)

// Servers emits the document's servers:
//
//	const ServerProductionURL = "tcp://broker.example.com:1883"
//	func ServerProductionOptions(brokers ...string) []mqttrt.Option // WithBroker + the MQTT binding
//	var ServerURLs = map[string]string{"production": ServerProductionURL}
func Servers(f *jen.File, p *ir.Package) {
	if len(p.Servers) == 0 {
		return
	}
	for _, s := range p.Servers {
		server(f, s)
	}
	(&Doc{}).Para("ServerURLs maps each server name of the document to its URL, ready for mqttrt.WithBroker.").To(f)
	f.Var().Id("ServerURLs").Op("=").Map(jen.String()).String().Values(jen.DictFunc(func(d jen.Dict) {
		for _, s := range p.Servers {
			d[jen.Lit(s.Model.Name)] = jen.Id(s.URLConst)
		}
	}))
}

func server(f *jen.File, s *ir.Server) {
	srv := s.Model
	version := ""
	if srv.ProtocolVersion != "" {
		version = " " + srv.ProtocolVersion
	}
	d := (&Doc{}).Paraf("%s is the URL of server %s (protocol %s%s), ready for mqttrt.WithBroker.", s.URLConst, quote(srv.Name), oneLine(srv.Protocol), oneLine(version)).
		Text(srv.Title).Text(srv.Summary).Text(srv.Description)
	for _, v := range srv.Variables {
		line := fmt.Sprintf("Variable {%s}", oneLine(v.Name))
		if v.Default != "" {
			line += fmt.Sprintf(" is filled with its default %s", quote(v.Default))
		} else {
			line += " has no default and is left in the URL: replace it before use"
		}
		if len(v.Enum) > 0 {
			line += fmt.Sprintf(" (one of %s)", strings.Join(quoteAll(v.Enum), ", "))
		}
		if desc := strings.TrimSpace(v.Description); desc != "" {
			line += ": " + desc
		}
		d.Para(line + ".")
	}
	d.To(f)
	f.Const().Id(s.URLConst).Op("=").Lit(ir.ServerURL(s))

	var opts []jen.Code
	var said []string
	if b := srv.Binding; b != nil {
		if b.ClientID != "" {
			opts = append(opts, rt("WithClientID").Call(jen.Lit(b.ClientID)))
			said = append(said, fmt.Sprintf("client ID %s", quote(b.ClientID)))
		}
		if b.CleanSession != nil {
			opts = append(opts, rt("WithCleanSession").Call(jen.Lit(*b.CleanSession)))
			said = append(said, fmt.Sprintf("clean session %t", *b.CleanSession))
		}
		if b.KeepAlive != nil {
			opts = append(opts, rt("WithKeepAlive").Call(jen.Lit(*b.KeepAlive).Op("*").Qual("time", "Second")))
			said = append(said, fmt.Sprintf("keep-alive %ds", *b.KeepAlive))
		}
		if w := b.LastWill; w != nil && w.Topic != "" {
			opts = append(opts, rt("WithWill").Call(jen.Lit(w.Topic), jen.Index().Byte().Parens(jen.Lit(w.Message)), jen.Lit(w.QoS), jen.Lit(w.Retain)))
			said = append(said, fmt.Sprintf("last will %s on %s (QoS %d, retained %t)", quote(w.Message), quote(w.Topic), w.QoS, w.Retain))
		}
	}
	binding := "The document gives no MQTT binding for this server."
	if len(said) > 0 {
		binding = "From its MQTT binding: " + strings.Join(said, ", ") + "."
	}
	if b := srv.Binding; b != nil && (b.SessionExpiryInterval != nil || b.MaximumPacketSize != nil) {
		binding += " sessionExpiryInterval and maximumPacketSize are MQTT 5 settings the MQTT 3.1.1 runtime does not apply."
	}
	(&Doc{}).Paraf("%s returns the runtime options for server %s: its URL and the settings of its MQTT binding. brokers, when given, replace %s (a test broker, or several for failover).", s.OptionsFunc, quote(srv.Name), s.URLConst).
		Para(binding).To(f)
	f.Func().Id(s.OptionsFunc).Params(jen.Id("brokers").Op("...").String()).Index().Add(rt("Option")).Block(
		jen.If(jen.Len(jen.Id("brokers")).Op("==").Lit(0)).Block(
			jen.Id("brokers").Op("=").Index().String().Values(jen.Id(s.URLConst))),
		jen.Id("opts").Op(":=").Index().Add(rt("Option")).Values(opts...),
		jen.For(jen.List(jen.Id("_"), jen.Id("b")).Op(":=").Range().Id("brokers")).Block(
			jen.Id("opts").Op("=").Append(jen.Id("opts"), rt("WithBroker").Call(jen.Id("b")))),
		jen.Return(jen.Id("opts")))
}
