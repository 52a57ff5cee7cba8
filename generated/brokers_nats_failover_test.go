package generated_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Scale-out on a distributed broker: a three-node NATS cluster with MQTT
// on every node keeps sessions and QoS 1 messages in JetStream streams
// replicated to all three. The subscriber, given the three nodes' URLs,
// is on the first; that node is SIGKILLed in the middle of a stream of
// readings published through the generated client. With a fixed client ID
// and a persistent session, the subscriber reconnects to another node and
// its session goes on there: every reading the broker acknowledged
// arrives.

const (
	failoverMessages   = 1000
	failoverPublishers = 4 // concurrent publishers, so several readings are in flight at the kill
	failoverKillAt     = failoverMessages * 2 / 5
	failoverAckWait    = 2 * time.Second // NATS's default, 30 s, is how long the readings in flight at the kill wait
)

func TestNATSClusterFailover(t *testing.T) {
	t.Parallel() // see TestBrokerCompatNATS
	cluster := mqtttest.NewNATSCluster(t, 3, mqtttest.WithNATSAckWait(failoverAckWait))
	nodes := cluster.Nodes()
	t.Logf("%s, nodes %v", cluster.Version(), cluster.URLs())
	stamp := time.Now().UnixNano()

	// The subscriber lists the nodes in order, so it starts on n1; the
	// publisher lists them the other way round and starts on n3, which
	// stays up: the subscriber's move is what is measured.
	backwards := cluster.URLs()
	slices.Reverse(backwards)
	sub, connects := natsClient(t, cluster.URLs(), fmt.Sprintf("failover-sub-%d", stamp))
	pub, _ := natsClient(t, backwards, fmt.Sprintf("failover-pub-%d", stamp))
	first, _ := connects.brokers()
	require.Equal(t, []string{nodes[0].URL()}, first, "the subscriber did not start on n1")

	got := newSeenCounter()
	ctx := context.Background()
	require.NoError(t, subscribeReadings(ctx, sub, got.add))

	streamStart := time.Now()
	ids := messageIDs("f", failoverMessages)
	var acked sync.Map // id -> true once PublishTemperature returned nil
	var ackedN atomic.Int64
	var pubErrs sync.Map
	var slowest maxDuration
	var wg sync.WaitGroup
	for g := range failoverPublishers {
		wg.Go(func() {
			for i := g; i < len(ids); i += failoverPublishers {
				began := time.Now()
				err := publishReading(ctx, pub, ids[i])
				slowest.raise(time.Since(began))
				if err != nil {
					pubErrs.Store(ids[i], err)
					continue
				}
				acked.Store(ids[i], true)
				ackedN.Add(1)
			}
		})
	}

	waitForG(t, 60*time.Second, "the stream to reach the kill point", func() bool { return ackedN.Load() >= failoverKillAt })
	killedAt := time.Now()
	ackedAtKill := ackedN.Load()
	nodes[0].Kill() // SIGKILL: the node the subscriber is on
	waitForG(t, 30*time.Second, "the subscriber to reconnect", func() bool { urls, _ := connects.brokers(); return len(urls) == 2 })
	moved := time.Since(killedAt)
	urls, sessions := connects.brokers()

	waitGroupWithin(t, &wg, 90*time.Second, "the publishers")
	published := time.Since(streamStart)
	var ackedIDs []string
	for _, id := range ids {
		if _, ok := acked.Load(id); ok {
			ackedIDs = append(ackedIDs, id)
		}
	}
	// Not waitForG: what has not arrived by then is counted, not fatal.
	for deadline := time.Now().Add(30 * time.Second); got.distinct.Load() < int64(len(ackedIDs)) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	allIn := time.Since(streamStart)
	time.Sleep(500 * time.Millisecond) // let late duplicates arrive
	errCount := 0
	for id, err := range pubErrs.Range {
		if errCount++; errCount <= 3 {
			t.Logf("publish %v failed: %v", id, err)
		}
	}
	received, lost, duplicated, dupFlags := got.report(ackedIDs)
	ss, ps := sub.GetStats(), pub.GetStats()
	t.Logf("n1 SIGKILLed %v into the stream, after %d of %d readings were acknowledged; the subscriber was on %s %v later (session present %v); "+
		"acknowledged %d, received %d, lost %d, duplicated %d (DUP flag on %d), publish errors %d; slowest publish %v; "+
		"stream published in %v, all received after %v; subscriber losses %d reconnects %d, publisher losses %d reconnects %d",
		killedAt.Sub(streamStart).Round(time.Millisecond), ackedAtKill, failoverMessages, urls[1], moved.Round(time.Millisecond), sessions[1],
		len(ackedIDs), received, lost, duplicated, dupFlags, errCount, slowest.get().Round(time.Millisecond),
		published.Round(time.Millisecond), allIn.Round(time.Millisecond), ss.ConnectionLosses, ss.Reconnects, ps.ConnectionLosses, ps.Reconnects)

	assert.Zero(t, lost, "acknowledged readings that never arrived")
	assert.Zero(t, errCount, "publishes that failed")
	assert.Len(t, ackedIDs, failoverMessages)
	assert.Equal(t, uint64(1), ss.ConnectionLosses, "the subscriber did not notice the kill exactly once")
	assert.NotEqual(t, nodes[0].URL(), urls[1], "the subscriber reconnected to the killed node")
	assert.True(t, sessions[1], "the other node did not find the subscriber's session")
}

// waitGroupWithin waits for wg, failing the test after timeout.
func waitGroupWithin(t *testing.T, wg *sync.WaitGroup, timeout time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		t.Fatalf("%s did not finish within %v", what, timeout)
	}
}

// maxDuration keeps the longest of the durations given to raise.
type maxDuration struct {
	mu  sync.Mutex
	max time.Duration
}

func (m *maxDuration) raise(d time.Duration) {
	m.mu.Lock()
	m.max = max(m.max, d)
	m.mu.Unlock()
}

func (m *maxDuration) get() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.max
}

// natsClient connects a runtime client with a fixed client ID and a
// persistent session to the first of urls that accepts, reconnecting
// quickly to the others, and returns it with the log of its connections.
// A publish waits for the reconnection instead of failing.
func natsClient(t *testing.T, urls []string, id string) (*mqttrt.Client, *connectLog) {
	t.Helper()
	connects := newConnectLog(quietLogger(t).Handler())
	opts := []mqttrt.Option{
		mqttrt.WithClientID(id), mqttrt.WithCleanSession(false),
		mqttrt.WithMaxReconnectDelay(200 * time.Millisecond), mqttrt.WithConnectTimeout(2 * time.Second),
		mqttrt.WithOperationTimeout(30 * time.Second), mqttrt.WithLogger(slog.New(connects)),
	}
	for _, u := range urls[1:] {
		opts = append(opts, mqttrt.WithBroker(u))
	}
	return compatClient(t, urls[0], opts...), connects
}

// connectLog is a slog handler that records every "mqtt: connected"
// record (broker and session_present) and passes every record on to next.
type connectLog struct {
	next  slog.Handler
	state *connectState
}

type connectState struct {
	mu       sync.Mutex
	urls     []string
	sessions []bool // session_present of each connection
}

func newConnectLog(next slog.Handler) *connectLog {
	return &connectLog{next: next, state: &connectState{}}
}

func (l *connectLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *connectLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "mqtt: connected" {
		var url string
		var present bool
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "broker":
				url = a.Value.String()
			case "session_present":
				present = a.Value.Bool()
			}
			return true
		})
		l.state.mu.Lock()
		l.state.urls = append(l.state.urls, url)
		l.state.sessions = append(l.state.sessions, present)
		l.state.mu.Unlock()
	}
	if l.next.Enabled(ctx, r.Level) {
		return l.next.Handle(ctx, r)
	}
	return nil
}

func (l *connectLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &connectLog{next: l.next.WithAttrs(attrs), state: l.state}
}

func (l *connectLog) WithGroup(name string) slog.Handler {
	return &connectLog{next: l.next.WithGroup(name), state: l.state}
}

// brokers returns the brokers connected to, in order, and whether each
// connection found a session.
func (l *connectLog) brokers() ([]string, []bool) {
	l.state.mu.Lock()
	defer l.state.mu.Unlock()
	return slices.Clone(l.state.urls), slices.Clone(l.state.sessions)
}
