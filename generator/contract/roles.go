package contract

import (
	"slices"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/model"
)

// sends reports whether role publishes op: the app publishes its send
// operations, the client its receive operations (the app's view,
// swapped), both every operation. This is generator.split's rule.
func sends(role generator.Role, op *model.Operation) bool {
	switch role {
	case generator.RoleClient:
		return op.Action == model.Receive
	case generator.RoleBoth:
		return true
	}
	return op.Action == model.Send
}

// receives reports whether role subscribes to op: what it does not
// send, or everything for RoleBoth.
func receives(role generator.Role, op *model.Operation) bool {
	return role == generator.RoleBoth || !sends(role, op)
}

// channelMessages lists every message the document lets travel on ch: the
// channel's own and those of every operation on it, in document order.
// A watcher cannot tell who published a message, so a message on a
// channel is checked against all of them.
func channelMessages(doc *model.Document, ch *model.Channel) []*model.Message {
	out := slices.Clone(ch.Messages)
	for _, op := range doc.Operations {
		if op.Channel != ch {
			continue
		}
		for _, m := range op.Messages {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
