package runtime_test

import (
	"context"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A handler that ends its goroutine with runtime.Goexit (t.FailNow, so
// require.NoError in a handler of a user's test, does) killed the worker
// running it: with OrderMatters (one worker) no message was handled or
// acknowledged again, silently. The worker is now replaced, the message is
// acknowledged, and the exit is counted and logged like a panic.
func TestAttackHandlerGoexitDoesNotStopDelivery(t *testing.T) {
	b := mqtttest.NewBroker(t)
	pub := connected(t, runtime.WithBroker(b.URL()))
	for _, ordered := range []bool{true, false} {
		t.Run(map[bool]string{true: "ordered", false: "unordered"}[ordered], func(t *testing.T) {
			c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(ordered), runtime.WithHandlerWorkers(2))
			var calls atomic.Int32
			require.NoError(t, c.Subscribe("goexit/#", 1, func(mqttclient.Client, mqttclient.Message) {
				if calls.Add(1) <= 2 {
					goruntime.Goexit()
				}
			}))
			for range 10 {
				require.NoError(t, pub.Publish("goexit/t", 1, false, "x"))
			}
			waitFor(t, 5*time.Second, "every message handled", func() bool { return calls.Load() == 10 })
			assert.Equal(t, uint64(2), c.GetStats().HandlerPanics)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			require.NoError(t, c.Disconnect(ctx))
		})
	}
}
