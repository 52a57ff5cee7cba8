package generated_test

// This file is written the way an application developer would write it:
// the service's handler, and its test against a real broker with mqtttest.
// The README's consumer example is this code.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// HeatWatch is application code: it raises a warning alert when a room
// gets hotter than Threshold.
type HeatWatch struct {
	API       *sensorgateway.Client
	Threshold float64 // degrees Celsius
}

// OnTemperature is the typed handler, registered with SubscribeTemperature.
func (w HeatWatch) OnTemperature(ctx context.Context, m sensorgateway.TemperatureMessage) error {
	if m.Payload.Celsius <= w.Threshold {
		return nil
	}
	room := m.Params.Room // parsed from the topic sensors/{room}/temperature
	return w.API.PublishAlert(ctx,
		sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityWarning},
		sensorgateway.Alert{Code: "TEMP-001", Message: fmt.Sprintf("%s is at %.1f °C", room, m.Payload.Celsius), Room: &room})
}

// newSensorAPI connects a runtime client to url and returns the typed API
// over it; the client is disconnected when the test ends.
func newSensorAPI(t *testing.T, url string, opts ...sensorgateway.ClientOption) (*sensorgateway.Client, *mqttrt.Client) {
	t.Helper()
	conn, err := mqttrt.New(mqttrt.WithBroker(url))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, conn.Connect(ctx))
	t.Cleanup(func() { conn.Disconnect(context.Background()) })
	return sensorgateway.NewClient(conn, opts...), conn
}

func TestHeatWatch(t *testing.T) {
	b := mqtttest.NewBroker(t) // Mosquitto on a free port (or embedded); stopped after the test
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The service under test, with an error handler to see refused messages.
	refused := make(chan error, 1)
	service, _ := newSensorAPI(t, b.URL(), sensorgateway.WithErrorHandler(func(topic string, err error) { refused <- err }))
	watch := HeatWatch{API: service, Threshold: 30}
	// The zero TemperatureParams subscribe to every room.
	_, err := service.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, watch.OnTemperature)
	require.NoError(t, err)

	// The test plays the sensors and whoever reads the alerts, with the
	// same generated package.
	sensors, raw := newSensorAPI(t, b.URL())
	alerts := make(chan sensorgateway.AlertMessage, 2)
	_, err = sensors.SubscribeAlert(ctx, sensorgateway.AlertsParams{}, func(_ context.Context, m sensorgateway.AlertMessage) error {
		alerts <- m
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, sensors.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "office"},
		sensorgateway.TemperatureReading{SensorID: "t-1", Celsius: 22}))
	require.NoError(t, sensors.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "kitchen"},
		sensorgateway.TemperatureReading{SensorID: "t-2", Celsius: 35.5}))

	select {
	case a := <-alerts:
		kitchen := "kitchen"
		assert.Equal(t, sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityWarning}, a.Params)
		assert.Equal(t, "alerts/warning", a.Topic)
		assert.Equal(t, sensorgateway.Alert{Code: "TEMP-001", Message: "kitchen is at 35.5 °C", Room: &kitchen}, a.Payload)
	case <-ctx.Done():
		require.FailNow(t, "no alert for the hot kitchen")
	}

	// A reading that breaks the schema (celsius above 100) never reaches
	// the handler; the error handler gets it instead.
	require.NoError(t, raw.Publish("sensors/lab/temperature", 1, false, `{"sensorId":"t-3","celsius":250}`))
	select {
	case err := <-refused:
		assert.ErrorIs(t, err, mqttrt.ErrValidation)
	case <-ctx.Done():
		require.FailNow(t, "the invalid reading was not refused")
	}
	select {
	case a := <-alerts:
		assert.Fail(t, "an alert that should not exist", "%+v", a)
	case <-time.After(200 * time.Millisecond):
	}
}
