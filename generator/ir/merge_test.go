package ir_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator/ir"
)

// TestAllOfMerge: properties of allOf parts merge into one struct; a
// property one part leaves unconstrained ({}) takes the type another part
// gives it (allOf needs both, and {} allows everything); two real
// definitions that differ are an error at the second.
func TestAllOfMerge(t *testing.T) {
	const head = `asyncapi: 3.0.0
info: {title: Merge, version: "1"}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: '#/components/schemas/Health'}}
operations:
  sendC: {action: send, channel: {$ref: '#/channels/c'}}
components:
  schemas:
    Base:
      type: object
      required: [source]
      properties:
        source: {type: string}
        payload: {}
`
	pkg, ds := build(t, head+`    Health:
      type: object
      allOf: [{$ref: '#/components/schemas/Base'}]
      properties:
        payload: {type: object, properties: {score: {type: integer}}}
`, ir.RoleApp)
	require.False(t, ds.HasErrors(), "%v", ds)
	var health *ir.Type
	for _, typ := range pkg.Types {
		if typ.Name == "Health" {
			health = typ
		}
	}
	require.NotNil(t, health)
	fields := map[string]*ir.Field{}
	for _, f := range health.Fields {
		fields[f.Wire] = f
	}
	require.Contains(t, fields, "source")
	require.Contains(t, fields, "payload")
	assert.True(t, fields["source"].Required)
	assert.Equal(t, ir.RefPointer, fields["payload"].Type.Kind, "payload is an optional struct, not raw JSON")
	assert.Equal(t, "HealthPayload", fields["payload"].Type.Elem.Name)

	_, ds = build(t, head+`    Health:
      type: object
      allOf: [{$ref: '#/components/schemas/Base'}]
      properties:
        source: {type: integer}
`, ir.RoleApp)
	require.True(t, ds.HasErrors())
	assert.Contains(t, ds.Error(), `property "source" is defined differently by two allOf parts of type Health`)
}
