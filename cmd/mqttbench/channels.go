package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
)

// channel is one channel of the sensor gateway document as the benchmark
// uses it: the typed calls and, for the raw clients, the same topic, the
// same subscription QoS and the same bytes the typed client sends.
type channel struct {
	name    string
	topic   string
	filter  string
	subQoS  byte // the document's QoS, which the typed Subscribe method uses
	payload []byte
	publish func(ctx context.Context, c *sensorgateway.Client, qos byte) error
	// onTyped subscribes for the whole run: the subscription ends with
	// the connection, so its handle is not kept.
	onTyped func(ctx context.Context, c *sensorgateway.Client, got func()) error
}

// benchRoom is the room of every benchmark topic.
const benchRoom = "bench"

func reading() sensorgateway.TemperatureReading {
	battery := int64(87)
	return sensorgateway.TemperatureReading{SensorID: "sensor-kitchen-0001", Celsius: 21.5, Battery: &battery}
}

func humidity() sensorgateway.HumidityReading {
	return sensorgateway.HumidityReading{SensorID: "sensor-kitchen-0001", Percent: 45.5}
}

func alert() sensorgateway.Alert {
	room := "kitchen"
	return sensorgateway.Alert{Code: "TEMP-001", Message: "too warm: 31.5 C", Room: &room}
}

// channelFor is the channel a throughput trial at qos uses. The typed
// Subscribe methods subscribe at the document's QoS (there is no option to
// change it), so QoS 0 and 1 use the temperature channel (QoS 1 in the
// document; a QoS 0 publish is delivered at QoS 0) and QoS 2 the alerts
// channel, the document's only QoS 2 channel.
func channelFor(qos byte) channel {
	if qos == 2 {
		return alertChannel()
	}
	return temperatureChannel()
}

func temperatureChannel() channel {
	msg := reading()
	return channel{
		name:    "temperature",
		topic:   "sensors/" + benchRoom + "/temperature",
		filter:  "sensors/" + benchRoom + "/temperature",
		subQoS:  1,
		payload: mustJSON(msg),
		publish: func(ctx context.Context, c *sensorgateway.Client, qos byte) error {
			return c.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: benchRoom}, msg, sensorgateway.WithQoS(qos))
		},
		onTyped: func(ctx context.Context, c *sensorgateway.Client, got func()) error {
			_, err := c.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{Room: benchRoom}, func(context.Context, sensorgateway.TemperatureMessage) error {
				got()
				return nil
			})
			return err
		},
	}
}

func humidityChannel() channel {
	msg := humidity()
	return channel{
		name:    "humidity",
		topic:   "sensors/" + benchRoom + "/humidity",
		filter:  "sensors/" + benchRoom + "/humidity",
		subQoS:  0,
		payload: mustJSON(msg),
		publish: func(ctx context.Context, c *sensorgateway.Client, qos byte) error {
			return c.PublishHumidity(ctx, sensorgateway.HumidityParams{Room: benchRoom}, msg, sensorgateway.WithQoS(qos))
		},
		onTyped: func(ctx context.Context, c *sensorgateway.Client, got func()) error {
			_, err := c.SubscribeHumidity(ctx, sensorgateway.HumidityParams{Room: benchRoom}, func(context.Context, sensorgateway.HumidityMessage) error {
				got()
				return nil
			})
			return err
		},
	}
}

func alertChannel() channel {
	msg := alert()
	params := sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityWarning}
	return channel{
		name:    "alerts",
		topic:   "alerts/warning",
		filter:  "alerts/warning",
		subQoS:  2,
		payload: mustJSON(msg),
		publish: func(ctx context.Context, c *sensorgateway.Client, qos byte) error {
			return c.PublishAlert(ctx, params, msg, sensorgateway.WithQoS(qos))
		},
		onTyped: func(ctx context.Context, c *sensorgateway.Client, got func()) error {
			_, err := c.SubscribeAlert(ctx, params, func(context.Context, sensorgateway.AlertMessage) error {
				got()
				return nil
			})
			return err
		},
	}
}

// channelNamed finds a channel by name, for the subscriber process.
func channelNamed(name string) (channel, error) {
	for _, ch := range []channel{temperatureChannel(), humidityChannel(), alertChannel()} {
		if ch.name == name {
			return ch, nil
		}
	}
	return channel{}, fmt.Errorf("unknown channel %q", name)
}

// mustJSON encodes a generated payload type; it cannot fail for them.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
