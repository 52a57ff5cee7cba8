package runtime_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// The backoff started again at 250 ms after every successful CONNACK, so a
// link that the broker drops right after accepting it was retried about
// four times a second forever: two instances started with the same client
// ID (an operator's slip) took the session from each other 19 times in
// 5 s, each logging a Warn and hammering the broker. A link that lived
// less than twice the wait before it now counts as flapping: the next
// reconnection waits twice as long, up to MaxReconnectDelay. A link that
// lived longer starts again from 250 ms (TestFaultUnlimitedReconnectAttempts
// and the broker restart tests keep their timings).
func TestAttackFlappingLinkBacksOff(t *testing.T) {
	b := mqtttest.NewBroker(t)
	twin := func() *runtime.Client {
		c := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID("twin"), runtime.WithMaxReconnectDelay(4*time.Second))
		return c
	}
	a := twin()
	c := twin() // takes the session: a is dropped
	const window = 6 * time.Second
	time.Sleep(window)
	sa, sc := a.GetStats(), c.GetStats()
	total := sa.ReconnectAttempts + sc.ReconnectAttempts
	t.Logf("in %v: a %d attempts, %d losses; c %d attempts, %d losses", window, sa.ReconnectAttempts, sa.ConnectionLosses, sc.ReconnectAttempts, sc.ConnectionLosses)
	// Doubling from 250 ms: 0.25, 0.5, 1, 2, 4 s alternate between the two,
	// about 8 attempts in 6 s (jitter ±20%); without the backoff, about 28.
	assert.LessOrEqual(t, total, uint64(11), "the flapping link was retried without backing off")
	assert.GreaterOrEqual(t, total, uint64(4))
}
