package generated_test

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Micro benchmarks of the generated hot paths (issue 7, target 2), on a
// fake PubSub so that only the generated code and the runtime helpers it
// calls are measured, not the network:
//
//	go test -run '^$' -bench . -benchmem ./generated/
//
// Targets: publish preparation (topic build + encode + validate) of the
// sensor reading ≤ 1.5 µs and ≤ 5 allocs; receive (topic parse + validate
// + decode + dispatch) ≤ 2.5 µs. The encoding/json baselines put the
// figures in context.

// benchPubSub is a PubSub that keeps the last published payload and the
// last subscribed handler, so a benchmark can feed messages to it.
type benchPubSub struct {
	topic    string
	payload  []byte
	handler  mqttrt.MessageHandler
	rejected int
}

func (f *benchPubSub) PublishContext(_ context.Context, topic string, _ byte, _ bool, payload []byte) error {
	f.topic, f.payload = topic, payload
	return nil
}

func (f *benchPubSub) SubscribeContext(_ context.Context, filter string, _ byte, h mqttrt.MessageHandler) (mqttrt.Subscription, error) {
	f.handler = h
	return benchSubscription(filter), nil
}

func (f *benchPubSub) DefaultQoS() byte             { return 0 }
func (f *benchPubSub) RecordRejected(string, error) { f.rejected++ }

// benchSubscription is the Subscription of a benchPubSub, which the
// benchmarks never end.
type benchSubscription string

func (s benchSubscription) Filter() string                    { return string(s) }
func (s benchSubscription) Unsubscribe(context.Context) error { return nil }

// benchMessage is a received message in paho's shape (paho.Message is an
// interface).
type benchMessage struct {
	topic   string
	payload []byte
	qos     byte
}

func (m *benchMessage) Duplicate() bool   { return false }
func (m *benchMessage) Qos() byte         { return m.qos }
func (m *benchMessage) Retained() bool    { return false }
func (m *benchMessage) Topic() string     { return m.topic }
func (m *benchMessage) MessageID() uint16 { return 1 }
func (m *benchMessage) Payload() []byte   { return m.payload }
func (m *benchMessage) Ack()              {}

var _ paho.Message = (*benchMessage)(nil)

// benchReading is the ~70-byte sensor reading of the reference
// figures.
func benchReading() sensorgateway.TemperatureReading {
	battery := int64(87)
	return sensorgateway.TemperatureReading{SensorID: "sensor-kitchen-0001", Celsius: 21.5, Battery: &battery}
}

func benchOptions(validate bool) []sensorgateway.ClientOption {
	if validate {
		return nil
	}
	return []sensorgateway.ClientOption{sensorgateway.WithoutValidation()}
}

// BenchmarkPublishTemperature is a whole typed publish on a fake PubSub:
// topic build, JSON encode, schema validation, options.
func BenchmarkPublishTemperature(b *testing.B) {
	for _, validate := range []bool{true, false} {
		b.Run(validateName(validate), func(b *testing.B) {
			fake := &benchPubSub{}
			c := sensorgateway.NewClient(fake, benchOptions(validate)...)
			ctx := context.Background()
			params := sensorgateway.TemperatureParams{Room: "kitchen"}
			msg := benchReading()
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if err := c.PublishTemperature(ctx, params, msg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(fake.payload)), "payload-B")
		})
	}
}

// BenchmarkReceiveTemperature is a whole typed receive: the handler the
// generated code gave the runtime is called with a paho-shaped message
// (topic parse, size check, validation, decode, typed handler call).
func BenchmarkReceiveTemperature(b *testing.B) {
	for _, validate := range []bool{true, false} {
		b.Run(validateName(validate), func(b *testing.B) {
			fake := &benchPubSub{}
			c := sensorgateway.NewClient(fake, benchOptions(validate)...)
			got := 0
			_, err := c.SubscribeTemperature(context.Background(), sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
				got++
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			payload, err := json.Marshal(benchReading())
			if err != nil {
				b.Fatal(err)
			}
			m := &benchMessage{topic: "sensors/kitchen/temperature", payload: payload, qos: 1}
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				fake.handler(nil, m)
			}
			if got != b.N || fake.rejected != 0 {
				b.Fatalf("handled %d of %d messages, %d rejected", got, b.N, fake.rejected)
			}
		})
	}
}

// BenchmarkTopicBuild and BenchmarkTopicParse isolate the topic steps.
func BenchmarkTopicBuild(b *testing.B) {
	p := sensorgateway.TemperatureParams{Room: "kitchen"}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := p.Topic(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTopicParse(b *testing.B) {
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if _, err := sensorgateway.ParseTemperatureTopic("sensors/kitchen/temperature"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONBaseline is what hand-written paho code pays per message:
// encoding/json alone, no topic work and no validation.
func BenchmarkJSONBaseline(b *testing.B) {
	msg := benchReading()
	payload, err := json.Marshal(msg)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := json.Marshal(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			var v sensorgateway.TemperatureReading
			if err := json.Unmarshal(payload, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkSchemaValidate splits the validation cost: decoding the payload
// into a generic value (what ValidateJSON does first) and the validator
// walking that value.
func BenchmarkSchemaValidate(b *testing.B) {
	payload, err := json.Marshal(benchReading())
	if err != nil {
		b.Fatal(err)
	}
	schema := mqttrt.MustCompileSchema("TemperatureReading", `{"$schema":"http://json-schema.org/draft-07/schema#","properties":{"battery":{"maximum":100,"minimum":0,"type":"integer"},"celsius":{"maximum":100,"minimum":-50,"type":"number"},"sensorId":{"minLength":1,"type":"string"}},"required":["sensorId","celsius"],"type":"object"}`)
	b.Run("ValidateJSON", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if err := schema.ValidateJSON(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeValue", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := mqttrt.DecodeValue(payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	v, err := mqttrt.DecodeValue(payload)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Validate", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if err := schema.Validate(v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func validateName(on bool) string {
	if on {
		return "validate"
	}
	return "novalidate"
}

// reportCPU adds cpu-ns/op, the process's CPU time per operation, to a
// benchmark: on a machine shared with other work, wall time per operation
// includes the time the benchmark waited for a core, CPU time does not.
// Use it as defer reportCPU(b)() just before the loop.
func reportCPU(b *testing.B) func() {
	start := cpuNanos()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
