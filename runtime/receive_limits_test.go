package runtime_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A QoS 0 flood behind a blocked handler: the queue stays bounded, the
// overflow is discarded and counted, and the link survives (paho's reader
// never stops long enough to miss a PINGRESP).
func TestQoS0OverflowDiscardedAndCounted(t *testing.T) {
	const queue, n = 4, 200
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithKeepAlive(time.Second), runtime.WithHandlerQueueSize(queue))
	pub := connected(t, runtime.WithBroker(b.URL()))
	release := make(chan struct{})
	var handled atomic.Int64
	if err := c.Subscribe("flood/#", 0, func(mqttclient.Client, mqttclient.Message) {
		if handled.Add(1) == 1 {
			select { // bounded
			case <-release:
			case <-time.After(10 * time.Second):
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	for range n {
		if err := pub.Publish("flood/x", 0, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "every message to be received", func() bool { return c.GetStats().MessagesReceived == n })
	time.Sleep(2 * time.Second) // beyond the keep-alive, handler still blocked
	close(release)
	waitFor(t, 5*time.Second, "the queue to drain", func() bool {
		s := c.GetStats()
		return uint64(handled.Load())+s.MessagesOverflowed == n
	})
	s := c.GetStats()
	t.Logf("QoS 0 flood of %d behind a blocked handler, queue %d: handled %d, discarded %d, connection losses %d",
		n, queue, handled.Load(), s.MessagesOverflowed, s.ConnectionLosses)
	if s.MessagesOverflowed == 0 || handled.Load() > queue+1 {
		t.Errorf("handled %d, discarded %d: want the overflow discarded (queue %d)", handled.Load(), s.MessagesOverflowed, queue)
	}
	if s.ConnectionLosses != 0 || !c.IsConnected() {
		t.Errorf("the link did not survive: %+v", s)
	}
}

// A received payload over MaxPayloadSize never reaches a Subscribe handler
// and is reported to the async error handler; a SubscribeContext handler
// (generated code, which refuses it itself) gets it.
func TestReceivedOversizeReported(t *testing.T) {
	b := mqtttest.NewBroker(t)
	asyncErrs := make(chan error, 4)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithMaxPayloadSize(4),
		runtime.WithAsyncErrorHandler(func(_ string, err error) { asyncErrs <- err }))
	pub := connected(t, runtime.WithBroker(b.URL()))
	raw, gen := newInbox(), newInbox()
	if err := c.Subscribe("big/raw", 1, raw.handler); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SubscribeContext(context.Background(), "big/gen", 1, gen.handler); err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{"big/raw", "big/gen"} {
		if err := pub.Publish(topic, 1, false, "123456"); err != nil {
			t.Fatal(err)
		}
	}
	if m := gen.next(t, 3*time.Second); m.payload != "123456" {
		t.Errorf("SubscribeContext handler got %q", m.payload)
	}
	select {
	case err := <-asyncErrs:
		if !errors.Is(err, runtime.ErrPayloadTooLarge) {
			t.Errorf("async error %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the refused message was not reported to the async error handler")
	}
	if err := pub.Publish("big/raw", 1, false, "1234"); err != nil {
		t.Fatal(err)
	}
	if m := raw.next(t, 3*time.Second); m.payload != "1234" {
		t.Errorf("Subscribe handler got %q, want only the small message", m.payload)
	}
	if s := c.GetStats(); s.MessagesRejected != 1 {
		t.Errorf("stats %+v, want 1 rejected", s)
	}
}
