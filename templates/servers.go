package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// Servers emits the document's servers:
//
//	const ServerProductionURL = "tcp://broker.example.com:1883"
//	func ServerProductionOptions(brokers ...string) []mqttrt.Option // WithBroker + the MQTT binding
//	var ServerURLs = map[string]string{"production": ServerProductionURL}
func Servers(f *jen.File, s *Spec) error {
	servers := s.Doc.Servers
	if len(servers) == 0 {
		return nil
	}
	idents := map[string]string{}
	names := make([]string, len(servers))
	for i, srv := range servers {
		id := "Server" + naming.Pascal(srv.Name)
		if id == "Server" {
			id = fmt.Sprintf("Server%d", i+1)
		}
		if prev, ok := idents[id]; ok {
			return fmt.Errorf("%s: server %q and server %q both become %s", srv.Loc, prev, srv.Name, id)
		}
		idents[id] = srv.Name
		names[i] = id
	}
	for i, srv := range servers {
		emitServer(f, srv, names[i])
	}
	f.Add(godoc("ServerURLs maps each server name of the document to its URL, ready for mqttrt.WithBroker."))
	f.Var().Id("ServerURLs").Op("=").Map(jen.String()).String().Values(jen.DictFunc(func(d jen.Dict) {
		for i, srv := range servers {
			d[jen.Lit(srv.Name)] = jen.Id(names[i] + "URL")
		}
	}))
	f.Line()
	return nil
}

// serverURL fills {variables} with their defaults; variables without a
// default stay as written (the godoc says to replace them).
func serverURL(srv *model.Server) string {
	url := srv.URL
	for _, v := range srv.Variables {
		if v.Default != "" {
			url = strings.ReplaceAll(url, "{"+v.Name+"}", v.Default)
		}
	}
	return url
}

func emitServer(f *jen.File, srv *model.Server, id string) {
	url := serverURL(srv)
	paras := []string{fmt.Sprintf("%sURL is the URL of server %s (protocol %s%s), ready for mqttrt.WithBroker.", id, srv.Name, srv.Protocol, versionNote(srv))}
	paras = append(paras, docParas(srv.Title, srv.Summary, srv.Description)...)
	for _, v := range srv.Variables {
		line := fmt.Sprintf("Variable {%s}", v.Name)
		if v.Default != "" {
			line += fmt.Sprintf(" is filled with its default %q", v.Default)
		} else {
			line += " has no default and is left in the URL: replace it before use"
		}
		if len(v.Enum) > 0 {
			line += fmt.Sprintf(" (one of %s)", strings.Join(quoteAll(v.Enum), ", "))
		}
		if d := strings.TrimSpace(v.Description); d != "" {
			line += ": " + d
		}
		paras = append(paras, line+".")
	}
	f.Add(godoc(paras...))
	f.Const().Id(id + "URL").Op("=").Lit(url)
	f.Line()

	opts := []jen.Code{}
	var said []string
	if b := srv.Binding; b != nil {
		if b.ClientID != "" {
			opts = append(opts, rt("WithClientID").Call(jen.Lit(b.ClientID)))
			said = append(said, fmt.Sprintf("client ID %q", b.ClientID))
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
			said = append(said, fmt.Sprintf("last will %q on %s (QoS %d, retained %t)", w.Message, w.Topic, w.QoS, w.Retain))
		}
	}
	binding := "The document gives no MQTT binding for this server."
	if len(said) > 0 {
		binding = "From its MQTT binding: " + strings.Join(said, ", ") + "."
	}
	if b := srv.Binding; b != nil && (b.SessionExpiryInterval != nil || b.MaximumPacketSize != nil) {
		binding += " sessionExpiryInterval and maximumPacketSize are MQTT 5 settings the MQTT 3.1.1 runtime does not apply."
	}
	f.Add(godoc(
		fmt.Sprintf("%sOptions returns the runtime options for server %s: the broker URL and the settings of its MQTT binding. brokers, when given, replace %sURL (a test broker, or several for fail-over).", id, srv.Name, id),
		binding,
	))
	f.Func().Id(id+"Options").Params(jen.Id("brokers").Op("...").String()).Index().Add(rt("Option")).Block(
		jen.If(jen.Len(jen.Id("brokers")).Op("==").Lit(0)).Block(
			jen.Id("brokers").Op("=").Index().String().Values(jen.Id(id+"URL")),
		),
		jen.Id("opts").Op(":=").Index().Add(rt("Option")).Values(opts...),
		jen.For(jen.List(jen.Id("_"), jen.Id("b")).Op(":=").Range().Id("brokers")).Block(
			jen.Id("opts").Op("=").Append(jen.Id("opts"), rt("WithBroker").Call(jen.Id("b"))),
		),
		jen.Return(jen.Id("opts")),
	)
	f.Line()
}

func versionNote(srv *model.Server) string {
	if srv.ProtocolVersion == "" {
		return ""
	}
	return " " + srv.ProtocolVersion
}
