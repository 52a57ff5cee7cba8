package loader

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mqttgen/mqttgen/generator/model"
)

func mustLoad(t *testing.T, path string) *model.Document {
	t.Helper()
	doc, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return doc
}

func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func TestLoadV2(t *testing.T) {
	doc := mustLoad(t, "testdata/good/v2-full.yaml")
	eq(t, "major", doc.Major, 2)
	eq(t, "asyncapi", doc.AsyncAPI, "2.6.0")
	eq(t, "id", doc.ID, "urn:example:sensors")
	eq(t, "title", doc.Title, "Sensors")
	eq(t, "content type", doc.ContentType, "application/json")

	// servers: URLs normalised for paho, non-MQTT ones left without URL.
	var urls []string
	for _, s := range doc.Servers {
		urls = append(urls, s.Name+"="+s.URL)
	}
	eq(t, "server urls", urls, []string{"plain=tcp://broker.example.com:1883", "secure=ssl://broker.example.com:{port}",
		"websocket=wss://broker.example.com/mqtt", "kafka="})
	b := doc.Servers[0].Binding
	eq(t, "clientId", b.ClientID, "gateway-1")
	eq(t, "cleanSession", *b.CleanSession, false)
	eq(t, "keepAlive", *b.KeepAlive, 30)
	eq(t, "lastWill", *b.LastWill, model.LastWill{Topic: "gateway/status", QoS: 1, Message: "offline", Retain: true})
	eq(t, "variables", len(doc.Servers[1].Variables), 1)
	eq(t, "variable", *doc.Servers[1].Variables[0], model.ServerVariable{
		Loc:  model.Loc{Pos: model.Pos{File: "testdata/good/v2-full.yaml", Line: 27, Col: 9}, Pointer: "/servers/secure/variables/port"},
		Name: "port", Default: "8883", Enum: []string{"8883", "8884"}})

	// channels and parameters
	eq(t, "channels", len(doc.Channels), 2)
	temp := doc.Channels[0]
	eq(t, "address", temp.Address, "sensors/{sensorId}/temperature")
	eq(t, "params", len(temp.Parameters), 1)
	p := temp.Parameters[0]
	eq(t, "param name", p.Name, "sensorId")
	eq(t, "param enum", p.Enum, []string{"a1", "b2"})
	eq(t, "param description", p.Description, "The sensor.")
	eq(t, "param loc", p.Loc.Pointer, "/components/parameters/sensorId")

	// operations: 2.x subscribe = app sends, publish = app receives
	eq(t, "operations", len(doc.Operations), 3)
	send, recv, alert := doc.Operations[0], doc.Operations[1], doc.Operations[2]
	eq(t, "send key", send.Key, "sendTemperature")
	eq(t, "send action", send.Action, model.Send)
	eq(t, "send qos from trait", *send.Binding.QoS, 2)
	eq(t, "recv key", recv.Key, "onTemperature")
	eq(t, "recv action", recv.Action, model.Receive)
	eq(t, "recv qos", *recv.Binding.QoS, 1)
	eq(t, "recv retain", *recv.Binding.Retain, false)
	eq(t, "recv messages (oneOf)", len(recv.Messages), 2)
	eq(t, "shared message", recv.Messages[0], send.Messages[0])
	eq(t, "alert key", alert.Key, "subscribe alerts")
	eq(t, "alert operationId", alert.OperationID, "")
	eq(t, "alert message key", alert.Messages[0].Key, "subscribe alertsMessage")
	eq(t, "channel messages", len(temp.Messages), 2)
	eq(t, "document messages", len(doc.Messages), 3)

	// message: 2.x traits are merge patches onto the message: trait wins.
	m := send.Messages[0]
	eq(t, "message key", m.Key, "reading")
	eq(t, "content type from trait", m.ContentType, "application/cbor")
	eq(t, "headers from trait", m.Headers.Properties[0].Name, "traceId")
	eq(t, "correlation id", m.CorrelationID.Location, "$message.header#/traceId")
	eq(t, "examples", m.Examples, []model.Example{{Name: "warm", Payload: map[string]any{"celsius": 21.5}}})
	eq(t, "payload", m.Payload.Key, "reading")
	eq(t, "inline message gets default content type", recv.Messages[1].ContentType, "application/json")

	// schemas: components sorted by key, refs shared.
	eq(t, "schemas", len(doc.Schemas), 2)
	eq(t, "schema keys", []string{doc.Schemas[0].Key, doc.Schemas[1].Key}, []string{"reading", "unit"})
	reading := doc.Schemas[0]
	eq(t, "payload is component", m.Payload, reading)
	eq(t, "unit via ref", reading.Properties[1].Schema, doc.Schemas[1])
	eq(t, "ref", doc.Schemas[1].Ref, "testdata/good/v2-full.yaml#/components/schemas/unit")
	eq(t, "exclusiveMinimum", *reading.Properties[0].Schema.ExclusiveMinimum, -273.15)
	eq(t, "required", reading.Required, []string{"celsius"})
}

func TestLoadV3(t *testing.T) {
	doc := mustLoad(t, "testdata/good/v3-full.yaml")
	eq(t, "major", doc.Major, 3)
	eq(t, "urls", []string{doc.Servers[0].URL, doc.Servers[1].URL}, []string{"tcp://localhost:1883", "ssl://broker.example.com:8883/mqtt"})

	lm := doc.Channels[0]
	eq(t, "key", lm.Key, "lightMeasured")
	eq(t, "title", lm.Title, "Light measured")
	eq(t, "servers", lm.Servers, []string{"local"})
	p := lm.Parameters[0]
	eq(t, "param", []any{p.Name, p.Enum, p.Default, p.Description, p.Examples}, []any{"lightId", []string{"l1", "l2"}, "l1", "The light.", []string{"l1"}})
	eq(t, "channel messages", len(lm.Messages), 2)
	eq(t, "inline message key", lm.Messages[1].Key, "inline")

	on, cmd, all := doc.Operations[0], doc.Operations[1], doc.Operations[2]
	eq(t, "action", on.Action, model.Receive)
	// 3.0 traits: the operation's own bindings win over the trait's.
	eq(t, "qos", *on.Binding.QoS, 2)
	eq(t, "retain merged in from the trait", *on.Binding.Retain, true)
	eq(t, "messages", on.Messages, []*model.Message{lm.Messages[0]})
	eq(t, "schema format", on.Messages[0].SchemaFormat, "application/schema+json;version=draft-07")
	eq(t, "payload", on.Messages[0].Payload.Key, "lumens")
	eq(t, "send", cmd.Action, model.Send)
	eq(t, "all messages of the channel", all.Messages, lm.Messages)
	eq(t, "extension", all.Extensions["x-go-name"], any("everything"))
	eq(t, "reply channel", cmd.Reply.Channel, doc.Channels[2])
	eq(t, "reply messages", cmd.Reply.Messages, doc.Channels[2].Messages)

	// 3.0 message traits: the message's own contentType wins.
	turnOn := cmd.Messages[0]
	eq(t, "content type", turnOn.ContentType, "text/plain")
	eq(t, "summary from trait", turnOn.Summary, "From a trait.")
}

func TestRefs(t *testing.T) {
	doc := mustLoad(t, "testdata/good/refs/root.yaml")
	tree := doc.Channels[0].Messages[0].Payload
	// Reached through a file in a subdirectory that refers to its sibling.
	eq(t, "file", tree.Pos.File, filepath.FromSlash("testdata/good/refs/schemas/tree.json"))
	eq(t, "pos", []int{tree.Pos.Line, tree.Pos.Col}, []int{1, 1})
	eq(t, "message name (%20 in pointer)", doc.Channels[0].Messages[0].Name, "treeNode")
	eq(t, "message loc", doc.Channels[0].Messages[0].Pointer, "/components/messages/tree node")
	// The same target, reached four ways, is one schema.
	eq(t, "same schema via ~0~1 pointer", doc.Channels[1].Messages[0].Payload, tree)
	eq(t, "components", doc.Schemas, []*model.Schema{tree})
	eq(t, "key of the first component naming it", tree.Key, "tilde~and/slash")
	// Recursive through items: a pointer cycle.
	children := tree.Properties[1].Schema
	eq(t, "recursion", children.Items, tree)
	value := tree.Properties[0].Schema
	eq(t, "value pointer", value.Pointer, "/definitions/value")
	eq(t, "value line", value.Pos.Line, 13)
	eq(t, "union type", value.Type, []string{"string", "null"})
	eq(t, "extension", value.Extension("x-go-type"), "Value")
	eq(t, "extra", value.Extra, map[string]any{"contentEncoding": "base64"})
	eq(t, "definitions kept verbatim", tree.Extra["definitions"].(map[string]any)["value"].(map[string]any)["x-go-type"], any("Value"))
	tuple := tree.Properties[2].Schema
	eq(t, "draft-07 tuple", len(tuple.PrefixItems), 2)
	eq(t, "tuple items nil", tuple.Items, (*model.Schema)(nil))
	eq(t, "discriminator string", tree.Properties[3].Schema.Discriminator, "kind")
	legacy := tree.Properties[4].Schema
	eq(t, "draft-4 exclusive", []any{legacy.Minimum, *legacy.ExclusiveMinimum}, []any{(*float64)(nil), 0.0})
	eq(t, "discriminator object", tree.Properties[5].Schema.Discriminator, "shape")
	eq(t, "operation channel", doc.Operations[0].Channel, doc.Channels[0])
}

func TestLoadJSON(t *testing.T) {
	src := []byte("{\n\t\"asyncapi\": \"3.0.0\",\n\t\"info\": {\"title\": \"J\", \"version\": \"1\"},\n\t\"channels\": {\"c\": {\"address\": \"x/{id}\", \"parameters\": {\"id\": {}}}}\n}\n")
	doc, err := LoadBytes("<stdin>", src)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "title", doc.Title, "J")
	eq(t, "param", doc.Channels[0].Parameters[0].Loc, model.Loc{Pos: model.Pos{File: "<stdin>", Line: 4, Col: 63}, Pointer: "/channels/c/parameters/id"})
}

func TestErrorsIs(t *testing.T) {
	cases := map[string]error{
		"asyncapi: 1.2.0\n": ErrUnsupportedVersion,
		"openapi: 3.0.0\n":  ErrNotAsyncAPI,
		"- a\n":             ErrNotAsyncAPI,
		"":                  ErrNotAsyncAPI,
		"asyncapi: 3.0.0\ninfo: {title: t, version: v}\ncomponents: {schemas: {a: {$ref: 'http://x/y.json'}}}\n":                                             ErrRemoteRef,
		"asyncapi: 3.0.0\ninfo: {title: t, version: v}\ncomponents: {schemas: {a: {$ref: '#/components/schemas/b'}, b: {$ref: '#/components/schemas/a'}}}\n": ErrRefLoop,
	}
	for src, want := range cases {
		_, err := LoadBytes("x.yaml", []byte(src))
		if !errors.Is(err, want) {
			t.Errorf("LoadBytes(%q) = %v, want errors.Is %v", src, err, want)
		}
		var ds Diagnostics
		if !errors.As(err, &ds) || len(ds) == 0 {
			t.Errorf("LoadBytes(%q): error %T is not Diagnostics", src, err)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/nope.yaml")
	if err == nil || err.Error() != "testdata/nope.yaml does not exist" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}
