package loader

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBadDocuments checks, for each rule, the exact position, pointer and
// message of every problem in a bad document: all problems are reported,
// sorted, not just the first, warnings among them.
func TestBadDocuments(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"version.yaml", []string{
			`1:11: /asyncapi: unsupported asyncapi version "3.1.0": mqttgen reads 2.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.5.0, 2.6.0 and 3.0.0`,
		}},
		{"openapi.yaml", []string{
			`1:1: not an AsyncAPI document: this is an OpenAPI document (mqttgen reads AsyncAPI 2.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.5.0, 2.6.0 and 3.0.0)`,
		}},
		{"syntax.yaml", []string{
			`2:1: invalid YAML/JSON: did not find expected ',' or ']'`,
		}},
		{"duplicate-key.yaml", []string{
			`5:3: /channels/a: duplicate key "a"`,
		}},
		{"refs.yaml", []string{
			`8:15: /channels/remote/messages/m: $ref "https://example.com/messages.yaml#/m" is remote: only local files and #/pointers are supported, nothing is fetched; save the file next to the document and refer to it by a relative path`,
			`13:15: /channels/missingFile/messages/m: $ref "nope.yaml#/m": testdata/bad/nope.yaml does not exist`,
			`18:15: /channels/missingTarget/messages/m: $ref "#/components/messages/nope": testdata/bad/refs.yaml#/components has no "messages"`,
			`22:13: /components/schemas/loopA: $ref loop: testdata/bad/refs.yaml#/components/schemas/loopB -> testdata/bad/refs.yaml#/components/schemas/loopA -> testdata/bad/refs.yaml#/components/schemas/loopB`,
			`24:13: /components/schemas/loopB: $ref loop: testdata/bad/refs.yaml#/components/schemas/loopA -> testdata/bad/refs.yaml#/components/schemas/loopB -> testdata/bad/refs.yaml#/components/schemas/loopA`,
			`26:13: /components/schemas/badPointer: $ref "#components/schemas/loopA": JSON pointer "components/schemas/loopA" must start with /`,
			`28:13: /components/schemas/intoScalar: $ref "#/info/title/x": testdata/bad/refs.yaml#/info/title is not an object or array, cannot go into "x"`,
		}},
		{"params-v3.yaml", []string{
			`5:14: /channels/undeclared/address: warning: parameter {sensorId} in address "rooms/{roomId}/{sensorId}" is not declared under parameters; it is read as a plain string`,
			`12:7: /channels/unused/parameters/floor: warning: parameter "floor" is declared but not used in address "rooms/{roomId}"`,
			`15:14: /channels/braces/address: address "rooms/{roomId" has a { without }`,
			`17:14: /channels/empty/address: address "rooms/{}/x" has an empty parameter {}`,
		}},
		{"operations-v3.yaml", []string{
			`17:15: /operations/wrongMessage/messages/0/$ref: warning: message testdata/bad/operations-v3.yaml#/channels/b/messages/mb is not one of channel "a"'s messages; the operation carries it all the same`,
			`20:21: /operations/notADocChannel/channel/$ref: operation channel must be a $ref to one of the document's channels (#/channels/...), testdata/bad/operations-v3.yaml#/components/channels/c is not one`,
			`22:5: /operations/noChannel: operation is missing the required field "channel"`,
			`24:13: /operations/badAction/action: action must be send or receive, not "publish"`,
			`30:19: /operations/badQoS/bindings/mqtt/qos: qos must be 0, 1 or 2, not 3`,
		}},
		{"operations-v2.yaml", []string{
			`10:20: /channels/b/subscribe/operationId: operationId "same" is already used at testdata/bad/operations-v2.yaml:6:20`,
		}},
		{"types.yaml", []string{
			`3:10: /info/title: title must be a string`,
			`7:18: /channels/a/description: description must be a string`,
			`11:17: /channels/a/publish/message/payload/type: type must be a string or a list of strings`,
			`12:20: /channels/a/publish/message/payload/minimum: minimum must be a number`,
			`13:25: /channels/a/publish/message/payload/required/1: required must hold strings`,
			`14:17: /channels/a/publish/message/payload/enum: enum must be a list`,
			`21:23: /servers/s/bindings/mqtt/cleanSession: cleanSession must be true or false`,
			`22:20: /servers/s/bindings/mqtt/keepAlive: keepAlive must be an integer`,
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := "testdata/bad/" + c.file
			doc, ds := LoadFile(path, Options{})
			if doc != nil || !ds.HasErrors() {
				t.Fatalf("loaded %+v, want errors", doc)
			}
			var want []string
			for _, w := range c.want {
				want = append(want, path+":"+w)
			}
			if got := ds.Error(); got != strings.Join(want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
			}
		})
	}
}

// TestHostileInput: alias bombs, deep nesting and huge files are refused
// quickly with ErrLimit, never a panic or a hang.
func TestHostileInput(t *testing.T) {
	bomb := "asyncapi: 3.0.0\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
	prev := "a"
	for i := 'b'; i <= 'j'; i++ {
		bomb += fmt.Sprintf("%c: &%c [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n", i, i, prev, prev, prev, prev, prev, prev, prev, prev, prev, prev)
		prev = string(i)
	}
	cases := map[string]struct {
		src  string
		want string
	}{
		"alias bomb":   {bomb, "YAML aliases expand to more than 200000 nodes"},
		"deep mapping": {"asyncapi: 3.0.0\nx: " + strings.Repeat("{a: ", 1000) + strings.Repeat("}", 1000) + "\n", "nesting deeper than 400 levels"},
		"deep list":    {"asyncapi: 3.0.0\nx: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n", "nesting deeper than 400 levels"},
		"huge file":    {"asyncapi: 3.0.0\nx: '" + strings.Repeat("a", maxFileSize) + "'\n", "file is 10485782 bytes, more than the 10485760 allowed"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := LoadBytes("hostile.yaml", []byte(c.src))
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v, want ErrLimit", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want it to say %q", err, c.want)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestAddressParams(t *testing.T) {
	cases := map[string]string{
		"a/b":         "[]",
		"a/{x}/b/{y}": "[x y]",
		"{x}/{x}":     "[x]",
		"a/{x}-{y}":   "[x y]",
		"a/{x":        `error: address "a/{x" has a { without }`,
		"a/x}":        `error: address "a/x}" has a } without {`,
		"a/{{x}}":     `error: address "a/{{x}}" has a { without }`,
		"{}":          `error: address "{}" has an empty parameter {}`,
	}
	for in, want := range cases {
		names, err := addressParams(in)
		got := fmt.Sprint(names)
		if names == nil && err == nil {
			got = "[]"
		}
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != want {
			t.Errorf("addressParams(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestPahoURL(t *testing.T) {
	v2 := map[[2]string]string{
		{"mqtt://host:1883", "mqtt"}:        "tcp://host:1883",
		{"host:1883", "mqtt"}:               "tcp://host:1883",
		{"host:{port}", "mqtts"}:            "ssl://host:{port}",
		{"mqtt://host:8883", "secure-mqtt"}: "ssl://host:8883",
		{"ws://host/mqtt", "ws"}:            "ws://host/mqtt",
		{"host/mqtt", "wss"}:                "wss://host/mqtt",
		{"{server}", "mqtt5"}:               "tcp://{server}",
		{"mqtt://host", ""}:                 "tcp://host",
		{"kafka:9092", "kafka"}:             "",
		{"", "mqtt"}:                        "",
	}
	for in, want := range v2 {
		if got := pahoURL2(in[0], in[1]); got != want {
			t.Errorf("pahoURL2(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
	v3 := map[[3]string]string{
		{"host:1883", "", "mqtt"}:      "tcp://host:1883",
		{"host:443", "/mqtt", "wss"}:   "wss://host:443/mqtt",
		{"{host}:{port}", "", "mqtts"}: "ssl://{host}:{port}",
		{"mqtt://host", "", "mqtt"}:    "tcp://host",
		{"host", "", "amqp"}:           "",
	}
	for in, want := range v3 {
		if got := pahoURL3(in[0], in[1], in[2]); got != want {
			t.Errorf("pahoURL3(%q, %q, %q) = %q, want %q", in[0], in[1], in[2], got, want)
		}
	}
}

// TestSchemaChain: a long chain of schemas linked by $refs is refused
// instead of recursing without bound.
func TestSchemaChain(t *testing.T) {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo: {title: t, version: v}\ncomponents:\n  schemas:\n")
	for i := 0; i < maxSchemaDepth+10; i++ {
		fmt.Fprintf(&b, "    s%d: {items: {$ref: '#/components/schemas/s%d'}}\n", i, i+1)
	}
	fmt.Fprintf(&b, "    s%d: {type: string}\n", maxSchemaDepth+10)
	_, err := LoadBytes("chain.yaml", []byte(b.String()))
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "schemas nest more than 5000 levels deep through $refs") {
		t.Fatalf("err = %.300v", err)
	}
}
