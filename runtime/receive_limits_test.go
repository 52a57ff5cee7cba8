package runtime_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	require.NoError(t, c.Subscribe("big/raw", 1, raw.handler))
	_, err := c.SubscribeContext(context.Background(), "big/gen", 1, gen.handler)
	require.NoError(t, err)
	for _, topic := range []string{"big/raw", "big/gen"} {
		require.NoError(t, pub.Publish(topic, 1, false, "123456"))
	}
	assert.Equal(t, "123456", gen.next(t, 3*time.Second).payload, "what the SubscribeContext handler got")
	select {
	case err := <-asyncErrs:
		assert.ErrorIs(t, err, runtime.ErrPayloadTooLarge, "async error")
	case <-time.After(3 * time.Second):
		require.FailNow(t, "the refused message was not reported to the async error handler")
	}
	require.NoError(t, pub.Publish("big/raw", 1, false, "1234"))
	assert.Equal(t, "1234", raw.next(t, 3*time.Second).payload, "the Subscribe handler gets only the small message")
	assert.Equal(t, uint64(1), c.GetStats().MessagesRejected, "rejected")
}
