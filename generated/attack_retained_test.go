package generated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Retained, QoS 2 and a persistent session together, across a broker
// restart, through the generated API: a device subscribed to its config
// (QoS 2, CleanSession false) is offline while the gateway publishes a
// retained QoS 2 config; the broker restarts (its database kept). The
// device, back, gets the config exactly once, as a queued message of its
// session; a device subscribing afresh gets it as the retained message;
// nothing arrives twice.
func TestAttackRetainedQoS2PersistentAcrossRestart(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithPersistence())
	dev, err := mqttrt.New(mqttrt.WithBroker(b.URL()), mqttrt.WithClientID("attack-dev-1"), mqttrt.WithCleanSession(false),
		mqttrt.WithMaxReconnectDelay(100*time.Millisecond))
	require.NoError(t, err)
	require.NoError(t, dev.Connect(ctxT(t)))
	t.Cleanup(func() { dev.Disconnect(context.Background()) })
	got := make(chan sensorgateway.ConfigMessage, 10)
	api := sensorgateway.NewClient(dev)
	_, err = api.SubscribeConfig(ctxT(t), sensorgateway.ConfigParams{DeviceID: "dev-1"}, func(_ context.Context, m sensorgateway.ConfigMessage) error {
		got <- m
		return nil
	}, sensorgateway.WithSubscribeQoS(2))
	require.NoError(t, err)
	require.NoError(t, dev.Disconnect(ctxT(t)))

	gw := sensorgateway.NewClient(connect(t, b))
	cfg := sensorgateway.DeviceConfig{ReportIntervalSeconds: 60, Units: sensorgateway.DeviceConfigUnitsMetric}
	require.NoError(t, gw.PublishConfig(ctxT(t), sensorgateway.ConfigParams{DeviceID: "dev-1"}, cfg, sensorgateway.WithQoS(2)))

	b.Stop()
	b.Start()

	require.NoError(t, dev.Connect(ctxT(t)))
	m := receive(t, got, "the queued config")
	assert.Equal(t, cfg, m.Payload)
	assert.Equal(t, "dev-1", m.Params.DeviceID)
	assert.Equal(t, byte(2), m.QoS)
	assert.False(t, m.Retained, "a message queued for the session is not the retained copy")

	fresh := make(chan sensorgateway.ConfigMessage, 10)
	_, err = sensorgateway.NewClient(connect(t, b)).SubscribeConfig(ctxT(t), sensorgateway.ConfigParams{}, func(_ context.Context, m sensorgateway.ConfigMessage) error {
		fresh <- m
		return nil
	}, sensorgateway.WithSubscribeQoS(2))
	require.NoError(t, err)
	r := receive(t, fresh, "the retained config")
	assert.True(t, r.Retained)
	assert.Equal(t, cfg, r.Payload)

	select {
	case extra := <-got:
		t.Fatalf("the device got the config twice: %+v", extra)
	case extra := <-fresh:
		t.Fatalf("the fresh subscriber got the config twice: %+v", extra)
	case <-time.After(500 * time.Millisecond):
	}
	assert.Zero(t, dev.GetStats().MessagesRejected)
}
