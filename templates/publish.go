package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// Publish emits one method per operation the client sends:
//
//	func (c *Client) PublishReading(ctx context.Context, params ReadingParams, msg Reading, opts ...PublishOption) error
//
// which builds the topic (refusing parameter values that would change it),
// encodes and validates the payload, and publishes it with the QoS and
// retain flag of the operation's MQTT binding unless an option overrides them.
func Publish(f *jen.File, s *Spec) error {
	for _, op := range s.Publish {
		emitPublish(f, op)
	}
	return nil
}

// deliveryQoS is the QoS expression of op: its binding's, else the runtime's default.
func deliveryQoS(op *model.Operation) (jen.Code, string) {
	if op.Binding != nil && op.Binding.QoS != nil {
		return jen.Lit(*op.Binding.QoS), fmt.Sprintf("QoS %d", *op.Binding.QoS)
	}
	return jen.Id("c").Dot("mqtt").Dot("DefaultQoS").Call(), "the runtime's default QoS"
}

func retainOf(op *model.Operation) bool {
	return op.Binding != nil && op.Binding.Retain != nil && *op.Binding.Retain
}

func emitPublish(f *jen.File, op *model.Operation) {
	ch := op.Channel
	p := payloadOf(op)
	name := "Publish" + op.GoName
	what := phrase(name)
	qos, qosText := deliveryQoS(op)
	retain := retainOf(op)
	retainText := "not retained"
	if retain {
		retainText = "retained"
	}

	params := []jen.Code{jen.Id("ctx").Add(ctxType())}
	var body []jen.Code
	if len(ch.Parameters) > 0 {
		params = append(params, jen.Id("params").Id(paramsType(ch)))
		body = append(body,
			jen.List(jen.Id("topic"), jen.Err()).Op(":=").Id("params").Dot("Topic").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		)
	} else {
		body = append(body, jen.Id("topic").Op(":=").Id(ch.GoName+"Address"))
	}
	params = append(params, jen.Id("msg").Add(p.goType()), jen.Id("opts").Op("...").Id("PublishOption"))
	body = append(body,
		jen.List(jen.Id("payload"), jen.Err()).Op(":=").Id(p.encodeFunc()).Call(jen.Id("msg"), jen.Id("c").Dot("validate")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.Id("o").Op(":=").Id("publishOptions").Values(jen.Dict{jen.Id("qos"): qos, jen.Id("retain"): jen.Lit(retain)}),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("o").Op("=").Id("opt").Call(jen.Id("o"))),
		jen.If(jen.Id("o").Dot("qos").Op(">").Lit(2)).Block(jen.Return(jen.Qual("fmt", "Errorf").Call(
			jen.Lit(what+": qos %d: %w"), jen.Id("o").Dot("qos"), rt("ErrInvalidQoS")))),
		jen.If(jen.Err().Op(":=").Id("c").Dot("mqtt").Dot("PublishContext").Call(
			jen.Id("ctx"), jen.Id("topic"), jen.Id("o").Dot("qos"), jen.Id("o").Dot("retain"), jen.Id("payload")),
			jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.Return(jen.Nil()),
	)

	paras := []string{fmt.Sprintf("%s publishes %s to %s with %s, %s.", name, p.describe(), topicText(ch), qosText, retainText)}
	paras = append(paras, docParas(op.Title, op.Summary, op.Description)...)
	paras = append(paras, "The payload is checked against the document's schema before it is sent (unless the Client was made WithoutValidation): an invalid message is never published and the error wraps mqttrt.ErrValidation, naming the field and the rule."+
		paramNote(ch)+" It waits for the acknowledgement the QoS implies, bounded by ctx.")
	f.Add(godoc(paras...))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(params...).Error().Block(body...)
	f.Line()
}

func wrapErr(what string, err jen.Code) *jen.Statement {
	return jen.Qual("fmt", "Errorf").Call(jen.Lit(what+": %w"), err)
}

func topicText(ch *model.Channel) string {
	return fmt.Sprintf("channel %s (topic %s)", ch.Key, ch.Address)
}

func paramNote(ch *model.Channel) string {
	if len(ch.Parameters) == 0 {
		return ""
	}
	names := make([]string, len(ch.Parameters))
	for i, p := range ch.Parameters {
		names[i] = p.GoName
	}
	return fmt.Sprintf(" Parameters (%s) that are empty or contain /, +, # or NUL are refused with mqttrt.ErrInvalidTopic.", strings.Join(names, ", "))
}
