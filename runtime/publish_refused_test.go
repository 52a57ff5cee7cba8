package runtime_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// TestPublishClosedByBrokerIsAnError: a broker may refuse a QoS 1/2
// PUBLISH by closing the connection instead of acknowledging it. NATS 2.9
// does so for every QoS 2 PUBLISH (see the README's broker compatibility
// table); the embedded broker does so for an ACL-denied one, which this
// test uses so that it runs wherever the runtime's tests run. With a
// persistent session paho resends the message on each reconnection and
// completes the original token as it does, before any acknowledgement,
// and before the runtime had counted the new link: Publish took that for
// an acknowledged resend and returned nil for a message the broker never
// took. It must fail once OperationTimeout has passed without an
// acknowledgement.
func TestPublishClosedByBrokerIsAnError(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithEmbedded(), mqtttest.WithUser("dev", "dev-secret"),
		mqtttest.WithACL("user dev\ntopic readwrite allowed/#\ntopic read readonly/#\n"))
	for _, qos := range []byte{1, 2} {
		t.Run(fmt.Sprintf("QoS %d", qos), func(t *testing.T) {
			const timeout = 1500 * time.Millisecond
			c := connected(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("dev", "dev-secret"),
				runtime.WithClientID(fmt.Sprintf("refused-qos%d", qos)), runtime.WithCleanSession(false),
				runtime.WithMaxReconnectDelay(100*time.Millisecond), runtime.WithOperationTimeout(timeout))
			start := time.Now()
			err := c.Publish("readonly/x", qos, false, "never acknowledged")
			took := time.Since(start)
			s := c.GetStats()
			t.Logf("Publish returned %v after %v; stats: acked %d, errors %d, connection losses %d",
				err, took.Round(time.Millisecond), s.PublishAcked, s.PublishErrors, s.ConnectionLosses)
			require.ErrorIs(t, err, runtime.ErrPublishFailed, "a publish the broker never acknowledged")
			assert.ErrorIs(t, err, runtime.ErrTimeout)
			assert.GreaterOrEqual(t, took, timeout-100*time.Millisecond, "gave up before OperationTimeout")
			assert.Zero(t, s.PublishAcked)
			assert.Equal(t, uint64(1), s.PublishErrors)
			assert.NotZero(t, s.ConnectionLosses, "the broker did not close the connection: the test proves nothing")
		})
	}
}
