package gen

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

type fuzzReading struct {
	SensorID string            `json:"sensorId"`
	Celsius  float64           `json:"celsius"`
	Battery  *int64            `json:"battery,omitempty"`
	Tags     []string          `json:"tags,omitempty"`
	Extra    map[string]string `json:"-" mqttgen:"extra"`
}

type fuzzTree struct {
	Name     string     `json:"name"`
	Children []fuzzTree `json:"children,omitempty"`
}

type fuzzSum struct {
	Number *float64          `mqttgen:"variant"`
	Object *map[string]int64 `mqttgen:"variant"`
}

var fuzzSchemas = NewSchemas(`{"definitions":{` +
	`"R":{"type":"object","properties":{"sensorId":{"type":"string","minLength":1},"celsius":{"type":"number","minimum":-50,"maximum":100},` +
	`"battery":{"type":"integer","minimum":0,"maximum":100},"tags":{"type":"array","items":{"type":"string"},"uniqueItems":true}},` +
	`"required":["sensorId","celsius"],"additionalProperties":{"type":"string","pattern":"^[a-z]*$"}},` +
	`"T":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/definitions/T"}}},"required":["name"]},` +
	`"S":{"oneOf":[{"type":"number","multipleOf":0.5},{"type":"object","additionalProperties":{"type":"integer"}}]}}}`)

// FuzzJSONDecode feeds arbitrary bytes to a few plans: no panic; what the
// codec accepts jsonschema/v5 accepts; what it decodes re-encodes to a
// payload that decodes equal.
func FuzzJSONDecode(f *testing.F) {
	for _, seed := range []string{`{"sensorId":"s","celsius":21.5,"battery":87}`, `{"sensorId":"s","celsius":1e1,"x":"y","tags":["a","b"]}`,
		`{"name":"a","children":[{"name":"b"}]}`, `1.5`, `{"a":1}`, `{"sensorId":"s","sensorId":"","celsius":0}`, "\"\xff\"", `[`, `null`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzPlan[fuzzReading](t, "/definitions/R", data)
		fuzzPlan[fuzzTree](t, "/definitions/T", data)
		fuzzPlan[fuzzSum](t, "/definitions/S", data)
		fuzzPlan[json.RawMessage](t, "/definitions/R", data)
	})
}

func fuzzPlan[T any](t *testing.T, pointer string, data []byte) {
	c := NewJSON[T](fuzzSchemas, pointer)
	v, err := Decode[T](c, data, true)
	slow := fuzzSchemas.Validate(pointer, data)
	if err == nil {
		require.NoError(t, slow, "accepted what jsonschema/v5 refuses: %q", data)
		out, err := Encode(c, &v, true)
		require.NoError(t, err, "re-encode %q", data)
		again, err := Decode[T](c, out, true)
		require.NoError(t, err, "decode %q (from %q)", out, data)
		require.Equal(t, v, again, "%q -> %q", data, out)
	}
	if slow == nil {
		if err != nil {
			var de *DecodeError
			require.ErrorAs(t, err, &de, "valid %q refused: %v", data, err)
		}
	}
	_, _ = Decode[T](c, data, false)
}
