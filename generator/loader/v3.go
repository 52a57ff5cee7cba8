package loader

import (
	"github.com/mqttgen/mqttgen/generator/model"
)

// v3channel ties a model channel to the node it was read from, so that
// operations' $refs can be matched to it.
type v3channel struct {
	ch       *model.Channel
	messages map[*node]*model.Message // by resolved message node
}

// buildV3 reads an AsyncAPI 3.0 document: channels (key -> address and
// messages) and operations (action send/receive on a channel $ref).
func (l *loader) buildV3(root *node) {
	l.info(root)
	l.servers(root)
	l.serverNames = map[*node]string{}
	for _, e := range l.entries(root, "servers") {
		if t := l.deref(e.val); t != nil {
			l.serverNames[t] = e.key
		}
	}
	byNode := map[*node]*v3channel{}
	for _, e := range l.entries(root, "channels") {
		o := l.asObject(e.val, "channel")
		if o == nil {
			continue
		}
		if prev, dup := byNode[o]; dup {
			// Two keys naming one channel object: operations could not
			// tell them apart.
			l.errorf(e.knode, nil, "channel %q is the same object as channel %q", e.key, prev.ch.Key)
			continue
		}
		vc := l.channelV3(e, o)
		byNode[o] = vc
		l.doc.Channels = append(l.doc.Channels, vc.ch)
	}
	for _, e := range l.entries(root, "operations") {
		if op := l.operationV3(e, byNode); op != nil {
			l.doc.Operations = append(l.doc.Operations, op)
		}
	}
	l.componentSchemas(root)
}

func (l *loader) channelV3(e entry, o *node) *v3channel {
	ch := &model.Channel{
		Loc:         o.loc(),
		Key:         e.key,
		Address:     l.str(o, "address"),
		Title:       l.str(o, "title"),
		Summary:     l.str(o, "summary"),
		Description: l.str(o, "description"),
		Extensions:  extensions(o),
	}
	for _, s := range l.list(o, "servers") {
		if t := l.deref(s); t != nil {
			if name, ok := l.serverNames[t]; ok {
				ch.Servers = append(ch.Servers, name)
			} else {
				l.errorf(s, nil, "channel servers must be $refs to entries of the document's servers")
			}
		}
	}
	vc := &v3channel{ch: ch, messages: map[*node]*model.Message{}}
	for _, m := range l.entries(o, "messages") {
		t := l.asObject(m.val, "message")
		if t == nil {
			continue
		}
		msg := l.message(m.val, m.key)
		if msg == nil {
			continue
		}
		vc.messages[t] = msg
		if !containsMessage(ch.Messages, msg) {
			ch.Messages = append(ch.Messages, msg)
		}
		l.use(msg)
	}
	var declared []declaredParam
	for _, p := range l.entries(o, "parameters") {
		if param := l.parameter(p.key, p.val); param != nil {
			declared = append(declared, declaredParam{param: param, key: p.knode})
		}
	}
	at := o.get("address")
	if at == nil {
		at = o
	}
	l.bindParameters(ch, at, at.ptr, declared)
	return vc
}

func (l *loader) operationV3(e entry, channels map[*node]*v3channel) *model.Operation {
	t := l.asObject(e.val, "operation")
	if t == nil {
		return nil
	}
	o := l.applyTraits(t)
	op := &model.Operation{
		Loc:         t.loc(),
		Key:         e.key,
		Title:       l.str(o, "title"),
		Summary:     l.str(o, "summary"),
		Description: l.str(o, "description"),
		Tags:        l.tagNames(o),
		Binding:     l.operationBinding(o),
		Extensions:  extensions(o),
	}
	// A missing action or channel is reported by the checker.
	switch action := o.get("action"); {
	case action == nil:
	case action.value == "send" && action.kind == scalarNode:
		op.Action = model.Send
	case action.value == "receive" && action.kind == scalarNode:
		op.Action = model.Receive
	default:
		l.errorf(action, nil, "action must be send or receive, not %q", action.value)
	}
	vc := l.opChannel(o, "channel", "operation", channels)
	if vc != nil {
		op.Channel = vc.ch
	}
	op.Messages = l.opMessages(o, vc)
	if len(op.Messages) == 0 && vc != nil && o.get("messages") == nil {
		op.Messages = append(op.Messages, vc.ch.Messages...)
	}
	if r := l.object(o, "reply"); r != nil {
		op.Reply = l.reply(r, channels)
	}
	return op
}

// opChannel resolves the channel $ref of an operation or reply to one of
// the document's channels.
func (l *loader) opChannel(o *node, key, what string, channels map[*node]*v3channel) *v3channel {
	ref := o.get(key)
	if ref == nil {
		return nil
	}
	t := l.asObject(ref, "channel")
	if t == nil {
		return nil
	}
	vc, ok := channels[t]
	if !ok {
		at := ref.ref()
		if at == nil {
			at = ref
		}
		l.errorf(at, nil, "%s channel must be a $ref to one of the document's channels (#/channels/...), %s is not one", what, describe(t))
		return nil
	}
	return vc
}

// opMessages resolves an operation's or reply's messages, each of which
// must be one of its channel's messages.
func (l *loader) opMessages(o *node, vc *v3channel) []*model.Message {
	var out []*model.Message
	for _, ref := range l.list(o, "messages") {
		t := l.asObject(ref, "message")
		if t == nil {
			continue
		}
		if vc == nil {
			continue // the missing channel is reported already
		}
		m, ok := vc.messages[t]
		if !ok {
			// The spec says an operation's messages are some of its
			// channel's; a document that lists another is still clear
			// about what the operation carries.
			at := ref.ref()
			if at == nil {
				at = ref
			}
			if m = l.message(t, ""); m == nil {
				continue
			}
			l.use(m)
			l.warnf(at, "message %s is not one of channel %q's messages; the operation carries it all the same", describe(t), vc.ch.Key)
		}
		out = append(out, m)
	}
	return out
}

func (l *loader) reply(r *node, channels map[*node]*v3channel) *model.Reply {
	rep := &model.Reply{Loc: r.loc()}
	if a := l.object(r, "address"); a != nil {
		rep.Address = l.str(a, "location")
	}
	vc := l.opChannel(r, "channel", "reply", channels)
	if vc != nil {
		rep.Channel = vc.ch
	}
	rep.Messages = l.opMessages(r, vc)
	if len(rep.Messages) == 0 && vc != nil && r.get("messages") == nil {
		rep.Messages = append(rep.Messages, vc.ch.Messages...)
	}
	if vc == nil && r.get("address") == nil {
		l.errorf(r, nil, "reply needs a channel or an address")
	}
	return rep
}
