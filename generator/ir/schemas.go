package ir

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mqttgen/mqttgen/generator/model"
)

// finishSchemas renders the bundle, warns about keywords draft-07 does not
// enforce, and compiles the bundle exactly as the runtime will, reporting
// what does not compile at the keyword that is wrong.
func (b *builder) finishSchemas() {
	if b.diags.HasErrors() {
		return
	}
	b.pkg.Schemas = b.bundle.finish()
	seen := map[*model.Schema]bool{}
	for _, s := range b.bundle.at {
		if !seen[s] {
			seen[s] = true
			warnUnenforced(s, &b.diags)
		}
	}
	if len(b.pkg.Schemas) == 0 {
		return
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("external reference %q", s)
	}
	const where = "mqttgen:///bundle.json"
	if err := c.AddResource(where, strings.NewReader(Bundle(b.pkg))); err != nil {
		b.fail(b.doc.Loc, "the schema bundle is not JSON (a generator bug; please report it with the document): %v", err)
		return
	}
	if _, err := c.Compile(where); err != nil {
		b.compileError(err)
	}
}

// compileError reports a schema the validator refuses at the model schema
// and keyword it comes from.
func (b *builder) compileError(err error) {
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		for _, leaf := range leaves(ve) {
			ptr := leaf.InstanceLocation
			if strings.Contains(leaf.KeywordLocation, "/propertyNames/") {
				// The meta-schema refused a member name (a
				// patternProperties pattern): the pointer ends at that
				// name, whose value is a schema of its own; the fault
				// is the name's, so report it under its parent.
				ptr = keyPointer(ptr)
			}
			b.failAt(ptr, leaf.Message)
		}
		return
	}
	var se *jsonschema.SchemaError
	if errors.As(err, &se) {
		ptr := se.SchemaURL
		if i := strings.IndexByte(ptr, '#'); i >= 0 {
			ptr = ptr[i+1:]
		}
		b.failAt(ptr, se.Err.Error())
		return
	}
	b.fail(b.doc.Loc, "the payload schemas do not compile: %v", err)
}

// keyPointer marks the last token of ptr as a member name rather than a
// schema, so failAt does not stop at the schema the name holds.
func keyPointer(ptr string) string {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 {
		return ptr
	}
	return ptr[:i] + "/" + keyMark + ptr[i+1:]
}

// keyMark prefixes a pointer token that names a member, not a schema; no
// bundle pointer holds it (a NUL cannot be escaped into one).
const keyMark = "\x00"

// failAt reports msg at the model schema rendered at the bundle pointer
// ptr (or its nearest enclosing schema), with the rest of the pointer
// appended to the schema's own: "/components/schemas/A/properties/code/pattern".
func (b *builder) failAt(ptr, msg string) {
	if p, err := url.PathUnescape(ptr); err == nil {
		ptr = p
	}
	rest := ""
	for {
		if s, ok := b.bundle.at[ptr]; ok {
			loc := s.Loc
			loc.Pointer += strings.Replace(rest, "/"+keyMark, "/", 1)
			b.fail(loc, "the schema does not compile: %s", msg)
			return
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			b.fail(b.doc.Loc, "the payload schemas do not compile: %s", msg)
			return
		}
		ptr, rest = ptr[:i], ptr[i:]+rest
	}
}

// leaves lists the innermost failures of a validation error.
func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// Bundle is the package's schema bundle as one draft-07 document, one
// definition per line.
func Bundle(p *Package) string {
	var sb strings.Builder
	sb.WriteString(`{"$schema":"` + draft07 + `","definitions":{`)
	for i, d := range p.Schemas {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('\n')
		sb.Write(marshal(d.Name))
		sb.WriteByte(':')
		sb.Write(d.JSON)
	}
	sb.WriteString("\n}}")
	return sb.String()
}
