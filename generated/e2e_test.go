package generated_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/deviceevents"
	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// wait bounds every wait for a message in these tests.
const wait = 10 * time.Second

// connect returns a connected runtime client for broker b, disconnected
// when the test ends.
func connect(t *testing.T, b *mqtttest.Broker, opts ...mqttrt.Option) *mqttrt.Client {
	t.Helper()
	opts = append([]mqttrt.Option{mqttrt.WithBroker(b.URL()), mqttrt.WithClientID(fmt.Sprintf("e2e-%s-%d", t.Name(), time.Now().UnixNano()))}, opts...)
	c, err := mqttrt.New(opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		c.Disconnect(ctx)
	})
	return c
}

// ctxT is a context that ends with the test, or after wait.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// receive waits for one value from ch.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		require.FailNow(t, "no "+what+" within "+wait.String())
	}
	var zero T
	return zero
}

// mosquittoPub publishes raw bytes with the mosquitto_pub client.
func mosquittoPub(t *testing.T, b *mqtttest.Broker, topic string, payload []byte, extra ...string) {
	t.Helper()
	args := append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.Port()), "-t", topic, "-s"}, extra...)
	cmd := exec.Command("mosquitto_pub", args...)
	cmd.Stdin = strings.NewReader(string(payload))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "mosquitto_pub %v: %s", args, out)
}

// requireViolation requires err to be (or wrap) a *mqttrt.ValidationError
// that lists a violation of rule at the JSON pointer field ("" for the
// whole payload, as for a missing required property), and returns it.
func requireViolation(t *testing.T, err error, field, rule string) mqttrt.Violation {
	t.Helper()
	var verr *mqttrt.ValidationError
	require.ErrorAs(t, err, &verr)
	for _, v := range verr.Violations {
		if v.Field == field && v.Rule == rule {
			return v
		}
	}
	require.Failf(t, "violation not reported", "%v (violations %+v) names no %s violation at %q", err, verr.Violations, rule, field)
	return mqttrt.Violation{}
}

// TestTypedPublishReachesTypedHandler: a typed publish arrives decoded,
// with the room parsed back from the topic and the document's QoS.
func TestTypedPublishReachesTypedHandler(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sg := sensorgateway.NewClient(connect(t, b))
	got := make(chan sensorgateway.TemperatureMessage, 1)
	sub, err := sg.SubscribeTemperature(ctxT(t), sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		got <- m
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "sensors/+/temperature", sub.Filter(), "the zero Params subscribe to every room")
	battery := int64(87)
	sent := sensorgateway.TemperatureReading{SensorID: "t-1", Celsius: 21.5, Battery: &battery}
	require.NoError(t, sg.PublishTemperature(ctxT(t), sensorgateway.TemperatureParams{Room: "kitchen"}, sent))
	m := receive(t, got, "temperature message")
	assert.Equal(t, sensorgateway.TemperatureParams{Room: "kitchen"}, m.Params)
	assert.Equal(t, "sensors/kitchen/temperature", m.Topic)
	assert.Equal(t, byte(1), m.QoS)
	assert.False(t, m.Retained, "retained")
	assert.False(t, m.Duplicate, "duplicate")
	assert.Equal(t, sent, m.Payload)
}

// TestRawPayloads: bytes published by another client (mosquitto_pub)
// reach the typed handler when valid and the error handler otherwise,
// and the runtime counts the refused ones.
func TestRawPayloads(t *testing.T) {
	b := mqtttest.NewBroker(t)
	rt := connect(t, b)
	type failure struct {
		topic string
		err   error
	}
	failures := make(chan failure, 8)
	sg := sensorgateway.NewClient(rt, sensorgateway.WithErrorHandler(func(topic string, err error) {
		failures <- failure{topic, err}
	}), sensorgateway.WithMaxPayloadSize(256))
	got := make(chan sensorgateway.TemperatureMessage, 8)
	_, err := sg.SubscribeTemperature(ctxT(t), sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		if m.Payload.SensorID == "refuse-me" {
			return errors.New("handler refuses this one")
		}
		got <- m
		return nil
	})
	require.NoError(t, err)

	mosquittoPub(t, b, "sensors/office/temperature", []byte(`{"sensorId":"raw-1","celsius":19.25}`), "-q", "1")
	m := receive(t, got, "valid raw message")
	assert.Equal(t, sensorgateway.TemperatureReading{SensorID: "raw-1", Celsius: 19.25}, m.Payload)
	assert.Equal(t, "office", m.Params.Room)

	cases := []struct {
		name, topic, payload string
		want                 error
		field, rule          string // the violation a validation error names
		wantText             string // what the error, or its violation, mentions
	}{
		{name: "out of range", topic: "sensors/office/temperature", payload: `{"sensorId":"raw-2","celsius":500}`,
			want: mqttrt.ErrValidation, field: "/celsius", rule: "maximum"},
		{name: "below the minimum", topic: "sensors/office/temperature", payload: `{"sensorId":"raw-4","celsius":-80}`,
			want: mqttrt.ErrValidation, field: "/celsius", rule: "minimum"},
		{name: "missing field", topic: "sensors/office/temperature", payload: `{"celsius":20}`,
			want: mqttrt.ErrValidation, field: "", rule: "required", wantText: "sensorId"},
		{name: "not json", topic: "sensors/office/temperature", payload: `celsius=20`, want: mqttrt.ErrDecode},
		{name: "too large", topic: "sensors/office/temperature", payload: `{"sensorId":"` + strings.Repeat("x", 300) + `","celsius":1}`,
			want: mqttrt.ErrPayloadTooLarge},
		{name: "empty room", topic: "sensors//temperature", payload: `{"sensorId":"raw-3","celsius":20}`, want: mqttrt.ErrInvalidTopic},
		{name: "handler error", topic: "sensors/office/temperature", payload: `{"sensorId":"refuse-me","celsius":20}`,
			wantText: "handler refuses"},
	}
	for _, tc := range cases {
		mosquittoPub(t, b, tc.topic, []byte(tc.payload), "-q", "1")
		f := receive(t, failures, tc.name+" error")
		assert.Equal(t, tc.topic, f.topic, "%s: topic given to the error handler", tc.name)
		if tc.want != nil {
			assert.ErrorIs(t, f.err, tc.want, tc.name)
		}
		if tc.rule != "" {
			v := requireViolation(t, f.err, tc.field, tc.rule)
			assert.Contains(t, v.Message, tc.wantText, tc.name)
			continue
		}
		assert.ErrorContains(t, f.err, tc.wantText, tc.name)
	}
	select {
	case m := <-got:
		assert.Fail(t, "an invalid message reached the handler", "%+v", m)
	default:
	}
	assert.Equal(t, uint64(6), rt.GetStats().MessagesRejected, "rejected messages: all failures but the handler's own error")
}

// TestSubscriberSeesDocumentDelivery: an independent subscriber
// (mosquitto_sub) sees exactly the bytes, QoS and retain flag the document
// asks for: config is retained at QoS 1, alerts are QoS 2, status is text.
func TestSubscriberSeesDocumentDelivery(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sg := sensorgateway.NewClient(connect(t, b))
	ctx := ctxT(t)

	// Retained messages are delivered to a subscriber that comes later.
	require.NoError(t, sg.PublishConfig(ctx, sensorgateway.ConfigParams{DeviceID: "thermo-12"},
		sensorgateway.DeviceConfig{ReportIntervalSeconds: 60, Units: sensorgateway.DeviceConfigUnitsMetric}))
	require.NoError(t, sg.PublishStatus(ctx, sensorgateway.StatusParams{GatewayID: "gw-1"}, sensorgateway.GatewayStatusOnline))
	out := mosquittoSub(t, b, 2, "-q", "2", "-t", "devices/thermo-12/config", "-t", "gateway/gw-1/status")
	assert.Contains(t, out, `devices/thermo-12/config 1 1 {"reportIntervalSeconds":60,"units":"metric"}`)
	assert.Contains(t, out, `gateway/gw-1/status 1 1 online`)

	// Alerts: QoS 2, not retained, so the subscriber must be there first.
	done := make(chan string, 1)
	go func() { done <- mosquittoSub(t, b, 1, "-q", "2", "-t", "alerts/critical") }()
	deadline := time.Now().Add(wait)
	for {
		// Republish until the subscriber (started concurrently) gets one.
		err := sg.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityCritical},
			sensorgateway.Alert{Code: "TEMP-001", Message: "too hot"})
		require.NoError(t, err)
		select {
		case out := <-done:
			assert.Contains(t, out, `alerts/critical 2 0 {"code":"TEMP-001","message":"too hot"}`)
			return
		case <-time.After(200 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "mosquitto_sub saw no alert")
	}
}

// mosquittoSub reads count messages with mosquitto_sub and returns lines
// of "topic qos retain payload". It may run on another goroutine, so it
// reports a failure with assert, not require.
func mosquittoSub(t *testing.T, b *mqtttest.Broker, count int, args ...string) string {
	args = append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.Port()), "-C", strconv.Itoa(count), "-W", "10", "-F", "%t %q %r %p"}, args...)
	out, err := exec.Command("mosquitto_sub", args...).CombinedOutput()
	assert.NoError(t, err, "mosquitto_sub %v: %s", args, out)
	return string(out)
}

// TestInjectionRefused: a parameter value that would change the topic is
// refused before anything is sent or subscribed.
func TestInjectionRefused(t *testing.T) {
	b := mqtttest.NewBroker(t)
	rt := connect(t, b)
	sg := sensorgateway.NewClient(rt)
	ctx := ctxT(t)
	reading := sensorgateway.TemperatureReading{SensorID: "t-1", Celsius: 20}
	ignore := func(context.Context, sensorgateway.TemperatureMessage) error { return nil }
	for _, room := range []string{"a/b", "+", "#", "", "kitchen/#", "x\x00y"} {
		err := sg.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: room}, reading)
		assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "PublishTemperature(room %q)", room)
		if room == "" {
			continue // empty means "any room" for a subscription
		}
		sub, err := sg.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{Room: room}, ignore)
		assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "SubscribeTemperature(room %q)", room)
		assert.Nil(t, sub, "SubscribeTemperature(room %q) returned a subscription", room)
	}
	err := sg.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: "urgent"}, sensorgateway.Alert{Code: "A-1", Message: "m"})
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "PublishAlert(severity outside the enum)")
	_, err = sg.SubscribeAlert(ctx, sensorgateway.AlertsParams{Severity: "urgent"},
		func(context.Context, sensorgateway.AlertMessage) error { return nil })
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "SubscribeAlert(severity outside the enum)")
	err = sg.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"}, sensorgateway.TemperatureReading{Celsius: 20})
	requireViolation(t, err, "/sensorId", "minLength")
	s := rt.GetStats()
	assert.Zero(t, s.MessagesSent, "refused publishes reached the broker")
	assert.Zero(t, s.Subscriptions, "refused subscriptions reached the broker")
}

// TestRestrictedAndSharedSubscriptions: a Params filter with a field set
// narrows the subscription; WithShareGroup spreads messages over three
// subscribers, each message handled once.
func TestRestrictedAndSharedSubscriptions(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx := ctxT(t)
	pub := sensorgateway.NewClient(connect(t, b))

	kitchen := make(chan sensorgateway.TemperatureMessage, 4)
	only := sensorgateway.NewClient(connect(t, b))
	sub, err := only.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		kitchen <- m
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "sensors/kitchen/temperature", sub.Filter())

	const n = 30
	var mu sync.Mutex
	seen := map[string]int{}
	perSubscriber := make([]int, 3)
	all := make(chan struct{}, n)
	for i := range 3 {
		worker := sensorgateway.NewClient(connect(t, b))
		sub, err := worker.SubscribeHumidity(ctx, sensorgateway.HumidityParams{}, func(_ context.Context, m sensorgateway.HumidityMessage) error {
			mu.Lock()
			seen[m.Payload.SensorID]++
			perSubscriber[i]++
			mu.Unlock()
			all <- struct{}{}
			return nil
		}, sensorgateway.WithShareGroup("workers"))
		require.NoError(t, err)
		assert.Equal(t, "$share/workers/sensors/+/humidity", sub.Filter())
	}
	require.NoError(t, pub.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "office"}, sensorgateway.TemperatureReading{SensorID: "o", Celsius: 1}))
	require.NoError(t, pub.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"}, sensorgateway.TemperatureReading{SensorID: "k", Celsius: 2}))
	m := receive(t, kitchen, "kitchen reading")
	assert.Equal(t, "kitchen", m.Params.Room, "restricted subscription")

	for i := range n {
		// QoS 1 so that no message may be lost; the document says QoS 0.
		err := pub.PublishHumidity(ctx, sensorgateway.HumidityParams{Room: "hall"},
			sensorgateway.HumidityReading{SensorID: fmt.Sprintf("h-%d", i), Percent: 40}, sensorgateway.WithQoS(1))
		require.NoError(t, err)
	}
	for range n {
		receive(t, all, "shared humidity reading")
	}
	time.Sleep(200 * time.Millisecond) // let any duplicate arrive
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, seen, n, "distinct messages handled")
	for id, c := range seen {
		assert.Equal(t, 1, c, "times message %s was handled", id)
	}
	for i, c := range perSubscriber {
		assert.NotZero(t, c, "subscriber %d got no share of the load: %v", i, perSubscriber)
	}
	select {
	case m := <-kitchen:
		assert.Fail(t, "restricted subscription got a second message", "%+v", m)
	default:
	}
}

// TestSeveralMessagesPerChannel: the sum type of a channel decodes to the
// message whose schema matches, and refuses what matches none.
func TestSeveralMessagesPerChannel(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx := ctxT(t)
	failures := make(chan error, 4)
	de := deviceevents.NewClient(connect(t, b), deviceevents.WithErrorHandler(func(_ string, err error) { failures <- err }))
	got := make(chan deviceevents.EventMessage, 4)
	_, err := de.SubscribeEvent(ctx, deviceevents.EventsParams{}, func(_ context.Context, m deviceevents.EventMessage) error {
		got <- m
		return nil
	})
	require.NoError(t, err)
	dev := deviceevents.EventsParams{DeviceID: "sn-1"}
	started := deviceevents.DeviceStarted{Event: "started", Firmware: "1.2"}
	require.NoError(t, de.PublishEvent(ctx, dev, deviceevents.EventPayload{DeviceStarted: &started}))
	m := receive(t, got, "started event")
	assert.Equal(t, deviceevents.EventPayload{DeviceStarted: &started}, m.Payload)

	mosquittoPub(t, b, "fleet/sn-2/events", []byte(`{"event":"fault","code":7}`), "-q", "1")
	m = receive(t, got, "fault event")
	assert.Equal(t, deviceevents.EventPayload{DeviceFault: &deviceevents.DeviceFault{Event: "fault", Code: 7}}, m.Payload)
	assert.Equal(t, "sn-2", m.Params.DeviceID)

	mosquittoPub(t, b, "fleet/sn-2/events", []byte(`{"event":"exploded"}`), "-q", "1")
	assert.ErrorIs(t, receive(t, failures, "unmatched event error"), mqttrt.ErrValidation, "unmatched event")
	err = de.PublishEvent(ctx, dev, deviceevents.EventPayload{})
	assert.ErrorIs(t, err, mqttrt.ErrValidation, "publishing an empty sum")
}
