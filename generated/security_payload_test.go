package generated_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Bad input of issue 6: hostile payloads published raw (by a plain runtime
// client, bypassing the generated encoders) through Mosquitto to a
// generated subscriber. Each gets a precise error in the error handler and
// is counted; nothing panics; the good messages around them keep flowing.

const payloadLimit = 64 << 10

// badCase is a raw payload and what the error handler must get for it.
type badCase struct {
	name, topic string
	payload     []byte
	want        error  // sentinel the error wraps
	mention     string // text the error must contain, when it is not a validation error
	field, rule string // the violation a validation error lists
}

func badCases() []badCase {
	nested := func(depth int) []byte {
		return []byte(`{"sensorId":"n","celsius":1,"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
	}
	temp := "sensors/lab/temperature"
	return []badCase{
		{name: "not JSON", topic: temp, payload: []byte("celsius=20"), want: mqttrt.ErrDecode, mention: "invalid character"},
		{name: "truncated", topic: temp, payload: []byte(`{"sensorId":"t","celsius":2`), want: mqttrt.ErrDecode, mention: "unexpected end of data"},
		{name: "empty", topic: temp, payload: nil, want: mqttrt.ErrDecode, mention: "unexpected end of data"},
		{name: "trailing data", topic: temp, payload: []byte(`{"sensorId":"t","celsius":2} {}`), want: mqttrt.ErrDecode, mention: "after the JSON value"},
		{name: "wrong types", topic: temp, payload: []byte(`{"sensorId":5,"celsius":"hot"}`), want: mqttrt.ErrValidation, field: "/celsius", rule: "type"},
		{name: "null", topic: temp, payload: []byte(`null`), want: mqttrt.ErrValidation, field: "", rule: "type"},
		{name: "out of range", topic: temp, payload: []byte(`{"sensorId":"t","celsius":1e400}`), want: mqttrt.ErrValidation, field: "/celsius", rule: "maximum"},
		{name: "integer with a fraction", topic: temp, payload: []byte(`{"sensorId":"t","celsius":2,"battery":50.5}`), want: mqttrt.ErrValidation, field: "/battery", rule: "type"},
		{name: "deeply nested", topic: temp, payload: nested(20000), want: mqttrt.ErrDecode, mention: "nesting too deep"},
		{name: "huge", topic: temp, payload: []byte(`{"sensorId":"` + strings.Repeat("x", payloadLimit) + `","celsius":1}`), want: mqttrt.ErrPayloadTooLarge, mention: "limit"},
		{name: "bad enum text", topic: "gateway/gw-1/status", payload: []byte("maybe"), want: mqttrt.ErrValidation, field: "", rule: "enum"},
		{name: "invalid UTF-8 text", topic: "gateway/gw-1/status", payload: []byte("on\xffline"), want: mqttrt.ErrDecode, mention: "UTF-8"},
	}
}

type reported struct {
	topic string
	err   error
}

// hostileSetup connects a raw publisher and a generated subscriber (on
// temperature and status) whose errors and messages are recorded.
func hostileSetup(t *testing.T, rtOpts []mqttrt.Option, sgOpts ...sensorgateway.ClientOption) (
	raw, subRT *mqttrt.Client, errs chan reported, good chan string) {
	b := mqtttest.NewBroker(t)
	raw = faultClient(t, b.URL(), fmt.Sprintf("raw-%d", time.Now().UnixNano()), t.TempDir())
	subRT = faultClient(t, b.URL(), fmt.Sprintf("hostile-sub-%d", time.Now().UnixNano()), t.TempDir(), rtOpts...)
	errs = make(chan reported, 64)
	good = make(chan string, 64)
	sgOpts = append(sgOpts, sensorgateway.WithErrorHandler(func(topic string, err error) { errs <- reported{topic, err} }))
	sg := sensorgateway.NewClient(subRT, sgOpts...)
	ctx := context.Background()
	_, err := sg.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		good <- m.Payload.SensorID
		return nil
	})
	require.NoError(t, err)
	_, err = sg.SubscribeStatus(ctx, sensorgateway.StatusParams{}, func(_ context.Context, m sensorgateway.StatusMessage) error {
		good <- "status:" + string(m.Payload)
		return nil
	})
	require.NoError(t, err)
	return raw, subRT, errs, good
}

func TestHostilePayloads(t *testing.T) {
	for _, limit := range []string{"generated client limit", "runtime limit"} {
		t.Run(limit, func(t *testing.T) {
			var rtOpts []mqttrt.Option
			var sgOpts []sensorgateway.ClientOption
			if limit == "runtime limit" {
				// The generated client takes the runtime's limit too.
				rtOpts = append(rtOpts, mqttrt.WithMaxPayloadSize(payloadLimit))
			} else {
				sgOpts = append(sgOpts, sensorgateway.WithMaxPayloadSize(payloadLimit))
			}
			testHostilePayloads(t, rtOpts, sgOpts)
		})
	}
}

func testHostilePayloads(t *testing.T, rtOpts []mqttrt.Option, sgOpts []sensorgateway.ClientOption) {
	raw, subRT, errs, good := hostileSetup(t, rtOpts, sgOpts...)
	ctx := context.Background()
	cases := badCases()
	var missing []string
	for i, tc := range cases {
		require.NoError(t, raw.PublishContext(ctx, tc.topic, 1, false, tc.payload), "%s: raw publish", tc.name)
		// A good message after each bad one must still arrive, after the
		// error (one ordered handler goroutine).
		id := fmt.Sprintf("good-%d", i)
		require.NoError(t, raw.PublishContext(ctx, "sensors/lab/temperature", 1, false,
			fmt.Appendf(nil, `{"sensorId":%q,"celsius":21}`, id)))
		// The error and the good message travel on different topics, so
		// their order is not guaranteed: wait for both, bounded.
		var got *reported
		seenGood := false
		deadline := time.After(5 * time.Second)
		for !seenGood || got == nil {
			select {
			case g := <-good:
				assert.Equal(t, id, g, "%s: what the typed handler got", tc.name)
				seenGood = true
				if got == nil { // give the error a moment more
					deadline = time.After(time.Second)
				}
			case r := <-errs:
				got = &r
			case <-deadline:
				require.True(t, seenGood, "%s: the next good message did not arrive within 5s", tc.name)
				missing = append(missing, tc.name)
				assert.Fail(t, "no error reported to the error handler", "%s: %d-byte payload", tc.name, len(tc.payload))
				got = &reported{}
			}
		}
		if got.err == nil {
			continue
		}
		assert.Equal(t, tc.topic, got.topic, "%s: topic given to the error handler", tc.name)
		assert.ErrorIs(t, got.err, tc.want, tc.name)
		if tc.rule != "" {
			requireViolation(t, got.err, tc.field, tc.rule)
		} else {
			assert.ErrorContains(t, got.err, tc.mention, tc.name)
		}
		t.Logf("%-24s -> %.150v", tc.name, got.err)
	}
	s := subRT.GetStats()
	t.Logf("hostile payloads: %d bad and %d good sent; rejected %d, good received %d, panics %d, errors not reported %v",
		len(cases), len(cases), s.MessagesRejected, s.MessagesReceived-s.MessagesRejected, s.HandlerPanics, missing)
	assert.Equal(t, uint64(len(cases)), s.MessagesRejected, "rejected")
	assert.Zero(t, s.HandlerPanics, "handler panics")
	assert.True(t, subRT.IsConnected(), "still connected")
}

// A JSON object may repeat a key in another case: encoding/json matches
// keys case-insensitively (the last one wins), while the schema sees two
// different properties. The generated decoder matches names exactly, as
// the schema does: the other-case key is an extra member, the value the
// handler gets is the one the schema checked.
func TestHostileCaseVariantKeys(t *testing.T) {
	b := mqtttest.NewBroker(t)
	raw := faultClient(t, b.URL(), fmt.Sprintf("raw-%d", time.Now().UnixNano()), t.TempDir())
	subRT := faultClient(t, b.URL(), fmt.Sprintf("case-sub-%d", time.Now().UnixNano()), t.TempDir())
	got := make(chan sensorgateway.TemperatureReading, 8)
	refused := make(chan error, 8)
	sg := sensorgateway.NewClient(subRT, sensorgateway.WithErrorHandler(func(_ string, err error) { refused <- err }))
	ctx := context.Background()
	_, err := sg.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		got <- m.Payload
		return nil
	})
	require.NoError(t, err)
	cases := []struct {
		payload string
		want    sensorgateway.TemperatureReading
	}{
		{`{"sensorId":"case-1","celsius":21,"CELSIUS":500}`, sensorgateway.TemperatureReading{SensorID: "case-1", Celsius: 21}},
		{`{"sensorId":"case-2","celsius":21,"Battery":-7}`, sensorgateway.TemperatureReading{SensorID: "case-2", Celsius: 21}},
		{`{"sensorId":"case-3","celsius":21,"SensorID":""}`, sensorgateway.TemperatureReading{SensorID: "case-3", Celsius: 21}},
	}
	for _, c := range cases {
		require.NoError(t, raw.PublishContext(ctx, "sensors/lab/temperature", 1, false, []byte(c.payload)))
		select {
		case g := <-got:
			assert.Equal(t, c.want, g, "%s decoded under another key's value", c.payload)
		case err := <-refused:
			assert.Fail(t, "a valid payload was refused", "%s: %v", c.payload, err)
		case <-time.After(5 * time.Second):
			require.FailNow(t, "no outcome within 5s", c.payload)
		}
	}
}
