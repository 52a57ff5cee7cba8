package runtime_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Issue 13, item 6: with a persistent session, a Subscribe that timed out
// during a stall, or an Unsubscribe that failed, left the broker holding a
// filter the client did not track, whose messages then arrived unrouted.
// The client now remembers the filter's state as unknown (or as differing
// from what its handlers want) and settles it: at once when a late
// acknowledgement shows the link works, else on the next connection that
// finds the session.

// settleRig is a client with a fixed ID and CleanSession false behind a
// proxy to a Mosquitto of its own, a peer publishing straight to the
// broker, and the client's log.
type settleRig struct {
	b    *mqtttest.Broker
	p    *mqtttest.Proxy
	c    *runtime.Client
	blog brokerLog
	peer *runtime.Client
	keep *inbox // handler of settle/keep, a subscription that stays

	logMu sync.Mutex
	logs  bytes.Buffer
}

func newSettleRig(t *testing.T) *settleRig {
	r := &settleRig{b: mqtttest.NewBroker(t)}
	r.p = mqtttest.NewProxy(t, r.b.URL())
	id := fmt.Sprintf("settle-%d", time.Now().UnixNano())
	r.blog = brokerLog{b: r.b, id: id}
	r.c = connected(t, runtime.WithBroker(r.p.URL()), runtime.WithClientID(id), runtime.WithCleanSession(false),
		// The stall is never noticed by the keep-alive: only the drop
		// ends the link.
		runtime.WithKeepAlive(20*time.Second), runtime.WithOperationTimeout(time.Second),
		runtime.WithConnectTimeout(time.Second), runtime.WithMaxReconnectDelay(200*time.Millisecond),
		runtime.WithLogger(slogTo(&r.logMu, &r.logs)))
	r.peer = connected(t, runtime.WithBroker(r.b.URL()))
	r.keep = newInbox()
	require.NoError(t, r.c.Subscribe("settle/keep", 1, r.keep.handler))
	return r
}

// dropAndReconnect cuts the link (what the stalled proxy holds is lost),
// lets traffic flow and waits for the reconnection, which must find the
// session.
func (r *settleRig) dropAndReconnect(t *testing.T) {
	r.p.Drop()
	r.p.Resume()
	waitFor(t, 10*time.Second, "the reconnection", func() bool { return r.c.GetStats().Reconnects == 1 && r.c.IsConnected() })
	assert.Contains(t, r.log(), "session_present=true reconnect=true")
}

func (r *settleRig) log() string {
	r.logMu.Lock()
	defer r.logMu.Unlock()
	return r.logs.String()
}

// checkUntracked publishes to topic, which no handler wants, then to
// settle/keep, and checks that only the second reached the client: the
// broker no longer holds a subscription for topic.
func (r *settleRig) checkUntracked(t *testing.T, topic string) {
	t.Helper()
	before := r.c.GetStats()
	require.NoError(t, r.peer.Publish(topic, 1, false, "unwanted"))
	require.NoError(t, r.peer.Publish("settle/keep", 1, false, "probe"))
	assert.Equal(t, "probe", r.keep.next(t, 5*time.Second).payload)
	s := r.c.GetStats()
	t.Logf("after settling: received %d, unrouted %d (before: %d, %d); subscriptions %+v",
		s.MessagesReceived, s.MessagesUnrouted, before.MessagesReceived, before.MessagesUnrouted, r.c.GetSubscriptions())
	assert.Zero(t, s.MessagesUnrouted-before.MessagesUnrouted, "messages of a filter the client does not track")
	assert.Equal(t, uint64(1), s.MessagesReceived-before.MessagesReceived, "messages received: the probe only")
	subs := r.c.GetSubscriptions()
	require.Len(t, subs, 1)
	assert.Equal(t, "settle/keep", subs[0].Topic)
}

// An Unsubscribe that timed out in a stall: the UNSUBSCRIBE the proxy held
// is lost with the link, so the broker still holds the filter when the
// client reconnects to its session. The reconnection unsubscribes it.
func TestSettleFailedUnsubscribeOnReconnect(t *testing.T) {
	r := newSettleRig(t)
	gone := newInbox()
	require.NoError(t, r.c.Subscribe("settle/gone/#", 1, gone.handler))
	r.p.Stall()
	err := r.c.Unsubscribe("settle/gone/#")
	require.ErrorIs(t, err, runtime.ErrUnsubscribeFailed)
	require.ErrorIs(t, err, runtime.ErrTimeout)
	r.dropAndReconnect(t)
	r.checkUntracked(t, "settle/gone/x")
	gone.none(t, 100*time.Millisecond)
	unsubs := r.blog.unsubscribes(t, "settle/gone/#")
	t.Logf("UNSUBSCRIBEs of settle/gone/# at the broker: %d", unsubs)
	assert.Equal(t, 1, unsubs, "UNSUBSCRIBEs that reached the broker")
	assert.Contains(t, r.log(), `msg="mqtt: subscriptions resumed"`)
}

// A Subscription ended while the client was disconnected: the handler goes
// at once (ErrNotConnected says the broker was not told), and the
// reconnection to the session tells the broker.
func TestSettleUnsubscribeWhileDisconnected(t *testing.T) {
	r := newSettleRig(t)
	gone := newInbox()
	sub, err := r.c.SubscribeContext(context.Background(), "settle/off/#", 1, gone.handler)
	require.NoError(t, err)
	r.p.RefuseNew(true)
	r.p.Drop()
	waitFor(t, 5*time.Second, "the loss to be noticed", func() bool { return !r.c.IsConnected() })
	err = sub.Unsubscribe(context.Background())
	require.ErrorIs(t, err, runtime.ErrUnsubscribeFailed)
	require.ErrorIs(t, err, runtime.ErrNotConnected)
	require.NoError(t, sub.Unsubscribe(context.Background()), "a second Unsubscribe is a no-op")
	r.p.RefuseNew(false)
	r.dropAndReconnect(t)
	r.checkUntracked(t, "settle/off/x")
	gone.none(t, 100*time.Millisecond)
}

// A Subscribe that timed out in a stall whose SUBSCRIBE reached the broker
// once traffic flowed again: its SUBACK came late. The late SUBACK (or,
// when the link drops first, the reconnection) unsubscribes the filter
// nobody wants.
func TestSettleTimedOutSubscribe(t *testing.T) {
	for _, reconnect := range []bool{false, true} {
		t.Run(fmt.Sprintf("reconnect=%v", reconnect), func(t *testing.T) {
			r := newSettleRig(t)
			late := newInbox()
			r.p.Stall()
			err := r.c.Subscribe("settle/late/#", 1, late.handler)
			require.ErrorIs(t, err, runtime.ErrSubscribeFailed)
			require.ErrorIs(t, err, runtime.ErrTimeout)
			r.p.Resume() // the SUBSCRIBE held by the proxy reaches the broker
			if reconnect {
				require.NoError(t, r.c.Ping(context.Background())) // the SUBACK came before this UNSUBACK
				r.dropAndReconnect(t)
			} else {
				waitFor(t, 5*time.Second, "the late SUBACK to be settled", func() bool {
					return strings.Contains(r.log(), `msg="mqtt: subscriptions settled"`)
				})
			}
			require.NoError(t, r.c.Ping(context.Background()))
			assert.Equal(t, []string{"1"}, r.blog.subscribes(t, "settle/late/#"), "SUBSCRIBEs that reached the broker")
			unsubs := r.blog.unsubscribes(t, "settle/late/#")
			t.Logf("at the broker: SUBSCRIBEs %v, UNSUBSCRIBEs %d", r.blog.subscribes(t, "settle/late/#"), unsubs)
			if reconnect {
				// The late SUBACK's UNSUBSCRIBE may reach the broker and
				// lose its UNSUBACK in the drop: the reconnection then
				// sends another.
				assert.Contains(t, []int{1, 2}, unsubs, "UNSUBSCRIBEs that reached the broker")
			} else {
				assert.Equal(t, 1, unsubs, "UNSUBSCRIBEs that reached the broker")
			}
			r.checkUntracked(t, "settle/late/x")
			late.none(t, 100*time.Millisecond)
		})
	}
}

// A Subscribe raising a filter's QoS that timed out: the broker may hold
// the filter at the higher QoS, which no handler wants any more. The
// filter is subscribed again, and routed, at the QoS its handler asked
// for.
func TestSettleTimedOutQoSChangeResubscribes(t *testing.T) {
	r := newSettleRig(t)
	in := newInbox()
	require.NoError(t, r.c.Subscribe("settle/qos", 1, in.handler))
	r.p.Stall()
	err := r.c.Subscribe("settle/qos", 2, newInbox().handler)
	require.ErrorIs(t, err, runtime.ErrTimeout)
	r.p.Resume() // the broker now holds the filter at QoS 2
	require.NoError(t, r.c.Ping(context.Background()))
	r.dropAndReconnect(t)
	require.NoError(t, r.c.Ping(context.Background()))
	// The late SUBACK's SUBSCRIBE at QoS 1 may reach the broker and lose
	// its SUBACK in the drop: the reconnection then sends another.
	got := r.blog.subscribes(t, "settle/qos")
	t.Logf("SUBSCRIBEs of settle/qos at the broker, by QoS: %v", got)
	assert.Contains(t, [][]string{{"1", "2", "1"}, {"1", "2", "1", "1"}}, got, "SUBSCRIBEs that reached the broker")
	require.NoError(t, r.peer.Publish("settle/qos", 2, false, "x"))
	m := in.next(t, 5*time.Second)
	assert.Equal(t, byte(1), m.qos, "delivered at the QoS the handler asked for")
	subs := r.c.GetSubscriptions()
	require.Len(t, subs, 2)
	assert.Equal(t, runtime.SubscriptionInfo{Topic: "settle/qos", QoS: 1, GrantedQoS: 1, SubscribedAt: subs[1].SubscribedAt}, subs[1])
}
