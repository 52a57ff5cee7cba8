package generated_test

import (
	"context"
	"errors"
	"testing"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// TestSubscribeQoS: the temperature operation's binding says QoS 1. A
// message published at QoS 2 arrives at QoS 1 by default, and at the QoS
// WithSubscribeQoS asks for (2 or 0) otherwise: the broker delivers at the
// lower of the publish and subscription QoS, so the delivered QoS shows
// what was subscribed with. A QoS above 2 is refused before subscribing.
func TestSubscribeQoS(t *testing.T) {
	b := mqtttest.NewBroker(t)
	pub := sensorgateway.NewClient(connect(t, b))
	reading := sensorgateway.TemperatureReading{SensorID: "t-1", Celsius: 20}

	for _, tc := range []struct {
		name string
		opts []sensorgateway.SubscribeOption
		want byte
	}{
		{"default", nil, 1},
		{"qos2", []sensorgateway.SubscribeOption{sensorgateway.WithSubscribeQoS(2)}, 2},
		{"qos0", []sensorgateway.SubscribeOption{sensorgateway.WithSubscribeQoS(0)}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sub := sensorgateway.NewClient(connect(t, b))
			got := make(chan sensorgateway.TemperatureMessage, 1)
			room := "room-" + tc.name
			opts := append(tc.opts, sensorgateway.WithTemperatureParams(sensorgateway.TemperatureParams{Room: room}))
			err := sub.SubscribeTemperature(ctxT(t), func(_ context.Context, m sensorgateway.TemperatureMessage) error {
				got <- m
				return nil
			}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			if err := pub.PublishTemperature(ctxT(t), sensorgateway.TemperatureParams{Room: room}, reading, sensorgateway.WithQoS(2)); err != nil {
				t.Fatal(err)
			}
			if m := receive(t, got, "temperature message"); m.QoS != tc.want {
				t.Errorf("delivered at QoS %d, want %d", m.QoS, tc.want)
			}
			if err := sub.UnsubscribeTemperature(ctxT(t), opts...); err != nil {
				t.Errorf("unsubscribe with the same options: %v", err)
			}
		})
	}

	t.Run("invalid", func(t *testing.T) {
		sub := sensorgateway.NewClient(connect(t, b))
		err := sub.SubscribeTemperature(ctxT(t), func(context.Context, sensorgateway.TemperatureMessage) error {
			return nil
		}, sensorgateway.WithSubscribeQoS(3))
		if !errors.Is(err, mqttrt.ErrInvalidQoS) {
			t.Fatalf("WithSubscribeQoS(3): err = %v, want mqttrt.ErrInvalidQoS", err)
		}
	})
}
