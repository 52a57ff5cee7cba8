package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"
)

// Client emits the package doc, the Client type, NewClient and the options
// shared by every operation:
//
//	type Client struct{ mqtt mqttrt.PubSub; onError func(string, error); validate bool; maxPayload int; subs subscriptions }
//	func NewClient(m mqttrt.PubSub, opts ...ClientOption) *Client
//	func WithErrorHandler(h func(topic string, err error)) ClientOption
//	func WithoutValidation() ClientOption
//	func WithMaxPayloadSize(n int) ClientOption
//	type PublishOption; func WithQoS(byte) PublishOption; func WithRetain(bool) PublishOption
//	type SubscribeOption; func WithShareGroup(string) SubscribeOption; func WithSubscribeQoS(byte) SubscribeOption
func Client(f *jen.File, s *Spec) error {
	d := s.Doc
	f.PackageComment(packageDoc(s))

	f.Comment("This is a compile-time assertion that the runtime is recent enough for this")
	f.Comment("generated code; if it fails to build, regenerate or upgrade github.com/mqttgen/mqttgen.")
	f.Const().Id("_").Op("=").Add(rt("SupportPackageIsVersion1"))
	f.Line()

	clientDoc := []string{
		fmt.Sprintf("Client is the typed API of %s over an MQTT connection: one method per operation, with topics built from typed parameters and payloads encoded, decoded and checked against the document's schemas.", docLabel(d)),
		"A Client is safe for concurrent use. Handlers run on the runtime's dispatch goroutines.",
		"Every Publish method checks the payload against the document's schema before it is sent, unless the Client was made WithoutValidation: an invalid message is never published, and the error wraps mqttrt.ErrValidation, naming the field and the rule. A topic parameter that is empty or holds /, +, #, NUL or invalid UTF-8 would change which topic is used, so it is refused with an error wrapping mqttrt.ErrInvalidTopic. A Publish method waits for the acknowledgement its QoS implies, bounded by its context.",
	}
	if len(s.Skipped) > 0 {
		clientDoc = append(clientDoc, "Operations of the document without a method:\n\n  - "+strings.Join(s.Skipped, "\n  - "))
	}
	f.Add(godoc(clientDoc...))
	fields := []jen.Code{
		jen.Id("mqtt").Add(rt("PubSub")),
		jen.Id("onError").Func().Params(jen.Id("topic").String(), jen.Err().Error()),
		jen.Id("validate").Bool(),
		jen.Id("maxPayload").Int(),
	}
	if len(s.Subscribe) > 0 {
		fields = append(fields, jen.Comment("subs are the subscriptions of the Subscribe methods (see subscriptions)."), jen.Id("subs").Id("subscriptions"))
	}
	f.Type().Id("Client").Struct(fields...)
	f.Line()

	f.Add(godoc("ClientOption configures a Client made by NewClient."))
	f.Type().Id("ClientOption").Func().Params(jen.Op("*").Id("Client"))
	f.Line()

	f.Add(godoc(
		"WithErrorHandler sets the function that receives every received message that did not reach its handler, or that its handler refused: a payload too large (mqttrt.ErrPayloadTooLarge), not decodable (mqttrt.ErrDecode), not valid against its schema (mqttrt.ErrValidation), a topic that does not fit the channel (mqttrt.ErrInvalidTopic), or the handler's own error.",
		"It runs on the goroutine that delivered the message. Without one, handler errors are logged with log/slog; refused messages are always counted and logged by the runtime (RecordRejected).",
	))
	f.Func().Id("WithErrorHandler").Params(jen.Id("h").Func().Params(jen.Id("topic").String(), jen.Err().Error())).Id("ClientOption").Block(
		jen.Return(jen.Func().Params(jen.Id("c").Op("*").Id("Client")).Block(jen.Id("c").Dot("onError").Op("=").Id("h"))),
	)
	f.Line()

	f.Add(godoc("WithoutValidation turns off the JSON Schema checks of sent and received payloads. Decoding still refuses payloads that do not fit their Go type, and messages of a channel with several messages are still recognised by their schemas."))
	f.Func().Id("WithoutValidation").Params().Id("ClientOption").Block(
		jen.Return(jen.Func().Params(jen.Id("c").Op("*").Id("Client")).Block(jen.Id("c").Dot("validate").Op("=").False())),
	)
	f.Line()

	f.Add(godoc("WithMaxPayloadSize refuses received payloads larger than n bytes before decoding them (0: no limit). By default the limit is the runtime client's MaxPayloadSize, when the PubSub given to NewClient has one."))
	f.Func().Id("WithMaxPayloadSize").Params(jen.Id("n").Int()).Id("ClientOption").Block(
		jen.Return(jen.Func().Params(jen.Id("c").Op("*").Id("Client")).Block(jen.Id("c").Dot("maxPayload").Op("=").Id("n"))),
	)
	f.Line()

	f.Add(godoc(
		"NewClient returns the typed API over m, usually a connected *mqttrt.Client.",
		"Payloads are validated against the document's schemas unless WithoutValidation is given.",
	))
	f.Func().Id("NewClient").Params(jen.Id("m").Add(rt("PubSub")), jen.Id("opts").Op("...").Id("ClientOption")).Op("*").Id("Client").Block(
		jen.Id("c").Op(":=").Op("&").Id("Client").Values(jen.Dict{jen.Id("mqtt"): jen.Id("m"), jen.Id("validate"): jen.True()}),
		jen.If(jen.List(jen.Id("limited"), jen.Id("ok")).Op(":=").Id("m").Assert(jen.Interface(jen.Id("MaxPayloadSize").Params().Int())), jen.Id("ok")).Block(
			jen.Id("c").Dot("maxPayload").Op("=").Id("limited").Dot("MaxPayloadSize").Call(),
		),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("opt").Call(jen.Id("c"))),
		jen.Return(jen.Id("c")),
	)
	f.Line()

	f.Add(godoc("reject counts a received message refused before its handler and passes it to the error handler."))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("reject").Params(jen.Id("topic").String(), jen.Err().Error()).Block(
		jen.Id("c").Dot("mqtt").Dot("RecordRejected").Call(jen.Id("topic"), jen.Err()),
		jen.If(jen.Id("c").Dot("onError").Op("!=").Nil()).Block(jen.Id("c").Dot("onError").Call(jen.Id("topic"), jen.Err())),
	)
	f.Line()

	f.Add(godoc("handlerFailed reports a handler's error to the error handler, or logs it when there is none."))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id("handlerFailed").Params(jen.Id("topic").String(), jen.Err().Error()).Block(
		jen.If(jen.Id("c").Dot("onError").Op("!=").Nil()).Block(
			jen.Id("c").Dot("onError").Call(jen.Id("topic"), jen.Err()),
			jen.Return(),
		),
		jen.Qual("log/slog", "Warn").Call(jen.Lit("mqtt handler failed"), jen.Lit("topic"), jen.Id("topic"), jen.Lit("error"), jen.Err()),
	)
	f.Line()

	if len(s.Publish) > 0 {
		emitPublishOptions(f)
	}
	if len(s.Subscribe) > 0 {
		emitSubscribeOptions(f)
	}
	return nil
}

// packageDoc is the generated package's doc comment.
func packageDoc(s *Spec) string {
	d := s.Doc
	var b strings.Builder
	fmt.Fprintf(&b, "Package %s is the typed MQTT API of %s, generated by mqttgen from %s.", s.Package, docLabel(d), s.Source)
	if desc := strings.TrimSpace(d.Description); desc != "" {
		b.WriteString("\n\n" + desc)
	}
	b.WriteString("\n\nUse NewClient over a connected runtime client (github.com/mqttgen/mqttgen/runtime).")
	lines := strings.Split(b.String(), "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			lines[i] = "//"
		} else {
			lines[i] = "// " + l
		}
	}
	return strings.Join(lines, "\n")
}

func emitPublishOptions(f *jen.File) {
	f.Add(godoc("PublishOption overrides, for one call, how a message is delivered. The defaults come from the operation's MQTT binding."))
	f.Type().Id("PublishOption").Func().Params(jen.Id("publishOptions")).Id("publishOptions")
	f.Line()
	f.Add(godoc("publishOptions is passed by value so that a publish without options allocates nothing for them."))
	f.Type().Id("publishOptions").Struct(jen.Id("qos").Byte(), jen.Id("retain").Bool())
	f.Line()
	f.Add(godoc("WithQoS publishes with quality of service qos (0, 1 or 2) instead of the document's."))
	f.Func().Id("WithQoS").Params(jen.Id("qos").Byte()).Id("PublishOption").Block(
		jen.Return(jen.Func().Params(jen.Id("o").Id("publishOptions")).Id("publishOptions").Block(
			jen.Id("o").Dot("qos").Op("=").Id("qos"), jen.Return(jen.Id("o")))),
	)
	f.Line()
	f.Add(godoc("WithRetain sets whether the broker keeps the message as the topic's retained message, instead of the document's choice."))
	f.Func().Id("WithRetain").Params(jen.Id("retain").Bool()).Id("PublishOption").Block(
		jen.Return(jen.Func().Params(jen.Id("o").Id("publishOptions")).Id("publishOptions").Block(
			jen.Id("o").Dot("retain").Op("=").Id("retain"), jen.Return(jen.Id("o")))),
	)
	f.Line()
}

func emitSubscribeOptions(f *jen.File) {
	f.Add(godoc("SubscribeOption narrows, shares or sets the QoS of a subscription; give the same options to the matching Unsubscribe method."))
	f.Type().Id("SubscribeOption").Func().Params(jen.Op("*").Id("subscribeOptions"))
	f.Line()
	f.Type().Id("subscribeOptions").Struct(
		jen.Id("group").String(),
		jen.Comment("params is a <Channel>Params restricting the filter, or nil."),
		jen.Id("params").Any(),
		jen.Comment("qos replaces the operation's QoS when hasQoS is set."),
		jen.Id("qos").Byte(),
		jen.Id("hasQoS").Bool(),
	)
	f.Line()
	f.Add(godoc("WithSubscribeQoS subscribes with quality of service qos (0, 1 or 2) instead of the document's, for example to receive a QoS 1 channel at QoS 2. The broker delivers each message at the lower of this and the QoS it was published with. Another value makes Subscribe fail with an error wrapping mqttrt.ErrInvalidQoS; Unsubscribe ignores it."))
	f.Func().Id("WithSubscribeQoS").Params(jen.Id("qos").Byte()).Id("SubscribeOption").Block(
		jen.Return(jen.Func().Params(jen.Id("o").Op("*").Id("subscribeOptions")).Block(
			jen.Id("o").Dot("qos").Op("=").Id("qos"),
			jen.Id("o").Dot("hasQoS").Op("=").True(),
		)),
	)
	f.Line()
	// Emitted once so that each Subscribe method spends one call on it.
	f.Add(godoc("subscribeQoS is the QoS a subscription made with opts asks for: WithSubscribeQoS's if given, else def (the operation's)."))
	f.Func().Id("subscribeQoS").Params(jen.Id("def").Byte(), jen.Id("opts").Index().Id("SubscribeOption")).Params(jen.Byte(), jen.Error()).Block(
		jen.Var().Id("o").Id("subscribeOptions"),
		jen.For(jen.List(jen.Id("_"), jen.Id("opt")).Op(":=").Range().Id("opts")).Block(jen.Id("opt").Call(jen.Op("&").Id("o"))),
		jen.If(jen.Op("!").Id("o").Dot("hasQoS")).Block(jen.Return(jen.Id("def"), jen.Nil())),
		jen.If(jen.Id("o").Dot("qos").Op(">").Lit(2)).Block(jen.Return(jen.Lit(0), jen.Qual("fmt", "Errorf").Call(
			jen.Lit("qos %d: %w"), jen.Id("o").Dot("qos"), rt("ErrInvalidQoS")))),
		jen.Return(jen.Id("o").Dot("qos"), jen.Nil()),
	)
	f.Line()
	f.Add(godoc("WithShareGroup makes the subscription shared ($share/<group>/<filter>): the broker hands each message to one subscriber of the group, so several instances of a service split the load. group must not be empty nor contain /, + or #."))
	f.Func().Id("WithShareGroup").Params(jen.Id("group").String()).Id("SubscribeOption").Block(
		jen.Return(jen.Func().Params(jen.Id("o").Op("*").Id("subscribeOptions")).Block(jen.Id("o").Dot("group").Op("=").Id("group"))),
	)
	f.Line()
}
