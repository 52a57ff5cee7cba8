package generator

import "testing"

// TestTypeNamesAvoidServerAndOptionNames: schemas named like the
// identifiers servers.go and topics.go declare (Server<Name>URL,
// Server<Name>Options, With<Channel>Params) get a suffix instead of a
// duplicate declaration.
func TestTypeNamesAvoidServerAndOptionNames(t *testing.T) {
	doc := load(t, `
asyncapi: 3.0.0
info: {title: t, version: "1"}
servers:
  production: {host: broker.example.com, protocol: mqtt}
channels:
  temperature:
    address: sensors/{room}/temperature
    parameters: {room: {}}
    messages:
      reading: {payload: {$ref: '#/components/schemas/WithTemperatureParams'}}
operations:
  publishTemperature:
    action: send
    channel: {$ref: '#/channels/temperature'}
components:
  schemas:
    ServerProductionURL: {type: object, properties: {a: {type: string}}}
    ServerProductionOptions: {type: object, properties: {a: {type: string}}}
    WithTemperatureParams: {type: object, properties: {a: {type: string}}}
`)
	if err := AssignNames(doc); err != nil {
		t.Fatal(err)
	}
	if err := AssignTypeNames(doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"ServerProductionURL":     "ServerProductionURL2",
		"ServerProductionOptions": "ServerProductionOptions2",
		"WithTemperatureParams":   "WithTemperatureParams2",
	}
	for _, s := range doc.Schemas {
		if got := s.GoName; got != want[s.Key] {
			t.Errorf("schema %s: got type name %q, want %q", s.Key, got, want[s.Key])
		}
	}
}
