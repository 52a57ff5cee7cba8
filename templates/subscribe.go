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
// handler.
func Subscribe(f *jen.File, s *Spec) error {
	for _, op := range s.Subscribe {
		emitMessageStruct(f, op)
		emitFilter(f, op)
		emitSubscribe(f, op)
		emitUnsubscribe(f, op)
		emitReceive(f, op)
	}
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

// emitFilter: func (c *Client) filterX(opts []SubscribeOption) (string, error),
// shared by Subscribe and Unsubscribe so both name the same filter.
func emitFilter(f *jen.File, op *model.Operation) {
	ch := op.Channel
	t, _ := parseAddress(ch) // Topics already reported any error
	body := []jen.Code{
		jen.Var().Id("o").Id("subscribeOptions"),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("opt").Call(jen.Op("&").Id("o"))),
		jen.Id("filter").Op(":=").Lit(t.filter()),
	}
	if len(ch.Parameters) > 0 {
		body = append(body, jen.If(jen.Id("o").Dot("params").Op("!=").Nil()).Block(
			jen.List(jen.Id("p"), jen.Id("ok")).Op(":=").Id("o").Dot("params").Assert(jen.Id(paramsType(ch))),
			jen.If(jen.Op("!").Id("ok")).Block(jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(
				jen.Lit(fmt.Sprintf("%%T does not restrict channel %s, use With%s: %%w", ch.Key, paramsType(ch))),
				jen.Id("o").Dot("params"), rt("ErrInvalidTopic")))),
			jen.Var().Err().Error(),
			jen.If(jen.List(jen.Id("filter"), jen.Err()).Op("=").Id("p").Dot("filter").Call(), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Lit(""), jen.Err())),
		))
	} else {
		body = append(body, jen.If(jen.Id("o").Dot("params").Op("!=").Nil()).Block(
			jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(
				jen.Lit(fmt.Sprintf("channel %s has no parameters to restrict, got %%T: %%w", ch.Key)), jen.Id("o").Dot("params"), rt("ErrInvalidTopic"))),
		))
	}
	body = append(body,
		jen.If(jen.Id("o").Dot("group").Op("!=").Lit("")).Block(
			jen.Return(rt("SharedFilter").Call(jen.Id("o").Dot("group"), jen.Id("filter")))),
		jen.Return(jen.Id("filter"), jen.Nil()),
	)
	f.Add(godoc(fmt.Sprintf("filter%s is the subscription filter of %s for opts.", op.GoName, op.GoName)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("filter"+op.GoName).Params(jen.Id("opts").Index().Id("SubscribeOption")).Params(jen.String(), jen.Error()).Block(body...)
	f.Line()
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
		"Handlers get a context that carries ctx's values but not its cancellation, which only bounds the wait for the broker's acknowledgement. Options: WithShareGroup"+withParamsNote(ch)+". The subscription is resumed after reconnects by the runtime.",
	)
	f.Add(godoc(paras...))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("handler").Add(handlerType(op)), jen.Id("opts").Op("...").Id("SubscribeOption"),
	).Error().Block(
		jen.If(jen.Id("handler").Op("==").Nil()).Block(jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit(what+": nil handler: %w"), rt("ErrInvalidConfig")))),
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Id("c").Dot("filter"+op.GoName).Call(jen.Id("opts")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.Id("hctx").Op(":=").Qual("context", "WithoutCancel").Call(jen.Id("ctx")),
		jen.Err().Op("=").Id("c").Dot("mqtt").Dot("SubscribeContext").Call(jen.Id("ctx"), jen.Id("filter"), qos,
			jen.Func().Params(jen.Id("_").Qual(pahoPath, "Client"), jen.Id("m").Qual(pahoPath, "Message")).Block(
				jen.Id("c").Dot("receive"+op.GoName).Call(jen.Id("hctx"), jen.Id("m"), jen.Id("handler")),
			)),
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
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Id("c").Dot("filter"+op.GoName).Call(jen.Id("opts")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(wrapErr(what, jen.Err()))),
		jen.If(jen.Err().Op(":=").Id("c").Dot("mqtt").Dot("UnsubscribeContext").Call(jen.Id("ctx"), jen.Id("filter")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(wrapErr(what, jen.Err()))),
		jen.Return(jen.Nil()),
	)
	f.Line()
}

// emitReceive: the per-message path, kept free of work that can be done
// once (filters, schemas and formats are all fixed at generation time).
func emitReceive(f *jen.File, op *model.Operation) {
	ch := op.Channel
	p := payloadOf(op)
	what := phrase("Receive" + op.GoName)
	reject := func(err jen.Code) jen.Code {
		return jen.Block(jen.Id("c").Dot("reject").Call(jen.Id("topic"), err), jen.Return())
	}
	body := []jen.Code{
		jen.Id("topic").Op(":=").Id("m").Dot("Topic").Call(),
		jen.Id("data").Op(":=").Id("m").Dot("Payload").Call(),
		jen.If(jen.Id("c").Dot("maxPayload").Op(">").Lit(0).Op("&&").Len(jen.Id("data")).Op(">").Id("c").Dot("maxPayload")).Add(reject(
			jen.Qual("fmt", "Errorf").Call(jen.Lit(what+": %d bytes, limit %d: %w"), jen.Len(jen.Id("data")), jen.Id("c").Dot("maxPayload"), rt("ErrPayloadTooLarge")))),
	}
	fields := jen.Dict{
		jen.Id("Payload"):   jen.Id("payload"),
		jen.Id("Topic"):     jen.Id("topic"),
		jen.Id("QoS"):       jen.Id("m").Dot("Qos").Call(),
		jen.Id("Retained"):  jen.Id("m").Dot("Retained").Call(),
		jen.Id("Duplicate"): jen.Id("m").Dot("Duplicate").Call(),
	}
	if len(ch.Parameters) > 0 {
		body = append(body,
			jen.List(jen.Id("params"), jen.Err()).Op(":=").Id("Parse"+ch.GoName+"Topic").Call(jen.Id("topic")),
			jen.If(jen.Err().Op("!=").Nil()).Add(reject(wrapErr(what, jen.Err()))),
		)
		fields[jen.Id("Params")] = jen.Id("params")
	}
	body = append(body,
		jen.List(jen.Id("payload"), jen.Err()).Op(":=").Id(p.decodeFunc()).Call(jen.Id("data"), jen.Id("c").Dot("validate")),
		jen.If(jen.Err().Op("!=").Nil()).Add(reject(wrapErr(what, jen.Err()))),
		jen.If(jen.Err().Op(":=").Id("handler").Call(jen.Id("ctx"), jen.Id(messageStruct(op)).Values(fields)), jen.Err().Op("!=").Nil()).Block(
			jen.Id("c").Dot("handlerFailed").Call(jen.Id("topic"), jen.Err()),
		),
	)
	f.Add(godoc(fmt.Sprintf("receive%s checks and decodes one message of Subscribe%s and hands it to handler.", op.GoName, op.GoName)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("receive"+op.GoName).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("m").Qual(pahoPath, "Message"), jen.Id("handler").Add(handlerType(op)),
	).Block(body...)
	f.Line()
}
