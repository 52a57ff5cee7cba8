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
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		c.Disconnect(ctx)
	})
	return c
}

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
		t.Fatalf("no %s within %s", what, wait)
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
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_pub %v: %v\n%s", args, err, out)
	}
}

// TestTypedPublishReachesTypedHandler: a typed publish arrives decoded,
// with the room parsed back from the topic and the document's QoS.
func TestTypedPublishReachesTypedHandler(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sg := sensorgateway.NewClient(connect(t, b))
	got := make(chan sensorgateway.TemperatureMessage, 1)
	err := sg.SubscribeTemperature(ctxT(t), func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		got <- m
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	battery := int64(87)
	sent := sensorgateway.TemperatureReading{SensorID: "t-1", Celsius: 21.5, Battery: &battery}
	if err := sg.PublishTemperature(ctxT(t), sensorgateway.TemperatureParams{Room: "kitchen"}, sent); err != nil {
		t.Fatal(err)
	}
	m := receive(t, got, "temperature message")
	if m.Params.Room != "kitchen" || m.Topic != "sensors/kitchen/temperature" || m.QoS != 1 || m.Retained || m.Duplicate {
		t.Errorf("message metadata = %+v", m)
	}
	if m.Payload.SensorID != "t-1" || m.Payload.Celsius != 21.5 || m.Payload.Battery == nil || *m.Payload.Battery != 87 {
		t.Errorf("payload = %+v", m.Payload)
	}
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
	if err := sg.SubscribeTemperature(ctxT(t), func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		if m.Payload.SensorID == "refuse-me" {
			return errors.New("handler refuses this one")
		}
		got <- m
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	mosquittoPub(t, b, "sensors/office/temperature", []byte(`{"sensorId":"raw-1","celsius":19.25}`), "-q", "1")
	m := receive(t, got, "valid raw message")
	if m.Payload.SensorID != "raw-1" || m.Payload.Celsius != 19.25 || m.Params.Room != "office" {
		t.Errorf("valid raw message decoded as %+v", m)
	}

	cases := []struct {
		name, topic, payload string
		want                 error
		wantText             string
	}{
		{"out of range", "sensors/office/temperature", `{"sensorId":"raw-2","celsius":500}`, mqttrt.ErrValidation, "/celsius"},
		{"missing field", "sensors/office/temperature", `{"celsius":20}`, mqttrt.ErrValidation, "required"},
		{"not json", "sensors/office/temperature", `celsius=20`, mqttrt.ErrDecode, ""},
		{"too large", "sensors/office/temperature", `{"sensorId":"` + strings.Repeat("x", 300) + `","celsius":1}`, mqttrt.ErrPayloadTooLarge, ""},
		{"empty room", "sensors//temperature", `{"sensorId":"raw-3","celsius":20}`, mqttrt.ErrInvalidTopic, ""},
		{"handler error", "sensors/office/temperature", `{"sensorId":"refuse-me","celsius":20}`, nil, "handler refuses"},
	}
	for _, tc := range cases {
		mosquittoPub(t, b, tc.topic, []byte(tc.payload), "-q", "1")
		f := receive(t, failures, tc.name+" error")
		if f.topic != tc.topic {
			t.Errorf("%s: error handler got topic %q", tc.name, f.topic)
		}
		if tc.want != nil && !errors.Is(f.err, tc.want) {
			t.Errorf("%s: error %v does not wrap %v", tc.name, f.err, tc.want)
		}
		if !strings.Contains(f.err.Error(), tc.wantText) {
			t.Errorf("%s: error %q does not mention %q", tc.name, f.err, tc.wantText)
		}
	}
	var verr *mqttrt.ValidationError
	mosquittoPub(t, b, "sensors/office/temperature", []byte(`{"sensorId":"raw-4","celsius":-80}`), "-q", "1")
	if f := receive(t, failures, "minimum error"); !errors.As(f.err, &verr) || verr.Field != "/celsius" || verr.Rule != "minimum" {
		t.Errorf("validation error = %#v (%v), want field /celsius rule minimum", verr, f.err)
	}
	select {
	case m := <-got:
		t.Errorf("an invalid message reached the handler: %+v", m)
	default:
	}
	if n := rt.GetStats().MessagesRejected; n != 6 {
		t.Errorf("runtime counted %d rejected messages, want 6 (all failures but the handler's own error)", n)
	}
}

// TestSubscriberSeesDocumentDelivery: an independent subscriber
// (mosquitto_sub) sees exactly the bytes, QoS and retain flag the document
// asks for: config is retained at QoS 1, alerts are QoS 2, status is text.
func TestSubscriberSeesDocumentDelivery(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sg := sensorgateway.NewClient(connect(t, b))
	ctx := ctxT(t)

	// Retained messages are delivered to a subscriber that comes later.
	if err := sg.PublishConfig(ctx, sensorgateway.ConfigParams{DeviceID: "thermo-12"},
		sensorgateway.DeviceConfig{ReportIntervalSeconds: 60, Units: sensorgateway.DeviceConfigUnitsMetric}); err != nil {
		t.Fatal(err)
	}
	if err := sg.PublishStatus(ctx, sensorgateway.StatusParams{GatewayID: "gw-1"}, sensorgateway.GatewayStatusOnline); err != nil {
		t.Fatal(err)
	}
	out := mosquittoSub(t, b, 2, "-q", "2", "-t", "devices/thermo-12/config", "-t", "gateway/gw-1/status")
	want := []string{
		`devices/thermo-12/config 1 1 {"reportIntervalSeconds":60,"units":"metric"}`,
		`gateway/gw-1/status 1 1 online`,
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("mosquitto_sub output lacks %q:\n%s", w, out)
		}
	}

	// Alerts: QoS 2, not retained, so the subscriber must be there first.
	done := make(chan string, 1)
	go func() { done <- mosquittoSub(t, b, 1, "-q", "2", "-t", "alerts/critical") }()
	deadline := time.Now().Add(wait)
	for {
		// Republish until the subscriber (started concurrently) gets one.
		err := sg.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityCritical},
			sensorgateway.Alert{Code: "TEMP-001", Message: "too hot"})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case out := <-done:
			if w := `alerts/critical 2 0 {"code":"TEMP-001","message":"too hot"}`; !strings.Contains(out, w) {
				t.Errorf("mosquitto_sub output %q lacks %q", out, w)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("mosquitto_sub saw no alert")
		}
	}
}

// mosquittoSub reads count messages with mosquitto_sub and returns lines
// of "topic qos retain payload".
func mosquittoSub(t *testing.T, b *mqtttest.Broker, count int, args ...string) string {
	args = append([]string{"-h", "127.0.0.1", "-p", strconv.Itoa(b.Port()), "-C", strconv.Itoa(count), "-W", "10", "-F", "%t %q %r %p"}, args...)
	out, err := exec.Command("mosquitto_sub", args...).CombinedOutput()
	if err != nil {
		t.Errorf("mosquitto_sub %v: %v\n%s", args, err, out)
	}
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
	for _, room := range []string{"a/b", "+", "#", "", "kitchen/#", "x\x00y"} {
		err := sg.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: room}, reading)
		if !errors.Is(err, mqttrt.ErrInvalidTopic) {
			t.Errorf("PublishTemperature(room %q) = %v, want ErrInvalidTopic", room, err)
		}
		if room == "" {
			continue // empty means "any room" for a subscription
		}
		err = sg.SubscribeTemperature(ctx, func(context.Context, sensorgateway.TemperatureMessage) error { return nil },
			sensorgateway.WithTemperatureParams(sensorgateway.TemperatureParams{Room: room}))
		if !errors.Is(err, mqttrt.ErrInvalidTopic) {
			t.Errorf("SubscribeTemperature(room %q) = %v, want ErrInvalidTopic", room, err)
		}
	}
	err := sg.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: "urgent"}, sensorgateway.Alert{Code: "A-1", Message: "m"})
	if !errors.Is(err, mqttrt.ErrInvalidTopic) {
		t.Errorf("PublishAlert(severity outside the enum) = %v, want ErrInvalidTopic", err)
	}
	err = sg.SubscribeTemperature(ctx, func(context.Context, sensorgateway.TemperatureMessage) error { return nil },
		sensorgateway.WithHumidityParams(sensorgateway.HumidityParams{Room: "kitchen"}))
	if !errors.Is(err, mqttrt.ErrInvalidTopic) {
		t.Errorf("SubscribeTemperature with another channel's params = %v, want ErrInvalidTopic", err)
	}
	err = sg.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"}, sensorgateway.TemperatureReading{Celsius: 20})
	var verr *mqttrt.ValidationError
	if !errors.As(err, &verr) || verr.Field != "/sensorId" {
		t.Errorf("publishing an invalid reading = %v, want a validation error on /sensorId", err)
	}
	if s := rt.GetStats(); s.MessagesSent != 0 || s.Subscriptions != 0 {
		t.Errorf("refused calls reached the broker: %d sent, %d subscriptions", s.MessagesSent, s.Subscriptions)
	}
}

// TestRestrictedAndSharedSubscriptions: WithTemperatureParams narrows the
// filter; WithShareGroup spreads messages over three subscribers, each
// message handled once.
func TestRestrictedAndSharedSubscriptions(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx := ctxT(t)
	pub := sensorgateway.NewClient(connect(t, b))

	kitchen := make(chan sensorgateway.TemperatureMessage, 4)
	only := sensorgateway.NewClient(connect(t, b))
	if err := only.SubscribeTemperature(ctx, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		kitchen <- m
		return nil
	}, sensorgateway.WithTemperatureParams(sensorgateway.TemperatureParams{Room: "kitchen"})); err != nil {
		t.Fatal(err)
	}

	const n = 30
	var mu sync.Mutex
	seen := map[string]int{}
	perSubscriber := make([]int, 3)
	all := make(chan struct{}, n)
	for i := range 3 {
		sub := sensorgateway.NewClient(connect(t, b))
		err := sub.SubscribeHumidity(ctx, func(_ context.Context, m sensorgateway.HumidityMessage) error {
			mu.Lock()
			seen[m.Payload.SensorID]++
			perSubscriber[i]++
			mu.Unlock()
			all <- struct{}{}
			return nil
		}, sensorgateway.WithShareGroup("workers"))
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "office"}, sensorgateway.TemperatureReading{SensorID: "o", Celsius: 1}); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"}, sensorgateway.TemperatureReading{SensorID: "k", Celsius: 2}); err != nil {
		t.Fatal(err)
	}
	if m := receive(t, kitchen, "kitchen reading"); m.Params.Room != "kitchen" {
		t.Errorf("restricted subscription got room %q", m.Params.Room)
	}

	for i := range n {
		// QoS 1 so that no message may be lost; the document says QoS 0.
		err := pub.PublishHumidity(ctx, sensorgateway.HumidityParams{Room: "hall"},
			sensorgateway.HumidityReading{SensorID: fmt.Sprintf("h-%d", i), Percent: 40}, sensorgateway.WithQoS(1))
		if err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		receive(t, all, "shared humidity reading")
	}
	time.Sleep(200 * time.Millisecond) // let any duplicate arrive
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Errorf("%d distinct messages handled, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("message %s handled %d times", id, c)
		}
	}
	for i, c := range perSubscriber {
		if c == 0 {
			t.Errorf("subscriber %d got no share of the load: %v", i, perSubscriber)
		}
	}
	select {
	case m := <-kitchen:
		t.Errorf("restricted subscription got a second message: %+v", m)
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
	if err := de.SubscribeEvent(ctx, func(_ context.Context, m deviceevents.EventMessage) error {
		got <- m
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	dev := deviceevents.EventsParams{DeviceID: "sn-1"}
	if err := de.PublishEvent(ctx, dev, deviceevents.EventsPayload{DeviceStarted: &deviceevents.DeviceStarted{Event: "started", Firmware: "1.2"}}); err != nil {
		t.Fatal(err)
	}
	m := receive(t, got, "started event")
	if m.Payload.DeviceStarted == nil || m.Payload.DeviceStarted.Firmware != "1.2" || m.Payload.DeviceStopped != nil || m.Payload.DeviceFault != nil {
		t.Errorf("started event decoded as %+v", m.Payload)
	}
	mosquittoPub(t, b, "fleet/sn-2/events", []byte(`{"event":"fault","code":7}`), "-q", "1")
	m = receive(t, got, "fault event")
	if m.Payload.DeviceFault == nil || m.Payload.DeviceFault.Code != 7 || m.Params.DeviceID != "sn-2" {
		t.Errorf("fault event decoded as %+v", m)
	}
	mosquittoPub(t, b, "fleet/sn-2/events", []byte(`{"event":"exploded"}`), "-q", "1")
	if err := receive(t, failures, "unmatched event error"); !errors.Is(err, mqttrt.ErrValidation) {
		t.Errorf("unmatched event: %v, want ErrValidation", err)
	}
	err := de.PublishEvent(ctx, dev, deviceevents.EventsPayload{})
	if !errors.Is(err, mqttrt.ErrValidation) {
		t.Errorf("publishing an empty sum = %v, want ErrValidation", err)
	}
}
