package loader

import (
	"sort"

	"github.com/mqttgen/mqttgen/generator/model"
)

// message converts the Message Object at n (following $refs, applying
// traits). Each target node becomes one *model.Message, however many
// channels and operations refer to it. key names the message when it is
// not a components/messages entry.
func (l *loader) message(n *node, key string) *model.Message {
	t := l.asObject(n, "message")
	if t == nil {
		return nil
	}
	if m, ok := l.messages[t]; ok {
		return m
	}
	m := &model.Message{Loc: t.loc(), Key: key}
	l.messages[t] = m
	if tok, parent := lastToken(t.ptr); parent == "/components/messages" {
		m.Key = tok
	}
	o := l.applyTraits(t)
	m.Name = l.str(o, "name")
	m.Title = l.str(o, "title")
	m.Summary = l.str(o, "summary")
	m.Description = l.str(o, "description")
	m.ContentType = l.str(o, "contentType")
	if m.ContentType == "" {
		m.ContentType = l.doc.ContentType
	}
	m.SchemaFormat = l.str(o, "schemaFormat")
	m.Payload, m.SchemaFormat = l.multiFormat(o.get("payload"), m.SchemaFormat)
	m.Headers, _ = l.multiFormat(o.get("headers"), "")
	if c := l.object(o, "correlationId"); c != nil {
		m.CorrelationID = &model.CorrelationID{Loc: c.loc(), Description: l.str(c, "description"), Location: l.str(c, "location")}
	}
	m.Examples = l.examples(o)
	m.Binding = l.messageBinding(o)
	m.Deprecated = flag(l.boolean(o, "deprecated"))
	m.Extensions = extensions(o)
	return m
}

// multiFormat reads a payload or headers schema; in 3.0 it may be a Multi
// Format Schema Object {schemaFormat, schema}.
func (l *loader) multiFormat(n *node, format string) (*model.Schema, string) {
	if n == nil {
		return nil, format
	}
	if l.doc.Major == 3 {
		t := l.deref(n)
		if t == nil {
			return nil, format
		}
		if t.isMap() && t.get("schemaFormat") != nil && t.get("schema") != nil {
			n, format = t.get("schema"), l.str(t, "schemaFormat")
		}
	}
	if !jsonSchemaFormat(format) {
		// An Avro, RAML or Protobuf schema is not read (its $refs are not
		// JSON Schema references): the payload goes unchecked.
		return &model.Schema{Loc: n.loc()}, format
	}
	return l.schema(n), format
}

// examples reads message examples: {name, summary, headers, payload}.
func (l *loader) examples(o *node) []model.Example {
	var out []model.Example
	for _, item := range l.list(o, "examples") {
		e := l.asObject(item, "example")
		if e == nil {
			continue
		}
		out = append(out, model.Example{
			Name:    l.str(e, "name"),
			Summary: l.str(e, "summary"),
			Payload: value(e.get("payload")),
			Headers: value(e.get("headers")),
		})
	}
	return out
}

// use records m as used by the document, once, in first-use order.
func (l *loader) use(m *model.Message) {
	if m != nil && !l.seenMsg[m] {
		l.seenMsg[m] = true
		l.doc.Messages = append(l.doc.Messages, m)
	}
}

// componentSchemas lists components/schemas, sorted by key.
func (l *loader) componentSchemas(root *node) {
	comps := l.object(root, "components")
	if comps == nil {
		return
	}
	seen := map[*model.Schema]bool{}
	for _, e := range l.entries(comps, "schemas") {
		s := l.schema(e.val)
		if s == nil || seen[s] {
			continue
		}
		seen[s] = true
		if s.Key == "" {
			// a component that is a $ref to another file: still named
			s.Key = e.key
		}
		l.doc.Schemas = append(l.doc.Schemas, s)
	}
	sort.SliceStable(l.doc.Schemas, func(i, j int) bool { return l.doc.Schemas[i].Key < l.doc.Schemas[j].Key })
}
