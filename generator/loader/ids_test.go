package loader

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// idDoc wraps a schema as the payload of a 3.0 document.
func idDoc(schema string) string {
	return `asyncapi: 3.0.0
info: {title: ids, version: "1"}
channels:
  c:
    address: c
    messages:
      m:
        payload: ` + schema + `
`
}

// TestSchemaIDs: $refs resolve against the base URI their $ids set, to a
// schema by $id or plain-name anchor, as draft-07 says.
func TestSchemaIDs(t *testing.T) {
	cases := []struct {
		name, schema string
		check        func(t *testing.T, d string)
	}{
		{"anchor", `{allOf: [{$ref: '#foo'}], definitions: {A: {$id: '#foo', type: integer}}}`, nil},
		{"nested ids", `{$id: 'http://localhost:1234/tree', type: object, properties: {nodes: {type: array, items: {$ref: node}}},
          definitions: {node: {$id: 'http://localhost:1234/node', type: object, properties: {subtree: {$ref: tree}}}}}`, nil},
		{"urn base", `{$id: 'urn:uuid:deadbeef-1234-0000-0000-4321feebdaed', properties: {foo: {$ref: '#/definitions/bar'}}, definitions: {bar: {type: string}}}`, nil},
		{"ref beside id is not a base", `{definitions: {foo: {$id: 'http://x/a.json', type: string}}, allOf: [{$id: 'http://x/b/', $ref: 'a.json'}]}`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := LoadBytes("ids.yaml", []byte(idDoc(c.schema)))
			if c.name == "ref beside id is not a base" {
				// a.json resolves against the document, not http://x/b/:
				// there is no such file.
				require.Error(t, err)
				assert.Contains(t, err.Error(), "a.json does not exist")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, doc.Messages[0].Payload)
		})
	}
	// The anchor resolves to the integer schema.
	doc, err := LoadBytes("ids.yaml", []byte(idDoc(cases[0].schema)))
	require.NoError(t, err)
	assert.Equal(t, []string{"integer"}, doc.Messages[0].Payload.AllOf[0].Type)
	// The tree's nodes are nodes whose subtree is the tree again.
	doc, err = LoadBytes("ids.yaml", []byte(idDoc(cases[1].schema)))
	require.NoError(t, err)
	tree := doc.Messages[0].Payload
	node := tree.Properties[0].Schema.Items
	assert.Same(t, tree, node.Properties[0].Schema)
}

// TestSchemaIDsRemoteAndNeighbours: a relative $ref under an http(s) $id
// is remote unless the file lies beside the schema (published schemas
// mirror their files); then that file is read.
func TestSchemaIDsRemoteAndNeighbours(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "api.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(idDoc(`{$id: 'https://schemas.example.com/v1/reading.json', properties: {unit: {$ref: 'common/unit.json'}, gone: {$ref: 'common/gone.json'}}}`)), 0o644))
	_, diags := LoadFile(spec, Options{})
	require.True(t, diags.HasErrors())
	assert.ErrorIs(t, diags, ErrRemoteRef, "%v", diags)
	assert.Len(t, diags.Errors(), 2, "%v", diags)

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "unit.json"), []byte(`{"enum": ["c", "f"]}`), 0o644))
	_, diags = LoadFile(spec, Options{})
	require.Len(t, diags.Errors(), 1, "%v", diags)
	assert.Contains(t, diags.Errors()[0].Message, `"common/gone.json" is remote`)
}
