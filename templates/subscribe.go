package templates

import (
	"fmt"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// Subscribe emits, per operation the client receives:
//
//	type ReadingMessage = Received[ReadingParams, Reading]
//	func (c *Client) SubscribeReading(ctx context.Context, handler func(context.Context, ReadingMessage) error, opts ...SubscribeOption) error
//	func (c *Client) UnsubscribeReading(ctx context.Context, opts ...SubscribeOption) error
//
// Each method is one call of a generic helper emitted once per package
// (emitSubscribeHelpers), so a document with a thousand operations does
// not carry a thousand copies of the same body. The subscription's
// callback refuses oversized payloads before decoding, parses the topic
// back into params, decodes and validates, and only then calls the
// handler; every refusal goes to RecordRejected and the error handler.
// The QoS is the operation binding's (else the runtime's default) unless
// WithSubscribeQoS overrides it.
func Subscribe(f *jen.File, s *Spec) error {
	if len(s.Subscribe) == 0 {
		return nil
	}
	emitSubscribeHelpers(f, messageStruct(s.Subscribe[0]))
	for _, op := range s.Subscribe {
		emitMessageAlias(f, op)
		emitSubscribe(f, op)
		emitUnsubscribe(f, op)
	}
	return nil
}

// ReceivedType is the generic message type the <Operation>Message aliases
// name; the generator reserves the name.
const ReceivedType = "Received"

func messageStruct(op *model.Operation) string { return op.GoName + "Message" }

func handlerType(op *model.Operation) *jen.Statement {
	return jen.Func().Params(ctxType(), jen.Id(messageStruct(op))).Error()
}

// paramsOrNone is a channel's <Channel>Params type, or struct{} for a
// channel without parameters.
func paramsOrNone(ch *model.Channel) *jen.Statement {
	if len(ch.Parameters) == 0 {
		return jen.Struct()
	}
	return jen.Id(paramsType(ch))
}

func emitMessageAlias(f *jen.File, op *model.Operation) {
	p := payloadOf(op)
	f.Add(godoc(fmt.Sprintf("%s is a message of Subscribe%s; its Payload is %s.", messageStruct(op), op.GoName, p.describe())))
	f.Type().Id(messageStruct(op)).Op("=").Id(ReceivedType).Types(paramsOrNone(op.Channel), p.goType())
	f.Line()
}

// filterValue is the topicFilter of op's channel: what subscribe and
// unsubscribe need to name the same filter for the same options.
//
//	topicFilter[ReadingParams]{"sensors/+/reading", "reading", "WithReadingParams"}
func filterValue(op *model.Operation) *jen.Statement {
	ch := op.Channel
	t, _ := parseAddress(ch) // Topics already reported any error
	with := ""
	if len(ch.Parameters) > 0 {
		with = "With" + paramsType(ch)
	}
	return jen.Id("topicFilter").Types(paramsOrNone(ch)).Values(jen.Lit(t.filter()), jen.Lit(ch.Key), jen.Lit(with))
}

func emitSubscribe(f *jen.File, op *model.Operation) {
	ch := op.Channel
	t, _ := parseAddress(ch)
	name := "Subscribe" + op.GoName
	qos, qosText := deliveryQoS(op)
	paras := []string{fmt.Sprintf("%s subscribes to %s (filter %s) with %s and calls handler with each message that fits the channel and its schema (see %s).",
		name, topicText(ch), t.filter(), qosText, ReceivedType)}
	paras = append(paras, docParas(op.Title, op.Summary, op.Description)...)
	paras = append(paras, "Options: WithShareGroup, WithSubscribeQoS"+withParamsNote(ch)+".")
	parse := jen.Nil()
	if len(ch.Parameters) > 0 {
		parse = jen.Id("Parse" + ch.GoName + "Topic")
	}
	f.Add(godoc(paras...))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("handler").Add(handlerType(op)), jen.Id("opts").Op("...").Id("SubscribeOption"),
	).Error().Block(
		jen.Return(jen.Id("subscribe").Call(jen.Id("ctx"), jen.Id("c"), jen.Lit(phrase(op.GoName)), filterValue(op), qos,
			parse, jen.Id(payloadOf(op).decodeFunc()), jen.Id("handler"), jen.Id("opts"))),
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
	f.Add(godoc(fmt.Sprintf("%s ends a subscription made by Subscribe%s with the same options.", name, op.GoName)))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(name).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("opts").Op("...").Id("SubscribeOption"),
	).Error().Block(
		jen.Return(jen.Id("unsubscribe").Call(jen.Id("ctx"), jen.Id("c"), jen.Lit(phrase(op.GoName)), filterValue(op), jen.Id("opts"))),
	)
	f.Line()
}

// emitSubscribeHelpers emits, once per package, the message type and the
// helpers every Subscribe and Unsubscribe method calls:
//
//	type Received[P, T any] struct{ Payload T; Params P; Topic string; QoS byte; Retained, Duplicate bool }
//	type topicFilter[P any] struct{ all, channel, with string }
//	func (t topicFilter[P]) of(opts []SubscribeOption) (string, error)
//	func subscribe[P, T any](ctx, c, op, filter, qos, parse, decode, handler, opts) error
//	func unsubscribe[P any](ctx, c, op, filter, opts) error
//	type subscriptions struct{ ... }; func (s *subscriptions) swap(key subscriptionKey, sub mqttrt.Subscription) mqttrt.Subscription
//	func receive[P, T any](c, m, what, parse, decode) (Received[P, T], bool)
func emitSubscribeHelpers(f *jen.File, example string) {
	emitReceivedType(f, example)
	emitTopicFilter(f)
	parseType := jen.Func().Params(jen.String()).Params(jen.Id("P"), jen.Error())
	decodeType := jen.Func().Params(jen.Index().Byte(), jen.Bool()).Params(jen.Id("T"), jen.Error())
	received := jen.Id(ReceivedType).Types(jen.Id("P"), jen.Id("T"))
	failed := func() jen.Code {
		return jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(errorf("subscribe %s: %w", jen.Id("op"), jen.Err())))
	}

	f.Add(godoc("subscribe is the body of every Subscribe method: op names the operation in errors, parse is nil for a channel without parameters."))
	f.Func().Id("subscribe").Types(jen.List(jen.Id("P"), jen.Id("T")).Any()).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("c").Op("*").Id("Client"), jen.Id("op").String(), jen.Id("tf").Id("topicFilter").Types(jen.Id("P")),
		jen.Id("qos").Byte(), jen.Id("parse").Add(parseType.Clone()), jen.Id("decode").Add(decodeType.Clone()),
		jen.Id("handler").Func().Params(ctxType(), received.Clone()).Error(), jen.Id("opts").Index().Id("SubscribeOption"),
	).Error().Block(
		jen.If(jen.Id("handler").Op("==").Nil()).Block(jen.Return(errorf("subscribe %s: nil handler: %w", jen.Id("op"), rt("ErrInvalidConfig")))),
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Id("tf").Dot("of").Call(jen.Id("opts")),
		failed(),
		jen.If(jen.List(jen.Id("qos"), jen.Err()).Op("=").Id("subscribeQoS").Call(jen.Id("qos"), jen.Id("opts")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(errorf("subscribe %s: %w", jen.Id("op"), jen.Err()))),
		jen.Comment("Handlers outlive the call: they keep ctx's values, not its cancellation."),
		jen.Id("hctx").Op(":=").Qual("context", "WithoutCancel").Call(jen.Id("ctx")),
		jen.Id("what").Op(":=").Lit("receive ").Op("+").Id("op"),
		jen.List(jen.Id("sub"), jen.Err()).Op(":=").Id("c").Dot("mqtt").Dot("SubscribeContext").Call(jen.Id("ctx"), jen.Id("filter"), jen.Id("qos"),
			jen.Func().Params(jen.Id("_").Qual(pahoPath, "Client"), jen.Id("m").Qual(pahoPath, "Message")).Block(
				jen.List(jen.Id("msg"), jen.Id("ok")).Op(":=").Id("receive").Call(jen.Id("c"), jen.Id("m"), jen.Id("what"), jen.Id("parse"), jen.Id("decode")),
				jen.If(jen.Op("!").Id("ok")).Block(jen.Return()),
				jen.If(jen.Err().Op(":=").Id("handler").Call(jen.Id("hctx"), jen.Id("msg")), jen.Err().Op("!=").Nil()).Block(
					jen.Id("c").Dot("handlerFailed").Call(jen.Id("msg").Dot("Topic"), jen.Err())),
			)),
		failed(),
		jen.Comment("Subscribing again with the same options replaces the handler."),
		jen.If(jen.Id("old").Op(":=").Id("c").Dot("subs").Dot("swap").Call(jen.Id("subscriptionKey").Values(jen.Id("op"), jen.Id("filter")), jen.Id("sub")), jen.Id("old").Op("!=").Nil()).Block(
			jen.If(jen.Err().Op(":=").Id("old").Dot("Unsubscribe").Call(jen.Id("ctx")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(errorf("subscribe %s: subscribed, but ending the earlier subscription failed: %w", jen.Id("op"), jen.Err()))),
		),
		jen.Return(jen.Nil()),
	)
	f.Line()

	f.Add(godoc("unsubscribe is the body of every Unsubscribe method: it ends the subscription subscribe made for op with the same filter, leaving other operations' handlers of the filter alone (nil when there is none)."))
	f.Func().Id("unsubscribe").Types(jen.Id("P").Any()).Params(
		jen.Id("ctx").Add(ctxType()), jen.Id("c").Op("*").Id("Client"), jen.Id("op").String(), jen.Id("tf").Id("topicFilter").Types(jen.Id("P")),
		jen.Id("opts").Index().Id("SubscribeOption"),
	).Error().Block(
		jen.List(jen.Id("filter"), jen.Err()).Op(":=").Id("tf").Dot("of").Call(jen.Id("opts")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(errorf("unsubscribe %s: %w", jen.Id("op"), jen.Err()))),
		jen.Id("sub").Op(":=").Id("c").Dot("subs").Dot("swap").Call(jen.Id("subscriptionKey").Values(jen.Id("op"), jen.Id("filter")), jen.Nil()),
		jen.If(jen.Id("sub").Op("==").Nil()).Block(jen.Return(jen.Nil())),
		jen.If(jen.Err().Op(":=").Id("sub").Dot("Unsubscribe").Call(jen.Id("ctx")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(errorf("unsubscribe %s: %w", jen.Id("op"), jen.Err()))),
		jen.Return(jen.Nil()),
	)
	f.Line()

	emitSubscriptions(f)

	reject := func(err jen.Code) jen.Code {
		return jen.Block(
			jen.Id("c").Dot("reject").Call(jen.Id("msg").Dot("Topic"), err),
			jen.Return(jen.Id("msg"), jen.False()),
		)
	}
	f.Add(godoc("receive checks and decodes message m: a payload over the client's limit, a topic parse does not accept (parse is nil for a channel without parameters), or a payload decode refuses is rejected (counted and passed to the error handler, its error prefixed with what) and ok is false."))
	f.Func().Id("receive").Types(jen.List(jen.Id("P"), jen.Id("T")).Any()).Params(
		jen.Id("c").Op("*").Id("Client"), jen.Id("m").Qual(pahoPath, "Message"), jen.Id("what").String(),
		jen.Id("parse").Add(parseType.Clone()), jen.Id("decode").Add(decodeType.Clone()),
	).Params(jen.Id("msg").Add(received.Clone()), jen.Id("ok").Bool()).Block(
		jen.Id("msg").Dot("Topic").Op("=").Id("m").Dot("Topic").Call(),
		jen.Id("data").Op(":=").Id("m").Dot("Payload").Call(),
		jen.If(jen.Id("c").Dot("maxPayload").Op(">").Lit(0).Op("&&").Len(jen.Id("data")).Op(">").Id("c").Dot("maxPayload")).Add(reject(
			errorf("%s: %d bytes, limit %d: %w", jen.Id("what"), jen.Len(jen.Id("data")), jen.Id("c").Dot("maxPayload"), rt("ErrPayloadTooLarge")))),
		jen.Var().Err().Error(),
		jen.If(jen.Id("parse").Op("!=").Nil()).Block(
			jen.If(jen.List(jen.Id("msg").Dot("Params"), jen.Err()).Op("=").Id("parse").Call(jen.Id("msg").Dot("Topic")), jen.Err().Op("!=").Nil()).Add(reject(
				errorf("%s: %w", jen.Id("what"), jen.Err()))),
		),
		jen.If(jen.List(jen.Id("msg").Dot("Payload"), jen.Err()).Op("=").Id("decode").Call(jen.Id("data"), jen.Id("c").Dot("validate")), jen.Err().Op("!=").Nil()).Add(reject(
			errorf("%s: %w", jen.Id("what"), jen.Err()))),
		jen.List(jen.Id("msg").Dot("QoS"), jen.Id("msg").Dot("Retained"), jen.Id("msg").Dot("Duplicate")).Op("=").List(
			jen.Id("m").Dot("Qos").Call(), jen.Id("m").Dot("Retained").Call(), jen.Id("m").Dot("Duplicate").Call()),
		jen.Return(jen.Id("msg"), jen.True()),
	)
	f.Line()
}

// emitSubscriptions emits the Client's record of the runtime Subscriptions
// its Subscribe methods made, by operation and filter: two operations of
// one channel each end only their own handler.
func emitSubscriptions(f *jen.File) {
	sub := rt("Subscription")
	f.Add(godoc("subscriptions holds the runtime Subscription each Subscribe method made, by operation and filter, so that an Unsubscribe method ends its own operation's handler only: several operations may receive from one channel."))
	f.Type().Id("subscriptions").Struct(
		jen.Id("mu").Qual("sync", "Mutex"),
		jen.Id("m").Map(jen.Id("subscriptionKey")).Add(sub.Clone()),
	)
	f.Line()
	f.Add(godoc("subscriptionKey names a subscription: its operation, as op names it in errors, and its filter."))
	f.Type().Id("subscriptionKey").Struct(jen.List(jen.Id("op"), jen.Id("filter")).String())
	f.Line()
	f.Add(godoc("swap records sub under key (nil removes the record) and returns the one recorded before, or nil."))
	f.Func().Params(jen.Id("s").Op("*").Id("subscriptions")).Id("swap").Params(jen.Id("key").Id("subscriptionKey"), jen.Id("sub").Add(sub.Clone())).Add(sub.Clone()).Block(
		jen.Id("s").Dot("mu").Dot("Lock").Call(),
		jen.Defer().Id("s").Dot("mu").Dot("Unlock").Call(),
		jen.Id("old").Op(":=").Id("s").Dot("m").Index(jen.Id("key")),
		jen.If(jen.Id("sub").Op("==").Nil()).Block(
			jen.Delete(jen.Id("s").Dot("m"), jen.Id("key")),
			jen.Return(jen.Id("old")),
		),
		jen.If(jen.Id("s").Dot("m").Op("==").Nil()).Block(
			jen.Id("s").Dot("m").Op("=").Map(jen.Id("subscriptionKey")).Add(sub.Clone()).Values(),
		),
		jen.Id("s").Dot("m").Index(jen.Id("key")).Op("=").Id("sub"),
		jen.Return(jen.Id("old")),
	)
	f.Line()
}

// emitReceivedType emits the one message type of every Subscribe handler,
// documenting once what holds for all of them; example is one operation's
// alias of it.
func emitReceivedType(f *jen.File, example string) {
	f.Add(godoc(
		ReceivedType+" is a message a Subscribe method hands to its handler: the decoded payload of type T and the parameters P of its channel, parsed from its topic (struct{} for a channel without parameters). Each operation names its instance, such as "+example+".",
		"A payload larger than the client's limit, one that cannot be decoded or does not match its schema, or a topic that does not fit the channel never reaches a handler: it is counted by the runtime and passed to the Client's error handler, as is an error a handler returns.",
		"Handlers get a context that carries the Subscribe call's values but not its cancellation, which only bounds the wait for the broker's acknowledgement. Subscriptions are resumed after reconnects by the runtime.",
	))
	f.Type().Id(ReceivedType).Types(jen.List(jen.Id("P"), jen.Id("T")).Any()).Struct(
		jen.Comment("Payload is the decoded payload."),
		jen.Id("Payload").Id("T"),
		jen.Comment("Params are the channel parameters parsed from Topic."),
		jen.Id("Params").Id("P"),
		jen.Comment("Topic is the topic the message was published to."),
		jen.Id("Topic").String(),
		jen.Comment("QoS is the quality of service it was delivered with."),
		jen.Id("QoS").Byte(),
		jen.Comment("Retained is set for a retained message sent on subscribing."),
		jen.Id("Retained").Bool(),
		jen.Comment("Duplicate is set when the broker may have delivered it before."),
		jen.Id("Duplicate").Bool(),
	)
	f.Line()
}

// emitTopicFilter emits the type that names a channel's subscription
// filter, and the method that applies the options to it.
func emitTopicFilter(f *jen.File) {
	params := jen.Id("o").Dot("params")
	f.Add(godoc("channelParams is implemented by the <Channel>Params types: the filter method builds a subscription filter from the parameters set."))
	f.Type().Id("channelParams").Interface(jen.Id("filter").Params().Params(jen.String(), jen.Error()))
	f.Line()
	f.Add(godoc("topicFilter names the subscription filter of a channel whose parameters are of type P: all is the filter with every parameter a wildcard, with the option (WithXParams) that narrows it, empty for a channel without parameters."))
	f.Type().Id("topicFilter").Types(jen.Id("P").Any()).Struct(jen.List(jen.Id("all"), jen.Id("channel"), jen.Id("with")).String())
	f.Line()
	f.Add(godoc("of is the filter for opts: all, or the one the channel's WithXParams option set, shared if WithShareGroup asks."))
	f.Func().Params(jen.Id("t").Id("topicFilter").Types(jen.Id("P"))).Id("of").Params(jen.Id("opts").Index().Id("SubscribeOption")).Params(jen.String(), jen.Error()).Block(
		jen.Var().Id("o").Id("subscribeOptions"),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("opt").Call(jen.Op("&").Id("o"))),
		jen.Id("filter").Op(":=").Id("t").Dot("all"),
		jen.If(params.Clone().Op("!=").Nil()).Block(
			jen.List(jen.Id("p"), jen.Id("ok")).Op(":=").Add(params.Clone()).Assert(jen.Id("P")),
			jen.List(jen.Id("cp"), jen.Id("narrows")).Op(":=").Any().Call(jen.Id("p")).Assert(jen.Id("channelParams")),
			jen.If(jen.Id("t").Dot("with").Op("==").Lit("")).Block(
				jen.Return(jen.Lit(""), errorf("channel %s has no parameters to restrict, got %T: %w", jen.Id("t").Dot("channel"), params.Clone(), rt("ErrInvalidTopic")))),
			jen.If(jen.Op("!").Id("ok").Op("||").Op("!").Id("narrows")).Block(
				jen.Return(jen.Lit(""), errorf("%T does not restrict channel %s, use %s: %w", params.Clone(), jen.Id("t").Dot("channel"), jen.Id("t").Dot("with"), rt("ErrInvalidTopic")))),
			jen.Var().Err().Error(),
			jen.If(jen.List(jen.Id("filter"), jen.Err()).Op("=").Id("cp").Dot("filter").Call(), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Lit(""), jen.Err())),
		),
		jen.If(jen.Id("o").Dot("group").Op("!=").Lit("")).Block(
			jen.Return(rt("SharedFilter").Call(jen.Id("o").Dot("group"), jen.Id("filter")))),
		jen.Return(jen.Id("filter"), jen.Nil()),
	)
	f.Line()
}
