package ir

import (
	"fmt"
	"go/token"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// goNameExt is the extension that names a Go declaration explicitly.
const goNameExt = "x-go-name"

// verbs are the leading words an operation name drops ("onLightMeasured"
// -> "LightMeasured"): the method already says Publish or Subscribe.
var verbs = []string{"send", "publish", "receive", "subscribe", "on", "handle"}

// explicitName returns the candidate of an x-go-name extension, if set.
func explicitName(ext map[string]any) (candidate, bool) {
	v, ok := ext[goNameExt].(string)
	if !ok {
		return candidate{}, false
	}
	name := v
	if !naming.IsIdentifier(name) || !token.IsExported(name) {
		// "sensor reading" and "fooBar" are written SensorReading and
		// FooBar: every generated declaration is exported.
		name = naming.Pascal(v)
	}
	return candidate{base: name, source: "x-go-name " + strconv.Quote(v), explicit: true}, true
}

func derived(base, source string) candidate {
	return candidate{base: naming.Pascal(base), source: source}
}

// channelCandidates is the naming chain of a channel: x-go-name; the 3.0
// key, or the 2.x address without its {parameters}, then with them; the
// name of its first operation; "Channel".
func (b *builder) channelCandidates(c *Channel) []candidate {
	ch := c.Model
	if x, ok := explicitName(ch.Extensions); ok {
		return []candidate{x}
	}
	var out []candidate
	if b.doc.Major == 3 {
		out = append(out, derived(ch.Key, "the channel key "+strconv.Quote(ch.Key)))
	} else {
		out = append(out,
			derived(dropParams(ch.Address), "the address "+strconv.Quote(ch.Address)),
			derived(ch.Address, "the address "+strconv.Quote(ch.Address)+" with its parameters"))
	}
	for _, o := range b.ops {
		if o.Channel == c {
			src := opSource(b.doc, o.Model)
			out = append(out, derived(dropVerb(src), fmt.Sprintf("operation %q", o.Model.Key)))
			break
		}
	}
	return append(out, candidate{base: "Channel", source: "the word Channel"})
}

// nameChannels names every channel, x-go-names first, and the Go names of
// their parameters.
func (b *builder) nameChannels() {
	for _, c := range b.pkg.Channels {
		b.nameParams(c)
	}
	for _, explicit := range []bool{true, false} {
		for _, c := range b.pkg.Channels {
			cands := b.channelCandidates(c)
			if cands[0].explicit != explicit {
				continue
			}
			o := owner{what: fmt.Sprintf("channel %q", c.Model.Key), loc: c.Model.Loc}
			c.GoName = b.ns.claim(o, cands, func(base string) []string { return channelIdents(c, base) })
			c.AddressConst = c.GoName + "Address"
			c.TopicVar = "topic" + c.GoName
			if len(c.Params) > 0 {
				c.ParamsType = c.GoName + "Params"
				c.ParseFunc = "Parse" + c.GoName + "Topic"
				for _, p := range c.Params {
					if p.Enum != nil {
						p.Enum.Name = c.GoName + p.Field
					}
				}
			}
		}
	}
}

// channelIdents are the package-level identifiers channel c declares
// under base.
func channelIdents(c *Channel, base string) []string {
	ids := []string{base + "Address", "topic" + base}
	if len(c.Params) > 0 {
		ids = append(ids, base+"Params", "Parse"+base+"Topic")
		for _, p := range c.Params {
			if p.Enum != nil {
				ids = append(ids, base+p.Field)
			}
		}
	}
	return ids
}

// nameParams makes the channel's parameters, in address order, with their
// field names, unique within the Params type, which also has the methods
// Topic and Filter.
func (b *builder) nameParams(c *Channel) {
	t := b.topics[c.Model]
	declared := map[string]*model.Parameter{}
	for _, p := range c.Model.Parameters {
		declared[p.Name] = p
	}
	fields := newNamespace(&b.diags)
	fields.reserve("the Params type's methods", "Topic", "Filter")
	for i, name := range t.Params() {
		mp := declared[name]
		if mp == nil {
			// The loader reports an undeclared parameter; it is a string.
			mp = &model.Parameter{Loc: c.Model.Loc, Name: name}
		}
		p := &Param{Model: mp}
		o := owner{what: fmt.Sprintf("parameter %q of channel %q", name, c.Model.Key), loc: mp.Loc}
		p.Field = fields.claim(o, []candidate{derived(name, "the parameter name"), {base: "Param" + strconv.Itoa(i+1), source: "its position"}},
			func(base string) []string { return []string{base} })
		if len(mp.Enum) > 0 {
			p.Enum = &EnumType{}
		}
		c.Params = append(c.Params, p)
	}
}

// opSource is the name an operation is known by: its 3.0 key, its 2.x
// operationId, or (2.x without one) "".
func opSource(doc *model.Document, op *model.Operation) string {
	if doc.Major == 3 {
		return op.Key
	}
	return op.OperationID
}

// operationCandidates is the naming chain of an operation: x-go-name; its
// 3.0 key or 2.x operationId without a leading verb, then with it; the
// channel's Go name; the channel's Go name with the action.
func (b *builder) operationCandidates(o *Operation) []candidate {
	op := o.Model
	if x, ok := explicitName(op.Extensions); ok {
		return []candidate{x}
	}
	var out []candidate
	if src := opSource(b.doc, op); src != "" {
		what := "the operation key " + strconv.Quote(src)
		if b.doc.Major == 2 {
			what = "the operationId " + strconv.Quote(src)
		}
		out = append(out, derived(dropVerb(src), what))
		if dropVerb(src) != src {
			out = append(out, derived(src, what+" with its verb"))
		}
	}
	ch := o.Channel.GoName
	return append(out,
		candidate{base: ch, source: fmt.Sprintf("channel %q", o.Channel.Model.Key)},
		candidate{base: ch + naming.Pascal(op.Action.String()), source: fmt.Sprintf("channel %q and the action", o.Channel.Model.Key)})
}

// nameOperations names every operation, x-go-names first.
func (b *builder) nameOperations() {
	for _, explicit := range []bool{true, false} {
		for _, o := range b.ops {
			cands := b.operationCandidates(o)
			if cands[0].explicit != explicit {
				continue
			}
			own := owner{what: fmt.Sprintf("operation %q", o.Model.Key), loc: o.Model.Loc}
			o.GoName = b.ns.claim(own, cands, func(base string) []string { return opIdents(o, base) })
			if o.Publish {
				o.PublishMethod = "Publish" + o.GoName
			}
			if o.Subscribe {
				o.SubscribeMethod = "Subscribe" + o.GoName
				o.MessageAlias = o.GoName + "Message"
			}
		}
	}
	// Descriptors are unexported: they take what their operation's name
	// leaves, in document order.
	for _, o := range b.ops {
		o.DescriptorVar = b.ns.private(fmt.Sprintf("the descriptor of operation %q", o.Model.Key), o.Model.Loc, "op"+o.GoName)
	}
}

// opIdents are the exported identifiers operation o declares under base:
// its methods (Client.<Method>), its message alias, and the type of its
// several messages.
func opIdents(o *Operation, base string) []string {
	var ids []string
	if o.Publish {
		ids = append(ids, "Client.Publish"+base)
	}
	if o.Subscribe {
		ids = append(ids, "Client.Subscribe"+base, base+"Message")
	}
	if len(o.Model.Messages) > 1 {
		ids = append(ids, base+"Payload")
	}
	return ids
}

// messageCandidates is the naming chain of a message, used for its payload
// type and codec: x-go-name; its components/messages key; name; title; its
// 3.0 key in the channel; <Op>Payload (numbered when the operation has
// several unnamed messages).
func (b *builder) messageCandidates(m *model.Message, o *Operation, index int) []candidate {
	var out []candidate
	if x, ok := explicitName(m.Extensions); ok {
		return []candidate{x}
	}
	if isComponent(m) {
		out = append(out, derived(m.Key, "the components/messages key "+strconv.Quote(m.Key)))
	}
	if m.Name != "" {
		out = append(out, derived(m.Name, "the message name "+strconv.Quote(m.Name)))
	}
	if m.Title != "" {
		out = append(out, derived(m.Title, "the message title "+strconv.Quote(m.Title)))
	}
	if b.doc.Major == 3 && m.Key != "" && !isComponent(m) {
		out = append(out, derived(m.Key, "the message key "+strconv.Quote(m.Key)))
	}
	base := o.GoName + "Payload"
	if len(o.Model.Messages) > 1 {
		base += strconv.Itoa(index + 1)
	}
	return append(out, candidate{base: base, source: fmt.Sprintf("operation %q", o.Model.Key)})
}

// isComponent reports whether m is components/messages/<Key>.
func isComponent(m *model.Message) bool {
	return m.Key != "" && m.Pointer == "/components/messages/"+escapePointer(m.Key)
}

// dropParams removes the {name} parts of an address.
func dropParams(addr string) string {
	var b strings.Builder
	depth := 0
	for _, r := range addr {
		switch {
		case r == '{':
			depth++
		case r == '}' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dropVerb removes one leading verb when a capital letter follows it:
// "onLightMeasured" -> "LightMeasured"; "publish" stays "publish".
func dropVerb(s string) string {
	for _, v := range verbs {
		if len(s) > len(v) && strings.EqualFold(s[:len(v)], v) {
			if next := s[len(v)]; next >= 'A' && next <= 'Z' {
				return s[len(v):]
			}
		}
	}
	return s
}
