package loader

import (
	"fmt"
	"slices"
	"strings"
)

// checker walks a document the way the specification structures it,
// object kind by object kind (objects.go), before the model is built. It
// holds the document to the spec where the spec is strict: unknown fields
// (with a "did you mean"), missing required fields, duplicate tag names,
// and examples that break their schema (examples.go). It walks everything,
// components nobody uses included: a typo there is still a typo.
type checker struct {
	l       *loader
	v       version
	seen    map[visit]bool
	schemas map[*node]bool
	jobs    []exampleJob
}

// visit is one object checked as one kind; an object reached again through
// another $ref is not checked twice.
type visit struct {
	n *node
	k objKind
}

// check runs the checker over the document root.
func (l *loader) check(root *node) {
	c := &checker{l: l, v: parseVersion(root.get("asyncapi").value), seen: map[visit]bool{}, schemas: map[*node]bool{}}
	c.visit(root, kDocument, "document")
	c.validateExamples()
}

// parseVersion turns a supported asyncapi value ("2.6.0") into a version.
func parseVersion(s string) version {
	return version(int(s[0]-'0')*10 + int(s[2]-'0'))
}

func (v version) String() string { return fmt.Sprintf("%d.%d.0", v/10, v%10) }

// visit checks v as an object of kind k; what names it in "must be an
// object" (the field it is under, or the kind of a list or map entry).
func (c *checker) visit(v *node, k objKind, what string) {
	if v.isNull() {
		return
	}
	switch k {
	case kNone:
		return
	case kSchema:
		c.schema(v, 0)
		return
	case kAnySchema:
		c.anySchema(v)
		return
	case kIntOrSchema, kStringOrSchema:
		if t := c.l.deref(v); t.isMap() {
			c.schema(t, 0)
		}
		return
	}
	t := c.l.deref(v)
	if t == nil || t.isNull() {
		return
	}
	if t.kind != mapNode {
		if k == kParameter {
			return // left out with a warning when channels are read
		}
		c.l.errorf(t, nil, "%s must be an object", what)
		return
	}
	switch k {
	case kSecurityScheme:
		if k = c.securityKind(t); k == kNone {
			return
		}
	case kMessageOrOneOf:
		if t.get("oneOf") != nil {
			c.oneOf(t)
			return
		}
		k = kMessage
	}
	if c.seen[visit{t, k}] {
		return
	}
	c.seen[visit{t, k}] = true
	c.fields(t, k)
	switch k {
	case kMessage:
		c.message(t)
	case kMessageExample:
		if c.v >= 21 && t.get("payload") == nil && t.get("headers") == nil {
			c.l.errorf(t, nil, "message example has neither payload nor headers: it needs at least one")
		}
	}
}

// fields checks the keys of object t of kind k and visits their values.
func (c *checker) fields(t *node, k objKind) {
	table := objects[k]
	for i, key := range t.keys {
		if strings.HasPrefix(key.value, "x-") {
			continue
		}
		fd, ok := lookupField(table, key.value, c.v)
		if !ok {
			c.unknown(key, k, table)
			continue
		}
		val := t.vals[i]
		c.child(val, fd)
		if fd.child == kTag && fd.shape == listOf {
			c.uniqueTags(val)
		}
	}
	for _, fd := range table {
		if fd.required && fd.in.has(c.v) && t.get(fd.name) == nil {
			c.l.errorf(t, nil, "%s is missing the required field %q", kinds[k].name, fd.name)
		}
	}
}

// lookupField returns the field of table named name in version v.
func lookupField(table []field, name string, v version) (field, bool) {
	for _, fd := range table {
		if fd.name == name && fd.in.has(v) {
			return fd, true
		}
	}
	return field{}, false
}

// child visits the value of field fd.
func (c *checker) child(v *node, fd field) {
	if fd.child == kNone || v.isNull() {
		return
	}
	item := kinds[fd.child].item
	if item == "" {
		item = kinds[fd.child].name
	}
	switch fd.shape {
	case one:
		c.visit(v, fd.child, fd.name)
	case listOf:
		if v.kind != seqNode {
			c.l.errorf(v, nil, "%s must be a list", fd.name)
			return
		}
		for _, it := range v.list {
			c.visit(it, fd.child, item)
		}
	case mapOf:
		t := c.l.deref(v)
		if t == nil || t.isNull() {
			return
		}
		if t.kind != mapNode {
			c.l.errorf(t, nil, "%s must be an object", fd.name)
			return
		}
		for _, it := range t.vals {
			c.visit(it, fd.child, item)
		}
	}
}

// unknown reports key, which is no field of kind k in this version: an
// error, or a warning where the version's meta-schema allows any key.
func (c *checker) unknown(key *node, k objKind, table []field) {
	var hints []string
	if s := suggest(key.value, table, c.v); s != "" {
		hints = append(hints, fmt.Sprintf("did you mean %q?", s))
	}
	for _, fd := range table {
		if fd.name == key.value {
			hints = append(hints, fmt.Sprintf("it is a field of AsyncAPI %s, this document is %s", fd.in, c.v))
			break
		}
	}
	msg := fmt.Sprintf("unknown field %q in %s", key.value, kinds[k].name)
	if len(hints) > 0 {
		msg += " (" + strings.Join(hints, "; ") + ")"
	}
	if kinds[k].lenient.has(c.v) {
		c.l.warnf(key, "%s", msg)
		return
	}
	if other, ok := misplacedBinding(key.value, k); ok && v2.has(c.v) {
		// A 2.x meta-schema does not look inside bindings, and the field
		// is MQTT's, only in the wrong binding: what the author meant is
		// plain, and it is not applied.
		c.l.warnf(key, "%q is a field of the %s, not of the %s: it is not applied", key.value, kinds[other].name, kinds[k].name)
		return
	}
	c.l.errorf(key, nil, "%s", msg)
}

// misplacedBinding finds the other MQTT binding object that has field
// name, when k is an MQTT binding object.
func misplacedBinding(name string, k objKind) (objKind, bool) {
	mqtt := []objKind{kMQTTServer, kMQTTOperation, kMQTTMessage, kMQTTLastWill}
	if !slices.Contains(mqtt, k) {
		return kNone, false
	}
	for _, other := range mqtt {
		if other == k {
			continue
		}
		for _, fd := range objects[other] {
			if fd.name == name {
				return other, true
			}
		}
	}
	return kNone, false
}

func (vs versions) String() string {
	if vs.from == vs.to {
		return vs.from.String()
	}
	return vs.from.String() + " to " + vs.to.String()
}

// uniqueTags reports a tag name listed twice in one tags list.
func (c *checker) uniqueTags(list *node) {
	if list.kind != seqNode {
		return
	}
	first := map[string]*node{}
	for _, item := range list.list {
		t := c.l.deref(item)
		name := t.get("name")
		if name == nil || name.kind != scalarNode {
			continue
		}
		at := name
		if item.ref() != nil {
			at = item // the tag is elsewhere: report the list entry
		}
		if prev, dup := first[name.value]; dup {
			c.l.errorf(at, nil, "tag %q is listed twice; the first is at %s", name.value, posString(prev.pos()))
			continue
		}
		first[name.value] = at
	}
}

// securityKind picks the kind of security scheme t by its type.
func (c *checker) securityKind(t *node) objKind {
	ty := t.get("type")
	switch {
	case ty == nil:
		c.l.errorf(t, nil, "security scheme is missing the required field %q", "type")
		return kNone
	case ty.kind != scalarNode:
		c.l.errorf(ty, nil, "type must be a string")
		return kNone
	}
	st, ok := securityTypes[ty.value]
	if ok && st.in.has(c.v) {
		return st.kind
	}
	var known []field
	for name, st := range securityTypes {
		known = append(known, f(name, st.in))
	}
	// suggest keeps the first of equally near names: make that stable.
	slices.SortFunc(known, func(a, b field) int { return strings.Compare(a.name, b.name) })
	msg := fmt.Sprintf("unknown security scheme type %q", ty.value)
	if s := suggest(ty.value, known, c.v); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	c.l.errorf(ty, nil, "%s", msg)
	return kNone
}

// oneOf checks a 2.x operation message that lists messages:
// {oneOf: [message, ...]} and nothing else.
func (c *checker) oneOf(t *node) {
	for _, key := range t.keys {
		if key.value != "oneOf" && !strings.HasPrefix(key.value, "x-") {
			c.l.errorf(key, nil, "unknown field %q in a message with oneOf (it lists messages and has no other field)", key.value)
		}
	}
	c.child(t.get("oneOf"), f("oneOf", v2).listOf(kMessage))
}

// anySchema visits a 3.0 schema that may be a Multi Format Schema Object.
func (c *checker) anySchema(v *node) {
	t := c.l.deref(v)
	if !isMultiFormat(t) {
		c.schema(v, 0)
		return
	}
	if !c.seen[visit{t, kMultiFormat}] {
		c.seen[visit{t, kMultiFormat}] = true
		c.fields(t, kMultiFormat)
	}
	if s := schemaOf(t); s != nil {
		c.schema(s, 0)
	}
}

// isMultiFormat reports whether t is a 3.0 Multi Format Schema Object
// (a schema never has a schemaFormat keyword).
func isMultiFormat(t *node) bool { return t.isMap() && t.get("schemaFormat") != nil }

// schemaOf returns the JSON Schema a 3.0 payload or headers value stands
// for, or nil when it is written in another format (Avro, RAML...).
func schemaOf(t *node) *node {
	if !isMultiFormat(t) {
		return t
	}
	if f := t.get("schemaFormat"); f.kind != scalarNode || !jsonSchemaFormat(f.value) {
		return nil
	}
	return t.get("schema")
}

// jsonSchemaFormat reports whether a schemaFormat names JSON Schema (or
// AsyncAPI's superset of it), the formats whose examples can be checked.
func jsonSchemaFormat(format string) bool {
	f := strings.ToLower(strings.ReplaceAll(format, " ", ""))
	return f == "" ||
		strings.HasPrefix(f, "application/vnd.aai.asyncapi;") ||
		strings.HasPrefix(f, "application/vnd.aai.asyncapi+json;") ||
		strings.HasPrefix(f, "application/vnd.aai.asyncapi+yaml;") ||
		strings.HasPrefix(f, "application/schema+json;version=draft-07") ||
		strings.HasPrefix(f, "application/schema+yaml;version=draft-07")
}

// message checks a message's examples against its payload and headers
// schemas, with traits applied as the model will have them.
func (c *checker) message(t *node) {
	m := c.l.applyTraits(t)
	var payload, headers *node
	if c.v < 30 {
		format := ""
		if f := m.get("schemaFormat"); f != nil && f.kind == scalarNode {
			format = f.value
		}
		if p := m.get("payload"); p != nil && jsonSchemaFormat(format) {
			c.schema(p, 0)
			payload = c.l.deref(p)
		}
		headers = c.l.deref(m.get("headers"))
	} else {
		payload = c.l.deref(schemaOf(c.l.deref(m.get("payload"))))
		headers = c.l.deref(schemaOf(c.l.deref(m.get("headers"))))
	}
	ex := m.get("examples")
	if ex == nil || ex.kind != seqNode {
		return
	}
	for i, item := range ex.list {
		e := c.l.deref(item)
		if !e.isMap() {
			continue
		}
		name := fmt.Sprintf("example %d", i+1)
		if n := e.get("name"); n != nil && n.kind == scalarNode {
			name = fmt.Sprintf("example %q", n.value)
		}
		if p := e.get("payload"); p != nil && payload != nil {
			c.jobs = append(c.jobs, exampleJob{schema: payload, value: p,
				what: "the payload of " + name, broken: name + ": its payload breaks the message's payload schema"})
		}
		if h := e.get("headers"); h != nil && headers != nil {
			c.jobs = append(c.jobs, exampleJob{schema: headers, value: h,
				what: "the headers of " + name, broken: name + ": its headers break the message's headers schema"})
		}
	}
}

// Schema keywords (draft-07) whose values are schemas, by shape.
var (
	schemaOne  = []string{"additionalItems", "additionalProperties", "contains", "propertyNames", "not", "if", "then", "else"}
	schemaList = []string{"allOf", "anyOf", "oneOf"}
	schemaMap  = []string{"properties", "patternProperties", "definitions", "dependencies"}
)

// schema walks a JSON Schema and every schema in it, $refs followed, and
// queues its examples for validation against it.
func (c *checker) schema(v *node, depth int) {
	t := c.l.deref(v)
	if t == nil || c.schemas[t] || !t.isMap() || depth > maxSchemaDepth {
		return
	}
	c.schemas[t] = true
	if ex := t.get("examples"); !ex.isNull() {
		items := []*node{ex}
		if ex.kind == seqNode {
			items = ex.list
		}
		for i, item := range items {
			what := fmt.Sprintf("example %d", i+1)
			c.jobs = append(c.jobs, exampleJob{schema: t, value: item, what: what, broken: what + " breaks its schema", advisory: true})
		}
	}
	for _, kw := range schemaOne {
		c.schema(t.get(kw), depth+1)
	}
	if items := t.get("items"); items != nil && items.kind == seqNode {
		for _, s := range items.list {
			c.schema(s, depth+1)
		}
	} else {
		c.schema(items, depth+1)
	}
	for _, kw := range schemaList {
		if l := t.get(kw); l != nil && l.kind == seqNode {
			for _, s := range l.list {
				c.schema(s, depth+1)
			}
		}
	}
	for _, kw := range schemaMap {
		if m := t.get(kw); m.isMap() {
			for _, s := range m.vals {
				c.schema(s, depth+1)
			}
		}
	}
}
