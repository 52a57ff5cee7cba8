package generator_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// selfDoc is a document whose payload schema A is given in YAML flow
// style.
func selfDoc(a string) []byte {
	return []byte(`asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: '#/components/schemas/A'}}
operations:
  sendC: {action: send, channel: {$ref: '#/channels/c'}}
  receiveC: {action: receive, channel: {$ref: '#/channels/c'}}
components:
  schemas:
    A: ` + a + `
`)
}

// TestSchemaLoopIsRefusedNotACrash: generate and validate overflowed the
// goroutine stack (a fatal error, not a panic) on a schema that is its
// own allOf part, or its own non-null oneOf alternative; an anyOf of
// itself generated a package whose validator never returned.
func TestSchemaLoopIsRefusedNotACrash(t *testing.T) {
	for _, a := range []string{
		`{allOf: [{$ref: '#/components/schemas/A'}, {type: object, properties: {x: {type: string}}}]}`,
		`{oneOf: [{type: 'null'}, {$ref: '#/components/schemas/A'}]}`,
		`{anyOf: [{$ref: '#/components/schemas/A'}, {type: string}]}`,
	} {
		for _, role := range ir.Roles {
			cfg := generator.Config{Spec: "loop.yaml", Input: selfDoc(a), Package: "loop", Role: role}
			_, err := generator.Generate(context.Background(), cfg)
			var ds loader.Diagnostics
			require.ErrorAs(t, err, &ds, a)
			require.True(t, errors.Is(err, loader.ErrRefLoop), "%v", err)
			_, verr := generator.Validate(context.Background(), cfg)
			require.Equal(t, err.Error(), verr.Error())
		}
	}
}

// TestAllOfOfObjectsHasAType: an allOf with an object-typed part (the
// usual way to extend a base schema) admits objects only, so the struct
// made from it holds every value it allows. It was warned about as if it
// had no type, and -strict refused the document. An allOf whose parts all
// admit null or other types is still warned about.
func TestAllOfOfObjectsHasAType(t *testing.T) {
	const base = `{type: object, properties: {x: {type: string}}}`
	for _, c := range []struct {
		a    string
		warn bool
	}{
		{`{allOf: [` + base + `, {properties: {y: {type: integer}}}]}`, false},
		{`{allOf: [{allOf: [` + base + `]}, {properties: {y: {type: integer}}}]}`, false},
		{`{allOf: [{type: [object, 'null'], properties: {x: {type: string}}}, {properties: {y: {type: integer}}}]}`, true},
		{`{properties: {y: {type: integer}}}`, true},
	} {
		cfg := generator.Config{Spec: "allof.yaml", Input: selfDoc(c.a), Package: "allof", Role: ir.RoleApp}
		warnings, err := generator.Validate(context.Background(), cfg)
		require.NoError(t, err)
		if !c.warn {
			require.Empty(t, warnings, c.a)
			cfg.Strict = true
			_, err = generator.Generate(context.Background(), cfg)
			require.NoError(t, err, c.a)
			continue
		}
		require.Len(t, warnings, 1, c.a)
		require.Contains(t, warnings[0].String(), "allof.yaml:13:8: /components/schemas/A: warning: schema has properties but no type", c.a)
	}
}

// TestBoundsKeepTheirDigits: numeric keywords were held as float64 and
// rendered into the schema bundle rounded, so beyond 2^53 the generated
// validator accepted a value below minimum, refused maximum itself and
// inverted multipleOf. The bundle now carries them as written.
func TestBoundsKeepTheirDigits(t *testing.T) {
	doc := selfDoc(`{type: object, properties: {lo: {type: integer, minimum: 9007199254740993},
      hi: {type: integer, exclusiveMaximum: 9007199254740995}, mul: {type: integer, multipleOf: 9007199254740993},
      plain: {type: number, minimum: 1.50, maximum: 1e3}}}`)
	cfg := generator.Config{Spec: "bounds.yaml", Input: doc, Package: "bounds", Role: ir.RoleApp}
	loaded, err := loader.LoadBytes("bounds.yaml", doc)
	require.NoError(t, err)
	pkg, ds := ir.Build(loaded, ir.Config{Package: cfg.Package, Source: cfg.Spec, Role: cfg.Role})
	require.False(t, ds.HasErrors(), "%v", ds)
	schemas := gen.NewSchemas(ir.Bundle(pkg))
	ptr := "/definitions/" + pkg.Schemas[0].Name + "/properties/"
	for _, c := range []struct {
		prop, value string
		valid       bool
	}{
		{"lo", "9007199254740992", false}, {"lo", "9007199254740993", true},
		{"hi", "9007199254740994", true}, {"hi", "9007199254740995", false},
		{"mul", "9007199254740993", true}, {"mul", "9007199254740992", false},
		{"plain", "1.5", true}, {"plain", "1.49", false}, {"plain", "1000", true}, {"plain", "1000.5", false},
	} {
		err := schemas.Validate(ptr+c.prop, []byte(c.value))
		if c.valid {
			require.NoError(t, err, "%s = %s", c.prop, c.value)
		} else {
			require.ErrorIs(t, err, mqttrt.ErrValidation, "%s = %s", c.prop, c.value)
		}
	}
	// Numbers a float64 holds keep their shortest form, so the bundle of
	// existing documents does not change.
	require.Contains(t, ir.Bundle(pkg), `"maximum":1000,"minimum":1.5`)

	out, err := generator.Generate(context.Background(), cfg)
	require.NoError(t, err)
	for _, f := range out.Files {
		if f.Name == "types.go" {
			require.Contains(t, string(f.Data), "// Minimum 9007199254740993.")
		}
	}
}

// TestAllOfPartLeavingAPropertyOpen: a base schema that declares a
// property as {} (anything) and a part that says what it is are no
// conflict: allOf [{}, X] is X. It was refused ("defined differently by
// two allOf parts"), which refused the OI4 corpus document's messages.
func TestAllOfPartLeavingAPropertyOpen(t *testing.T) {
	for _, base := range []string{`{}`, `true`, `{description: anything}`} {
		doc := selfDoc(`{allOf: [{type: object, properties: {payload: ` + base + `, id: {type: string}}},
      {type: object, properties: {payload: {type: integer}}}]}`)
		cfg := generator.Config{Spec: "open.yaml", Input: doc, Package: "open", Role: ir.RoleApp}
		out, err := generator.Generate(context.Background(), cfg)
		require.NoError(t, err, base)
		for _, f := range out.Files {
			if f.Name == "types.go" {
				require.Regexp(t, `Payload \*int64 +`+"`"+`json:"payload,omitempty"`, string(f.Data), base)
				require.Regexp(t, `(?s)Payload.*ID`, string(f.Data), "the field keeps the base's position")
			}
		}
	}
	// Two definitions that both say something still conflict.
	doc := selfDoc(`{allOf: [{type: object, properties: {payload: {type: string}}}, {type: object, properties: {payload: {type: integer}}}]}`)
	_, err := generator.Generate(context.Background(), generator.Config{Spec: "open.yaml", Input: doc, Package: "open", Role: ir.RoleApp})
	require.ErrorContains(t, err, `property "payload" is defined differently by two allOf parts`)
}
