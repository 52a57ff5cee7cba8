package runtime_test

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A client resuming a persistent session must resend its unacknowledged
// PUBLISH packets in the order it first sent them [MQTT-4.6.0-1]. With
// the memory store (the default) paho resent them in Go map order, so a
// subscriber got the messages of one publisher shuffled after a
// reconnection. The file store kept its order; both are checked.
func TestAttackResendKeepsPublishOrder(t *testing.T) {
	for _, store := range []string{runtime.StoreMemory, runtime.StoreFile} {
		for _, qos := range []byte{1, 2} {
			t.Run(fmt.Sprintf("%s/QoS_%d", store, qos), func(t *testing.T) {
				b := mqtttest.NewBroker(t)
				p := mqtttest.NewProxy(t, b.URL())
				sub := connected(t, runtime.WithBroker(b.URL()))
				in := newInbox()
				require.NoError(t, sub.Subscribe("order/t", 2, in.handler))

				const n = 20 // the publish window: all are stored at once
				pub := connected(t, runtime.WithBroker(p.URL()), runtime.WithClientID("order-pub"),
					runtime.WithCleanSession(false), runtime.WithMessageStore(store, t.TempDir()),
					runtime.WithMaxReconnectDelay(100*time.Millisecond), runtime.WithOperationTimeout(10*time.Second))
				p.Stall()
				errs := make(chan error, n)
				for i := range n {
					go func() { errs <- pub.Publish("order/t", qos, false, strconv.Itoa(i)) }()
					time.Sleep(5 * time.Millisecond) // the order they are sent in
				}
				time.Sleep(200 * time.Millisecond) // all written into the stalled link
				p.Drop()                           // the broker got none of them
				p.Resume()
				for range n {
					select {
					case err := <-errs:
						require.NoError(t, err)
					case <-time.After(15 * time.Second):
						t.Fatal("publish did not return")
					}
				}
				got := make([]int, 0, n)
				for range n {
					v, err := strconv.Atoi(in.next(t, 5*time.Second).payload)
					require.NoError(t, err)
					got = append(got, v)
				}
				in.none(t, 300*time.Millisecond)
				want := make([]int, n)
				for i := range want {
					want[i] = i
				}
				assert.Equal(t, want, got, "the resent messages arrived out of order")
			})
		}
	}
}
