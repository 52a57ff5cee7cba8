package ir_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
)

// build loads doc and builds it for role, failing the test on a loading
// error.
func build(t *testing.T, doc string, role ir.Role) (*ir.Package, loader.Diagnostics) {
	t.Helper()
	d, err := loader.LoadBytes("doc.yaml", []byte(doc))
	require.NoError(t, err)
	return ir.Build(d, ir.Config{Package: "p", Source: "doc.yaml", Role: role})
}

func TestNamingPolicy(t *testing.T) {
	cases := []struct {
		name     string
		role     ir.Role
		doc      string
		has      []string // identifiers the package declares
		warnings []string // substrings, each in some warning
		errors   []string // substrings, each in some error
	}{
		{
			name: "messages reusing name fall back to their keys",
			role: ir.RoleBoth,
			doc: `asyncapi: 3.0.0
info: {title: Robot, version: "1"}
channels:
  speed:
    address: robot/speed
    messages:
      speedValue: {name: Int, payload: {type: object, properties: {v: {type: integer}}}}
  turn:
    address: robot/turn
    messages:
      turnValue: {name: Int, payload: {type: object, properties: {deg: {type: integer}}}}
operations:
  setSpeed: {action: send, channel: {$ref: '#/channels/speed'}}
  setTurn: {action: send, channel: {$ref: '#/channels/turn'}}
`,
			has:      []string{"Int", "TurnValue", "Client.PublishSetSpeed", "Client.SubscribeSetTurn"},
			warnings: []string{`is named TurnValue (from the message key "turnValue") because Int (from the message name "Int") is taken`},
		},
		{
			name: "2.x addresses without a usable name take their operation's",
			role: ir.RoleApp,
			doc: `asyncapi: 2.6.0
info: {title: RPC, version: "1"}
channels:
  '{queue}':
    parameters: {queue: {schema: {type: string}}}
    subscribe:
      operationId: sendReply
      message: {payload: {type: string}}
  /:
    publish:
      operationId: receiveRequest
      message: {payload: {type: string}}
`,
			has: []string{"QueueParams", "ParseQueueTopic", "RequestAddress", "Client.PublishReply", "Client.SubscribeRequest"},
		},
		{
			name: "an x-go-name in lower case is exported",
			role: ir.RoleApp,
			doc: `asyncapi: 3.0.0
info: {title: Lower, version: "1"}
channels:
  readings:
    address: readings
    x-go-name: sensorFeed
    messages:
      reading: {payload: {$ref: '#/components/schemas/r'}}
operations:
  sendReading: {action: send, channel: {$ref: '#/channels/readings'}, x-go-name: pushReading}
components:
  schemas:
    r: {type: object, x-go-name: reading, properties: {v: {type: integer, x-go-name: value}}}
`,
			has: []string{"SensorFeedAddress", "Client.PublishPushReading", "Reading"},
		},
		{
			name: "a send and a receive operation of one name under -role both",
			role: ir.RoleBoth,
			doc: `asyncapi: 3.0.0
info: {title: Both, version: "1"}
channels:
  readings:
    address: readings
    messages:
      reading: {payload: {type: string}, contentType: text/plain}
operations:
  sendReading: {action: send, channel: {$ref: '#/channels/readings'}}
  receiveReading: {action: receive, channel: {$ref: '#/channels/readings'}}
`,
			has:      []string{"Client.PublishReading", "Client.SubscribeReading", "ReadingMessage", "Client.PublishReceiveReading", "ReceiveReadingMessage"},
			warnings: []string{`operation "receiveReading" is named ReceiveReading`},
		},
		{
			name: "a schema named like a generated identifier",
			role: ir.RoleApp,
			doc: `asyncapi: 3.0.0
info: {title: Reserved, version: "1"}
servers:
  prod: {host: "broker:1883", protocol: mqtt}
channels:
  readings:
    address: readings
    messages:
      reading: {payload: {$ref: '#/components/schemas/Client'}}
operations:
  sendReading: {action: send, channel: {$ref: '#/channels/readings'}}
components:
  schemas:
    Client: {type: object, properties: {id: {type: string}}}
`,
			has:      []string{"Client2", "Client", "ServerProdURL"},
			warnings: []string{"is named Client2 (from a numeric suffix) because Client (from the components/schemas key \"Client\") is taken"},
		},
		{
			name: "two explicit names that collide are an error with both positions",
			role: ir.RoleApp,
			doc: `asyncapi: 3.0.0
info: {title: Explicit, version: "1"}
channels:
  a: {address: a, x-go-name: Same, messages: {m: {payload: {type: string}, contentType: text/plain}}}
  b: {address: b, x-go-name: Same, messages: {m: {payload: {type: string}, contentType: text/plain}}}
operations:
  sendA: {action: send, channel: {$ref: '#/channels/a'}}
  sendB: {action: send, channel: {$ref: '#/channels/b'}}
`,
			errors: []string{`channel "b": x-go-name "Same" makes SameAddress, which channel "a" also makes (doc.yaml:4:6)`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pkg, diags := build(t, tc.doc, tc.role)
			for _, want := range tc.errors {
				assert.Contains(t, diags.Errors().Error(), want)
			}
			if len(tc.errors) > 0 {
				assert.Nil(t, pkg)
				return
			}
			require.False(t, diags.HasErrors(), "%v", diags)
			for _, id := range tc.has {
				assert.Contains(t, pkg.Names, id)
			}
			for _, want := range tc.warnings {
				assert.Contains(t, diags.Warnings().Error(), want)
			}
		})
	}
}

// TestNamesDoNotDependOnRoleForTypes: the payload types of a document are
// named the same in every role.
func TestTypeNamesSameInEveryRole(t *testing.T) {
	doc := `asyncapi: 3.0.0
info: {title: T, version: "1"}
channels:
  a:
    address: a/{id}
    parameters: {id: {}}
    messages: {m: {name: reading, payload: {type: object, properties: {v: {type: number}, unit: {enum: [c, f]}}}}}
operations:
  sendA: {action: send, channel: {$ref: '#/channels/a'}}
`
	var names []string
	for _, role := range ir.Roles {
		pkg, diags := build(t, doc, role)
		require.False(t, diags.HasErrors(), "%v", diags)
		var types []string
		for _, ty := range pkg.Types {
			types = append(types, ty.Name)
		}
		got := strings.Join(types, ",")
		if names != nil {
			assert.Equal(t, names[0], got, "role %s", role)
		}
		names = append(names, got)
	}
	assert.Equal(t, "Reading,ReadingUnit", names[0])
}
