package runtime_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Issue 13, item 2 (RELIABILITY.md, D13): with the runtime's defaults
// against Mosquitto as shipped (max_inflight_messages 20), QoS 2 publishes
// returned success and were never delivered: Mosquitto answers a publish
// beyond its limit with an ordinary PUBREC (or PUBACK) and discards it.
// Every publish here must arrive exactly once, at QoS 1, at QoS 2 and with
// both mixed (a QoS 1 publish arriving while 20 QoS 2 ones await their
// PUBREL is discarded too). The broker's configuration is mqtttest's,
// which leaves Mosquitto's limits at their defaults.
func TestPublishWindowNoLossAgainstDefaultMosquitto(t *testing.T) {
	const total = 1000
	b := mqtttest.NewBroker(t)
	t.Logf("broker: embedded %v (the loss needs Mosquitto)", b.Embedded())
	rec := newPayloadCounter()
	sub := connected(t, runtime.WithBroker(b.URL()), runtime.WithOperationTimeout(10*time.Second))
	require.NoError(t, sub.Subscribe("window/#", 2, rec.handler))
	// Default settings but for the bound on waits: 40 publishers share a
	// window of 20 on 2 busy cores.
	pub := connected(t, runtime.WithBroker(b.URL()), runtime.WithOperationTimeout(10*time.Second))

	cases := []struct {
		name    string
		publish func(topic string, qos func(i int) byte) error
		qos     func(i int) byte
	}{
		{"QoS 1, 40 publishers", publishConcurrently(pub, total), func(int) byte { return 1 }},
		{"QoS 2, 40 publishers", publishConcurrently(pub, total), func(int) byte { return 2 }},
		{"QoS 1, PublishAsync", publishAsync(pub, total), func(int) byte { return 1 }},
		{"QoS 2, PublishAsync", publishAsync(pub, total), func(int) byte { return 2 }},
		{"QoS 1 and 2 mixed, PublishAsync", publishAsync(pub, total), func(i int) byte { return byte(1 + i%2) }},
	}
	for n, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			topic := fmt.Sprintf("window/%d", n)
			before := pub.GetStats()
			start := time.Now()
			require.NoError(t, tc.publish(topic, tc.qos))
			sent := time.Since(start)
			deadline := time.Now().Add(20 * time.Second)
			for rec.distinct(topic) < total && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // room for a late duplicate
			lost, dups := rec.report(topic, total)
			after := pub.GetStats()
			t.Logf("%s: sent %d in %v, received %d, lost %d, duplicated %d; acked %d, errors %d",
				tc.name, total, sent.Round(time.Millisecond), rec.distinct(topic), lost, dups,
				after.PublishAcked-before.PublishAcked, after.PublishErrors-before.PublishErrors)
			assert.Zero(t, lost, "publishes acknowledged and never delivered")
			assert.Zero(t, dups, "delivered more than once")
			assert.Equal(t, uint64(total), after.PublishAcked-before.PublishAcked)
			assert.Zero(t, after.PublishErrors-before.PublishErrors)
		})
	}
}

// publishConcurrently publishes total messages with 40 goroutines calling
// Publish.
func publishConcurrently(c *runtime.Client, total int) func(string, func(int) byte) error {
	const publishers = 40
	return func(topic string, qos func(int) byte) error {
		var wg sync.WaitGroup
		errs := make(chan error, total)
		for g := range publishers {
			wg.Go(func() {
				for i := g; i < total; i += publishers {
					if err := c.Publish(topic, qos(i), false, fmt.Sprint(i)); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		return <-errs // nil when none failed
	}
}

// publishAsync hands total messages to PublishAsync and waits until all have
// settled (acknowledged or failed), at most 30s.
func publishAsync(c *runtime.Client, total int) func(string, func(int) byte) error {
	return func(topic string, qos func(int) byte) error {
		before := c.GetStats()
		for i := range total {
			if err := c.PublishAsync(topic, qos(i), false, fmt.Sprint(i)); err != nil {
				return err
			}
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := c.GetStats()
			settled := s.PublishAcked + s.PublishErrors - before.PublishAcked - before.PublishErrors
			if settled == uint64(total) {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%d of %d asynchronous publishes settled within 30s", settled, total)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// payloadCounter counts deliveries per topic and payload.
type payloadCounter struct {
	mu  sync.Mutex
	got map[string]map[string]int
}

func newPayloadCounter() *payloadCounter {
	return &payloadCounter{got: map[string]map[string]int{}}
}

func (r *payloadCounter) handler(_ mqttclient.Client, m mqttclient.Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byPayload := r.got[m.Topic()]
	if byPayload == nil {
		byPayload = map[string]int{}
		r.got[m.Topic()] = byPayload
	}
	byPayload[string(m.Payload())]++
}

func (r *payloadCounter) distinct(topic string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[topic])
}

func (r *payloadCounter) count(topic, payload string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[topic][payload]
}

// report counts the payloads 0..total-1 never received and the extra
// deliveries.
func (r *payloadCounter) report(topic string, total int) (lost, dups int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range total {
		switch n := r.got[topic][fmt.Sprint(i)]; {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
	}
	return lost, dups
}
