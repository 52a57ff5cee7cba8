package contract

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

const sensorGateway = "../../specs/sensor-gateway.yaml"

func load(t *testing.T, path string) *model.Document {
	t.Helper()
	doc, err := loader.Load(path)
	require.NoError(t, err)
	return doc
}

func loadText(t *testing.T, text string) *model.Document {
	t.Helper()
	doc, err := loader.LoadBytes("test.yaml", []byte(text))
	require.NoError(t, err)
	return doc
}

func watcher(t *testing.T, doc *model.Document, cfg WatchConfig) *Watcher {
	t.Helper()
	w, err := NewWatcher(doc, cfg)
	require.NoError(t, err)
	return w
}

func TestCheckSensorGateway(t *testing.T) {
	w := watcher(t, load(t, sensorGateway), WatchConfig{Role: generator.RoleBoth})
	assert.Equal(t, []string{"alerts/+", "devices/+/commands", "devices/+/config", "gateway/+/status", "sensors/+/humidity", "sensors/+/temperature"}, w.Filters())

	ok := w.Check("sensors/kitchen/temperature", []byte(`{"sensorId":"t-1","celsius":21.5}`))
	assert.Equal(t, StatusOK, ok.Status)
	assert.True(t, ok.Valid)
	assert.Equal(t, "temperature", ok.Channel)
	assert.Equal(t, "temperatureReading", ok.Message)
	assert.Equal(t, map[string]string{"room": "kitchen"}, ok.Params)
	assert.Empty(t, ok.Errors)
	assert.Equal(t, "sensors/kitchen/temperature channel=temperature room=kitchen message=temperatureReading ok", ok.String())

	hot := w.Check("sensors/kitchen/temperature", []byte(`{"sensorId":"","celsius":150}`))
	assert.Equal(t, StatusInvalid, hot.Status)
	assert.False(t, hot.Valid)
	assert.Equal(t, "", hot.Message)
	assert.Equal(t, []Violation{
		{Against: "temperatureReading", Pointer: "/celsius", Rule: "maximum", Message: "must be <= 100 but found 150"},
		{Against: "temperatureReading", Pointer: "/sensorId", Rule: "minLength", Message: "length must be >= 1, but got 0"},
	}, hot.Errors)
	assert.Contains(t, hot.String(), "message=none invalid: temperatureReading /celsius maximum: must be <= 100 but found 150; temperatureReading /sensorId minLength")

	garbage := w.Check("sensors/kitchen/temperature", []byte(`celsius=21`))
	assert.Equal(t, StatusUndecodable, garbage.Status)
	require.Len(t, garbage.Errors, 1)
	assert.Equal(t, "decode", garbage.Errors[0].Rule)
	assert.Contains(t, garbage.Errors[0].Message, "not JSON")

	// Text payloads are validated as strings.
	assert.Equal(t, StatusOK, w.Check("gateway/gw-1/status", []byte("online")).Status)
	maybe := w.Check("gateway/gw-1/status", []byte("maybe"))
	assert.Equal(t, StatusInvalid, maybe.Status)
	assert.Equal(t, "enum", maybe.Errors[0].Rule)
	assert.Equal(t, StatusUndecodable, w.Check("gateway/gw-1/status", []byte{0xff, 0xfe}).Status)

	// A parameter outside its enum makes the message invalid, even with a
	// valid payload, which is still named.
	urgent := w.Check("alerts/urgent", []byte(`{"code":"TEMP-001","message":"hot"}`))
	assert.Equal(t, StatusInvalid, urgent.Status)
	assert.Equal(t, "alert", urgent.Message)
	assert.Equal(t, []Violation{{Parameter: "severity", Rule: "enum", Message: `"urgent" is not one of info, warning, critical`}}, urgent.Errors)

	unknown := w.Check("lobby/music", []byte(`{}`))
	assert.Equal(t, StatusUnknown, unknown.Status)
	assert.Equal(t, "channel", unknown.Errors[0].Rule)
	assert.Contains(t, unknown.String(), "lobby/music channel=none message=none unknown: ")
}

func TestCheckChannelWithSeveralMessages(t *testing.T) {
	w := watcher(t, load(t, "../../specs/device-events.yaml"), WatchConfig{Role: generator.RoleBoth})
	stopped := w.Check("fleet/d1/events", []byte(`{"event":"stopped","reason":"shutdown"}`))
	assert.Equal(t, StatusOK, stopped.Status)
	assert.Equal(t, "deviceStopped", stopped.Message)

	none := w.Check("fleet/d1/events", []byte(`{"event":"exploded"}`))
	assert.Equal(t, StatusInvalid, none.Status)
	against := map[string]bool{}
	for _, v := range none.Errors {
		against[v.Against] = true
	}
	assert.Equal(t, map[string]bool{"deviceStarted": true, "deviceStopped": true, "deviceFault": true}, against,
		"every message of the channel says why it refused the payload")
}

const mixedDoc = `
asyncapi: 2.6.0
info: {title: mixed, version: '1'}
channels:
  'x/{a}/c':
    parameters:
      a: {schema: {type: integer, minimum: 1}}
    subscribe:
      message: {payload: {type: object, required: [n], properties: {n: {type: integer}}}}
  'x/b/{d}':
    parameters:
      d: {schema: {type: string}}
    subscribe:
      message: {payload: {type: object, required: [s], properties: {s: {type: string}}}}
  'avro/{id}':
    parameters:
      id: {schema: {type: string}}
    publish:
      message:
        schemaFormat: application/vnd.apache.avro;version=1.9.0
        payload: {type: record, name: R, fields: [{name: a, type: int}]}
  blob:
    publish:
      message:
        contentType: application/octet-stream
        payload: {type: string, format: binary}
`

func TestCheckParametersSchemasFormatsAndSpecificity(t *testing.T) {
	w := watcher(t, loadText(t, mixedDoc), WatchConfig{Role: generator.RoleBoth})
	// x/+/c and x/b/+ overlap: one filter covers both.
	assert.Equal(t, []string{"avro/+", "blob", "x/+/+"}, w.Filters())
	assert.Equal(t, []string{"channel avro/{id}: message publish avro/{id}Message is not checked: its schema format application/vnd.apache.avro;version=1.9.0 is not JSON Schema"}, w.Notes())

	assert.Equal(t, StatusOK, w.Check("x/7/c", []byte(`{"n":1}`)).Status)
	zero := w.Check("x/0/c", []byte(`{"n":1}`))
	assert.Equal(t, StatusInvalid, zero.Status)
	assert.Equal(t, []Violation{{Parameter: "a", Rule: "minimum", Message: "must be >= 1 but found 0"}}, zero.Errors)
	word := w.Check("x/abc/c", []byte(`{"n":1}`))
	assert.Equal(t, StatusInvalid, word.Status)
	assert.Equal(t, "type", word.Errors[0].Rule)

	// x/b/c fits both channels: the one that accepts the message wins
	// (x/{a}/c refuses a = b), else the first of the equally specific.
	assert.Equal(t, "x/b/{d}", w.Check("x/b/c", []byte(`{"s":"v"}`)).Channel)
	assert.Equal(t, "x/{a}/c", w.Check("x/b/c", []byte(`{}`)).Channel)

	avro := w.Check("avro/1", []byte{0, 1, 2})
	assert.Equal(t, StatusUnchecked, avro.Status)
	assert.True(t, avro.Valid)
	assert.Contains(t, avro.Note, "not checked: its schema format application/vnd.apache.avro")

	blob := w.Check("blob", []byte{0xff, 0})
	assert.Equal(t, StatusOK, blob.Status)
}

func TestCheckPrefersTheMoreSpecificChannel(t *testing.T) {
	w := watcher(t, loadText(t, `
asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  any: {address: 'a/{x}', parameters: {x: {}}, messages: {m: {payload: {type: integer}}}}
  fixed: {address: a/b, messages: {m: {payload: {type: string}}}}
`), WatchConfig{Role: generator.RoleBoth})
	assert.Equal(t, []string{"a/+"}, w.Filters())
	assert.Equal(t, "fixed", w.Check("a/b", []byte(`true`)).Channel)
	assert.Equal(t, "any", w.Check("a/b", []byte(`1`)).Channel)
	assert.Equal(t, "any", w.Check("a/c", []byte(`true`)).Channel)
}

func TestNewWatcherErrors(t *testing.T) {
	onlySends := loadText(t, `
asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  out: {address: out, messages: {m: {payload: {type: string}}}}
operations:
  send: {action: send, channel: {$ref: '#/channels/out'}}
`)
	_, err := NewWatcher(onlySends, WatchConfig{Role: generator.RoleApp})
	require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "role app receives from")
	w := watcher(t, onlySends, WatchConfig{Role: generator.RoleClient, ShareGroup: "g1"})
	assert.Equal(t, []string{"$share/g1/out"}, w.Filters())
	_, err = NewWatcher(onlySends, WatchConfig{Role: generator.RoleClient, ShareGroup: "a/b"})
	require.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
	w = watcher(t, onlySends, WatchConfig{Role: generator.RoleBoth, Unknown: true})
	assert.Equal(t, []string{"#"}, w.Filters())
}

// Run against a broker: overlapping channels are subscribed once (no
// message is reported twice), topics the merged filter lets in that no
// channel matches are counted, not reported, and the limit ends Run.
func TestWatcherRunOnABroker(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub := connectTo(t, ctx, b.URL())
	pub := connectTo(t, ctx, b.URL())

	subscribed := make(chan []string, 1)
	w := watcher(t, loadText(t, mixedDoc), WatchConfig{Role: generator.RoleBoth, QoS: 1,
		OnSubscribed: func(f []string) { subscribed <- f }})
	var reports []Report
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, sub, 3, func(r Report) { reports = append(reports, r) }) }()
	select {
	case f := <-subscribed:
		assert.Equal(t, w.Filters(), f)
	case err := <-done:
		t.Fatalf("Run returned before subscribing: %v", err)
	case <-ctx.Done():
		t.Fatal("not subscribed in time")
	}
	for _, m := range []struct{ topic, payload string }{
		{"x/q/q", `{}`},          // under no channel: ignored
		{"x/b/c", `{"s":"v"}`},   // both channels: reported once
		{"x/1/c", `{"n":"one"}`}, // invalid
		{"x/2/c", `{"n":2}`},     // the third report ends Run
		{"x/3/c", `{"n":3}`},     // after the limit: not reported
	} {
		require.NoError(t, pub.PublishContext(ctx, m.topic, 1, false, []byte(m.payload)))
	}
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Run did not stop at its limit")
	}
	require.Len(t, reports, 3)
	assert.Equal(t, []string{"x/b/c", "x/1/c", "x/2/c"}, []string{reports[0].Topic, reports[1].Topic, reports[2].Topic})
	assert.Equal(t, []Status{StatusOK, StatusInvalid, StatusOK}, []Status{reports[0].Status, reports[1].Status, reports[2].Status})
	assert.Equal(t, byte(1), reports[0].QoS)
	sum := w.Summary()
	assert.Equal(t, 1, sum.Ignored)
	assert.False(t, sum.Conformed())
	assert.Empty(t, sub.GetSubscriptions(), "Run unsubscribes before returning")

	// With Unknown, a topic under no channel is reported and fails the run.
	u := watcher(t, loadText(t, mixedDoc), WatchConfig{Role: generator.RoleBoth, Unknown: true,
		OnSubscribed: func(f []string) { subscribed <- f }})
	go func() { done <- u.Run(ctx, sub, 1, func(r Report) { reports = append(reports, r) }) }()
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("not subscribed in time")
	}
	require.NoError(t, pub.PublishContext(ctx, "lobby", 0, false, []byte("x")))
	require.NoError(t, <-done)
	assert.Equal(t, StatusUnknown, reports[3].Status)
	assert.Equal(t, 1, u.Summary().Unknown)
	assert.False(t, u.Summary().Conformed())
}

// A payload over the client's maximum size is not checked (nor decoded):
// it is reported as such and counted as rejected, as SubscribeContext's
// handlers must.
func TestWatcherRunRefusesOversizedPayloads(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub := connectTo(t, ctx, b.URL(), mqttrt.WithMaxPayloadSize(64))
	pub := connectTo(t, ctx, b.URL())
	subscribed := make(chan []string, 1)
	w := watcher(t, load(t, sensorGateway), WatchConfig{Role: generator.RoleBoth,
		OnSubscribed: func(f []string) { subscribed <- f }})
	var reports []Report
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx, sub, 2, func(r Report) { reports = append(reports, r) }) }()
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("not subscribed in time")
	}
	big := `{"sensorId":"` + strings.Repeat("x", 100) + `","celsius":500}`
	require.NoError(t, pub.PublishContext(ctx, "sensors/hall/temperature", 1, false, []byte(big)))
	require.NoError(t, pub.PublishContext(ctx, "sensors/hall/temperature", 1, false, []byte(`{"sensorId":"s","celsius":5}`)))
	require.NoError(t, <-done)
	require.Len(t, reports, 2)
	assert.Equal(t, StatusUnchecked, reports[0].Status)
	assert.Equal(t, "temperature", reports[0].Channel)
	assert.Contains(t, reports[0].Note, "over the client's maximum payload size of 64")
	assert.Equal(t, StatusOK, reports[1].Status)
	assert.Equal(t, uint64(1), sub.GetStats().MessagesRejected)
	assert.Equal(t, 1, w.Summary().Channels[0].Unchecked)
}

// connectTo connects a runtime client, disconnected when the test ends.
func connectTo(t *testing.T, ctx context.Context, url string, opts ...mqttrt.Option) *mqttrt.Client {
	t.Helper()
	c, err := mqttrt.New(append([]mqttrt.Option{mqttrt.WithBroker(url)}, opts...)...)
	require.NoError(t, err)
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Disconnect(ctx)
	})
	return c
}
