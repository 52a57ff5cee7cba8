package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/model"
)

// Operations emits, per operation, its descriptor and its methods:
//
//	var opTemperature = &gen.Operation[TemperatureParams, TemperatureReading]{Name: ..., Topic: topicTemperature, QoS: 1, ...}
//	type TemperatureMessage = gen.Received[TemperatureParams, TemperatureReading]
//	func (c *Client) PublishTemperature(ctx, params, msg, opts...) error { return gen.Publish(ctx, c.c, opTemperature, params, msg, opts) }
//	func (c *Client) SubscribeTemperature(ctx, filter, handler, opts...) (mqttrt.Subscription, error)
func Operations(f *jen.File, p *ir.Package) {
	for _, o := range p.Operations {
		params := gen("NoParams")
		if o.Channel.ParamsType != "" {
			params = jen.Id(o.Channel.ParamsType)
		}
		payload := typeOf(o.Payload)
		qos := -1
		if o.QoS != nil {
			qos = *o.QoS
		}
		desc := jen.Dict{
			jen.Id("Name"):  jen.Lit(o.Model.Key),
			jen.Id("Topic"): jen.Id(o.Channel.TopicVar),
			jen.Id("QoS"):   jen.Lit(qos),
			jen.Id("Codec"): codecValue(o.Codec),
		}
		if o.Retain {
			desc[jen.Id("Retain")] = jen.True()
		}
		if o.Channel.ParseFunc != "" && o.Subscribe {
			desc[jen.Id("Parse")] = jen.Id(o.Channel.ParseFunc)
		}
		(&Doc{}).Paraf("%s describes operation %s to the runtime.", o.DescriptorVar, quote(o.Model.Key)).To(f)
		f.Var().Id(o.DescriptorVar).Op("=").Op("&").Add(gen("Operation")).Types(params.Clone(), payload.Clone()).Values(desc)
		if o.Publish {
			publish(f, o, params, payload)
		}
		if o.Subscribe {
			subscribe(f, o, params, payload)
		}
	}
}

// codecValue is the codec of an operation's payload.
func codecValue(c *ir.Codec) jen.Code {
	if c.Kind == ir.CodecBytes {
		return gen("Bytes").Call()
	}
	return jen.Id(c.Var)
}

func publish(f *jen.File, o *ir.Operation, params, payload *jen.Statement) {
	args := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	call := []jen.Code{jen.Id("ctx"), jen.Id("c").Dot("c"), jen.Id(o.DescriptorVar)}
	if o.Channel.ParamsType != "" {
		args = append(args, jen.Id("params").Id(o.Channel.ParamsType))
		call = append(call, jen.Id("params"))
	} else {
		call = append(call, gen("NoParams").Values())
	}
	args = append(args, jen.Id("msg").Add(payload.Clone()), jen.Id("opts").Op("...").Id("PublishOption"))
	call = append(call, jen.Id("msg"), jen.Id("opts"))
	d := (&Doc{}).Paraf("%s publishes %s to channel %s (%s) %s.", o.PublishMethod, messagesOf(o), quote(o.Channel.Model.Key), oneLine(o.Channel.Model.Address), delivery(o))
	opDoc(d, o.Model)
	d.To(f)
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(o.PublishMethod).Params(args...).Error().Block(
		jen.Return(gen("Publish").Call(call...)))
}

func subscribe(f *jen.File, o *ir.Operation, params, payload *jen.Statement) {
	(&Doc{}).Paraf("%s is what %s's handler receives.", o.MessageAlias, o.SubscribeMethod).To(f)
	f.Type().Id(o.MessageAlias).Op("=").Add(gen("Received")).Types(params.Clone(), payload.Clone())

	args := []jen.Code{jen.Id("ctx").Qual("context", "Context")}
	call := []jen.Code{jen.Id("ctx"), jen.Id("c").Dot("c"), jen.Id(o.DescriptorVar)}
	filterDoc := ""
	if o.Channel.ParamsType != "" {
		args = append(args, jen.Id("filter").Id(o.Channel.ParamsType))
		call = append(call, jen.Id("filter"))
		filterDoc = " that filter selects"
	} else {
		call = append(call, gen("NoParams").Values())
	}
	args = append(args,
		jen.Id("handler").Func().Params(jen.Qual("context", "Context"), jen.Id(o.MessageAlias)).Error(),
		jen.Id("opts").Op("...").Id("SubscribeOption"))
	call = append(call, jen.Id("handler"), jen.Id("opts"))
	d := (&Doc{}).Paraf("%s subscribes to channel %s (%s) %s: handler gets %s%s (see Client).",
		o.SubscribeMethod, quote(o.Channel.Model.Key), oneLine(o.Channel.Model.Address), delivery(o), messagesOf(o), filterDoc)
	opDoc(d, o.Model)
	d.To(f)
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(o.SubscribeMethod).Params(args...).Params(rt("Subscription"), jen.Error()).Block(
		jen.Return(gen("Subscribe").Call(call...)))
}

// opDoc adds an operation's own text.
func opDoc(d *Doc, op *model.Operation) {
	d.Text(op.Title).Text(op.Summary).Text(op.Description)
}

// messagesOf names an operation's messages for docs.
func messagesOf(o *ir.Operation) string {
	var names []string
	for _, m := range o.Messages {
		name := m.GoName
		if ct := m.Model.ContentType; ct != "" && !strings.Contains(ct, "json") {
			name += " (" + oneLine(ct) + ")"
		}
		names = append(names, name)
	}
	switch len(names) {
	case 0:
		return "raw bytes"
	case 1:
		return "message " + names[0]
	}
	return "one of the messages " + strings.Join(names, ", ")
}

// delivery says the QoS and retain flag of an operation.
func delivery(o *ir.Operation) string {
	qos := "the runtime's default QoS"
	if o.QoS != nil {
		qos = fmt.Sprintf("QoS %d", *o.QoS)
	}
	if o.Retain {
		return "with " + qos + ", retained"
	}
	return "with " + qos
}
