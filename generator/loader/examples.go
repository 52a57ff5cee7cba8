package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// exampleJob is one example to validate against one schema.
type exampleJob struct {
	schema *node  // the schema, $refs followed
	value  *node  // the example
	what   string // "example 2", `the payload of example "warm"`
	broken string // what is wrong when it does not validate: "example 2 breaks its schema"
	// advisory: a JSON Schema examples keyword, whose values the JSON
	// Schema specification only RECOMMENDS be valid (draft-07 validation,
	// 10.4), so a mismatch is a warning; a message example MUST validate
	// against the message's payload (AsyncAPI, Message Example Object), so
	// there a mismatch is an error.
	advisory bool
}

// maxViolationsShown bounds the reasons one diagnostic lists.
const maxViolationsShown = 3

// validateExamples validates every queued example with draft-07 semantics
// and format assertions on, as the generated code's runtime.CompileSchema
// validates payloads. Schemas are compiled where they are written, inside
// their files, so their $refs resolve as the loader resolves them (and
// reach no file outside the root). A schema that does not compile cannot
// judge its examples: that is a warning, once per schema, since the
// generator's own schema check reports schemas it uses.
func (c *checker) validateExamples() {
	if len(c.jobs) == 0 {
		return
	}
	ev := &exampleValidator{l: c.l, compiled: map[*node]compiled{}}
	ev.compiler = jsonschema.NewCompiler()
	ev.compiler.Draft = jsonschema.Draft7
	ev.compiler.AssertFormat = true
	ev.compiler.LoadURL = ev.load
	warned := map[*node]bool{}
	for _, j := range c.jobs {
		s, err := ev.compile(j.schema)
		if err != nil {
			if !warned[j.schema] {
				warned[j.schema] = true
				c.l.warnf(j.schema, "the examples of this schema are not checked: it does not compile: %v", oneLine(err))
			}
			continue
		}
		v, err := instance(j.value)
		if err != nil {
			c.l.warnf(j.value, "%s is not checked: it is not a JSON value: %v", j.what, err)
			continue
		}
		if err := ev.validate(s, v); err != nil {
			if j.advisory {
				c.l.warnf(j.value, "%s: %s", j.broken, violations(err))
			} else {
				c.l.errorf(j.value, nil, "%s: %s", j.broken, violations(err))
			}
		}
	}
}

// exampleValidator compiles schemas from the loader's files.
type exampleValidator struct {
	l        *loader
	compiler *jsonschema.Compiler
	compiled map[*node]compiled
	merged   int // resources made for schemas merged from traits
}

type compiled struct {
	s   *jsonschema.Schema
	err error
}

// compile compiles the schema t, once. The compiler is mature, but a
// malformed schema at a place its meta-schema check does not reach could
// still make it panic: that becomes an error here, never a crash.
func (ev *exampleValidator) compile(t *node) (s *jsonschema.Schema, err error) {
	if c, ok := ev.compiled[t]; ok {
		return c.s, c.err
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("the schema compiler failed: %v", r)
		}
		ev.compiled[t] = compiled{s, err}
	}()
	u, err := ev.url(t)
	if err != nil {
		return nil, err
	}
	return ev.compiler.Compile(u)
}

func (ev *exampleValidator) validate(s *jsonschema.Schema, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the validator failed: %v", r)
		}
	}()
	return s.Validate(v)
}

// url is where the compiler finds t: its file and JSON pointer; or, for a
// schema merged from traits (in no file as it is), a resource of its own.
func (ev *exampleValidator) url(t *node) (string, error) {
	if !t.synthetic {
		return fileURL(t.file) + "#" + fragment(t.ptr), nil
	}
	data, err := json.Marshal(jsonValue(t, true))
	if err != nil {
		return "", err
	}
	ev.merged++
	u := fmt.Sprintf("mqttgen-merged:///%d.json", ev.merged)
	if err := ev.compiler.AddResource(u, bytes.NewReader(data)); err != nil {
		return "", err
	}
	return u, nil
}

// load serves the compiler the loader's files (read once, confined to the
// root, within the loader's limits); nothing else, never the network.
func (ev *exampleValidator) load(s string) (io.ReadCloser, error) {
	u, err := url.Parse(s)
	var path string
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: schemas may refer only to the document's files", s)
	case u.Scheme == "file":
		path = filepath.FromSlash(u.Path)
	default:
		p, ok := ev.l.fileForURI(s)
		if !ok {
			return nil, fmt.Errorf("%s: schemas may refer only to the document's files", s)
		}
		path = p
	}
	key := path
	for name := range ev.l.files {
		if abs, err := filepath.Abs(name); err == nil && abs == path {
			key = name
			break
		}
	}
	root, err := ev.l.file(key)
	if err != nil {
		return nil, err
	}
	doc := jsonValue(root, false)
	if m, ok := doc.(map[string]any); ok && m["asyncapi"] != nil {
		// An AsyncAPI document is no schema: a $schema or $id at its top
		// (some editors add one) must not change how its schemas compile.
		delete(m, "$schema")
		delete(m, "$id")
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s is not JSON: %v", key, err)
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// fileURL is the file: URL of a file name as the loader knows it.
func fileURL(name string) string {
	abs, err := filepath.Abs(name)
	if err != nil {
		abs = name
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// fragment escapes a JSON pointer for a URL fragment.
func fragment(ptr string) string {
	if ptr == "" {
		return ""
	}
	toks := strings.Split(ptr[1:], "/")
	for i, t := range toks {
		toks[i] = url.PathEscape(t)
	}
	return "/" + strings.Join(toks, "/")
}

// jsonValue is value, with each $ref made absolute (against the file of
// the node holding it) when absRefs: a merged schema mixes nodes of
// several files.
func jsonValue(n *node, absRefs bool) any {
	switch n.kind {
	case mapNode:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			v := n.vals[i]
			if absRefs && k.value == "$ref" && v.kind == scalarNode {
				m[k.value] = absoluteRef(v)
				continue
			}
			m[k.value] = jsonValue(v, absRefs)
		}
		return m
	case seqNode:
		l := make([]any, len(n.list))
		for i, item := range n.list {
			l[i] = jsonValue(item, absRefs)
		}
		return l
	}
	return scalar(n)
}

func absoluteRef(r *node) string {
	base, err := url.Parse(fileURL(r.file))
	if err != nil {
		return r.value
	}
	ref, err := url.Parse(r.value)
	if err != nil {
		return r.value
	}
	return base.ResolveReference(ref).String()
}

// instance decodes an example the way the runtime decodes a payload:
// through JSON, numbers kept exact.
func instance(n *node) (any, error) {
	data, err := json.Marshal(value(n))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	return v, err
}

// violations lists the innermost reasons a validation failed,
// "/celsius: expected number, but got string".
func violations(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return oneLine(err)
	}
	var leaves []string
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			msg := e.Message
			if e.InstanceLocation != "" {
				msg = e.InstanceLocation + ": " + msg
			}
			if !seen[msg] {
				seen[msg] = true
				leaves = append(leaves, msg)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	// The validator visits an object's properties in map order: sort, so
	// the same document always gives the same message.
	slices.Sort(leaves)
	more := ""
	if len(leaves) > maxViolationsShown {
		more = fmt.Sprintf(" (and %d more)", len(leaves)-maxViolationsShown)
		leaves = leaves[:maxViolationsShown]
	}
	return strings.Join(leaves, "; ") + more
}

// oneLine keeps a diagnostic on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
