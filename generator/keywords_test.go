package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// keywordUse is a schema using one keyword, and (for a validation keyword)
// an instance that only this keyword refuses, or (for an annotation) the
// text the godoc must show.
type keywordUse struct {
	schema  string // JSON
	invalid string // JSON; validation keywords
	doc     string // annotations
}

var keywordUses = map[string]keywordUse{
	"type":                 {schema: `{"type":"integer"}`, invalid: `"a"`},
	"enum":                 {schema: `{"enum":["a","b"]}`, invalid: `"c"`},
	"const":                {schema: `{"const":"x"}`, invalid: `"y"`},
	"format":               {schema: `{"type":"string","format":"email"}`, invalid: `"not an address"`},
	"multipleOf":           {schema: `{"type":"number","multipleOf":0.5}`, invalid: `0.7`},
	"maximum":              {schema: `{"type":"number","maximum":5}`, invalid: `6`},
	"exclusiveMaximum":     {schema: `{"type":"number","exclusiveMaximum":5}`, invalid: `5`},
	"minimum":              {schema: `{"type":"number","minimum":5}`, invalid: `4`},
	"exclusiveMinimum":     {schema: `{"type":"number","exclusiveMinimum":5}`, invalid: `5`},
	"maxLength":            {schema: `{"type":"string","maxLength":2}`, invalid: `"abc"`},
	"minLength":            {schema: `{"type":"string","minLength":2}`, invalid: `"a"`},
	"pattern":              {schema: `{"type":"string","pattern":"^a"}`, invalid: `"b"`},
	"items":                {schema: `{"type":"array","items":{"type":"string"}}`, invalid: `[1]`},
	"additionalItems":      {schema: `{"type":"array","items":[{"type":"string"}],"additionalItems":false}`, invalid: `["a","b"]`},
	"maxItems":             {schema: `{"type":"array","maxItems":1}`, invalid: `[1,2]`},
	"minItems":             {schema: `{"type":"array","minItems":2}`, invalid: `[1]`},
	"uniqueItems":          {schema: `{"type":"array","uniqueItems":true}`, invalid: `[1,1]`},
	"contains":             {schema: `{"type":"array","contains":{"const":1}}`, invalid: `[2]`},
	"maxProperties":        {schema: `{"type":"object","maxProperties":1}`, invalid: `{"a":1,"b":2}`},
	"minProperties":        {schema: `{"type":"object","minProperties":2}`, invalid: `{"a":1}`},
	"required":             {schema: `{"type":"object","required":["a"],"properties":{"a":{"type":"string"}}}`, invalid: `{}`},
	"properties":           {schema: `{"type":"object","properties":{"a":{"type":"string"}}}`, invalid: `{"a":1}`},
	"patternProperties":    {schema: `{"type":"object","patternProperties":{"^x":{"type":"string"}}}`, invalid: `{"xa":1}`},
	"additionalProperties": {schema: `{"type":"object","additionalProperties":{"type":"integer"}}`, invalid: `{"a":"b"}`},
	"dependencies":         {schema: `{"type":"object","dependencies":{"a":["b"]}}`, invalid: `{"a":1}`},
	"propertyNames":        {schema: `{"type":"object","propertyNames":{"maxLength":2}}`, invalid: `{"abc":1}`},
	"if":                   {schema: `{"if":{"type":"string"},"then":{"minLength":2}}`, invalid: `"a"`},
	"then":                 {schema: `{"if":{"type":"string"},"then":{"minLength":2},"else":{"type":"integer"}}`, invalid: `"a"`},
	"else":                 {schema: `{"if":{"type":"string"},"then":{"minLength":2},"else":{"type":"integer"}}`, invalid: `1.5`},
	"allOf":                {schema: `{"allOf":[{"type":"string"},{"minLength":2}]}`, invalid: `"a"`},
	"anyOf":                {schema: `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, invalid: `1.5`},
	"oneOf":                {schema: `{"oneOf":[{"type":"string"},{"minLength":2}]}`, invalid: `"ab"`},
	"not":                  {schema: `{"not":{"type":"string"}}`, invalid: `"a"`},
	"contentMediaType":     {schema: `{"type":"string","contentMediaType":"application/json"}`, doc: `Content: "application/json".`},
	"contentEncoding":      {schema: `{"type":"string","contentEncoding":"base64"}`, doc: `Encoding: "base64".`},

	"title":       {schema: `{"type":"string","title":"Marked title"}`, doc: "Marked title"},
	"description": {schema: `{"type":"string","description":"Marked description"}`, doc: "Marked description"},
	"default":     {schema: `{"type":"string","default":"marked-default"}`, doc: `Default: "marked-default".`},
	"examples":    {schema: `{"type":"string","examples":["marked-example"]}`, doc: `Examples: "marked-example".`},
	"readOnly":    {schema: `{"type":"string","readOnly":true}`, doc: "Read-only (readOnly)."},
	"writeOnly":   {schema: `{"type":"string","writeOnly":true}`, doc: "Write-only (writeOnly)."},

	"$id":         {schema: `{"$id":"https://example.com/marked.json","type":"string"}`},
	"$schema":     {schema: `{"$schema":"http://json-schema.org/draft-07/schema#","type":"string"}`},
	"$ref":        {schema: `{"$ref":"#/components/schemas/Target"}`, invalid: `1`},
	"definitions": {schema: `{"definitions":{"d":{"type":"integer"}},"properties":{"a":{"$ref":"#/components/schemas/K_definitions/definitions/d"}},"type":"object"}`, invalid: `{"a":"x"}`},
	"$comment":    {schema: `{"$comment":"nothing to enforce","type":"string"}`},
}

// keywordsDoc is a document whose component schema K_<keyword> uses each
// keyword.
func keywordsDoc(t *testing.T) []byte {
	schemas := map[string]any{"Target": map[string]any{"type": "string"}}
	props := map[string]any{}
	for kw, use := range keywordUses {
		var s any
		require.NoError(t, json.Unmarshal([]byte(use.schema), &s), kw)
		schemas["K_"+kw] = s
		props["k_"+kw] = map[string]any{"$ref": "#/components/schemas/K_" + kw}
	}
	schemas["All"] = map[string]any{"type": "object", "properties": props}
	doc := map[string]any{
		"asyncapi": "3.0.0",
		"info":     map[string]any{"title": "Keywords", "version": "1"},
		"channels": map[string]any{"all": map[string]any{"address": "all",
			"messages": map[string]any{"m": map[string]any{"payload": map[string]any{"$ref": "#/components/schemas/All"}}}}},
		"operations": map[string]any{"sendAll": map[string]any{"action": "send", "channel": map[string]any{"$ref": "#/channels/all"}}},
		"components": map[string]any{"schemas": schemas},
	}
	data, err := json.Marshal(doc)
	require.NoError(t, err)
	return data
}

// TestDraft7KeywordDestinations shows where each draft-07 keyword goes
// (ir.Draft7Keywords): the table names every keyword of the draft-07
// meta-schema; a validation keyword reaches the schema the codecs
// validate with, so an instance only it refuses is refused; an annotation
// reaches the godoc; what the loader handles leaves no error behind.
func TestDraft7KeywordDestinations(t *testing.T) {
	meta := filepath.Join(checkout(t), "..", "shared", "asyncapi-corpus", "metaschemas", "3.0.0.json")
	if data, err := os.ReadFile(meta); err == nil {
		var m struct {
			Definitions map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"definitions"`
		}
		require.NoError(t, json.Unmarshal(data, &m))
		draft7 := m.Definitions["http://json-schema.org/draft-07/schema"].Properties
		require.NotEmpty(t, draft7)
		var want, got []string
		for kw := range draft7 {
			want = append(want, kw)
		}
		for kw := range ir.Draft7Keywords {
			got = append(got, kw)
		}
		sort.Strings(want)
		sort.Strings(got)
		assert.Equal(t, want, got, "ir.Draft7Keywords must name every keyword of draft-07, and only those")
	}
	for kw := range ir.Draft7Keywords {
		_, ok := keywordUses[kw]
		assert.True(t, ok, "keyword %q has no use in this test", kw)
	}

	docJSON := keywordsDoc(t)
	out, err := generator.Generate(context.Background(), generator.Config{Spec: "keywords.json", Input: docJSON, Package: "keywords"})
	require.NoError(t, err)
	for _, w := range out.Warnings {
		t.Logf("warning: %s", w)
	}
	var godoc bytes.Buffer
	for _, f := range out.Files {
		godoc.Write(f.Data)
	}
	doc, err := loader.LoadBytes("keywords.json", docJSON)
	require.NoError(t, err)
	// Each keyword's schema, as property k_<keyword> of All reaches it
	// (a component that is only a $ref resolves to its target).
	byKeyword := map[string]*model.Schema{}
	for _, s := range doc.Schemas {
		if s.Key == "All" {
			for _, p := range s.Properties {
				byKeyword[p.Name[len("k_"):]] = p.Schema
			}
		}
	}

	for kw, dest := range ir.Draft7Keywords {
		use := keywordUses[kw]
		s := byKeyword[kw]
		require.NotNil(t, s, kw)
		switch dest {
		case ir.ToValidation, ir.ByLoader:
			if use.invalid == "" {
				continue
			}
			refusal := validate(t, ir.SchemaJSON(s), use.invalid)
			assert.Error(t, refusal, "%s (%s): %s is accepted", kw, dest, use.invalid)
		case ir.ToDoc:
			assert.Contains(t, godoc.String(), use.doc, "%s: the godoc does not show it", kw)
		default:
			t.Errorf("keyword %q: destination %q", kw, dest)
		}
	}
}

// validate checks instance against the standalone schema with the
// runtime's validator, as a generated codec's slow path would.
func validate(t *testing.T, schema []byte, instance string) error {
	err := gen.NewSchemas(string(schema)).Validate("", []byte(instance))
	if err != nil {
		require.ErrorIs(t, err, mqttrt.ErrValidation, "%s against %s", instance, schema)
	}
	return err
}
