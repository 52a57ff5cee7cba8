package generator

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

// generateAll generates a spec of specs/ with a role.
func generateAll(t *testing.T, spec string, role Role) map[string]string {
	t.Helper()
	files, err := Generate(context.Background(), Config{Spec: "../specs/" + spec, Package: "p", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range files {
		out[f.Name] = string(f.Data)
	}
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, spec := range []string{"sensor-gateway.yaml", "streetlights.yaml", "device-events.yaml"} {
		a, err := Generate(context.Background(), Config{Spec: "../specs/" + spec, Package: "p", Role: RoleBoth})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Generate(context.Background(), Config{Spec: "../specs/" + spec, Package: "p", Role: RoleBoth})
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatalf("%s: %d files then %d", spec, len(a), len(b))
		}
		for i := range a {
			if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
				t.Errorf("%s: %s differs between two runs", spec, a[i].Name)
			}
		}
	}
}

var header = regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.\n// Source: sensor-gateway.yaml \(Sensor Gateway 1.0.0, AsyncAPI 3.0.0\)\n\n`)

func TestGeneratedFilesShape(t *testing.T) {
	files := generateAll(t, "sensor-gateway.yaml", RoleApp)
	for _, name := range []string{"client.go", "topics.go", "publish.go", "subscribe.go", "messages.go", "types.go", "validation.go", "servers.go"} {
		src, ok := files[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if !header.MatchString(src) {
			t.Errorf("%s starts with %q", name, src[:min(len(src), 120)])
		}
		if strings.Contains(src, `"github.com/mqttgen/mqttgen/runtime"`) && !strings.Contains(src, `mqttrt "github.com/mqttgen/mqttgen/runtime"`) {
			t.Errorf("%s imports the runtime without the mqttrt alias", name)
		}
	}
	if !strings.Contains(files["client.go"], "const _ = mqttrt.SupportPackageIsVersion1") {
		t.Error("client.go lacks the runtime version handshake")
	}
	// Godoc carries the topic and the QoS.
	for _, want := range []string{
		"// PublishAlert publishes message alert to channel alerts (topic\n// alerts/{severity}) with QoS 2, not retained.",
		"// PublishConfig publishes message deviceConfig to channel config (topic\n// devices/{deviceId}/config) with QoS 1, retained.",
	} {
		if !strings.Contains(files["publish.go"], want) {
			t.Errorf("publish.go lacks %q", want)
		}
	}
	if !strings.Contains(files["subscribe.go"], "SubscribeTemperature subscribes to channel temperature (topic\n// sensors/{room}/temperature) (filter sensors/+/temperature) with QoS 1") {
		t.Error("subscribe.go godoc lacks topic, filter and QoS")
	}
	if !strings.Contains(files["servers.go"], `mqttrt.WithWill("gateway/gw-1/status", []byte("offline"), 1, true)`) ||
		!strings.Contains(files["servers.go"], `mqttrt.WithKeepAlive(30 * time.Second)`) ||
		!strings.Contains(files["servers.go"], `const ServerLocalURL = "tcp://localhost:1883"`) {
		t.Errorf("servers.go does not carry the bindings:\n%s", files["servers.go"])
	}
}

// methods lists "func (c *Client) Name(" declarations.
func methods(files map[string]string) map[string]bool {
	re := regexp.MustCompile(`(?m)^func \(c \*Client\) ([A-Z]\w*)\(`)
	out := map[string]bool{}
	for _, src := range files {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			out[m[1]] = true
		}
	}
	return out
}

func TestRoles(t *testing.T) {
	cases := []struct {
		role       Role
		has, lacks []string
	}{
		{RoleApp, []string{"PublishAlert", "SubscribeTemperature", "UnsubscribeTemperature"}, []string{"SubscribeAlert", "PublishTemperature"}},
		{RoleClient, []string{"SubscribeAlert", "PublishTemperature", "UnsubscribeAlert"}, []string{"PublishAlert", "SubscribeTemperature"}},
		{RoleBoth, []string{"PublishAlert", "SubscribeAlert", "PublishTemperature", "SubscribeTemperature"}, nil},
	}
	for _, tc := range cases {
		m := methods(generateAll(t, "sensor-gateway.yaml", tc.role))
		for _, n := range tc.has {
			if !m[n] {
				t.Errorf("role %s: no %s", tc.role, n)
			}
		}
		for _, n := range tc.lacks {
			if m[n] {
				t.Errorf("role %s: unexpected %s", tc.role, n)
			}
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range []Role{RoleApp, RoleClient, RoleBoth} {
		if got, err := ParseRole(r.String()); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r.String(), got, err)
		}
	}
	if _, err := ParseRole("server"); !errors.Is(err, ErrConfig) {
		t.Errorf("ParseRole(server) = %v", err)
	}
}

const collidingDoc = `asyncapi: 3.0.0
info: {title: Collide, version: "1"}
servers:
  prod: {host: "broker:1883", protocol: mqtt}
channels:
  readings:
    address: readings
    messages:
      reading: {payload: {$ref: '#/components/schemas/ServerProdURL'}}
operations:
  sendReading:
    action: send
    channel: {$ref: '#/channels/readings'}
components:
  schemas:
    ServerProdURL:
      type: object
      properties:
        id: {type: string}
`

// TestReservedTypeNameGetsSuffix: a schema named like a generated
// identifier (here the URL const of server "prod") follows the type naming
// rule and becomes ServerProdURL2; the const keeps its name.
func TestReservedTypeNameGetsSuffix(t *testing.T) {
	files, err := Generate(context.Background(), Config{Spec: "collide.yaml", Input: []byte(collidingDoc), Package: "p"})
	if err != nil {
		t.Fatal(err)
	}
	var all string
	for _, f := range files {
		all += string(f.Data)
	}
	for _, want := range []string{"type ServerProdURL2 struct", "ServerProdURL = "} {
		if !strings.Contains(all, want) {
			t.Errorf("generated code lacks %q", want)
		}
	}
}

// bothSidesDoc has a send and a receive operation that get the same Go
// name: fine for one role (PublishReading, SubscribeReading), a collision
// for -role both, where each side emits both methods.
const bothSidesDoc = `asyncapi: 3.0.0
info: {title: Collide, version: "1"}
channels:
  readings:
    address: readings
    messages:
      reading: {payload: {type: string}, contentType: text/plain}
operations:
  sendReading:
    action: send
    channel: {$ref: '#/channels/readings'}
  receiveReading:
    action: receive
    channel: {$ref: '#/channels/readings'}
`

// TestCollisionIsAnError: identifiers that collide in the emitted package
// are reported with a hint, never renamed silently.
func TestCollisionIsAnError(t *testing.T) {
	if _, err := Generate(context.Background(), Config{Spec: "both.yaml", Input: []byte(bothSidesDoc), Package: "p"}); err != nil {
		t.Fatalf("role app: %v", err)
	}
	_, err := Generate(context.Background(), Config{Spec: "both.yaml", Input: []byte(bothSidesDoc), Package: "p", Role: RoleBoth})
	if err == nil || !strings.Contains(err.Error(), "PublishReading is declared twice") || !strings.Contains(err.Error(), "x-go-name") {
		t.Fatalf("err = %v, want a collision on PublishReading naming x-go-name", err)
	}
	fixed := strings.Replace(bothSidesDoc, "    action: receive\n", "    action: receive\n    x-go-name: readingArrived\n", 1)
	if _, err := Generate(context.Background(), Config{Spec: "both.yaml", Input: []byte(fixed), Package: "p", Role: RoleBoth}); err != nil {
		t.Fatalf("after x-go-name: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{Spec: "../specs/streetlights.yaml", Package: ""},
		{Spec: "../specs/streetlights.yaml", Package: "my-pkg"},
		{Spec: "../specs/streetlights.yaml", Package: "func"},
		{Spec: "", Package: "p"},
	} {
		if _, err := Generate(context.Background(), cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("Generate(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
	_, err := Generate(context.Background(), Config{Spec: "bad.yaml", Input: []byte("asyncapi: 3.0.0\ninfo: {title: x, version: '1'}\nchannels:\n  a:\n    address: a/{id\n"), Package: "p"})
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:") {
		t.Errorf("a bad document gave %v, want a positioned diagnostic", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, Config{Spec: "../specs/streetlights.yaml", Package: "p"}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Generate = %v", err)
	}
}
