package loader

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLenient: an address parameter nobody declared, and a declared one
// the address does not use, are warnings; the document loads, and the
// undeclared parameter is a plain string parameter of the model.
func TestLenient(t *testing.T) {
	cases := []struct {
		file     string
		warnings []string
		params   map[string][]string // channel key -> parameter names, in address order
	}{
		{"params-v2.yaml", []string{
			`4:3: /channels/rooms~1{roomId}~1{sensorId}: warning: parameter {sensorId} in address "rooms/{roomId}/{sensorId}" is not declared under parameters; it is read as a plain string`,
			`8:7: /channels/rooms~1{roomId}~1{sensorId}/parameters/floor: warning: parameter "floor" is declared but not used in address "rooms/{roomId}/{sensorId}"`,
			`12:3: /channels/implicit~1{id}: warning: parameter {id} in address "implicit/{id}" is not declared under parameters; it is read as a plain string`,
		}, map[string][]string{"rooms/{roomId}/{sensorId}": {"roomId", "sensorId"}, "implicit/{id}": {"id"}}},
		{"params-v3.yaml", []string{
			`5:14: /channels/readings/address: warning: parameter {sensorId} in address "rooms/{roomId}/{sensorId}" is not declared under parameters; it is read as a plain string`,
			`8:7: /channels/readings/parameters/floor: warning: parameter "floor" is declared but not used in address "rooms/{roomId}/{sensorId}"`,
		}, map[string][]string{"readings": {"roomId", "sensorId"}}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := "testdata/lenient/" + c.file
			doc, ds := LoadFile(path, Options{})
			require.NotNil(t, doc, "%v", ds)
			assert.False(t, ds.HasErrors())
			assert.Empty(t, ds.Errors())
			var got []string
			for _, d := range ds.Warnings() {
				assert.Equal(t, Warning, d.Severity)
				got = append(got, d.String()[len(path)+1:])
			}
			assert.Equal(t, c.warnings, got)
			assert.Equal(t, ds, ds.Warnings(), "every diagnostic is a warning")
			for _, ch := range doc.Channels {
				var names []string
				for _, p := range ch.Parameters {
					names = append(names, p.Name)
				}
				assert.Equal(t, c.params[ch.Key], names, ch.Key)
			}
			undeclared := doc.Channels[0].Parameters[1]
			assert.Equal(t, "sensorId", undeclared.Name)
			assert.Nil(t, undeclared.Schema, "an undeclared parameter has no schema: a plain string")
			assert.Empty(t, undeclared.Enum)
			checkDocument(t, doc)

			// Load, for callers that want errors only, loads it too.
			_, err := Load(path)
			assert.NoError(t, err)
		})
	}
}
