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

// With ResumeSubs off, a reconnection that lost the session leaves the
// broker holding none of the client's filters. GetSubscriptions (and
// ClientStats.Subscriptions) still listed them with the SUBACK of the
// previous connection, so an operator checking what the broker delivers
// was told a subscription existed while its messages were not coming.
// Once the client subscribes again, it is listed again.
func TestAttackSubscriptionsListedOnlyWhileTheBrokerHoldsThem(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithResumeSubs(false), runtime.WithMaxReconnectDelay(100*time.Millisecond))
	in := newInbox()
	require.NoError(t, c.Subscribe("listed/#", 1, in.handler))
	require.Len(t, c.GetSubscriptions(), 1)

	p.Drop()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.GetStats().Reconnects == 1 && c.IsConnected() })
	require.NoError(t, c.Publish("listed/x", 1, false, "x"))
	in.none(t, 300*time.Millisecond) // the broker holds nothing
	assert.Empty(t, c.GetSubscriptions(), "a subscription the broker lost is listed")
	assert.Zero(t, c.GetStats().Subscriptions)

	require.NoError(t, c.Subscribe("listed/#", 1, in.handler))
	require.Len(t, c.GetSubscriptions(), 1)
	require.NoError(t, c.Publish("listed/y", 1, false, "y"))
	assert.Equal(t, "listed/y", in.next(t, 3*time.Second).topic)
}

// Unsubscribe removed the handler from the routes, but deliveries already
// queued for it kept it: a slow handler with 100 queued messages was
// called 85 more times after its Subscription's Unsubscribe returned, so
// code that released what the handler uses after Unsubscribe (closed a
// channel, a file) broke. After Unsubscribe (a Subscription's, or
// Unsubscribe(filter) and AddRoute(filter, nil)) returns, the handler is
// not called again; a call already running finishes.
func TestAttackHandlerNotCalledAfterUnsubscribeReturns(t *testing.T) {
	b := mqtttest.NewBroker(t)
	pub := connected(t, runtime.WithBroker(b.URL()))
	for _, how := range []string{"Subscription", "Unsubscribe(filter)", "AddRoute(nil)"} {
		t.Run(how, func(t *testing.T) {
			c := connected(t, runtime.WithBroker(b.URL()))
			var gone atomic.Bool
			var total, after atomic.Int32
			slow := func(mqttclient.Client, mqttclient.Message) {
				if gone.Load() {
					after.Add(1)
				}
				total.Add(1)
				time.Sleep(5 * time.Millisecond)
			}
			var sub runtime.Subscription
			switch how {
			case "Subscription":
				var err error
				sub, err = c.SubscribeContext(context.Background(), "late/t", 0, slow)
				require.NoError(t, err)
			case "Unsubscribe(filter)":
				require.NoError(t, c.Subscribe("late/t", 0, slow))
			case "AddRoute(nil)":
				require.NoError(t, c.Subscribe("late/t", 0, nil))
				c.AddRoute("late/t", slow)
			}
			for range 100 {
				require.NoError(t, pub.Publish("late/t", 0, false, "x"))
			}
			waitFor(t, 3*time.Second, "the first calls", func() bool { return total.Load() >= 5 })
			switch how {
			case "Subscription":
				require.NoError(t, sub.Unsubscribe(context.Background()))
			case "Unsubscribe(filter)":
				require.NoError(t, c.Unsubscribe("late/t"))
			case "AddRoute(nil)":
				c.AddRoute("late/t", nil)
			}
			gone.Store(true)
			time.Sleep(700 * time.Millisecond)
			t.Logf("%s: %d calls, %d after it returned", how, total.Load(), after.Load())
			assert.LessOrEqual(t, after.Load(), int32(1), "only a call already running may finish")
			assert.Less(t, total.Load(), int32(100))
		})
	}
}
