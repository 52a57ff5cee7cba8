package generated_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 1 of issue 6: the broker restarts in the middle of a stream of
// 5,000 messages sent and received through generated code, with persistent
// sessions and file stores on both sides. QoS 1: nothing lost (duplicates
// allowed, counted). QoS 2: nothing lost and nothing delivered twice to the
// typed handler.

const (
	restartMessages   = 5000
	restartPublishers = 8 // concurrent publishing goroutines, so several messages are in flight at the restart
	restartAt         = restartMessages * 2 / 5
	restartDowntime   = 700 * time.Millisecond
)

// faultClient connects a runtime client with a persistent session and a
// file store, reconnecting quickly, and disconnects it at the end.
func faultClient(t *testing.T, url, id, store string, opts ...mqttrt.Option) *mqttrt.Client {
	t.Helper()
	opts = append([]mqttrt.Option{
		mqttrt.WithBroker(url), mqttrt.WithClientID(id), mqttrt.WithCleanSession(false),
		mqttrt.WithMessageStore(mqttrt.StoreFile, store), mqttrt.WithMaxReconnectDelay(200 * time.Millisecond),
		mqttrt.WithConnectTimeout(2 * time.Second),
		// A publish waits for the reconnection instead of failing: a
		// retried QoS 2 message would be a second message to the broker.
		mqttrt.WithOperationTimeout(30 * time.Second),
		mqttrt.WithLogger(quietLogger(t)),
	}, opts...)
	c, err := mqttrt.New(opts...)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c.Disconnect(ctx)
	})
	return c
}

// seenCounter counts typed deliveries per message ID.
type seenCounter struct {
	mu        sync.Mutex
	seen      map[string]int
	calls     int
	dupFlags  int
	distinct  atomic.Int64
	firstLate time.Time
}

func newSeenCounter() *seenCounter { return &seenCounter{seen: map[string]int{}} }

func (s *seenCounter) add(id string, dupFlag bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if dupFlag {
		s.dupFlags++
	}
	s.seen[id]++
	if s.seen[id] == 1 {
		s.distinct.Add(1)
	}
}

// report returns received (distinct), lost, duplicated (extra handler calls)
// and how many deliveries carried the DUP flag.
func (s *seenCounter) report(ids []string) (received, lost, duplicated, dupFlags int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		if n := s.seen[id]; n == 0 {
			lost++
		} else {
			received++
			duplicated += n - 1
		}
	}
	return received, lost, duplicated, s.dupFlags
}

func (s *seenCounter) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[id]
}

func messageIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return ids
}

func TestFaultBrokerRestartMidStream(t *testing.T) {
	t.Run("QoS 1", func(t *testing.T) { testBrokerRestart(t, 1) })
	t.Run("QoS 2", func(t *testing.T) { testBrokerRestart(t, 2) })
}

func testBrokerRestart(t *testing.T, qos byte) {
	// Mosquitto drops messages queued for a client beyond 1000 by default;
	// the subscriber may fall that far behind, and the test is about the
	// client, not that limit.
	b := mqtttest.NewBroker(t, mqtttest.WithPersistence(), mqtttest.WithConfig("max_queued_messages 0\n"))
	store := t.TempDir()
	stamp := time.Now().UnixNano()
	subRT := faultClient(t, b.URL(), fmt.Sprintf("restart-sub-%d", stamp), store)
	pubRT := faultClient(t, b.URL(), fmt.Sprintf("restart-pub-%d", stamp), store)
	sub := sensorgateway.NewClient(subRT)
	pub := sensorgateway.NewClient(pubRT)
	ctx := context.Background()

	got := newSeenCounter()
	var err error
	if qos == 1 { // temperature: QoS 1 in the document
		_, err = sub.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
			got.add(m.Payload.SensorID, m.Duplicate)
			return nil
		})
	} else { // alerts: QoS 2 in the document
		_, err = sub.SubscribeAlert(ctx, sensorgateway.AlertsParams{}, func(_ context.Context, m sensorgateway.AlertMessage) error {
			got.add(m.Payload.Message, m.Duplicate)
			return nil
		})
	}
	require.NoError(t, err)
	publishOne := func(id string) error {
		if qos == 1 {
			return pub.PublishTemperature(ctx, sensorgateway.TemperatureParams{Room: "hall"},
				sensorgateway.TemperatureReading{SensorID: id, Celsius: 20})
		}
		return pub.PublishAlert(ctx, sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityCritical},
			sensorgateway.Alert{Code: "RESTART-1", Message: id})
	}

	ids := messageIDs("m", restartMessages)
	var published atomic.Int64
	var pubErrs sync.Map
	var wg sync.WaitGroup
	for g := range restartPublishers {
		wg.Go(func() {
			for i := g; i < len(ids); i += restartPublishers {
				if err := publishOne(ids[i]); err != nil {
					pubErrs.Store(ids[i], err)
				}
				published.Add(1)
			}
		})
	}

	waitForG(t, 60*time.Second, "the stream to reach the restart point", func() bool { return published.Load() >= restartAt })
	down := time.Now()
	b.Stop() // SIGTERM: Mosquitto saves sessions and queued messages
	stoppedAt := published.Load()
	time.Sleep(restartDowntime) // the clients fail to reconnect meanwhile
	b.Start()
	restart := time.Since(down)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(90 * time.Second):
		require.FailNow(t, "the publishers did not finish within 90s")
	}
	deadline := time.Now().Add(20 * time.Second)
	for got.distinct.Load() < restartMessages && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // let late duplicates arrive

	errCount := 0
	pubErrs.Range(func(k, v any) bool {
		errCount++
		if errCount <= 3 {
			assert.Fail(t, "publish failed", "%v: %v", k, v)
		}
		return true
	})
	received, lost, duplicated, dupFlags := got.report(ids)
	ss, ps := subRT.GetStats(), pubRT.GetStats()
	t.Logf("QoS %d, broker restarted after %d of %d publishes (down %v): sent %d, received %d, lost %d, duplicated %d (DUP flag on %d deliveries), publish errors %d; "+
		"publisher losses %d reconnects %d, subscriber losses %d reconnects %d",
		qos, stoppedAt, restartMessages, restart.Round(time.Millisecond), restartMessages, received, lost, duplicated, dupFlags, errCount,
		ps.ConnectionLosses, ps.Reconnects, ss.ConnectionLosses, ss.Reconnects)
	if lost > 0 || errCount > 0 {
		var missing []string
		for _, id := range ids {
			if got.count(id) == 0 && len(missing) < 10 {
				missing = append(missing, id)
			}
		}
		assert.Fail(t, "messages lost", "%d lost (first: %v), %d publishes failed", lost, missing, errCount)
	}
	if qos == 2 {
		assert.Zero(t, duplicated, "QoS 2: duplicates that reached the typed handler")
	}
	assert.NotZero(t, ss.ConnectionLosses, "the subscriber did not notice the restart: %+v", ss)
	assert.NotZero(t, ps.ConnectionLosses, "the publisher did not notice the restart: %+v", ps)
}

// waitForG polls cond every 10ms until it holds or timeout passes.
func waitForG(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		require.False(t, time.Now().After(deadline), "timed out after %v waiting for %s", timeout, what)
		time.Sleep(10 * time.Millisecond)
	}
}
