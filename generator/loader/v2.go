package loader

import (
	"strconv"

	"github.com/mqttgen/mqttgen/generator/model"
)

// info reads the fields both versions share at the top level.
func (l *loader) info(root *node) {
	d := l.doc
	d.AsyncAPI = root.get("asyncapi").value
	d.ID = l.str(root, "id")
	d.ContentType = l.str(root, "defaultContentType")
	// A missing info, title or version is reported by the checker.
	if info := l.object(root, "info"); info != nil {
		d.Title = l.str(info, "title")
		d.Version = l.str(info, "version")
		d.Description = l.str(info, "description")
	}
}

// buildV2 reads an AsyncAPI 2.x document: channels map an address to a
// channel item whose subscribe operation is what the application SENDS and
// whose publish operation is what it RECEIVES.
func (l *loader) buildV2(root *node) {
	l.info(root)
	l.servers(root)
	opIDs := map[string]*node{}
	for _, e := range l.entries(root, "channels") {
		item := l.asObject(e.val, "channel")
		if item == nil {
			continue
		}
		ch := &model.Channel{
			Loc:         item.loc(),
			Key:         e.key,
			Address:     e.key,
			Description: l.str(item, "description"),
			Servers:     l.strings(item, "servers"),
			Extensions:  extensions(item),
		}
		var declared []declaredParam
		for _, p := range l.entries(item, "parameters") {
			if param := l.parameter(p.key, p.val); param != nil {
				declared = append(declared, declaredParam{param: param, key: p.knode})
			}
		}
		l.bindParameters(ch, e.knode, e.val.ptr, declared)
		l.doc.Channels = append(l.doc.Channels, ch)

		// subscribe before publish: the order AsyncAPI's own tools list them.
		for _, verb := range []string{"subscribe", "publish"} {
			v := item.get(verb)
			if v == nil {
				continue
			}
			op := l.operationV2(ch, verb, v)
			if op == nil {
				continue
			}
			if op.OperationID != "" {
				idNode := l.deref(v).get("operationId")
				if idNode == nil {
					idNode = l.deref(v) // operationId came from a trait
				}
				if first, dup := opIDs[op.OperationID]; dup {
					l.errorf(idNode, nil, "operationId %q is already used at %s", op.OperationID, posString(first.pos()))
				} else {
					opIDs[op.OperationID] = idNode
				}
			}
			l.doc.Operations = append(l.doc.Operations, op)
		}
	}
	l.componentSchemas(root)
}

func (l *loader) operationV2(ch *model.Channel, verb string, v *node) *model.Operation {
	t := l.asObject(v, verb)
	if t == nil {
		return nil
	}
	o := l.applyTraits(t)
	op := &model.Operation{
		Loc:         t.loc(),
		OperationID: l.str(o, "operationId"),
		Action:      model.Receive,
		Channel:     ch,
		Title:       l.str(o, "title"),
		Summary:     l.str(o, "summary"),
		Description: l.str(o, "description"),
		Tags:        l.tagNames(o),
		Binding:     l.operationBinding(o),
		Extensions:  extensions(o),
	}
	if verb == "subscribe" {
		op.Action = model.Send
	}
	op.Key = op.OperationID
	if op.Key == "" {
		op.Key = verb + " " + ch.Address
	}
	msg := o.get("message")
	if msg == nil {
		return op
	}
	mt := l.asObject(msg, "message")
	if mt == nil {
		return op
	}
	if one := mt.get("oneOf"); one != nil {
		if one.kind != seqNode {
			l.errorf(one, nil, "oneOf must be a list of messages")
			return op
		}
		for i, item := range one.list {
			l.addMessage(op, l.message(item, op.Key+"Message"+strconv.Itoa(i+1)))
		}
		return op
	}
	l.addMessage(op, l.message(mt, op.Key+"Message"))
	return op
}

// addMessage records m on the operation, its channel and the document.
func (l *loader) addMessage(op *model.Operation, m *model.Message) {
	if m == nil {
		return
	}
	op.Messages = append(op.Messages, m)
	if ch := op.Channel; ch != nil && !containsMessage(ch.Messages, m) {
		ch.Messages = append(ch.Messages, m)
	}
	l.use(m)
}

func containsMessage(ms []*model.Message, m *model.Message) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}
