package generated_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Fuzz targets over the generated sensor gateway package. Run one for
// longer with e.g.
//
//	go test ./generated -run '^$' -fuzz FuzzSensorGatewayTopics -fuzztime 5m -parallel 1

// paramSeeds are parameter values that try to change the topic.
var paramSeeds = []string{
	"kitchen", "", "a/b", "+", "#", "kitchen/#", "x\x00y", "\xff", "..", "$SYS", " ", "é", "info", "critical", "urgent",
	"/", "a+", "#a",
}

// channelTopic is one channel of the sensor gateway: how to build a topic
// from one parameter value, how to parse one back, and the filter that
// subscribes to the whole channel.
type channelTopic struct {
	name   string
	filter string
	build  func(v string) (string, error)
	parse  func(topic string) (string, error)
}

var sensorGatewayChannels = []channelTopic{
	{"temperature", "sensors/+/temperature",
		func(v string) (string, error) { return sensorgateway.TemperatureParams{Room: v}.Topic() },
		func(s string) (string, error) { p, err := sensorgateway.ParseTemperatureTopic(s); return p.Room, err }},
	{"humidity", "sensors/+/humidity",
		func(v string) (string, error) { return sensorgateway.HumidityParams{Room: v}.Topic() },
		func(s string) (string, error) { p, err := sensorgateway.ParseHumidityTopic(s); return p.Room, err }},
	{"alerts", "alerts/+",
		func(v string) (string, error) {
			return sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverity(v)}.Topic()
		},
		func(s string) (string, error) {
			p, err := sensorgateway.ParseAlertsTopic(s)
			return string(p.Severity), err
		}},
	{"commands", "devices/+/commands",
		func(v string) (string, error) { return sensorgateway.CommandsParams{DeviceID: v}.Topic() },
		func(s string) (string, error) { p, err := sensorgateway.ParseCommandsTopic(s); return p.DeviceID, err }},
	{"config", "devices/+/config",
		func(v string) (string, error) { return sensorgateway.ConfigParams{DeviceID: v}.Topic() },
		func(s string) (string, error) { p, err := sensorgateway.ParseConfigTopic(s); return p.DeviceID, err }},
	{"status", "gateway/+/status",
		func(v string) (string, error) { return sensorgateway.StatusParams{GatewayID: v}.Topic() },
		func(s string) (string, error) { p, err := sensorgateway.ParseStatusTopic(s); return p.GatewayID, err }},
}

// paramAllowed is the reference rule for a parameter value: one whole,
// non-empty topic level (and, for alerts, one of the document's values).
func paramAllowed(channel, v string) bool {
	if v == "" || !utf8.ValidString(v) || strings.ContainsAny(v, "/+#\x00") {
		return false
	}
	return channel != "alerts" || sensorgateway.AlertsSeverity(v).Valid()
}

// FuzzSensorGatewayTopics: for every channel, a parameter value either
// builds a valid topic that parses back to the same value and belongs to
// no other channel, or is refused with ErrInvalidTopic. Any topic that a
// channel parses builds back to itself or is refused: never to another
// topic.
func FuzzSensorGatewayTopics(f *testing.F) {
	for _, v := range paramSeeds {
		f.Add(v, "sensors/"+v+"/temperature")
	}
	f.Add("kitchen", "alerts/info")
	f.Add("kitchen", "gateway/gw-1/status/")
	f.Add("kitchen", "devices//config")
	f.Add("kitchen", "sensors/a/b/temperature")
	f.Fuzz(func(t *testing.T, value, topic string) {
		for _, ch := range sensorGatewayChannels {
			built, err := ch.build(value)
			allowed := paramAllowed(ch.name, value)
			require.Equal(t, allowed, err == nil, "%s: value %q: err = %v, reference says allowed=%v", ch.name, value, err, allowed)
			if err != nil {
				require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "%s: value %q", ch.name, value)
			} else {
				checkBuiltTopic(t, ch, value, built)
			}

			// The other direction: whatever a channel parses must build
			// back to the same topic, or be refused.
			got, err := ch.parse(topic)
			if err != nil {
				require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "%s: parse %q", ch.name, topic)
				continue
			}
			again, err := ch.build(got)
			if err != nil {
				require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "%s: rebuilding %q", ch.name, got)
			} else {
				require.Equal(t, topic, again, "%s: topic %q parsed to %q", ch.name, topic, got)
			}
		}
	})
}

func checkBuiltTopic(t *testing.T, ch channelTopic, value, topic string) {
	t.Helper()
	if len(topic) <= 65535 {
		require.NoError(t, mqttrt.ValidateTopic(topic), "%s: value %q built an invalid topic %q", ch.name, value, topic)
	}
	require.Equal(t, strings.Count(ch.filter, "/"), strings.Count(topic, "/"), "%s: value %q changed the number of levels: %q", ch.name, value, topic)
	require.True(t, mqttrt.MatchTopic(ch.filter, topic), "%s: topic %q is not matched by the channel filter %q", ch.name, topic, ch.filter)
	back, err := ch.parse(topic)
	require.NoError(t, err, "%s: topic %q does not parse back", ch.name, topic)
	require.Equal(t, value, back, "%s: topic %q parsed back", ch.name, topic)
	for _, other := range sensorGatewayChannels {
		if other.name == ch.name {
			continue
		}
		require.False(t, mqttrt.MatchTopic(other.filter, topic), "%s: topic %q also belongs to channel %s", ch.name, topic, other.name)
		_, err := other.parse(topic)
		require.Error(t, err, "%s: topic %q parses as channel %s", ch.name, topic, other.name)
	}
}

// receiveOutcome is what one delivery to the generated receive path did.
type receiveOutcome struct {
	handled []string // channels whose typed handler ran
	errs    []error  // errors passed to the error handler
}

// subscribeAll subscribes every channel of a sensor gateway client over p,
// recording typed messages (checked against the document's schema by
// check) and errors in out.
func subscribeAll(t *testing.T, p *capturePubSub, out *receiveOutcome) {
	t.Helper()
	sg := sensorgateway.NewClient(p, sensorgateway.WithErrorHandler(func(_ string, err error) { out.errs = append(out.errs, err) }))
	ctx := context.Background()
	record := func(channel, topic string, problem string) {
		assert.Empty(t, problem, "%s: handler got a message its schema forbids (topic %q)", channel, topic)
		out.handled = append(out.handled, channel)
	}
	// The zero Params subscribe to every topic of their channel.
	subscribed := func(_ mqttrt.Subscription, err error) { require.NoError(t, err) }
	subscribed(sg.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		record("temperature", m.Topic, temperatureProblem(m))
		return nil
	}))
	subscribed(sg.SubscribeHumidity(ctx, sensorgateway.HumidityParams{}, func(_ context.Context, m sensorgateway.HumidityMessage) error {
		r := m.Payload
		record("humidity", m.Topic, problems(r.SensorID == "", "empty sensorId", r.Percent < 0 || r.Percent > 100, "percent out of range"))
		return nil
	}))
	subscribed(sg.SubscribeAlert(ctx, sensorgateway.AlertsParams{}, func(_ context.Context, m sensorgateway.AlertMessage) error {
		record("alerts", m.Topic, problems(!alertCode.MatchString(m.Payload.Code), "code breaks its pattern"))
		return nil
	}))
	subscribed(sg.SubscribeCommand(ctx, sensorgateway.CommandsParams{}, func(_ context.Context, m sensorgateway.CommandMessage) error {
		d := m.Payload.DelaySeconds
		record("commands", m.Topic, problems(!m.Payload.Command.Valid(), "command outside its enum",
			d != nil && (*d < 0 || *d > 3600), "delaySeconds out of range"))
		return nil
	}))
	subscribed(sg.SubscribeConfig(ctx, sensorgateway.ConfigParams{}, func(_ context.Context, m sensorgateway.ConfigMessage) error {
		c := m.Payload
		record("config", m.Topic, problems(c.ReportIntervalSeconds < 5 || c.ReportIntervalSeconds > 3600, "interval out of range",
			!c.Units.Valid(), "units outside the enum"))
		return nil
	}))
	subscribed(sg.SubscribeStatus(ctx, sensorgateway.StatusParams{}, func(_ context.Context, m sensorgateway.StatusMessage) error {
		record("status", m.Topic, problems(!m.Payload.Valid(), "status outside the enum"))
		return nil
	}))
}

var alertCode = regexp.MustCompile(`^[A-Z]+-[0-9]+$`)

func temperatureProblem(m sensorgateway.TemperatureMessage) string {
	r := m.Payload
	return problems(r.SensorID == "", "empty sensorId",
		r.Celsius < -50 || r.Celsius > 100, fmt.Sprintf("celsius %v out of [-50, 100]", r.Celsius),
		r.Battery != nil && (*r.Battery < 0 || *r.Battery > 100), "battery out of range",
		m.Params.Room == "" || strings.Contains(m.Params.Room, "/"), "bad room parameter")
}

// problems returns the message of the first condition that holds, or "".
func problems(pairs ...any) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i].(bool) {
			return pairs[i+1].(string)
		}
	}
	return ""
}

// receiveMaxPayload is the payload limit of the receive fuzz target.
const receiveMaxPayload = 512

// FuzzSensorGatewayReceive feeds any topic and payload to the generated
// receive path of every channel: each delivery ends either in the typed
// handler with a payload its schema allows, or in exactly one error that
// wraps one of the documented sentinels and is counted by the runtime.
// Nothing panics.
func FuzzSensorGatewayReceive(f *testing.F) {
	seeds := []struct{ topic, payload string }{
		{"sensors/kitchen/temperature", `{"sensorId":"t-1","celsius":21.5,"battery":80}`},
		{"sensors/kitchen/temperature", `{"sensorId":"t-1","celsius":21.5`},
		{"sensors/kitchen/temperature", `{"sensorId":1,"celsius":"hot"}`},
		{"sensors/kitchen/temperature", `{"sensorId":"t","celsius":1e400}`},
		{"sensors/kitchen/temperature", `{"sensorId":"t","celsius":20,"battery":1.5}`},
		{"sensors/kitchen/temperature", `[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`},
		{"sensors/kitchen/temperature", `{"sensorId":"t","celsius":20} {}`},
		{"sensors/kitchen/humidity", `{"sensorId":"h","percent":50}`},
		{"sensors//humidity", `{"sensorId":"h","percent":50}`},
		{"alerts/critical", `{"code":"TEMP-001","message":"hot"}`},
		{"alerts/critical", `{"code":"TEMP-001\n","message":"hot"}`},
		{"alerts/urgent", `{"code":"TEMP-001","message":"hot"}`},
		{"devices/d/commands", `{"command":"reboot","delaySeconds":10}`},
		{"devices/d/commands", `{"command":"explode"}`},
		{"devices/d/config", `{"reportIntervalSeconds":60,"units":"metric"}`},
		{"devices/d/config", `{"reportIntervalSeconds":60,"units":"metric","extra":1}`},
		{"gateway/gw-1/status", `online`},
		{"gateway/gw-1/status", "\xff"},
		{"gateway/gw-1/status", `"online"`},
		{"sensors/kitchen/temperature", `null`},
		{"sensors/kitchen/temperature", ``},
		// The value the schema checks must be the value decoded: keys
		// that differ only in case, and repeated keys.
		{"sensors/kitchen/temperature", `{"sensorId":"t","celsius":20,"CELSIUS":500}`},
		{"sensors/kitchen/temperature", `{"sensorId":"t","celsius":20,"celsius":500}`},
	}
	for _, s := range seeds {
		f.Add(s.topic, []byte(s.payload), byte(1), false, false)
	}
	f.Fuzz(func(t *testing.T, topic string, payload []byte, qos byte, dup, retained bool) {
		p := newCapturePubSub(receiveMaxPayload)
		var out receiveOutcome
		subscribeAll(t, p, &out)
		m := fakeMessage{topic: topic, payload: payload, qos: qos % 3, duplicate: dup, retained: retained}
		for _, ch := range sensorGatewayChannels {
			handled, failed := len(out.handled), len(out.errs)
			require.True(t, p.deliver(ch.filter, m), "no subscription on %s", ch.filter)
			n := len(out.handled) - handled + len(out.errs) - failed
			require.Equal(t, 1, n, "%s: outcomes of one delivery of %q", ch.name, topic)
			if len(out.handled) > handled {
				_, err := ch.parse(topic)
				require.NoError(t, err, "%s: handled a message on foreign topic %q", ch.name, topic)
			}
		}
		for _, err := range out.errs {
			documented := errors.Is(err, mqttrt.ErrDecode) || errors.Is(err, mqttrt.ErrValidation) ||
				errors.Is(err, mqttrt.ErrInvalidTopic) || errors.Is(err, mqttrt.ErrPayloadTooLarge)
			require.True(t, documented, "error %v wraps no documented sentinel", err)
			require.Equal(t, len(payload) > receiveMaxPayload, errors.Is(err, mqttrt.ErrPayloadTooLarge),
				"payload of %d bytes (limit %d): %v", len(payload), receiveMaxPayload, err)
		}
		require.Len(t, p.rejected, len(out.errs), "errors reported and counted by the runtime")
	})
}
