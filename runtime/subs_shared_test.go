package runtime_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// brokerLog counts the SUBSCRIBE and UNSUBSCRIBE entries Mosquitto logged
// for one client (log_type subscribe/unsubscribe: "<id> <qos> <filter>"
// and "<id> <filter>"), so a test can tell how many packets reached the
// broker.
type brokerLog struct {
	b  *mqtttest.Broker
	id string
}

// subscribes returns the QoS of each SUBSCRIBE of filter, in order.
func (l brokerLog) subscribes(t *testing.T, filter string) []string {
	t.Helper()
	var out []string
	for _, f := range l.entries(t) {
		if len(f) == 3 && f[2] == filter {
			out = append(out, f[1])
		}
	}
	return out
}

// unsubscribes counts the UNSUBSCRIBEs of filter.
func (l brokerLog) unsubscribes(t *testing.T, filter string) int {
	t.Helper()
	n := 0
	for _, f := range l.entries(t) {
		if len(f) == 2 && f[1] == filter {
			n++
		}
	}
	return n
}

// entries are the fields after the timestamp of the client's lines.
func (l brokerLog) entries(t *testing.T) [][]string {
	t.Helper()
	require.False(t, l.b.Embedded(), "these tests read Mosquitto's log")
	data, err := os.ReadFile(l.b.LogFile())
	require.NoError(t, err)
	var out [][]string
	for _, line := range strings.Split(string(data), "\n") {
		_, rest, ok := strings.Cut(line, ": ")
		if f := strings.Fields(rest); ok && len(f) > 1 && f[0] == l.id {
			out = append(out, f)
		}
	}
	return out
}

// sharedFilterClient connects a client with a fixed ID whose broker
// entries brokerLog finds.
func sharedFilterClient(t *testing.T, b *mqtttest.Broker) (*runtime.Client, brokerLog) {
	id := fmt.Sprintf("shared-%d", time.Now().UnixNano())
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID(id))
	return c, brokerLog{b: b, id: id}
}

// Issue 13, item 7: several handlers on one filter. Each gets every
// message once; the broker holds one subscription, made once while its
// QoS (the highest any handler asks for) stays the same and again when it
// changes; each Subscription's Unsubscribe removes only its own handler,
// and UNSUBSCRIBE is sent only when the last one goes.
func TestSeveralHandlersShareOneBrokerSubscription(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c, blog := sharedFilterClient(t, b)
	pub := connected(t, runtime.WithBroker(b.URL()))
	ctx := context.Background()
	const filter = "shared/+"
	first, second, legacy := newInbox(), newInbox(), newInbox()

	s1, err := c.SubscribeContext(ctx, filter, 1, first.handler)
	require.NoError(t, err)
	assert.Equal(t, filter, s1.Filter())
	s2, err := c.SubscribeContext(ctx, filter, 1, second.handler) // same QoS: no SUBSCRIBE
	require.NoError(t, err)
	require.NoError(t, c.Subscribe(filter, 0, legacy.handler)) // lower QoS: no SUBSCRIBE
	require.NoError(t, c.Ping(ctx))                            // every packet before it has reached the broker
	assert.Equal(t, []string{"1"}, blog.subscribes(t, filter), "SUBSCRIBEs of %s at the broker", filter)
	subs := c.GetSubscriptions()
	require.Len(t, subs, 1)
	assert.Equal(t, byte(1), subs[0].QoS)
	assert.Equal(t, 1, c.GetStats().Subscriptions)

	require.NoError(t, pub.Publish("shared/a", 2, false, "one"))
	for name, in := range map[string]*inbox{"first": first, "second": second, "legacy": legacy} {
		m := in.next(t, 3*time.Second)
		assert.Equal(t, "one", m.payload, name)
		assert.Equal(t, byte(1), m.qos, "%s: delivered at the subscription's QoS", name)
		in.none(t, 100*time.Millisecond)
	}
	assert.Equal(t, uint64(1), c.GetStats().MessagesReceived, "one copy from the broker for the three handlers")

	// A handler asking for more raises the subscription's QoS; ending it
	// lowers the QoS again, and each change is one SUBSCRIBE.
	high := newInbox()
	s3, err := c.SubscribeContext(ctx, filter, 2, high.handler)
	require.NoError(t, err)
	require.NoError(t, pub.Publish("shared/b", 2, false, "two"))
	assert.Equal(t, byte(2), high.next(t, 3*time.Second).qos)
	require.NoError(t, s3.Unsubscribe(ctx))
	require.NoError(t, s3.Unsubscribe(ctx), "a second Unsubscribe is a no-op")
	for _, in := range []*inbox{first, second, legacy} {
		assert.Equal(t, "two", in.next(t, 3*time.Second).payload)
	}
	require.NoError(t, c.Ping(ctx))
	assert.Equal(t, []string{"1", "2", "1"}, blog.subscribes(t, filter))

	// Ending one Subscription leaves the others receiving, and the broker
	// subscription in place.
	require.NoError(t, s1.Unsubscribe(ctx))
	require.NoError(t, pub.Publish("shared/c", 1, false, "three"))
	assert.Equal(t, "three", second.next(t, 3*time.Second).payload)
	assert.Equal(t, "three", legacy.next(t, 3*time.Second).payload)
	first.none(t, 200*time.Millisecond)
	high.none(t, 0)
	require.NoError(t, c.Ping(ctx))
	assert.Equal(t, 0, blog.unsubscribes(t, filter), "UNSUBSCRIBE while handlers remain")

	// Subscribe replaces only the handler Subscribe gave; Unsubscribe of
	// the filter removes every handler and ends the broker subscription.
	replaced := newInbox()
	require.NoError(t, c.Subscribe(filter, 0, replaced.handler))
	require.NoError(t, pub.Publish("shared/d", 1, false, "four"))
	assert.Equal(t, "four", second.next(t, 3*time.Second).payload)
	assert.Equal(t, "four", replaced.next(t, 3*time.Second).payload)
	legacy.none(t, 200*time.Millisecond)
	require.NoError(t, c.Unsubscribe(filter))
	require.NoError(t, s2.Unsubscribe(ctx), "Unsubscribe of the filter already removed this handler")
	require.NoError(t, c.Ping(ctx))
	assert.Equal(t, 1, blog.unsubscribes(t, filter))
	assert.Empty(t, c.GetSubscriptions())
	require.NoError(t, pub.Publish("shared/e", 1, false, "five"))
	for _, in := range []*inbox{first, second, legacy, replaced} {
		in.none(t, 100*time.Millisecond)
	}
	assert.Equal(t, []string{"1", "2", "1"}, blog.subscribes(t, filter), "no SUBSCRIBE for the replaced handler: the QoS did not change")
}

// The last Subscription of a filter ends its broker subscription, and a
// failed Subscribe adds no handler: a refused filter leaves the filter's
// other handlers as they were.
func TestLastSubscriptionUnsubscribes(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithACL("user ann\ntopic readwrite open/#\n"), mqtttest.WithUser("ann", "pw"))
	id := fmt.Sprintf("last-%d", time.Now().UnixNano())
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID(id), runtime.WithCredentials("ann", "pw"))
	blog := brokerLog{b: b, id: id}
	pub := connected(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("ann", "pw"))
	ctx := context.Background()

	a, bb := newInbox(), newInbox()
	sa, err := c.SubscribeContext(ctx, "open/x", 0, a.handler)
	require.NoError(t, err)
	sb, err := c.SubscribeContext(ctx, "open/x", 0, bb.handler)
	require.NoError(t, err)
	refused, err := c.SubscribeContext(ctx, "closed/x", 1, a.handler)
	require.ErrorIs(t, err, runtime.ErrSubscribeFailed)
	assert.Contains(t, err.Error(), "0x80")
	assert.Nil(t, refused)

	require.NoError(t, sa.Unsubscribe(ctx))
	require.NoError(t, sb.Unsubscribe(ctx))
	require.NoError(t, c.Ping(ctx))
	assert.Equal(t, 1, blog.unsubscribes(t, "open/x"))
	assert.Empty(t, c.GetSubscriptions())
	require.NoError(t, pub.Publish("open/x", 1, false, "after"))
	a.none(t, 200*time.Millisecond)
	bb.none(t, 0)
	assert.Zero(t, c.GetStats().MessagesReceived)
}

// After a reconnection that lost the session, each filter is subscribed
// once, at the highest QoS of its handlers, and each handler gets each
// message once.
func TestResumeMakesEachFilterOnce(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	id := fmt.Sprintf("resume-once-%d", time.Now().UnixNano())
	blog := brokerLog{b: b, id: id}
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithClientID(id), runtime.WithMaxReconnectDelay(200*time.Millisecond))
	pub := connected(t, runtime.WithBroker(b.URL()))
	ctx := context.Background()
	inboxes := []*inbox{newInbox(), newInbox(), newInbox(), newInbox()}
	_, err := c.SubscribeContext(ctx, "once/a", 0, inboxes[0].handler)
	require.NoError(t, err)
	_, err = c.SubscribeContext(ctx, "once/a", 1, inboxes[1].handler)
	require.NoError(t, err)
	require.NoError(t, c.Subscribe("once/a", 0, inboxes[2].handler))
	require.NoError(t, c.Subscribe("once/b", 2, inboxes[3].handler))
	require.NoError(t, c.Ping(ctx))
	before := map[string][]string{"once/a": blog.subscribes(t, "once/a"), "once/b": blog.subscribes(t, "once/b")}
	assert.Equal(t, map[string][]string{"once/a": {"0", "1"}, "once/b": {"2"}}, before)

	p.Drop()
	waitFor(t, 10*time.Second, "the reconnection", func() bool { return c.GetStats().Reconnects == 1 && c.IsConnected() })
	require.NoError(t, c.Ping(ctx))
	assert.Equal(t, []string{"0", "1", "1"}, blog.subscribes(t, "once/a"), "once/a made again once, at QoS 1")
	assert.Equal(t, []string{"2", "2"}, blog.subscribes(t, "once/b"))
	subs := c.GetSubscriptions()
	require.Len(t, subs, 2)
	assert.Equal(t, byte(1), subs[0].QoS)

	require.NoError(t, pub.Publish("once/a", 1, false, "a"))
	require.NoError(t, pub.Publish("once/b", 1, false, "b"))
	for i, in := range inboxes {
		want := "a"
		if i == 3 {
			want = "b"
		}
		assert.Equal(t, want, in.next(t, 3*time.Second).payload)
		in.none(t, 100*time.Millisecond)
	}
}

// Handlers of one filter come and go from several goroutines at once: the
// broker subscription must follow them (held while any remains, at their
// highest QoS), and each remaining handler gets each message once.
func TestSharedFilterConcurrentChurn(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c, blog := sharedFilterClient(t, b)
	pub := connected(t, runtime.WithBroker(b.URL()))
	ctx := context.Background()
	const filter, goroutines, rounds = "churn/shared/#", 8, 15
	inboxes := make([]*inbox, goroutines)
	errs := make(chan error, goroutines)
	for g := range goroutines {
		inboxes[g] = newInbox()
		go func() {
			for i := range rounds {
				// Odd goroutines end with a handler at QoS 0 or 1; even
				// ones end with none.
				sub, err := c.SubscribeContext(ctx, filter, byte((g+i)%2), inboxes[g].handler)
				if err != nil {
					errs <- err
					return
				}
				if g%2 == 1 && i == rounds-1 {
					break
				}
				if err := sub.Unsubscribe(ctx); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range goroutines {
		require.NoError(t, <-errs)
	}
	require.NoError(t, c.Ping(ctx))
	subs := c.GetSubscriptions()
	require.Len(t, subs, 1)
	// The last handler each odd goroutine added asked for QoS (g+rounds-1)%2,
	// which is 1 for g = 1, 3, ...: the broker must hold the filter at 1.
	assert.Equal(t, byte(1), subs[0].QoS)
	made := blog.subscribes(t, filter)
	t.Logf("%d subscribe and %d unsubscribe calls: %d SUBSCRIBEs (QoS %v) and %d UNSUBSCRIBEs reached the broker",
		goroutines*rounds, goroutines*rounds-goroutines/2, len(made), made, blog.unsubscribes(t, filter))
	require.NotEmpty(t, made)
	assert.Equal(t, "1", made[len(made)-1], "the last SUBSCRIBE is at the remaining handlers' QoS")

	require.NoError(t, pub.Publish("churn/shared/x", 1, false, "last"))
	for g, in := range inboxes {
		if g%2 == 1 {
			assert.Equal(t, "last", in.next(t, 3*time.Second).payload, "goroutine %d's handler", g)
		}
		in.none(t, 50*time.Millisecond)
	}
}
