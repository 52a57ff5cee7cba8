package runtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A login the broker refuses while the client reconnects (the password was
// rotated on the broker, say) used to be retried forever with nothing but
// a Warn log per attempt: the async error handler heard nothing, the
// reconnect-failed handler is only called when MaxReconnectAttempts runs
// out (never, by default), and waiting publishers timed out with "still
// reconnecting". The refusal is now an ErrLoginRefused, and the first of a
// reconnection run goes to the async error handler; the client still
// retries (credentials may be put right on the broker).
func TestAttackLoginRefusedWhileReconnectingIsReported(t *testing.T) {
	open := mqtttest.NewBroker(t)
	locked := mqtttest.NewBroker(t, mqtttest.WithUser("u", "right"))

	// Connect refuses at once, with the sentinel.
	wrong := newClient(t, runtime.WithBroker(locked.URL()), runtime.WithCredentials("u", "wrong"))
	err := wrong.Connect(context.Background())
	require.ErrorIs(t, err, runtime.ErrConnectionFailed)
	require.ErrorIs(t, err, runtime.ErrLoginRefused)

	// Connected to the open broker through the proxy; when the proxy turns
	// connections away, the next broker in the list refuses the login.
	p := mqtttest.NewProxy(t, open.URL())
	var mu sync.Mutex
	var reported []error
	var gaveUp int
	c := newClient(t, runtime.WithBroker(p.URL()), runtime.WithBroker(locked.URL()), runtime.WithCredentials("u", "wrong"),
		runtime.WithMaxReconnectDelay(100*time.Millisecond),
		runtime.WithAsyncErrorHandler(func(_ string, err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
		}),
		runtime.WithReconnectFailedHandler(func(error) { gaveUp++ }))
	require.NoError(t, c.Connect(context.Background()))
	p.RefuseNew(true)
	p.Drop()
	waitFor(t, 5*time.Second, "several refused attempts", func() bool { return c.GetStats().ReconnectAttempts >= 5 })

	mu.Lock()
	got := append([]error(nil), reported...)
	mu.Unlock()
	require.Len(t, got, 1, "one report per reconnection run, not one per attempt")
	assert.ErrorIs(t, got[0], runtime.ErrConnectionFailed)
	assert.ErrorIs(t, got[0], runtime.ErrLoginRefused)
	assert.NotContains(t, got[0].Error(), "wrong", "the password is not in the error")
	t.Logf("reported: %v", got[0])
	assert.Zero(t, gaveUp)
	assert.False(t, c.IsConnected())

	// The open broker takes the client back; a later refusal is a new run
	// and is reported again.
	p.RefuseNew(false)
	waitFor(t, 5*time.Second, "reconnected", c.IsConnected)
	p.RefuseNew(true)
	p.Drop()
	waitFor(t, 5*time.Second, "a second report", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(reported) == 2
	})
	mu.Lock()
	assert.True(t, errors.Is(reported[1], runtime.ErrLoginRefused))
	mu.Unlock()
}
