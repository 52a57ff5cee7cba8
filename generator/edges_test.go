package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
)

// edgesDoc holds schema features whose Go mapping is not the obvious one:
// a const property, an existing Go type (x-go-type), a property name a
// struct tag cannot carry, a nullable string.
const edgesDoc = `asyncapi: 3.0.0
info: {title: Edges, version: '1'}
channels:
  edge:
    address: edge
    messages:
      m: {payload: {$ref: '#/components/schemas/Edge'}}
operations:
  sendEdge: {action: send, channel: {$ref: '#/channels/edge'}, messages: [{$ref: '#/channels/edge/messages/m'}]}
components:
  schemas:
    Edge:
      type: object
      required: [kind, addr]
      properties:
        kind: {const: reading}
        addr: {type: string, x-go-type: netip.Addr, x-go-type-import: net/netip}
        'a,b"` + "`" + `c|d': {type: integer}
        note: {type: [string, 'null']}
`

// edgesHarness runs inside the generated package.
const edgesHarness = `package edges

import (
	"encoding/json"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

const oddName = "a,b\"` + "`" + `c|d"

func TestConstIsWrittenByTheEncoder(t *testing.T) {
	out, err := gen.Encode(opEdge.Codec, &Edge{Addr: netip.MustParseAddr("::1")}, true)
	require.NoError(t, err)
	require.JSONEq(t, ` + "`" + `{"kind":"reading","addr":"::1"}` + "`" + `, string(out))

	_, err = gen.Decode[Edge](opEdge.Codec, []byte(` + "`" + `{"kind":"other","addr":"10.0.0.1"}` + "`" + `), true)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	require.ErrorContains(t, err, "/kind")
}

func TestExistingGoTypeUsesItsOwnJSON(t *testing.T) {
	v, err := gen.Decode[Edge](opEdge.Codec, []byte(` + "`" + `{"kind":"reading","addr":"10.0.0.1"}` + "`" + `), true)
	require.NoError(t, err)
	require.Equal(t, netip.MustParseAddr("10.0.0.1"), v.Addr)

	_, err = gen.Decode[Edge](opEdge.Codec, []byte(` + "`" + `{"kind":"reading","addr":"not an address"}` + "`" + `), true)
	require.ErrorIs(t, err, mqttrt.ErrDecode)
}

func TestUntaggableNameRoundTrips(t *testing.T) {
	in, err := json.Marshal(map[string]any{"kind": "reading", "addr": "10.0.0.2", oddName: 7, "note": nil})
	require.NoError(t, err)
	v, err := gen.Decode[Edge](opEdge.Codec, in, true)
	require.NoError(t, err)
	require.NotNil(t, v.ABCD)
	require.Equal(t, int64(7), *v.ABCD)
	require.Nil(t, v.Note)

	// encoding/json goes through the generated MarshalJSON and
	// UnmarshalJSON, so the odd name survives there too.
	out, err := json.Marshal(v)
	require.NoError(t, err)
	var back map[string]any
	require.NoError(t, json.Unmarshal(out, &back))
	require.Equal(t, float64(7), back[oddName])
	var again Edge
	require.NoError(t, json.Unmarshal(out, &again))
	require.Equal(t, v, again)
}
`

// TestGeneratedEdges builds a package from edgesDoc and runs edgesHarness
// in it.
func TestGeneratedEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a generated package")
	}
	mod := t.TempDir()
	if keep := os.Getenv("EDGES_KEEP"); keep != "" {
		mod = keep
	}
	tempModule(t, mod, "edges.test")
	out, err := generator.Generate(context.Background(), generator.Config{Spec: "edges.yaml", Input: []byte(edgesDoc), Package: "edges", Role: ir.RoleApp})
	require.NoError(t, err)
	require.Empty(t, out.Warnings)
	dir := filepath.Join(mod, "edges")
	_, err = generator.Write(dir, out.Files)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "edges_test.go"), []byte(edgesHarness), 0o644))
	if os.Getenv("EDGES_KEEP") != "" {
		t.Log(mod)
	}
	if msg, err := goCmd(t, mod, 5*time.Minute, "test", "-count=1", "./..."); err != nil {
		t.Fatalf("go test in the generated package: %v\n%s", err, msg)
	}
}
