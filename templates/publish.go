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
//
// Each method is one call of the generic publish, emitted once per package.
func Publish(f *jen.File, s *Spec) error {
	if len(s.Publish) == 0 {
		return nil
	}
	emitPublishHelpers(f, s.Publish)
	for _, op := range s.Publish {
		emitPublish(f, op)
	}
	return nil
}

// emitPublishHelpers emits the body every Publish method calls, and the
// topic of channels without parameters:
//
//	type topicParams interface{ Topic() (string, error) }
//	type fixedTopic string
//	func publish[P topicParams, T any](ctx, c, op, params, msg, encode, qos, retain, opts) error
func emitPublishHelpers(f *jen.File, ops []*model.Operation) {
	f.Add(godoc("topicParams is implemented by the <Channel>Params types, and by fixedTopic: Topic builds the topic to publish to."))
	f.Type().Id("topicParams").Interface(jen.Id("Topic").Params().Params(jen.String(), jen.Error()))
	f.Line()
	if anyFixedChannel(ops) {
		f.Add(godoc("fixedTopic is the topic of a channel without parameters."))
		f.Type().Id("fixedTopic").String()
		f.Line()
		f.Func().Params(jen.Id("t").Id("fixedTopic")).Id("Topic").Params().Params(jen.String(), jen.Error()).Block(
			jen.Return(jen.String().Call(jen.Id("t")), jen.Nil()))
		f.Line()
	}
	f.Add(godoc("publish is the body of every Publish method: op names the operation in errors; qos and retain are the operation's, which opts may override."))
	f.Func().Id("publish").Types(jen.Id("P").Id("topicParams"), jen.Id("T").Any()).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("c").Op("*").Id("Client"), jen.Id("op").String(), jen.Id("params").Id("P"), jen.Id("msg").Id("T"),
		jen.Id("encode").Func().Params(jen.Id("T"), jen.Bool()).Params(jen.Index().Byte(), jen.Error()),
		jen.Id("qos").Byte(), jen.Id("retain").Bool(), jen.Id("opts").Index().Id("PublishOption"),
	).Error().Block(
		jen.List(jen.Id("topic"), jen.Err()).Op(":=").Id("params").Dot("Topic").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(errorf("publish %s: %w", jen.Id("op"), jen.Err()))),
		jen.List(jen.Id("payload"), jen.Err()).Op(":=").Id("encode").Call(jen.Id("msg"), jen.Id("c").Dot("validate")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(errorf("publish %s: %w", jen.Id("op"), jen.Err()))),
		jen.Id("o").Op(":=").Id("publishOptions").Values(jen.Dict{jen.Id("qos"): jen.Id("qos"), jen.Id("retain"): jen.Id("retain")}),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("o").Op("=").Id("opt").Call(jen.Id("o"))),
		jen.If(jen.Id("o").Dot("qos").Op(">").Lit(2)).Block(jen.Return(errorf("publish %s: qos %d: %w", jen.Id("op"), jen.Id("o").Dot("qos"), rt("ErrInvalidQoS")))),
		jen.If(jen.Err().Op(":=").Id("c").Dot("mqtt").Dot("PublishContext").Call(
			jen.Id("ctx"), jen.Id("topic"), jen.Id("o").Dot("qos"), jen.Id("o").Dot("retain"), jen.Id("payload")),
			jen.Err().Op("!=").Nil()).Block(jen.Return(errorf("publish %s: %w", jen.Id("op"), jen.Err()))),
		jen.Return(jen.Nil()),
	)
	f.Line()
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
	qos, qosText := deliveryQoS(op)
	retain := retainOf(op)
	retainText := "not retained"
	if retain {
		retainText = "retained"
	}

	params := []jen.Code{jen.Id("ctx").Add(ctxType())}
	topic := jen.Id("fixedTopic").Call(jen.Id(ch.GoName + "Address"))
	if len(ch.Parameters) > 0 {
		params = append(params, jen.Id("params").Id(paramsType(ch)))
		topic = jen.Id("params")
	}
	params = append(params, jen.Id("msg").Add(p.goType()), jen.Id("opts").Op("...").Id("PublishOption"))
	body := jen.Return(jen.Id("publish").Call(jen.Id("ctx"), jen.Id("c"), jen.Lit(phrase(op.GoName)), topic,
		jen.Id("msg"), jen.Id(p.encodeFunc()), qos, jen.Lit(retain), jen.Id("opts")))

	paras := []string{fmt.Sprintf("%s publishes %s to %s with %s, %s.", name, p.describe(), topicText(ch), qosText, retainText)}
	paras = append(paras, docParas(op.Title, op.Summary, op.Description)...)
	paras = append(paras, "The payload is validated"+paramNote(ch)+" before anything is sent (see Client).")
	f.Add(godoc(paras...))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(params...).Error().Block(body)
	f.Line()
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
	return fmt.Sprintf(" and the parameters (%s) checked", strings.Join(names, ", "))
}

// anyFixedChannel reports whether any of ops is on a channel without
// parameters, which publishes to its fixedTopic.
func anyFixedChannel(ops []*model.Operation) bool {
	for _, op := range ops {
		if len(op.Channel.Parameters) == 0 {
			return true
		}
	}
	return false
}
