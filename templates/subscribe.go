package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// Subscribe emits, per operation the client receives:
//
//	type ReadingMessage struct{ Payload Reading; Params ReadingParams; Topic string; QoS byte; Retained, Duplicate bool }
//	func (c *Client) SubscribeReading(ctx context.Context, handler func(context.Context, ReadingMessage) error, opts ...SubscribeOption) error
//	func (c *Client) UnsubscribeReading(ctx context.Context, opts ...SubscribeOption) error
//
// The subscription's callback refuses oversized payloads before decoding,
// parses the topic back into params, decodes and validates, and only then
// calls the handler; every refusal goes to RecordRejected and the error
// handler. The QoS is the operation binding's (else the runtime's default)
// unless WithSubscribeQoS overrides it.
func Subscribe(f *jen.File, s *Spec) error {
	for _, op := range s.Subscribe {
		emitMessageStruct(f, op)
		emitSubscribe(f, op)
		emitUnsubscribe(f, op)
	}
	emitFilterHelpers(f, s.Subscribe)
	emitReceiveHelpers(f, s.Subscribe)
	return nil
}

func messageStruct(op *model.Operation) string { return op.GoName + "Message" }

func handlerType(op *model.Operation) *jen.Statement {
	return jen.Func().Params(ctxType(), jen.Id(messageStruct(op))).Error()
}

func emitMessageStruct(f *jen.File, op *model.Operation) {
	ch := op.Channel
	p := payloadOf(op)
	f.Add(godoc(fmt.Sprintf("%s is a message received by Subscribe%s on %s.", messageStruct(op), op.GoName, topicText(ch))))
	f.Type().Id(messageStruct(op)).StructFunc(func(g *jen.Group) {
		g.Add(godoc(fmt.Sprintf("Payload is the decoded payload: %s.", p.describe())))
		g.Id("Payload").Add(p.goType())
		if len(ch.Parameters) > 0 {
			g.Add(godoc("Params are the channel parameters parsed from Topic."))
			g.Id("Params").Id(paramsType(ch))
		}
		g.Add(godoc("Topic is the topic the message was published to."))
		g.Id("Topic").String()
		g.Add(godoc("QoS is the quality of service it was delivered with."))
		g.Id("QoS").Byte()
		g.Add(godoc("Retained is set for a retained message sent on subscribing."))
		g.Id("Retained").Bool()
		g.Add(godoc("Duplicate is set when the broker may have delivered it before."))
		g.Id("Duplicate").Bool()
	})
	f.Line()
}

// filterCall: the call that computes the subscription filter of op for
// opts, shared by Subscribe and Unsubscribe so both name the same filter.
// The work is in helpers emitted once per package (emitFilterHelpers), so
// each operation costs one line:
//
//	filter, err := paramsFilter[ReadingParams](opts, "sensors/+/reading", "reading", "WithReadingParams")
func filterCall(op *model.Operation) *jen.Statement {
	ch := op.Channel
	t, _ := parseAddress(ch) // Topics already reported any error
	if len(ch.Parameters) == 0 {
		return jen.Id("fixedFilter").Call(jen.Id("opts"), jen.Lit(t.filter()), jen.Lit(ch.Key))
	}
	return jen.Id("paramsFilter").Types(jen.Id(paramsType(ch))).Call(
		jen.Id("opts"), jen.Lit(t.filter()), jen.Lit(ch.Key), jen.Lit("With"+paramsType(ch)))
}

// emitFilterHelpers emits the filter helpers the operations use:
//
//	type channelParams interface{ filter() (string, error) }
//	func paramsFilter[P channelParams](opts []SubscribeOption, all, channel, with string) (string, error)
//	func fixedFilter(opts []SubscribeOption, filter, channel string) (string, error)
func emitFilterHelpers(f *jen.File, ops []*model.Operation) {
	params, fixed := channelKinds(ops)
	apply := []jen.Code{
		jen.Var().Id("o").Id("subscribeOptions"),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("opt").Call(jen.Op("&").Id("o"))),
	}
	share := []jen.Code{
		jen.If(jen.Id("o").Dot("group").Op("!=").Lit("")).Block(
			jen.Return(rt("SharedFilter").Call(jen.Id("o").Dot("group"), jen.Id("filter")))),
		jen.Return(jen.Id("filter"), jen.Nil()),
	}
	if params {
		body := append(append([]jen.Code{}, apply...),
			jen.Id("filter").Op(":=").Id("all"),
			jen.If(jen.Id("o").Dot("params").Op("!=").Nil()).Block(
				jen.List(jen.Id("p"), jen.Id("ok")).Op(":=").Id("o").Dot("params").Assert(jen.Id("P")),
				jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(
					jen.Lit("%T does not restrict channel %s, use %s: %w"),
					jen.Id("o").Dot("params"), jen.Id("channel"), jen.Id("with"), rt("ErrInvalidTopic")))),
				jen.Var().Err().Error(),
				jen.If(jen.List(jen.Id("filter"), jen.Err()).Op("=").Id("p").Dot("filter").Call(), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Lit(""), jen.Err())),
			),
		)
		body = append(body, share...)
		f.Add(godoc("channelParams is implemented by the <Channel>Params types: the filter method builds a subscription filter from the parameters set."))
		f.Type().Id("channelParams").Interface(jen.Id("filter").Params().Params(jen.String(), jen.Error()))
		f.Line()
		f.Add(godoc("paramsFilter is the subscription filter, for opts, of a channel with parameters: all (every parameter a wildcard), or the filter of the channel's parameter type P that its option with (WithXParams) set, shared if WithShareGroup asks."))
		f.Func().Id("paramsFilter").Types(jen.Id("P").Id("channelParams")).Params(
			jen.Id("opts").Index().Id("SubscribeOption"), jen.List(jen.Id("all"), jen.Id("channel"), jen.Id("with")).String(),
		).Params(jen.String(), jen.Error()).Block(body...)
		f.Line()
	}
	if fixed {
		body := append(append([]jen.Code{}, apply...),
			jen.If(jen.Id("o").Dot("params").Op("!=").Nil()).Block(
				jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(
					jen.Lit("channel %s has no parameters to restrict, got %T: %w"), jen.Id("channel"), jen.Id("o").Dot("params"), rt("ErrInvalidTopic"))),
			),
		)
		body = append(body, share...)
		f.Add(godoc("fixedFilter is the subscription filter, for opts, of a channel without parameters (which no option may restrict), shared if WithShareGroup asks."))
		f.Func().Id("fixedFilter").Params(
			jen.Id("opts").Index().Id("SubscribeOption"), jen.List(jen.Id("filter"), jen.Id("channel")).String(),
		).Params(jen.String(), jen.Error()).Block(body...)
		f.Line()
	}
}

func emitSubscribe(f *jen.File, op *model.Operation) {
	ch := op.Channel
	t, _ := parseAddress(ch)
	name := "Subscribe" + op.GoName
	what := phrase(name)
	qos, qosText := deliveryQoS(op)
	paras := []string{fmt.Sprintf("%s subscribes to %s (filter %s) with %s and calls handler with each message.", name, topicText(ch), t.filter(), qosText)}
	paras = append(paras, docParas(op.Title, op.Summary, op.Description)...)
	paras = append(paras,
		"A payload larger than the client's limit, one that cannot be decoded or does not match its schema, or a topic that does not fit the channel never reaches handler: it is counted by the runtime and passed to the Client's error handler, as is an error handler returns.",
		"Handlers get a context that carries ctx's values but not its cancellation, which only bounds the wait for the broker's acknowledgement. Options: WithShareGroup, WithSubscribeQoS"+withParamsNote(ch)+". The subscription is resumed after reconnects by the runtime.",
	)
	f.Add(godoc(paras...))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("handler").Add(handlerType(op)), jen.Id("opts").Op("...").Id("SubscribeOption"),
	).Error().Block(
		jen.If(jen.Id("handler").Op("==").Nil()).Block(jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(what+": nil handler: %w"), rt("ErrInvalidConfig")))),
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Add(filterCall(op)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.List(jen.Id("qos"), jen.Err()).Op(":=").Id("subscribeQoS").Call(qos, jen.Id("opts")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.Id("hctx").Op(":=").Qual("context", "WithoutCancel").Call(jen.Id("ctx")),
		jen.Err().Op("=").Id("c").Dot("mqtt").Dot("SubscribeContext").Call(jen.Id("ctx"), jen.Id("filter"), jen.Id("qos"),
			jen.Func().Params(jen.Id("_").Qual(pahoPath, "Client"), jen.Id("m").Qual(pahoPath, "Message")).Block(receiveBody(op)...)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.Return(jen.Nil()),
	)
	f.Line()
}

func withParamsNote(ch *model.Channel) string {
	if len(ch.Parameters) == 0 {
		return ""
	}
	return ", With" + paramsType(ch) + " (only some parameter values)"
}

func emitUnsubscribe(f *jen.File, op *model.Operation) {
	name := "Unsubscribe" + op.GoName
	what := phrase(name)
	f.Add(godoc(fmt.Sprintf("%s ends a subscription made by Subscribe%s with the same options.", name, op.GoName)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("opts").Op("...").Id("SubscribeOption"),
	).Error().Block(
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Add(filterCall(op)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.If(jen.Err().Op(":=").Id("c").Dot("mqtt").Dot("UnsubscribeContext").Call(jen.Id("ctx"), jen.Id("filter")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(wrapErr(what, jen.Err()))),
		jen.Return(jen.Nil()),
	)
	f.Line()
}

// receiveBody is the subscription callback of op: the checks and decoding
// are in helpers emitted once per package (emitReceiveHelpers); what is
// left per operation is building its Message and calling the handler.
//
//	params, payload, ok := receiveWithParams(c, m, "receive reading", ParseReadingTopic, decodeReading)
//	if !ok { return }
//	if err := handler(hctx, ReadingMessage{...}); err != nil { c.handlerFailed(m.Topic(), err) }
func receiveBody(op *model.Operation) []jen.Code {
	ch := op.Channel
	p := payloadOf(op)
	what := phrase("Receive" + op.GoName)
	fields := jen.Dict{
		jen.Id("Payload"):   jen.Id("payload"),
		jen.Id("Topic"):     jen.Id("m").Dot("Topic").Call(),
		jen.Id("QoS"):       jen.Id("m").Dot("Qos").Call(),
		jen.Id("Retained"):  jen.Id("m").Dot("Retained").Call(),
		jen.Id("Duplicate"): jen.Id("m").Dot("Duplicate").Call(),
	}
	var check jen.Code
	if len(ch.Parameters) > 0 {
		fields[jen.Id("Params")] = jen.Id("params")
		check = jen.List(jen.Id("params"), jen.Id("payload"), jen.Id("ok")).Op(":=").Id("receiveWithParams").Call(
			jen.Id("c"), jen.Id("m"), jen.Lit(what), jen.Id("Parse"+ch.GoName+"Topic"), jen.Id(p.decodeFunc()))
	} else {
		check = jen.List(jen.Id("payload"), jen.Id("ok")).Op(":=").Id("receivePayload").Call(
			jen.Id("c"), jen.Id("m"), jen.Lit(what), jen.Id(p.decodeFunc()))
	}
	return []jen.Code{
		check,
		jen.If(jen.Op("!").Id("ok")).Block(jen.Return()),
		jen.If(jen.Err().Op(":=").Id("handler").Call(jen.Id("hctx"), jen.Id(messageStruct(op)).Values(fields)), jen.Err().Op("!=").Nil()).Block(
			jen.Id("c").Dot("handlerFailed").Call(jen.Id("m").Dot("Topic").Call(), jen.Err()),
		),
	}
}

// emitReceiveHelpers emits the per-message path the operations use, kept
// free of work that can be done once (filters, schemas and formats are all
// fixed at generation time):
//
//	func receivePayload[T any](c *Client, m paho.Message, what string, decode func([]byte, bool) (T, error)) (T, bool)
//	func receiveWithParams[P, T any](c *Client, m paho.Message, what string, parse func(string) (P, error), decode func([]byte, bool) (T, error)) (P, T, bool)
func emitReceiveHelpers(f *jen.File, ops []*model.Operation) {
	params, fixed := channelKinds(ops)
	decodeType := jen.Func().Params(jen.Index().Byte(), jen.Bool()).Params(jen.Id("T"), jen.Error())
	sizeCheck := func(fail ...jen.Code) jen.Code {
		return jen.If(jen.Id("c").Dot("maxPayload").Op(">").Lit(0).Op("&&").Len(jen.Id("data")).Op(">").Id("c").Dot("maxPayload")).Block(
			jen.Id("c").Dot("reject").Call(jen.Id("topic"), jen.Qual("fmt", "Errorf").Call(
				jen.Lit("%s: %d bytes, limit %d: %w"), jen.Id("what"), jen.Len(jen.Id("data")), jen.Id("c").Dot("maxPayload"), rt("ErrPayloadTooLarge"))),
			jen.Return(fail...),
		)
	}
	refuse := func(fail ...jen.Code) jen.Code {
		return jen.If(jen.Err().Op("!=").Nil()).Block(
			jen.Id("c").Dot("reject").Call(jen.Id("topic"), jen.Qual("fmt", "Errorf").Call(jen.Lit("%s: %w"), jen.Id("what"), jen.Err())),
			jen.Return(fail...),
		)
	}
	start := []jen.Code{
		jen.Id("topic").Op(":=").Id("m").Dot("Topic").Call(),
		jen.Id("data").Op(":=").Id("m").Dot("Payload").Call(),
	}
	if fixed {
		body := append(append([]jen.Code{}, start...),
			sizeCheck(jen.Id("payload"), jen.False()),
			jen.List(jen.Id("payload"), jen.Err()).Op(":=").Id("decode").Call(jen.Id("data"), jen.Id("c").Dot("validate")),
			refuse(jen.Id("payload"), jen.False()),
			jen.Return(jen.Id("payload"), jen.True()),
		)
		f.Add(godoc("receivePayload checks and decodes message m of a channel without parameters: a payload over the client's limit, or one decode refuses, is rejected (counted and passed to the error handler, its error prefixed with what) and ok is false."))
		f.Func().Id("receivePayload").Types(jen.Id("T").Any()).Params(
			jen.Id("c").Op("*").Id("Client"), jen.Id("m").Qual(pahoPath, "Message"), jen.Id("what").String(), jen.Id("decode").Add(decodeType),
		).Params(jen.Id("payload").Id("T"), jen.Id("ok").Bool()).Block(body...)
		f.Line()
	}
	if params {
		body := append(append([]jen.Code{}, start...),
			sizeCheck(jen.Id("params"), jen.Id("payload"), jen.False()),
			jen.List(jen.Id("params"), jen.Err()).Op(":=").Id("parse").Call(jen.Id("topic")),
			refuse(jen.Id("params"), jen.Id("payload"), jen.False()),
			jen.List(jen.Id("payload"), jen.Err()).Op("=").Id("decode").Call(jen.Id("data"), jen.Id("c").Dot("validate")),
			refuse(jen.Id("params"), jen.Id("payload"), jen.False()),
			jen.Return(jen.Id("params"), jen.Id("payload"), jen.True()),
		)
		f.Add(godoc("receiveWithParams checks and decodes message m of a channel with parameters: a payload over the client's limit, a topic parse does not accept, or a payload decode refuses, is rejected (counted and passed to the error handler, its error prefixed with what) and ok is false."))
		f.Func().Id("receiveWithParams").Types(jen.List(jen.Id("P"), jen.Id("T")).Any()).Params(
			jen.Id("c").Op("*").Id("Client"), jen.Id("m").Qual(pahoPath, "Message"), jen.Id("what").String(),
			jen.Id("parse").Func().Params(jen.String()).Params(jen.Id("P"), jen.Error()), jen.Id("decode").Add(decodeType),
		).Params(jen.Id("params").Id("P"), jen.Id("payload").Id("T"), jen.Id("ok").Bool()).Block(body...)
		f.Line()
	}
}

// channelKinds reports whether any of ops is on a channel with parameters
// and whether any is on one without, to emit only the helpers used.
func channelKinds(ops []*model.Operation) (params, fixed bool) {
	for _, op := range ops {
		if len(op.Channel.Parameters) > 0 {
			params = true
		} else {
			fixed = true
		}
	}
	return params, fixed
}
