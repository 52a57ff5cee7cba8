package generator

import (
	"fmt"
	"go/token"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
	"github.com/mqttgen/mqttgen/templates"
)

// goNameExt is the extension that overrides a derived Go name.
const goNameExt = "x-go-name"

// verbs are the leading words an operation name drops ("onLightMeasured"
// -> "LightMeasured"): the generated method already says Publish or
// Subscribe.
var verbs = []string{"send", "publish", "receive", "subscribe", "on", "handle"}

// AssignNames fills GoName on channels, parameters, operations and
// messages. Two elements that would get the same Go name, or a name that
// cannot become an exported Go identifier, are reported (with both
// positions for a collision) as loader.Diagnostics: names are never
// silently changed to make them unique. Schema and property names are
// not its business.
func AssignNames(doc *model.Document) error {
	n := namer{}
	n.channels(doc)
	n.operations(doc)
	n.messages(doc)
	if len(n.diags) == 0 {
		return nil
	}
	n.diags.Sort()
	return n.diags
}

type namer struct {
	diags loader.Diagnostics
}

// owner is a named element, for collision messages.
type owner struct {
	what string // "channel \"a/b\""
	loc  model.Loc
}

// claim records name for o in taken, reporting a collision or an unusable
// name. It returns name when usable.
func (n *namer) claim(taken map[string]owner, name, source string, o owner) string {
	if name == "" || !naming.IsIdentifier(name) || !token.IsExported(name) {
		n.diags = append(n.diags, loader.At(o.loc, "%s: cannot make an exported Go identifier from %q; set %s", o.what, source, goNameExt))
		return ""
	}
	if first, dup := taken[name]; dup {
		n.diags = append(n.diags, loader.At(o.loc, "%s gets the Go name %s, as does %s at %s; set %s on one of them",
			o.what, name, first.what, posString(first.loc.Pos), goNameExt))
		return name
	}
	taken[name] = o
	return name
}

func posString(p model.Pos) string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// override returns Pascal(x-go-name) and the raw value when the extension
// is set.
func override(ext map[string]any) (name, raw string, ok bool) {
	v, ok := ext[goNameExt].(string)
	if !ok {
		return "", "", false
	}
	return naming.Pascal(v), v, true
}

// channels: x-go-name, else the 3.0 key, else the 2.x address without its
// {parameter} parts. Parameters: Pascal(name), unique within the channel.
func (n *namer) channels(doc *model.Document) {
	taken := map[string]owner{}
	for _, ch := range doc.Channels {
		name, src, ok := override(ch.Extensions)
		if !ok {
			src = ch.Key
			if doc.Major == 2 {
				src = dropParams(ch.Address)
			}
			name = naming.Pascal(src)
			if name == "" {
				src = ch.Key // say what the user wrote, not what is left of it
			}
		}
		ch.GoName = n.claim(taken, name, src, owner{fmt.Sprintf("channel %q", ch.Key), ch.Loc})
		params := map[string]owner{}
		for _, p := range ch.Parameters {
			p.GoName = n.claim(params, naming.Pascal(p.Name), p.Name,
				owner{fmt.Sprintf("parameter %q of channel %q", p.Name, ch.Key), p.Loc})
		}
	}
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

// operations: x-go-name, else the operationId (2.x) or key (3.0) without
// a leading verb, else (2.x without operationId) the channel's Go name.
// Names must be unique among the operations of one action: a send and a
// receive operation may share a name because their methods differ
// (Publish<Op> and Subscribe<Op>), which is how 2.x channels with both a
// publish and a subscribe operation and no operationId are named.
func (n *namer) operations(doc *model.Document) {
	taken := map[model.Action]map[string]owner{model.Send: {}, model.Receive: {}}
	for _, op := range doc.Operations {
		name, src, ok := override(op.Extensions)
		switch {
		case ok:
		case doc.Major == 3 || op.OperationID != "":
			src = op.Key
			if doc.Major == 2 {
				src = op.OperationID
			}
			name = naming.Pascal(dropVerb(src))
		case op.Channel != nil && op.Channel.GoName != "":
			src, name = op.Channel.GoName, op.Channel.GoName
		default:
			src = op.Key
			name = naming.Pascal(dropParams(op.Key))
		}
		if taken[op.Action] == nil {
			taken[op.Action] = map[string]owner{}
		}
		op.GoName = n.claim(taken[op.Action], name, src, owner{fmt.Sprintf("operation %q", op.Key), op.Loc})
	}
}

// dropVerb removes one leading verb when a capital letter follows it:
// "onLightMeasured" -> "LightMeasured", "publish" stays "publish".
func dropVerb(s string) string {
	for _, v := range verbs {
		if len(s) > len(v) && strings.EqualFold(s[:len(v)], v) {
			next := s[len(v)]
			if next >= 'A' && next <= 'Z' {
				return s[len(v):]
			}
		}
	}
	return s
}

// messages: x-go-name, else the components/messages key, else name, else
// title, else (3.0) the key in the channel's messages map, else the Go
// name of the first operation (or channel) using it + "Payload", numbered
// when that operation has several such messages. ("Message" is not used:
// <Op>Message is the generated envelope type of a receive operation.)
func (n *namer) messages(doc *model.Document) {
	src := map[*model.Message]string{}
	for _, m := range doc.Messages {
		switch {
		case m.Extensions[goNameExt] != nil:
		case isComponent(m):
			src[m] = m.Key
		case m.Name != "":
			src[m] = m.Name
		case m.Title != "":
			src[m] = m.Title
		case doc.Major == 3 && m.Key != "":
			src[m] = m.Key
		}
	}
	deriveMessageNames(doc, src)
	taken := map[string]owner{}
	// A message's codec is encode<Name>, and so is the codec of the type
	// that holds an operation's several messages, so no message may take
	// that type's name.
	for _, op := range doc.Operations {
		if sum := templates.SumTypeName(op); sum != "" {
			if _, dup := taken[sum]; !dup {
				taken[sum] = owner{fmt.Sprintf("the type of operation %q's several messages", op.Key), op.Loc}
			}
		}
	}
	for _, m := range doc.Messages {
		name, from, ok := override(m.Extensions)
		if !ok {
			from = src[m]
			name = naming.Pascal(from)
		}
		what := "message"
		if m.Key != "" {
			what = fmt.Sprintf("message %q", m.Key)
		}
		m.GoName = n.claim(taken, name, from, owner{what, m.Loc})
	}
}

// isComponent reports whether m is components/messages/<Key>.
func isComponent(m *model.Message) bool {
	if m.Key == "" {
		return false
	}
	key := strings.ReplaceAll(strings.ReplaceAll(m.Key, "~", "~0"), "/", "~1")
	return m.Pointer == "/components/messages/"+key
}

// deriveMessageNames names the messages that have no name source yet
// after the first operation, else the first channel, that carries them.
func deriveMessageNames(doc *model.Document, src map[*model.Message]string) {
	assign := func(base string, ms []*model.Message) {
		var unnamed []*model.Message
		for _, m := range ms {
			if _, done := src[m]; !done && m.Extensions[goNameExt] == nil {
				unnamed = append(unnamed, m)
			}
		}
		for i, m := range unnamed {
			name := base + "Payload"
			if len(unnamed) > 1 {
				name += strconv.Itoa(i + 1)
			}
			src[m] = name
		}
	}
	for _, op := range doc.Operations {
		if op.GoName != "" {
			assign(op.GoName, op.Messages)
		}
	}
	for _, ch := range doc.Channels {
		if ch.GoName != "" {
			assign(ch.GoName, ch.Messages)
		}
	}
}
