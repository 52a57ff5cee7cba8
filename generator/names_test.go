package generator

import (
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

func load(t *testing.T, src string) *model.Document {
	t.Helper()
	doc, err := loader.LoadBytes("api.yaml", []byte(src))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return doc
}

func TestDropVerb(t *testing.T) {
	cases := map[string]string{
		"onLightMeasured":         "LightMeasured",
		"receiveLightMeasurement": "LightMeasurement",
		"sendTemperature":         "Temperature",
		"publishX":                "X",
		"subscribeAlerts":         "Alerts",
		"handleCommand":           "Command",
		"SendBooksInfo":           "BooksInfo",
		"publish":                 "publish",
		"online":                  "online",
		"onboard":                 "onboard",
		"on_light":                "on_light",
		"turnOn":                  "turnOn",
		"sendReceiveX":            "ReceiveX",
	}
	for in, want := range cases {
		if got := dropVerb(in); got != want {
			t.Errorf("dropVerb(%q) = %q, want %q", in, got, want)
		}
	}
}

const namesV2 = `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured:
    parameters:
      streetlightId: {schema: {type: string}}
    publish:
      operationId: receiveLightMeasurement
      message:
        $ref: '#/components/messages/lightMeasured'
  alerts/{level}:
    x-go-name: alarm_feed
    subscribe:
      message:
        oneOf:
          - payload: {type: string}
          - payload: {type: integer}
  commands:
    subscribe:
      operationId: publish
      x-go-name: sendCommand
      message:
        title: command sent
        payload: {type: string}
components:
  messages:
    lightMeasured:
      name: ignoredBecauseTheKeyWins
      payload: {type: object}
`

func TestAssignNamesV2(t *testing.T) {
	doc := load(t, namesV2)
	if err := AssignNames(doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range doc.Channels {
		got = append(got, "channel "+c.GoName)
		for _, p := range c.Parameters {
			got = append(got, "param "+p.GoName)
		}
	}
	for _, o := range doc.Operations {
		got = append(got, "op "+o.GoName)
	}
	for _, m := range doc.Messages {
		got = append(got, "msg "+m.GoName)
	}
	want := []string{
		"channel SmartylightingStreetlights10EventLightingMeasured", "param StreetlightID",
		"channel AlarmFeed", "param Level",
		"channel Commands",
		"op LightMeasurement",                            // verb dropped
		"op AlarmFeed",                                   // no operationId: the channel's Go name
		"op SendCommand",                                 // x-go-name wins, and is not verb-stripped
		"msg LightMeasured",                              // components/messages key
		"msg AlarmFeedPayload1", "msg AlarmFeedPayload2", // derived from the operation, numbered
		"msg CommandSent", // title
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

const namesV3 = `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  lightingMeasured:
    address: lights/{lightId}
    parameters:
      lightId: {}
    messages:
      measured:
        payload: {type: integer}
      named:
        name: lumens
        payload: {type: integer}
  other:
    address: other
    messages:
      plain:
        payload: {type: string}
operations:
  onLightMeasured:
    action: receive
    channel: {$ref: '#/channels/lightingMeasured'}
  publish:
    action: send
    channel: {$ref: '#/channels/other'}
`

func TestAssignNamesV3(t *testing.T) {
	doc := load(t, namesV3)
	if err := AssignNames(doc); err != nil {
		t.Fatal(err)
	}
	got := []string{doc.Channels[0].GoName, doc.Channels[0].Parameters[0].GoName, doc.Channels[1].GoName,
		doc.Operations[0].GoName, doc.Operations[1].GoName,
		doc.Messages[0].GoName, doc.Messages[1].GoName, doc.Messages[2].GoName}
	want := []string{"LightingMeasured", "LightID", "Other", "LightMeasured", "Publish", "Measured", "Lumens", "Plain"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestAssignNamesErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string
	}{
		{"channel collision", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  a/{id}/b:
    parameters: {id: {}}
  a/b: {}
`, []string{`api.yaml:6:8: /channels/a~1b: channel "a/b" gets the Go name AB, as does channel "a/{id}/b" at api.yaml:5:5; set x-go-name on one of them`}},
		{"operation collision", `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  c: {address: c}
operations:
  SendBooks: {action: send, channel: {$ref: '#/channels/c'}}
  ReceiveBooks: {action: receive, channel: {$ref: '#/channels/c'}}
  sendBooksNow: {action: send, channel: {$ref: '#/channels/c'}, x-go-name: books}
`, []string{`api.yaml:8:17: /operations/sendBooksNow: operation "sendBooksNow" gets the Go name Books, as does operation "SendBooks" at api.yaml:6:14; set x-go-name on one of them`}},
		{"message collision and parameter collision", `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  c:
    address: c/{sensor-id}/{sensorId}
    parameters: {sensor-id: {}, sensorId: {}}
    messages:
      one: {name: reading}
      two: {title: Reading}
`, []string{
			`api.yaml:6:43: /channels/c/parameters/sensorId: parameter "sensorId" of channel "c" gets the Go name SensorID, as does parameter "sensor-id" of channel "c" at api.yaml:6:29; set x-go-name on one of them`,
			`api.yaml:9:12: /channels/c/messages/two: message "two" gets the Go name Reading, as does message "one" at api.yaml:8:12; set x-go-name on one of them`,
		}},
		{"message named like the type of an operation's several messages", `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  a:
    address: a
    messages:
      on: {payload: {type: integer}}
      off: {payload: {type: string}}
  b:
    address: b
    messages:
      aPayload: {payload: {type: integer}}
operations:
  sendA: {action: send, channel: {$ref: '#/channels/a'}}
  sendB: {action: send, channel: {$ref: '#/channels/b'}}
`, []string{`api.yaml:12:17: /channels/b/messages/aPayload: message "aPayload" gets the Go name APayload, as does the type of operation "sendA"'s several messages at api.yaml:14:10; set x-go-name on one of them`}},
		{"not an identifier", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  "{queue}":
    parameters: {queue: {}}
  "/":
    x-go-name: "%%"
`, []string{
			`api.yaml:5:5: /channels/{queue}: channel "{queue}": cannot make an exported Go identifier from "{queue}"; set x-go-name`,
			`api.yaml:7:5: /channels/~1: channel "/": cannot make an exported Go identifier from "%%"; set x-go-name`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := AssignNames(load(t, c.src))
			if err == nil {
				t.Fatal("no error")
			}
			if _, ok := err.(loader.Diagnostics); !ok {
				t.Errorf("error is %T, want loader.Diagnostics", err)
			}
			if got := err.Error(); got != strings.Join(c.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", got, strings.Join(c.want, "\n"))
			}
		})
	}
}
