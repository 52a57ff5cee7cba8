package loader

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopDoc is a document whose payload is components/schemas/A, with the
// schemas given as YAML flow mappings.
func loopDoc(a, b string) []byte {
	return []byte(`asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: '#/components/schemas/A'}}
operations:
  sendC: {action: send, channel: {$ref: '#/channels/c'}}
components:
  schemas:
    A: ` + a + `
    B: ` + b + `
`)
}

// TestSchemaReachingItselfInPlace: a schema that reaches itself through
// allOf, anyOf, oneOf, not or if, with no property or item in between,
// cannot be checked (a validator never ends: the generated code hung on
// every message) nor typed (the generator overflowed its stack on allOf
// and on oneOf [null, self]). It is refused, at the schema, with the path.
func TestSchemaReachingItselfInPlace(t *testing.T) {
	const (
		refA = `{$ref: '#/components/schemas/A'}`
		refB = `{$ref: '#/components/schemas/B'}`
		obj  = `{type: object}`
	)
	cases := []struct{ name, a, b, via string }{
		{"allOf self", `{allOf: [` + refA + `, {properties: {x: {type: string}}}]}`, obj,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/A"},
		{"typed allOf self", `{type: object, allOf: [` + refA + `]}`, obj,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/A"},
		{"nullable oneOf self", `{oneOf: [{type: 'null'}, ` + refA + `]}`, obj,
			"#/components/schemas/A/oneOf/1 -> #/components/schemas/A"},
		{"anyOf self", `{anyOf: [` + refA + `, {type: string}]}`, obj,
			"#/components/schemas/A/anyOf/0 -> #/components/schemas/A"},
		{"not self", `{not: ` + refA + `}`, obj,
			"#/components/schemas/A/not -> #/components/schemas/A"},
		{"if self", `{if: ` + refA + `, then: {type: string}}`, obj,
			"#/components/schemas/A/if -> #/components/schemas/A"},
		{"dependency self", `{type: object, dependencies: {x: ` + refA + `}}`, obj,
			"#/components/schemas/A/dependencies/x -> #/components/schemas/A"},
		{"through another schema", `{allOf: [` + refB + `]}`, `{oneOf: [{type: 'null'}, ` + refA + `]}`,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/B/oneOf/1 -> #/components/schemas/A"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, ds := LoadData("loop.yaml", loopDoc(c.a, c.b), Options{})
			require.Nil(t, doc)
			errs := ds.Errors()
			require.Len(t, errs, 1, "%v", ds)
			assert.Equal(t, "loop.yaml:12:8: /components/schemas/A: schema reaches itself through "+c.via+
				" with no property or item in between: checking a value against it would never end", errs[0].String())
			assert.True(t, errors.Is(errs, ErrRefLoop))
		})
	}
}

// TestSchemaReachingItselfThroughValues: recursion through properties,
// items and additionalProperties is a tree, not a loop.
func TestSchemaReachingItselfThroughValues(t *testing.T) {
	for _, a := range []string{
		`{type: object, properties: {kids: {type: array, items: {$ref: '#/components/schemas/A'}}, parent: {$ref: '#/components/schemas/A'}}}`,
		`{type: object, additionalProperties: {$ref: '#/components/schemas/A'}}`,
		`{oneOf: [{type: string}, {type: array, items: {$ref: '#/components/schemas/A'}}]}`,
		`{anyOf: [{type: 'null'}, {type: object, properties: {next: {$ref: '#/components/schemas/B'}}}]}`,
	} {
		_, ds := LoadData("tree.yaml", loopDoc(a, `{allOf: [{$ref: '#/components/schemas/A'}]}`), Options{})
		assert.Empty(t, ds.Errors(), a)
	}
}
