// Command mqttdemo runs the sensor gateway of specs/sensor-gateway.yaml end
// to end with the generated package generated/sensorgateway: a gateway
// subscribes with typed handlers, two room sensors publish typed readings,
// the gateway raises an alert for a hot room and announces its status, and
// every message that arrives is printed. It exits when all expected
// messages arrived, or with an error after a bounded wait.
//
//	go generate ./... && go run ./cmd/mqttdemo
//
// It connects to MQTT_BROKER (e.g. tcp://127.0.0.1:1883) when set, else it
// starts an embedded broker in the process.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// timeout bounds the whole demo.
const timeout = 15 * time.Second

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mqttdemo:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) error {
	broker := os.Getenv("MQTT_BROKER")
	if broker == "" {
		url, stop, err := embeddedBroker()
		if err != nil {
			return err
		}
		defer stop()
		broker = url
		fmt.Fprintln(out, "started an embedded broker at", broker)
	} else {
		fmt.Fprintln(out, "using MQTT_BROKER", broker)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	// The gateway uses the production server's MQTT binding (client ID,
	// session, keep-alive, last will) against the demo broker.
	gwConn, err := dial(ctx, sensorgateway.ServerProductionOptions(broker)...)
	if err != nil {
		return fmt.Errorf("gateway: %w", err)
	}
	defer gwConn.Disconnect(context.Background())
	sensorConn, err := dial(ctx, mqttrt.WithBroker(broker), mqttrt.WithClientID(fmt.Sprintf("mqttdemo-sensors-%d", os.Getpid())))
	if err != nil {
		return fmt.Errorf("sensors: %w", err)
	}
	defer sensorConn.Disconnect(context.Background())

	var mu sync.Mutex
	print := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(out, format+"\n", a...)
	}
	gateway := sensorgateway.NewClient(gwConn, sensorgateway.WithErrorHandler(func(topic string, err error) {
		print("  refused on %s: %v", topic, err)
	}))
	sensors := sensorgateway.NewClient(sensorConn)

	// What the demo waits for: 4 readings, 1 alert, 1 status.
	var arrived sync.WaitGroup
	arrived.Add(6)
	once := func() func() {
		var o sync.Once
		return func() { o.Do(arrived.Done) }
	}

	// Empty Params fields are wildcards: every room's readings.
	readings := 0
	_, err = gateway.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(ctx context.Context, m sensorgateway.TemperatureMessage) error {
		print("gateway <- %s: %.1f °C in the %s (sensor %s, QoS %d)", m.Topic, m.Payload.Celsius, m.Params.Room, m.Payload.SensorID, m.QoS)
		if m.Payload.Celsius > 30 {
			room := m.Params.Room
			alert := sensorgateway.Alert{Code: "TEMP-001", Message: fmt.Sprintf("%.1f °C", m.Payload.Celsius), Room: &room}
			if err := gateway.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityWarning}, alert); err != nil {
				return err
			}
		}
		mu.Lock()
		readings++
		mu.Unlock()
		arrived.Done()
		return nil
	})
	if err != nil {
		return err
	}
	_, err = gateway.SubscribeHumidity(ctx, sensorgateway.HumidityParams{}, func(_ context.Context, m sensorgateway.HumidityMessage) error {
		print("gateway <- %s: %.0f %% in the %s", m.Topic, m.Payload.Percent, m.Params.Room)
		arrived.Done()
		return nil
	})
	if err != nil {
		return err
	}
	alertDone := once()
	_, err = sensors.SubscribeAlert(ctx, sensorgateway.AlertsParams{}, func(_ context.Context, m sensorgateway.AlertMessage) error {
		print("sensors <- %s: %s %s (QoS %d)", m.Topic, m.Payload.Code, m.Payload.Message, m.QoS)
		alertDone()
		return nil
	})
	if err != nil {
		return err
	}
	statusDone := once()
	// This one only listens to gateway gw-1.
	_, err = sensors.SubscribeStatus(ctx, sensorgateway.StatusParams{GatewayID: "gw-1"}, func(_ context.Context, m sensorgateway.StatusMessage) error {
		print("sensors <- %s: gateway %s is %s (retained %t)", m.Topic, m.Params.GatewayID, m.Payload, m.Retained)
		statusDone()
		return nil
	})
	if err != nil {
		return err
	}

	if err := gateway.PublishStatus(ctx, sensorgateway.StatusParams{GatewayID: "gw-1"}, sensorgateway.GatewayStatusOnline); err != nil {
		return err
	}
	for _, r := range []struct {
		room    string
		celsius float64
		percent float64
	}{{"kitchen", 22.5, 41}, {"office", 31.0, 35}} {
		reading := sensorgateway.TemperatureReading{SensorID: r.room + "-t", Celsius: r.celsius}
		if err := sensors.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: r.room}, reading); err != nil {
			return err
		}
		if err := sensors.PublishHumidity(ctx, sensorgateway.HumidityParams{Room: r.room},
			sensorgateway.HumidityReading{SensorID: r.room + "-h", Percent: r.percent}, sensorgateway.WithQoS(1)); err != nil {
			return err
		}
	}
	// An invalid reading never leaves the process.
	err = sensors.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "attic"}, sensorgateway.TemperatureReading{SensorID: "attic-t", Celsius: 120})
	print("sensors -> invalid reading refused: %v", err)
	if !errors.Is(err, mqttrt.ErrValidation) {
		return fmt.Errorf("an invalid reading was not refused as invalid: %v", err)
	}
	// Neither does a room that would change the topic.
	err = sensors.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "+"}, sensorgateway.TemperatureReading{SensorID: "x", Celsius: 20})
	print("sensors -> room \"+\" refused: %v", err)
	if !errors.Is(err, mqttrt.ErrInvalidTopic) {
		return fmt.Errorf("a wildcard room was not refused as an invalid topic: %v", err)
	}

	done := make(chan struct{})
	go func() { arrived.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("not every message arrived within %s", timeout)
	}
	// Say goodbye explicitly; the last will covers the case where the
	// gateway dies instead.
	if err := gateway.PublishStatus(ctx, sensorgateway.StatusParams{GatewayID: "gw-1"}, sensorgateway.GatewayStatusOffline); err != nil {
		return err
	}
	s := gwConn.GetStats()
	print("done: gateway received %d messages, refused %d", s.MessagesReceived, s.MessagesRejected)
	return nil
}

// dial makes and connects a runtime client.
func dial(ctx context.Context, opts ...mqttrt.Option) (*mqttrt.Client, error) {
	c, err := mqttrt.New(opts...)
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}
