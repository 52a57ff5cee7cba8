package runtime

import (
	"context"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// reserveWithin reserves a place, waiting at most d.
func reserveWithin(w *publishWindow, d time.Duration) error {
	var b opBound
	b.begin(context.Background(), d)
	defer b.end()
	return w.reserve(&b)
}

// reserveAsync reserves in the background; the channel gets the outcome.
func reserveAsync(w *publishWindow) <-chan error {
	done := make(chan error, 1)
	go func() { done <- reserveWithin(w, 5*time.Second) }()
	return done
}

func waitingFor(t *testing.T, w *publishWindow, n int) {
	t.Helper()
	require.Eventually(t, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.waiters) == n
	}, 2*time.Second, time.Millisecond)
}

func requireBlocked(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("reserve returned (%v) while the window was full", err)
	case <-time.After(50 * time.Millisecond):
	}
}

// A publish counts from its reservation until its packet leaves the store,
// so a publish that has returned still holds its place; waiters get places
// in order of arrival; one that gives up leaves the others their turn.
func TestPublishWindowHoldsStoredPublishes(t *testing.T) {
	w := newPublishWindow(2)
	require.NoError(t, reserveWithin(w, time.Second))
	require.NoError(t, reserveWithin(w, time.Second))

	err := reserveWithin(w, 30*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), "2 QoS 1/2 publishes unacknowledged")
	waitingFor(t, w, 0)

	first := reserveAsync(w)
	waitingFor(t, w, 1)
	second := reserveAsync(w)
	waitingFor(t, w, 2)

	w.add(7) // the first reservation's packet was stored under 7 ...
	w.unreserve()
	requireBlocked(t, first) // ... and holds its place until acknowledged
	w.remove(9)              // not a stored publish: frees nothing
	requireBlocked(t, first)
	w.remove(7)
	require.NoError(t, <-first)
	requireBlocked(t, second)

	w.unreserve() // the second reservation's Publish stored nothing
	require.NoError(t, <-second)

	w.reset([]uint16{1, 2}) // opened on a store holding two publishes
	w.unreserve()
	w.unreserve()
	timedOut := reserveAsync(w)
	waitingFor(t, w, 1)
	w.reset(nil) // a clean session emptied the store
	require.NoError(t, <-timedOut)
}

// The guard tells the window about stored QoS 1/2 publishes and PUBRELs,
// and only about those: paho stores SUBSCRIBE packets under the same keys.
func TestQoS2GuardFeedsPublishWindow(t *testing.T) {
	w := newPublishWindow(10)
	store := mqttclient.NewMemoryStore()
	g := newQoS2Guard(store, w)
	g.Open()
	used := func() int {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.used()
	}
	publish := func(id uint16, qos byte) *packets.PublishPacket {
		p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
		p.MessageID, p.Qos, p.TopicName = id, qos, "a"
		return p
	}
	g.Put("o.1", publish(1, 1))
	g.Put("o.2", publish(2, 2))
	g.Put("o.3", packets.NewControlPacket(packets.Subscribe))
	g.Put("i.4", publish(4, 2)) // received, not sent
	assert.Equal(t, 2, used())

	g.pubrelSent(2) // PUBREC received: the PUBREL replaces the PUBLISH, still counted
	assert.Equal(t, 2, used())
	g.Close()
	g.Open() // a new connection: the window is what the store holds
	assert.Equal(t, 2, used())

	g.Del("o.1")
	g.Del("o.3")
	assert.Equal(t, 1, used())
	g.Reset()
	assert.Equal(t, 0, used())
	assert.NoError(t, reserveWithin(w, time.Second))
}
