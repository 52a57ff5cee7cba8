package generated_test

import (
	"context"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// The broker tests (brokers_*_test.go) reach the generated package only
// through these two functions: a stream of temperature readings (QoS 1 in
// the document) identified by their sensor ID. When the generated API
// changes, this file is the one to change.

// subscribeReadings subscribes rt to every room's temperature through the
// generated client; got receives each reading's sensor ID and DUP flag.
func subscribeReadings(ctx context.Context, rt *mqttrt.Client, got func(id string, dup bool)) error {
	_, err := sensorgateway.NewClient(rt).SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		got(m.Payload.SensorID, m.Duplicate)
		return nil
	})
	return err
}

// publishReading publishes one reading with sensor ID id through the
// generated client, returning once the broker acknowledged it.
func publishReading(ctx context.Context, rt *mqttrt.Client, id string) error {
	return sensorgateway.NewClient(rt).PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "hall"},
		sensorgateway.TemperatureReading{SensorID: id, Celsius: 20})
}
