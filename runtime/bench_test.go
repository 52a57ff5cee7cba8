package runtime

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Benchmarks of the runtime's hot paths (issue 7): topic checks, filter
// matching, routing a received message to its handler through the
// dispatcher, and a publish over a real broker next to raw paho.
//
//	go test -run '^$' -bench . -benchmem ./runtime/
//
// This file is in package runtime so that the receive path can be driven
// from paho's callback (onMessage) without a broker.

func BenchmarkValidateTopic(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateTopic("sensors/kitchen/temperature"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidateFilter("$share/g/sensors/+/temperature/#"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckTopicParam(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if err := CheckTopicParam("room", "kitchen"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatchTopic(b *testing.B) {
	cases := []struct{ name, filter, topic string }{
		{"exact", "sensors/kitchen/temperature", "sensors/kitchen/temperature"},
		{"plus", "sensors/+/temperature", "sensors/kitchen/temperature"},
		{"hash", "sensors/#", "sensors/kitchen/temperature"},
		{"miss", "sensors/+/humidity", "sensors/kitchen/temperature"},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			want := tc.name != "miss"
			b.ReportAllocs()
			for b.Loop() {
				if MatchTopic(tc.filter, tc.topic) != want {
					b.Fatal("wrong match")
				}
			}
		})
	}
}

// BenchmarkRouterHandlersFor finds the handlers of a topic among n routes,
// one of which matches. "exact": filters without wildcards (found in a
// map); "wildcard": every filter has a + (found in the trie of levels).
func BenchmarkRouterHandlersFor(b *testing.B) {
	for _, kind := range []string{"exact", "wildcard"} {
		for _, n := range []int{1, 10, 100, 1000} {
			b.Run(fmt.Sprintf("%s/routes=%d", kind, n), func(b *testing.B) {
				var r router
				h := func(mqttclient.Client, mqttclient.Message) {}
				format, last := "devices/%d/status", "sensors/kitchen/temperature"
				if kind == "wildcard" {
					format, last = "devices/%d/+", "sensors/+/temperature"
				}
				for i := range n - 1 {
					r.add(fmt.Sprintf(format, i), h)
				}
				r.add(last, h)
				b.ReportAllocs()
				for b.Loop() {
					if len(r.handlersFor("sensors/kitchen/temperature", false).handlers) != 1 {
						b.Fatal("no route")
					}
				}
			})
		}
	}
}

// benchMessage is a received message in paho's shape.
type benchMessage struct {
	topic   string
	payload []byte
}

func (m *benchMessage) Duplicate() bool   { return false }
func (m *benchMessage) Qos() byte         { return 1 }
func (m *benchMessage) Retained() bool    { return false }
func (m *benchMessage) Topic() string     { return m.topic }
func (m *benchMessage) MessageID() uint16 { return 1 }
func (m *benchMessage) Payload() []byte   { return m.payload }
func (m *benchMessage) Ack()              {}

// BenchmarkDispatch is the receive path from paho's callback to a handler:
// stats, routing, the dispatcher's queue and goroutine hand-off, the
// panic guard. It waits until the handler has seen every message.
func BenchmarkDispatch(b *testing.B) {
	for _, ordered := range []bool{true, false} {
		b.Run(fmt.Sprintf("ordered=%v", ordered), func(b *testing.B) {
			c, err := New(WithBroker("tcp://127.0.0.1:1"), WithOrderMatters(ordered),
				WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				b.Fatal(err)
			}
			var handled atomic.Int64
			c.router.add("sensors/+/temperature", func(mqttclient.Client, mqttclient.Message) { handled.Add(1) })
			c.dispatch.start()
			defer c.dispatch.shutdown(context.Background())
			m := &benchMessage{topic: "sensors/kitchen/temperature", payload: []byte(`{"sensorId":"s1","celsius":21.5}`)}
			b.ReportAllocs()
			n := int64(0)
			for b.Loop() {
				c.onMessage(nil, m)
				n++
			}
			deadline := time.Now().Add(10 * time.Second)
			for handled.Load() < n {
				if time.Now().After(deadline) {
					b.Fatalf("handled %d of %d", handled.Load(), n)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
}

// BenchmarkPublishBroker publishes one 70-byte payload and waits for its
// acknowledgement, over loopback to a broker started for the benchmark:
// raw paho (token.Wait) next to Client.PublishContext, which adds the
// checks, a context and a bounded wait. One publish at a time, so the
// figure is a round trip to the broker plus each side's overhead.
func BenchmarkPublishBroker(b *testing.B) {
	broker := mqtttest.NewBroker(b)
	payload := []byte(`{"sensorId":"sensor-kitchen-0001","celsius":21.5,"battery":87}`)
	const topic = "bench/publish"
	for _, qos := range []byte{0, 1, 2} {
		b.Run(fmt.Sprintf("paho/qos=%d", qos), func(b *testing.B) {
			o := mqttclient.NewClientOptions().AddBroker(broker.URL()).SetClientID(fmt.Sprintf("bench-paho-%d", qos))
			pc := mqttclient.NewClient(o)
			if tok := pc.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				b.Fatalf("connect: %v", tok.Error())
			}
			defer pc.Disconnect(100)
			b.ReportAllocs()
			for b.Loop() {
				tok := pc.Publish(topic, qos, false, payload)
				if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
					b.Fatalf("publish: %v", tok.Error())
				}
			}
		})
		b.Run(fmt.Sprintf("runtime/qos=%d", qos), func(b *testing.B) {
			c, err := New(WithBroker(broker.URL()), WithClientID(fmt.Sprintf("bench-rt-%d", qos)),
				WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := c.Connect(ctx); err != nil {
				b.Fatal(err)
			}
			defer c.Disconnect(ctx)
			b.ReportAllocs()
			for b.Loop() {
				if err := c.PublishContext(context.Background(), topic, qos, false, payload); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPublishParallel is BenchmarkPublishBroker with 16 publishing
// goroutines, as the end-to-end benchmark publishes: the per-message CPU
// cost of each layer shows, not the round trip.
func BenchmarkPublishParallel(b *testing.B) {
	broker := mqtttest.NewBroker(b)
	payload := []byte(`{"sensorId":"sensor-kitchen-0001","celsius":21.5,"battery":87}`)
	const topic = "bench/parallel"
	for _, qos := range []byte{0, 1} {
		c, err := New(WithBroker(broker.URL()), WithClientID(fmt.Sprintf("bench-par-%d", qos)),
			WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.Connect(ctx); err != nil {
			b.Fatal(err)
		}
		cancel()
		publishers := map[string]func() error{
			"paho": func() error {
				tok := c.pc.Publish(topic, qos, false, payload)
				if !tok.WaitTimeout(10 * time.Second) {
					return ErrTimeout
				}
				return tok.Error()
			},
			"runtime": func() error {
				return c.PublishContext(context.Background(), topic, qos, false, payload)
			},
		}
		for _, name := range []string{"paho", "runtime"} {
			publish := publishers[name]
			b.Run(fmt.Sprintf("%s/qos=%d", name, qos), func(b *testing.B) {
				b.SetParallelism(8) // 16 goroutines on 2 cores
				b.ReportAllocs()
				cpu0 := cpuNanos()
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := publish(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				b.ReportMetric(float64(cpuNanos()-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		_ = c.Disconnect(ctx)
		cancel()
	}
}

// cpuNanos is the process's CPU time so far: on a shared machine, CPU per
// operation says more than wall time per operation.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
