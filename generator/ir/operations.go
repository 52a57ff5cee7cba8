package ir

import (
	"fmt"
	"mime"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// anySchema stands for "no schema": payloads validated by nothing.
var anySchema = func() *model.Schema { t := true; return &model.Schema{Bool: &t} }()

var bytesRef = &TypeRef{Kind: RefSlice, Elem: builtin("byte")}

// buildOperations resolves each operation's QoS, retain, messages, payload
// type and codec.
func (b *builder) buildOperations() {
	for _, o := range b.ops {
		op := o.Model
		if op.Binding != nil {
			o.QoS = op.Binding.QoS
			o.Retain = op.Binding.Retain != nil && *op.Binding.Retain
		}
		for i, m := range op.Messages {
			o.Messages = append(o.Messages, b.message(m, o, i))
		}
		switch len(o.Messages) {
		case 0:
			b.warn(op.Loc, "operation %q has no message: its payload is raw bytes ([]byte), unchecked", op.Key)
			o.Payload, o.Codec = bytesRef, b.codec(CodecBytes, nil, bytesRef, nil)
		case 1:
			o.Payload, o.Codec = o.Messages[0].Payload, o.Messages[0].Codec
		default:
			b.messagesType(o)
		}
	}
	b.warnHeaders()
	for _, t := range b.typeList {
		if t.JSONMethods && t.Codec == nil {
			b.codec(CodecJSON, t.Schema, namedRef(t), nil)
		}
	}
}

// message resolves m's Go name, payload type and codec, once.
func (b *builder) message(m *model.Message, o *Operation, index int) *Message {
	if msg, ok := b.messages[m]; ok {
		return msg
	}
	msg := &Message{Model: m}
	b.messages[m] = msg
	cands := b.messageCandidates(m, o, index)
	for _, c := range cands {
		if c.base != "" {
			msg.GoName = c.base
			break
		}
	}
	what := fmt.Sprintf("the payload of message %s", msg.GoName)
	if m.Headers != nil {
		if len(b.headers[m.Headers]) == 0 {
			b.headerOrder = append(b.headerOrder, m.Headers)
		}
		b.headers[m.Headers] = append(b.headers[m.Headers], msg.GoName)
	}
	switch kind, checked := PayloadKind(m); {
	case kind == CodecJSON && !checked && !isJSONSchema(m):
		b.warn(m.Loc, "message %s: payload schema format %q is not JSON Schema: the payload is not checked", msg.GoName, m.SchemaFormat)
		msg.Payload, msg.Codec = rawRef, b.codec(CodecJSON, nil, rawRef, cands)
	case kind == CodecJSON && m.Payload == nil:
		msg.Payload, msg.Codec = rawRef, b.codec(CodecJSON, nil, rawRef, cands)
	case kind == CodecJSON:
		msg.Payload = b.refOf(m.Payload, schemaCandidates(m.Payload, cands...), what)
		msg.Codec = b.codec(CodecJSON, m.Payload, msg.Payload, cands)
	case kind == CodecText:
		s := m.Payload
		core, _ := unwrap(s)
		switch {
		case s == nil:
			msg.Payload = builtin("string")
		case !checked:
			b.warn(s.Loc, "message %s: a %s payload is text, but its schema does not describe a string: the payload is a string, not checked", msg.GoName, mediaType(m.ContentType))
			s, msg.Payload = nil, builtin("string")
		case kindOf(core) == kindEnum:
			msg.Payload = b.baseRef(core, schemaCandidates(core, cands...), what)
		default:
			msg.Payload = builtin("string")
		}
		msg.Codec = b.codec(CodecText, s, msg.Payload, cands)
	default:
		if !isJSONSchema(m) {
			b.warn(m.Loc, "message %s: payload schema format %q is not JSON Schema: the payload is raw bytes, not checked", msg.GoName, m.SchemaFormat)
		} else if m.Payload != nil {
			b.warn(m.Payload.Loc, "message %s: a %s payload is raw bytes ([]byte): its schema is not checked", msg.GoName, mediaType(m.ContentType))
		}
		msg.Payload, msg.Codec = bytesRef, b.codec(CodecBytes, nil, bytesRef, nil)
	}
	return msg
}

// warnHeaders says, once per headers schema, which messages' headers are
// not generated.
func (b *builder) warnHeaders() {
	for _, h := range b.headerOrder {
		b.warn(h.Loc, "headers are not generated (MQTT 3.1.1 messages have none): the headers of message %s", strings.Join(b.headers[h], ", "))
	}
}

// messagesType makes <Op>Payload, which holds one of the operation's
// several messages, and its codec.
func (b *builder) messagesType(o *Operation) {
	t := &Type{Name: o.GoName + "Payload", Kind: TypeMessages, Owner: fmt.Sprintf("the messages of operation %q", o.Model.Key), JSONMethods: true}
	b.typeList = append(b.typeList, t)
	fields := newNamespace(&b.diags)
	fields.reserve("the JSON methods", "MarshalJSON", "UnmarshalJSON")
	var variants []*Codec
	for i, m := range o.Messages {
		f := &Field{Role: FieldVariant, Message: m, Type: pointerTo(m.Payload), Schema: m.Model.Payload}
		own := owner{what: fmt.Sprintf("message %s of operation %q", m.GoName, o.Model.Key), loc: m.Model.Loc}
		f.Name = fields.claim(own, []candidate{{base: m.GoName, source: "the message's name"}, {base: "Message" + strconv.Itoa(i+1), source: "its position"}},
			func(base string) []string { return []string{base} })
		t.Fields = append(t.Fields, f)
		variants = append(variants, m.Codec)
		if _, nullable := unwrap(m.Model.Payload); nullable && f.Type == m.Payload {
			b.warn(m.Model.Payload.Loc, "message %s of operation %q may be null, which an operation with several messages cannot carry "+
				"(its field would be nil, as if no message were set): a null payload is received as a later message that holds it, or refused, and cannot be published",
				m.GoName, o.Model.Key)
		}
	}
	o.Payload = namedRef(t)
	o.Codec = b.codec(CodecMessages, nil, o.Payload, nil)
	o.Codec.Variants = variants
	t.Codec = o.Codec
}

// codec returns the codec of schema s (nil: anything) for values of type
// ref, making it the first time. Its variable is codec<Type> for a named
// type, else codec<Message> from the message's naming chain.
func (b *builder) codec(kind CodecKind, s *model.Schema, ref *TypeRef, cands []candidate) *Codec {
	if kind == CodecBytes {
		return &Codec{Kind: CodecBytes, Type: bytesRef}
	}
	if s == nil {
		s = anySchema
	}
	key := codecKey{s, kind}
	if kind != CodecMessages {
		if c, ok := b.codecs[key]; ok {
			return c
		}
	}
	c := &Codec{Kind: kind, Type: ref}
	if ref.Kind == RefNamed {
		cands = append([]candidate{{base: ref.Name, source: "type " + ref.Name}}, cands...)
	}
	if len(cands) == 0 {
		cands = []candidate{{base: "Payload", source: "the word Payload"}}
	}
	base := ""
	for _, c := range cands {
		if c.base != "" {
			base = c.base
			break
		}
	}
	c.Var = b.ns.private("the codec of "+ref.String(), s.Loc, "codec"+base)
	if kind != CodecMessages {
		b.codecs[key] = c
		def := strings.TrimPrefix(c.Var, "codec")
		if s != anySchema {
			def = lowerFirst(def)
		} else {
			def = "any"
		}
		if t, ok := b.types[s]; ok {
			def = t.Name
		}
		c.Definition = b.bundle.define(s, def)
	}
	if ref.Kind == RefNamed && ref.Type.Codec == nil && kind == CodecJSON {
		ref.Type.Codec = c
	}
	b.codecList = append(b.codecList, c)
	return c
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// PayloadKind is how the payloads of m go on the wire, as generated code
// treats them: JSON (application/json, +json, the default), text (text/*,
// a string) or raw bytes (any other content type). checked says whether
// its schema validates them: a JSON Schema payload schema of JSON, or of
// text when it describes a string.
func PayloadKind(m *model.Message) (kind CodecKind, checked bool) {
	ct := mediaType(m.ContentType)
	switch {
	case isJSON(ct):
		return CodecJSON, isJSONSchema(m) && m.Payload != nil
	case strings.HasPrefix(ct, "text/"):
		if m.Payload == nil || !isJSONSchema(m) {
			return CodecText, false
		}
		core, _ := unwrap(m.Payload)
		k := kindOf(core)
		return CodecText, k == kindString || k == kindEnum && primaryType(core) == "string"
	}
	return CodecBytes, false
}

// mediaType is a content type without parameters, lower case; "" means
// the document's default, else JSON.
func mediaType(ct string) string {
	if ct == "" {
		return "application/json"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

// isJSON reports whether a media type is JSON: application/json, */*+json,
// text/json.
func isJSON(mt string) bool {
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// isJSONSchema reports whether a message's payload schema is JSON Schema
// (AsyncAPI's schema object), not Avro, RAML or Protobuf.
func isJSONSchema(m *model.Message) bool {
	f := strings.ToLower(m.SchemaFormat)
	return f == "" || strings.HasPrefix(f, "application/vnd.aai.asyncapi") || strings.HasPrefix(f, "application/schema+json") ||
		strings.HasPrefix(f, "application/schema+yaml")
}
