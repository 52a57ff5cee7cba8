package runtime_test

import (
	"testing"
	"time"

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
