package contract

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// payloadSchema loads schemaJSON as the payload of a one-message AsyncAPI
// 3.0 document, so the schema reaches the generator as the loader builds
// it; components are put under components/schemas.
func payloadSchema(t *testing.T, schemaJSON, components string) (*model.Schema, error) {
	t.Helper()
	if components == "" {
		components = "{}"
	}
	doc := fmt.Sprintf(`{"asyncapi": "3.0.0", "info": {"title": "t", "version": "1"},
		"channels": {"c": {"address": "c", "messages": {"m": {"payload": %s}}}},
		"components": {"schemas": %s}}`, schemaJSON, components)
	d, err := loader.LoadBytes("test.json", []byte(doc))
	if err != nil {
		return nil, err
	}
	return d.Channels[0].Messages[0].Payload, nil
}

// search runs the generator on s with its compiled schema as the check,
// and returns the value's JSON.
func search(t *testing.T, s *model.Schema) (data []byte, source string, err error) {
	t.Helper()
	schema, err := (&schemaCache{}).compile("test", s)
	require.NoError(t, err)
	v, source, err := generate(s, func(v any) error {
		data, err := marshal(v)
		if err != nil {
			return err
		}
		return schema.ValidateJSON(data)
	})
	if err != nil {
		return nil, "", err
	}
	data, err = marshal(v)
	require.NoError(t, err)
	return data, source, nil
}

// validAgainst validates data against the schema as written (not as the
// model renders it), an independent check of the generator's output.
func validAgainst(t *testing.T, schemaJSON string, data []byte) error {
	t.Helper()
	var raw any
	require.NoError(t, json.Unmarshal([]byte(schemaJSON), &raw))
	if m, ok := raw.(map[string]any); ok {
		m["$schema"] = "http://json-schema.org/draft-07/schema#"
		b, err := json.Marshal(m)
		require.NoError(t, err)
		schemaJSON = string(b)
	}
	schema, err := mqttrt.CompileSchema("independent", schemaJSON)
	require.NoError(t, err)
	return schema.ValidateJSON(data)
}

func TestGenerateSatisfiesKeywords(t *testing.T) {
	cases := []struct {
		name, schema string
		want         string // the exact JSON, when it is worth pinning
	}{
		{"pattern", `{"type": "string", "pattern": "^[A-Z]+-[0-9]{3}$"}`, `"A-000"`},
		{"pattern with minLength", `{"type": "string", "pattern": "^a[0-9]*$", "minLength": 6}`, `"a00000"`},
		{"unanchored pattern", `{"type": "string", "pattern": "[0-9]+\\.[0-9]+"}`, ""},
		{"pattern alternation", `{"type": "string", "pattern": "^(on|off)$"}`, `"on"`},
		{"email", `{"type": "string", "format": "email"}`, ""},
		{"uuid", `{"type": "string", "format": "uuid"}`, ""},
		{"date-time", `{"type": "string", "format": "date-time"}`, ""},
		{"ipv4", `{"type": "string", "format": "ipv4"}`, ""},
		{"ipv6", `{"type": "string", "format": "ipv6"}`, ""},
		{"uri", `{"type": "string", "format": "uri"}`, ""},
		{"length", `{"type": "string", "minLength": 9, "maxLength": 9}`, `"examplexx"`},
		{"short", `{"type": "string", "maxLength": 3}`, `"exa"`},
		{"open interval", `{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}`, `0.5`},
		{"decimal grid", `{"type": "number", "minimum": 0.055, "multipleOf": 0.01}`, `0.06`},
		{"integer grid", `{"type": "integer", "minimum": 10, "multipleOf": 7}`, `14`},
		{"negative", `{"type": "integer", "maximum": -3}`, `-3`},
		{"exclusive integer", `{"type": "integer", "exclusiveMinimum": 5}`, `6`},
		{"integer half grid", `{"type": "integer", "multipleOf": 0.5, "minimum": 0.7}`, `1`},
		{"enum", `{"enum": ["b", "c"]}`, `"b"`},
		{"const", `{"const": {"k": [1, 2]}}`, `{"k":[1,2]}`},
		{"nullable type", `{"type": ["null", "string"]}`, `"example"`},
		{"required in order", `{"type": "object", "required": ["z", "a"], "properties": {"a": {"type": "boolean"}, "z": {"type": "integer", "minimum": 1}}}`, `{"z":1,"a":false}`},
		{"minProperties", `{"type": "object", "minProperties": 2, "properties": {"a": {"type": "string"}}}`, `{"a":"example","extra1":{}}`},
		{"additionalProperties schema", `{"type": "object", "required": ["x"], "additionalProperties": {"type": "integer"}}`, `{"x":0}`},
		{"patternProperties", `{"type": "object", "required": ["n1"], "patternProperties": {"^n[0-9]$": {"type": "boolean"}}}`, `{"n1":false}`},
		{"items", `{"type": "array", "minItems": 2, "items": {"type": "string", "format": "date"}}`, `["2024-01-01","2024-01-01"]`},
		{"unique items", `{"type": "array", "minItems": 3, "uniqueItems": true, "items": {"enum": ["a", "b", "c"]}}`, `["a","b","c"]`},
		{"unique strings", `{"type": "array", "minItems": 3, "uniqueItems": true, "items": {"type": "string"}}`, ""},
		{"tuple", `{"type": "array", "minItems": 2, "items": [{"type": "integer"}, {"type": "string"}]}`, `[0,"example"]`},
		{"contains", `{"type": "array", "contains": {"const": 7}}`, `[7]`},
		{"allOf", `{"allOf": [{"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}}, {"required": ["b"], "properties": {"b": {"type": "integer", "minimum": 3}}}]}`, `{"a":"example","b":3}`},
		{"allOf on one property", `{"type": "object", "required": ["a"], "properties": {"a": {"type": "integer"}}, "allOf": [{"properties": {"a": {"minimum": 4}}}]}`, `{"a":4}`},
		{"oneOf needs exactly one", `{"oneOf": [{"type": "object", "properties": {"key": {"type": "string"}}}, {"type": "object", "properties": {"key2": {"type": "string"}}}]}`, ""},
		{"oneOf numbers", `{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0.5}]}`, ""},
		{"anyOf", `{"anyOf": [{"type": "string", "maxLength": 0}, {"type": "integer"}]}`, `""`},
		{"not", `{"type": "integer", "not": {"const": 0}}`, `1`},
		{"if then", `{"type": "object", "required": ["k"], "properties": {"k": {"enum": ["a", "b"]}}, "if": {"properties": {"k": {"const": "a"}}}, "then": {"required": ["v"]}}`, ""},
		{"if else", `{"if": {"type": "integer"}, "then": {"minimum": 10}, "else": {"type": "string", "const": "no"}}`, `10`},
		{"discriminated variants", `{"type": "object", "required": ["kind"], "discriminator": "kind", "oneOf": [
			{"properties": {"kind": {"const": "a"}, "x": {"type": "integer"}}, "required": ["x"]},
			{"properties": {"kind": {"const": "b"}, "y": {"type": "string"}}, "required": ["y"]}]}`, `{"kind":"a","x":0}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := payloadSchema(t, tc.schema, "")
			require.NoError(t, err)
			data, _, err := search(t, s)
			require.NoError(t, err)
			require.NoError(t, validAgainst(t, tc.schema, data), "%s", data)
			if tc.want != "" {
				assert.JSONEq(t, tc.want, string(data))
			}
		})
	}
}

func TestGenerateRecursion(t *testing.T) {
	// A linked list whose next is required: null ends it.
	components := `{"Node": {"type": "object", "required": ["value", "next"], "properties": {
		"value": {"type": "integer"}, "next": {"oneOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]}}}}`
	s, err := payloadSchema(t, `{"$ref": "#/components/schemas/Node"}`, components)
	require.NoError(t, err)
	data, _, err := search(t, s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"value":0,"next":{"value":0,"next":{"value":0,"next":{"value":0,"next":{"value":0,"next":{"value":0,"next":{"value":0,"next":{"value":0,"next":null}}}}}}}}`, string(data))

	// A tree whose children may be empty.
	components = `{"Tree": {"type": "object", "required": ["children"], "properties": {
		"children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}}}`
	s, err = payloadSchema(t, `{"$ref": "#/components/schemas/Tree"}`, components)
	require.NoError(t, err)
	data, _, err = search(t, s)
	require.NoError(t, err)
	assert.JSONEq(t, `{"children":[]}`, string(data))
}

func TestGenerateReportsWhatCannotBeMade(t *testing.T) {
	cases := map[string]struct {
		schema, components, want string
	}{
		"endless recursion": {`{"$ref": "#/components/schemas/Loop"}`,
			`{"Loop": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Loop"}}}}`,
			"recursive schema with no way out"},
		"forbidden required property": {`{"type": "object", "required": ["a"], "additionalProperties": false}`, "",
			`property "a" is required but additionalProperties forbids it`},
		"contradictory types": {`{"allOf": [{"type": "string"}, {"type": "integer"}]}`, "",
			"no value can satisfy the schema"},
		"pattern and length": {`{"type": "string", "pattern": "^a$", "minLength": 3}`, "",
			`cannot make a string matching pattern "^a$" of 3 to -1 characters`},
		"huge minItems":           {`{"type": "array", "minItems": 100000}`, "", "minItems 100000"},
		"empty enum intersection": {`{"allOf": [{"enum": [1, 2]}, {"enum": [3]}]}`, "", "no value can satisfy the schema"},
		"impossible range":        {`{"type": "integer", "minimum": 3, "maximum": 2}`, "", "no valid instance found"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, err := payloadSchema(t, tc.schema, tc.components)
			require.NoError(t, err)
			_, _, err = search(t, s)
			require.ErrorIs(t, err, mqttrt.ErrValidation)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestGeneratePrefersTheSchemasOwnValues(t *testing.T) {
	cases := []struct{ schema, want, source string }{
		{`{"type": "integer", "examples": [42, 7]}`, `42`, "schema example 1"},
		{`{"type": "integer", "examples": ["not a number", 7]}`, `7`, "schema example 2"},
		{`{"type": "integer", "minimum": 100, "default": 5}`, `100`, "generated from the schema"},
		{`{"type": "string", "default": "hello"}`, `"hello"`, "schema default"},
		{`{"enum": ["x", "y"]}`, `"x"`, "schema enum value 1"},
		{`{"const": 3}`, `3`, "schema const"},
		{`{"type": "object", "required": ["p"], "properties": {"p": {"type": "string", "examples": ["from the property"]}}}`, `{"p":"from the property"}`, "generated from the schema"},
	}
	for _, tc := range cases {
		s, err := payloadSchema(t, tc.schema, "")
		require.NoError(t, err)
		data, source, err := search(t, s)
		require.NoError(t, err, tc.schema)
		assert.JSONEq(t, tc.want, string(data), tc.schema)
		assert.Equal(t, tc.source, source, tc.schema)
	}
}

// The JSON-Schema-Test-Suite (draft 7) has, per case, a schema and
// instances labelled valid or not. For every schema that has a valid
// instance (so it is satisfiable), that loads as a payload, and that does
// not use $ref (whose targets are relative to the suite's file, not to
// an AsyncAPI document), the generator must find a value that the schema
// as written accepts, or say why not: a value it returns is never
// invalid. It finds one for every such schema today, and must go on to.
func TestGenerateOnTheJSONSchemaTestSuite(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "json-schema-test-suite", "draft7")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("../shared/json-schema-test-suite is not beside the checkout")
	}
	var satisfiable, notLoaded, found int
	var missed []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var groups []struct {
			Description string          `json:"description"`
			Schema      json.RawMessage `json:"schema"`
			Tests       []struct {
				Valid bool `json:"valid"`
			} `json:"tests"`
		}
		require.NoError(t, json.Unmarshal(raw, &groups), f)
		for _, g := range groups {
			hasValid := false
			for _, tc := range g.Tests {
				hasValid = hasValid || tc.Valid
			}
			if !hasValid || strings.Contains(string(g.Schema), `"$ref"`) {
				continue
			}
			name := filepath.Base(f) + ": " + g.Description
			s, err := payloadSchema(t, string(g.Schema), "")
			if err != nil {
				notLoaded++
				continue
			}
			satisfiable++
			data, _, err := search(t, s)
			if err != nil {
				missed = append(missed, name+": "+err.Error())
				continue
			}
			found++
			assert.NoError(t, validAgainst(t, string(g.Schema), data), "%s: %s", name, data)
		}
	}
	sort.Strings(missed)
	t.Logf("%d satisfiable schemas without $ref load as payloads (%d do not); a valid instance found for %d (%.0f%%)",
		satisfiable, notLoaded, found, 100*float64(found)/float64(satisfiable))
	for _, m := range missed {
		t.Logf("not found: %s", m)
	}
	assert.Equal(t, satisfiable, found, "the generator misses valid instances it used to find")
}
