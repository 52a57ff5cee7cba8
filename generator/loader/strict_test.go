package loader

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// strictCases lists, per document of testdata/strict, every diagnostic it
// must produce: a typo in a key of each AsyncAPI object kind of 2.6 and
// 3.0, missing required fields, duplicate tags, and examples that break
// their schemas. FILE stands for the document's path.
var strictCases = []struct{ file, what, want string }{
	{"examples-v2.6.yaml", "bad example at /components/messages/reading/examples/1/payload", `28:20: /components/messages/reading/examples/1/payload: example "wrongType": its payload breaks the message's payload schema: /celsius: expected number, but got string`},
	{"examples-v2.6.yaml", "bad example at /components/messages/reading/examples/2/headers", `30:20: /components/messages/reading/examples/2/headers: example "badHeader": its headers break the message's headers schema: /traceId: 'not-a-uuid' is not valid 'uuid'`},
	{"examples-v2.6.yaml", "bad example at /components/schemas/reading/properties/celsius/examples/1", `40:26: /components/schemas/reading/properties/celsius/examples/1: warning: example 2 breaks its schema: must be >= -273.15 but found -300`},
	{"examples-v2.6.yaml", "bad example at /components/schemas/reading/properties/at/examples/0", `41:58: /components/schemas/reading/properties/at/examples/0: warning: example 1 breaks its schema: 'yesterday' is not valid 'date-time'`},
	{"examples-v3.0.yaml", "bad example at /components/messages/reading/examples/1/payload", `28:20: /components/messages/reading/examples/1/payload: example 2: its payload breaks the message's payload schema: missing properties: 'celsius'`},
	{"examples-v3.0.yaml", "bad example at /components/messages/reading/examples/2/headers", `29:20: /components/messages/reading/examples/2/headers: example 3: its headers break the message's headers schema: /qos: value must be one of "0", "1", "2"`},
	{"examples-v3.0.yaml", "bad example at /components/schemas/reading/properties/celsius/examples/0", `35:44: /components/schemas/reading/properties/celsius/examples/0: warning: example 1 breaks its schema: expected number, but got string`},
	{"required-v2.6.yaml", "the document without channels", `1:1: the document is missing the required field "channels"`},
	{"required-v2.6.yaml", "/info: info without title", `3:3: /info: info is missing the required field "title"`},
	{"required-v2.6.yaml", "/info: info without version", `3:3: /info: info is missing the required field "version"`},
	{"required-v2.6.yaml", "/info/license: license without name", `4:12: /info/license: license is missing the required field "name"`},
	{"required-v2.6.yaml", "/servers/broker: server without url", `6:11: /servers/broker: server is missing the required field "url"`},
	{"required-v2.6.yaml", "/components/messages/m/correlationId: correlation ID without location", `10:22: /components/messages/m/correlationId: correlation ID is missing the required field "location"`},
	{"required-v2.6.yaml", "/components/messages/m/tags/0: tag without name", `12:11: /components/messages/m/tags/0: tag is missing the required field "name"`},
	{"required-v2.6.yaml", "/components/messages/m/externalDocs: external docs without url", `13:21: /components/messages/m/externalDocs: external docs is missing the required field "url"`},
	{"required-v2.6.yaml", "/components/securitySchemes/key: apiKey security scheme without in", `15:10: /components/securitySchemes/key: apiKey security scheme is missing the required field "in"`},
	{"required-v2.6.yaml", "/components/securitySchemes/http: http security scheme without scheme", `16:11: /components/securitySchemes/http: http security scheme is missing the required field "scheme"`},
	{"required-v2.6.yaml", "/components/securitySchemes/oidc: openIdConnect security scheme without openIdConnectUrl", `17:11: /components/securitySchemes/oidc: openIdConnect security scheme is missing the required field "openIdConnectUrl"`},
	{"required-v2.6.yaml", "/components/securitySchemes/nameless: security scheme without type", `18:15: /components/securitySchemes/nameless: security scheme is missing the required field "type"`},
	{"required-v2.6.yaml", "/components/securitySchemes/code/flows/authorizationCode: authorizationCode OAuth flow without tokenUrl", `22:28: /components/securitySchemes/code/flows/authorizationCode: authorizationCode OAuth flow is missing the required field "tokenUrl"`},
	{"required-v3.0.yaml", "/info: info without version", `2:7: /info: info is missing the required field "version"`},
	{"required-v3.0.yaml", "/servers/nohost: server without host", `4:11: /servers/nohost: server is missing the required field "host"`},
	{"required-v3.0.yaml", "/servers/noprotocol: server without protocol", `5:15: /servers/noprotocol: server is missing the required field "protocol"`},
	{"required-v3.0.yaml", "/operations/noAction: operation without action", `9:13: /operations/noAction: operation is missing the required field "action"`},
	{"required-v3.0.yaml", "/operations/noChannel: operation without channel", `10:14: /operations/noChannel: operation is missing the required field "channel"`},
	{"required-v3.0.yaml", "/operations/replies/reply/address: reply address without location", `14:22: /operations/replies/reply/address: reply address is missing the required field "location"`},
	{"required-v3.0.yaml", "/components/schemas/multi: multi-format schema without schema", `17:12: /components/schemas/multi: multi-format schema is missing the required field "schema"`},
	{"required-v3.0.yaml", "/components/securitySchemes/implicit/flows/implicit: implicit OAuth flow without availableScopes", `22:19: /components/securitySchemes/implicit/flows/implicit: implicit OAuth flow is missing the required field "availableScopes"`},
	{"tags-v2.6.yaml", "duplicate tag at /tags/1/name", `5:11: /tags/1/name: tag "sensors" is listed twice; the first is at FILE:4:11`},
	{"tags-v2.6.yaml", "duplicate tag at /servers/broker/tags/2/name", `10:41: /servers/broker/tags/2/name: tag "a" is listed twice; the first is at FILE:10:19`},
	{"tags-v2.6.yaml", "duplicate tag at /channels/c/publish/tags/1/name", `14:32: /channels/c/publish/tags/1/name: tag "x" is listed twice; the first is at FILE:14:21`},
	{"tags-v2.6.yaml", "duplicate tag at /channels/c/publish/traits/0/tags/1/name", `16:36: /channels/c/publish/traits/0/tags/1/name: tag "t" is listed twice; the first is at FILE:16:25`},
	{"tags-v2.6.yaml", "duplicate tag at /channels/c/publish/message/tags/1", `19:27: /channels/c/publish/message/tags/1: tag "m" is listed twice; the first is at FILE:19:23`},
	{"tags-v3.0.yaml", "duplicate tag at /info/tags/1", `7:7: /info/tags/1: tag "sensors" is listed twice; the first is at FILE:6:13`},
	{"tags-v3.0.yaml", "duplicate tag at /channels/c/tags/1/name", `11:30: /channels/c/tags/1/name: tag "c" is listed twice; the first is at FILE:11:19`},
	{"tags-v3.0.yaml", "duplicate tag at /channels/c/messages/m/tags/1/name", `15:34: /channels/c/messages/m/tags/1/name: tag "m" is listed twice; the first is at FILE:15:23`},
	{"tags-v3.0.yaml", "duplicate tag at /channels/c/messages/m/traits/0/tags/1/name", `17:39: /channels/c/messages/m/traits/0/tags/1/name: tag "mt" is listed twice; the first is at FILE:17:27`},
	{"tags-v3.0.yaml", "duplicate tag at /operations/o/tags/1/name", `22:30: /operations/o/tags/1/name: tag "o" is listed twice; the first is at FILE:22:19`},
	{"typos-v2.6.yaml", "typo in contact", `5:22: /info/contact/emial: unknown field "emial" in contact (did you mean "email"?)`},
	{"typos-v2.6.yaml", "typo in license", `6:24: /info/license/ulr: unknown field "ulr" in license (did you mean "url"?)`},
	{"typos-v2.6.yaml", "typo in info", `7:3: /info/summry: unknown field "summry" in info`},
	{"typos-v2.6.yaml", "typo in the document", `8:1: /defaultContentTyp: unknown field "defaultContentTyp" in the document (did you mean "defaultContentType"?)`},
	{"typos-v2.6.yaml", "typo in server", `13:5: /servers/broker/protocolVerison: unknown field "protocolVerison" in server (did you mean "protocolVersion"?)`},
	{"typos-v2.6.yaml", "typo in server variable", `15:31: /servers/broker/variables/port/enun: unknown field "enun" in server variable (did you mean "enum"?)`},
	{"typos-v2.6.yaml", "typo in MQTT server binding", `18:9: /servers/broker/bindings/mqtt/clientID: unknown field "clientID" in MQTT server binding (did you mean "clientId"?)`},
	{"typos-v2.6.yaml", "typo in MQTT last will", `19:38: /servers/broker/bindings/mqtt/lastWill/retian: unknown field "retian" in MQTT last will (did you mean "retain"?)`},
	{"typos-v2.6.yaml", "unknown protocol in server bindings (2.x: a warning)", `20:7: /servers/broker/bindings/mqqt: warning: unknown field "mqqt" in server bindings (did you mean "mqtt"?)`},
	{"typos-v2.6.yaml", "typo in channel", `23:5: /channels/rooms~1{roomId}/descripton: unknown field "descripton" in channel (did you mean "description"?)`},
	{"typos-v2.6.yaml", "typo in parameter", `25:40: /channels/rooms~1{roomId}/parameters/roomId/locaton: unknown field "locaton" in parameter (did you mean "location"?)`},
	{"typos-v2.6.yaml", "typo in operation", `28:7: /channels/rooms~1{roomId}/subscribe/sumary: unknown field "sumary" in operation (did you mean "summary"?)`},
	{"typos-v2.6.yaml", "typo in operation", `29:7: /channels/rooms~1{roomId}/subscribe/mesage: unknown field "mesage" in operation (did you mean "message"?)`},
	{"typos-v2.6.yaml", "typo in MQTT operation binding", `31:24: /channels/rooms~1{roomId}/subscribe/bindings/mqtt/retained: unknown field "retained" in MQTT operation binding (did you mean "retain"?)`},
	{"typos-v2.6.yaml", "typo in operation trait", `35:12: /channels/rooms~1{roomId}/publish/traits/0/descriptoin: unknown field "descriptoin" in operation trait (did you mean "description"?)`},
	{"typos-v2.6.yaml", "field beside a 2.x message oneOf", `40:9: /channels/rooms~1{roomId}/publish/message/name: unknown field "name" in a message with oneOf (it lists messages and has no other field)`},
	{"typos-v2.6.yaml", "typo in message", `47:7: /components/messages/reading/contentTyp: unknown field "contentTyp" in message (did you mean "contentType"?)`},
	{"typos-v2.6.yaml", "typo in correlation ID", `48:54: /components/messages/reading/correlationId/descriptin: unknown field "descriptin" in correlation ID (did you mean "description"?)`},
	{"typos-v2.6.yaml", "typo in tag", `50:21: /components/messages/reading/tags/0/descripton: unknown field "descripton" in tag (did you mean "description"?)`},
	{"typos-v2.6.yaml", "typo in external docs", `51:48: /components/messages/reading/externalDocs/descrption: unknown field "descrption" in external docs (did you mean "description"?)`},
	{"typos-v2.6.yaml", "typo in message trait", `53:12: /components/messages/reading/traits/0/summery: unknown field "summery" in message trait (did you mean "summary"?)`},
	{"typos-v2.6.yaml", "typo in message example", `55:25: /components/messages/reading/examples/0/nmae: unknown field "nmae" in message example (did you mean "name"?)`},
	{"typos-v2.6.yaml", "typo in MQTT message binding", `57:39: /components/messages/reading/bindings/mqtt/responseTopik: unknown field "responseTopik" in MQTT message binding (did you mean "responseTopic"?)`},
	{"typos-v2.6.yaml", "typo in security scheme", `59:33: /components/securitySchemes/basic/descripton: unknown field "descripton" in security scheme (did you mean "description"?)`},
	{"typos-v2.6.yaml", "typo in OAuth flows", `63:9: /components/securitySchemes/oauth/flows/implict: unknown field "implict" in OAuth flows (did you mean "implicit"?)`},
	{"typos-v2.6.yaml", "typo in password OAuth flow", `64:53: /components/securitySchemes/oauth/flows/password/tokenURL: unknown field "tokenURL" in password OAuth flow (did you mean "tokenUrl"?)`},
	{"typos-v2.6.yaml", "typo in components", `65:3: /components/parameterz: unknown field "parameterz" in components (did you mean "parameters"?)`},
	{"typos-v2.6.yaml", "typo in the document", `66:1: /chanels: unknown field "chanels" in the document (did you mean "channels"?)`},
	{"typos-v3.0.yaml", "typo in contact", `5:22: /info/contact/emial: unknown field "emial" in contact (did you mean "email"?)`},
	{"typos-v3.0.yaml", "typo in license", `6:24: /info/license/ulr: unknown field "ulr" in license (did you mean "url"?)`},
	{"typos-v3.0.yaml", "typo in tag", `8:17: /info/tags/0/descripton: unknown field "descripton" in tag (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in external docs", `9:44: /info/externalDocs/descrption: unknown field "descrption" in external docs (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in info", `10:3: /info/summry: unknown field "summry" in info`},
	{"typos-v3.0.yaml", "typo in the document", `11:1: /defaultContentTyp: unknown field "defaultContentTyp" in the document (did you mean "defaultContentType"?)`},
	{"typos-v3.0.yaml", "typo in server", `16:5: /servers/broker/pathnme: unknown field "pathnme" in server (did you mean "pathname"?)`},
	{"typos-v3.0.yaml", "typo in server variable", `18:31: /servers/broker/variables/port/enun: unknown field "enun" in server variable (did you mean "enum"?)`},
	{"typos-v3.0.yaml", "typo in security scheme", `20:30: /servers/broker/security/0/descripton: unknown field "descripton" in security scheme (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in MQTT server binding", `23:9: /servers/broker/bindings/mqtt/clientID: unknown field "clientID" in MQTT server binding (did you mean "clientId"?)`},
	{"typos-v3.0.yaml", "typo in MQTT last will", `24:38: /servers/broker/bindings/mqtt/lastWill/retian: unknown field "retian" in MQTT last will (did you mean "retain"?)`},
	{"typos-v3.0.yaml", "typo in server bindings", `25:7: /servers/broker/bindings/mqqt: unknown field "mqqt" in server bindings (did you mean "mqtt"?)`},
	{"typos-v3.0.yaml", "typo in channel", `29:5: /channels/rooms/tittle: unknown field "tittle" in channel (did you mean "title"?)`},
	{"typos-v3.0.yaml", "typo in parameter", `31:27: /channels/rooms/parameters/roomId/defualt: unknown field "defualt" in parameter (did you mean "default"?)`},
	{"typos-v3.0.yaml", "typo in operation", `38:5: /operations/sendRoom/sumary: unknown field "sumary" in operation (did you mean "summary"?)`},
	{"typos-v3.0.yaml", "typo in operation trait", `40:10: /operations/sendRoom/traits/0/descriptoin: unknown field "descriptoin" in operation trait (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in MQTT operation binding", `42:22: /operations/sendRoom/bindings/mqtt/retained: unknown field "retained" in MQTT operation binding (did you mean "retain"?)`},
	{"typos-v3.0.yaml", "typo in reply", `45:7: /operations/sendRoom/reply/adress: unknown field "adress" in reply (did you mean "address"?)`},
	{"typos-v3.0.yaml", "typo in reply address", `50:53: /operations/onRoom/reply/address/descriptoin: unknown field "descriptoin" in reply address (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in multi-format schema", `54:93: /components/schemas/avro/schemaa: unknown field "schemaa" in multi-format schema (did you mean "schema"?)`},
	{"typos-v3.0.yaml", "typo in message", `58:7: /components/messages/reading/contentTyp: unknown field "contentTyp" in message (did you mean "contentType"?)`},
	{"typos-v3.0.yaml", "typo in correlation ID", `59:54: /components/messages/reading/correlationId/descriptin: unknown field "descriptin" in correlation ID (did you mean "description"?)`},
	{"typos-v3.0.yaml", "typo in message trait", `61:12: /components/messages/reading/traits/0/summery: unknown field "summery" in message trait (did you mean "summary"?)`},
	{"typos-v3.0.yaml", "typo in message example", `63:25: /components/messages/reading/examples/0/nmae: unknown field "nmae" in message example (did you mean "name"?)`},
	{"typos-v3.0.yaml", "typo in MQTT message binding", `65:39: /components/messages/reading/bindings/mqtt/responseTopik: unknown field "responseTopik" in MQTT message binding (did you mean "responseTopic"?)`},
	{"typos-v3.0.yaml", "typo in OAuth flows", `70:9: /components/securitySchemes/oauth/flows/implict: unknown field "implict" in OAuth flows (did you mean "implicit"?)`},
	{"typos-v3.0.yaml", "typo in password OAuth flow", `71:62: /components/securitySchemes/oauth/flows/password/tokenURL: unknown field "tokenURL" in password OAuth flow (did you mean "tokenUrl"?)`},
	{"typos-v3.0.yaml", "typo in components", `72:3: /components/parameterz: unknown field "parameterz" in components (did you mean "parameters"?)`},
}

// TestStrict loads each document of testdata/strict and checks it is
// refused with exactly the diagnostics listed, each at its file:line:col.
func TestStrict(t *testing.T) {
	files := map[string][]string{}
	var order []string
	for _, c := range strictCases {
		if files[c.file] == nil {
			order = append(order, c.file)
		}
		files[c.file] = append(files[c.file], c.want)
	}
	for _, file := range order {
		path := filepath.Join("testdata", "strict", file)
		doc, ds := LoadFile(path, Options{})
		assert.Nil(t, doc, file)
		assert.True(t, ds.HasErrors(), file)
		var got []string
		for _, d := range ds {
			require.Equal(t, path, d.Pos.File)
			got = append(got, strings.TrimPrefix(d.String(), path+":"))
		}
		for _, c := range strictCases {
			if c.file != file {
				continue
			}
			t.Run(file+"/"+c.what, func(t *testing.T) {
				assert.Contains(t, got, strings.ReplaceAll(c.want, "FILE", path))
			})
		}
		var want []string
		for _, w := range files[file] {
			want = append(want, strings.ReplaceAll(w, "FILE", path))
		}
		assert.Equal(t, want, got, "%s: nothing else is reported, in this order", file)
	}
}

// TestStrictInline covers rules a whole document shows best: fields of
// another version, a missing info, an unknown security scheme type, and a
// 2.x message with oneOf that holds a typo.
func TestStrictInline(t *testing.T) {
	cases := []struct{ what, src, want string }{
		{"3.0 field in 2.6", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  c:
    publish:
      action: send
      messages: []
`, `x.yaml:6:7: /channels/c/publish/action: unknown field "action" in operation (it is a field of AsyncAPI 3.0.0, this document is 2.6.0)
x.yaml:7:7: /channels/c/publish/messages: unknown field "messages" in operation (did you mean "message"?; it is a field of AsyncAPI 3.0.0, this document is 2.6.0)`},
		{"2.5 field in 2.4", `asyncapi: 2.4.0
info: {title: t, version: v}
servers:
  s: {url: localhost, protocol: mqtt, tags: []}
channels: {}
`, `x.yaml:4:39: /servers/s/tags: unknown field "tags" in server (it is a field of AsyncAPI 2.5.0 to 3.0.0, this document is 2.4.0)`},
		{"2.x field in 3.0", `asyncapi: 3.0.0
info: {title: t, version: v}
channels: {}
tags: []
`, `x.yaml:4:1: /tags: unknown field "tags" in the document (it is a field of AsyncAPI 2.0.0 to 2.6.0, this document is 3.0.0)`},
		{"no info", "asyncapi: 3.0.0\n", `x.yaml:1:1: the document is missing the required field "info"`},
		{"security type", `asyncapi: 3.0.0
info: {title: t, version: v}
components:
  securitySchemes:
    s: {type: userPasword}
    sasl: {type: plain}
`, `x.yaml:5:15: /components/securitySchemes/s/type: unknown security scheme type "userPasword" (did you mean "userPassword"?)`},
		{"sasl before 2.1", `asyncapi: 2.0.0
info: {title: t, version: v}
channels: {}
components:
  securitySchemes:
    sasl: {type: plain}
`, `x.yaml:6:18: /components/securitySchemes/sasl/type: unknown security scheme type "plain"`},
		{"typo in a oneOf message", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  c:
    publish:
      message:
        oneOf:
          - {payload: {type: string}, nmae: a}
`, `x.yaml:8:39: /channels/c/publish/message/oneOf/0/nmae: unknown field "nmae" in message (did you mean "name"?)`},
		{"example against headers merged from a trait", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  c:
    publish:
      message:
        payload: {type: string}
        headers: {type: object, properties: {a: {type: string}}}
        traits:
          - headers: {properties: {b: {$ref: '#/components/schemas/int'}}}
        examples:
          - {payload: x, headers: {a: ok, b: 1}}
          - {payload: x, headers: {a: ok, b: two}}
components:
  schemas:
    int: {type: integer}
`, `x.yaml:13:35: /channels/c/publish/message/examples/1/headers: example 2: its headers break the message's headers schema: /b: expected integer, but got string`},
		{"example with neither payload nor headers", `asyncapi: 2.6.0
info: {title: t, version: v}
channels:
  c:
    publish:
      message:
        payload: {type: string}
        examples: [{name: empty}]
`, `x.yaml:8:20: /channels/c/publish/message/examples/0: message example has neither payload nor headers: it needs at least one`},
	}
	for _, c := range cases {
		t.Run(c.what, func(t *testing.T) {
			doc, ds := LoadData("x.yaml", []byte(c.src), Options{})
			assert.Nil(t, doc)
			assert.Equal(t, c.want, ds.Error())
		})
	}
}
