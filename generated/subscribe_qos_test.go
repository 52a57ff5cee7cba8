package generated_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// TestSubscribeQoS: the temperature operation's binding says QoS 1. A
// message published at QoS 2 arrives at QoS 1 by default, and at the QoS
// WithSubscribeQoS asks for (2 or 0) otherwise: the broker delivers at the
// lower of the publish and subscription QoS, so the delivered QoS shows
// what was subscribed with. The subscription's handle removes it again. A
// QoS above 2 is refused before subscribing.
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
			rt := connect(t, b)
			sub := sensorgateway.NewClient(rt)
			got := make(chan sensorgateway.TemperatureMessage, 1)
			room := sensorgateway.TemperatureParams{Room: "room-" + tc.name}
			s, err := sub.SubscribeTemperature(ctxT(t), room, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
				got <- m
				return nil
			}, tc.opts...)
			require.NoError(t, err)
			require.NoError(t, pub.PublishTemperature(ctxT(t), room, reading, sensorgateway.WithQoS(2)))
			m := receive(t, got, "temperature message")
			assert.Equal(t, tc.want, m.QoS, "delivered QoS")

			require.Equal(t, []string{"sensors/" + room.Room + "/temperature"}, subscribedFilters(rt))
			assert.Equal(t, tc.want, rt.GetSubscriptions()[0].QoS, "QoS subscribed with")
			require.NoError(t, s.Unsubscribe(ctxT(t)))
			assert.Empty(t, subscribedFilters(rt), "filters left after Unsubscribe")
			assert.NoError(t, s.Unsubscribe(ctxT(t)), "a second Unsubscribe is a no-op")
		})
	}

	t.Run("invalid", func(t *testing.T) {
		sub := sensorgateway.NewClient(connect(t, b))
		s, err := sub.SubscribeTemperature(ctxT(t), sensorgateway.TemperatureParams{}, func(context.Context, sensorgateway.TemperatureMessage) error {
			return nil
		}, sensorgateway.WithSubscribeQoS(3))
		require.ErrorIs(t, err, mqttrt.ErrInvalidQoS, "WithSubscribeQoS(3)")
		assert.Nil(t, s)
	})
}

// subscribedFilters lists the filters rt is subscribed to.
func subscribedFilters(rt *mqttrt.Client) []string {
	var filters []string
	for _, s := range rt.GetSubscriptions() {
		filters = append(filters, s.Topic)
	}
	return filters
}
