package runtime_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// stormFilters are the filters the storm subscribes and unsubscribes.
const stormFilters = 6

// A hundred goroutines publish (QoS 0/1/2, Publish, PublishAsync,
// PublishContext with short deadlines), subscribe and unsubscribe (handles
// and Subscribe/Unsubscribe by filter) and ping, while the link is dropped
// three times and Reconnect is called once. Afterwards: the broker holds
// exactly the filters some handler wants (a probe reaches each live
// handler once, nothing is unrouted), the counters add up, and Disconnect
// leaves no goroutine behind. This held; it guards the fixes of this
// series (dispatcher, registry, reconnection) against regressions.
func TestAttackStormConvergesAndLeaksNothing(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	pub := connected(t, runtime.WithBroker(b.URL()))
	base := goruntime.NumGoroutine()

	c, err := runtime.New(runtime.WithBroker(p.URL()), runtime.WithLogger(testLogger(t)), runtime.WithClientID("storm"),
		runtime.WithCleanSession(false), runtime.WithOrderMatters(false), runtime.WithMaxReconnectDelay(50*time.Millisecond),
		runtime.WithOperationTimeout(time.Second), runtime.WithConnectTimeout(time.Second),
		runtime.WithAsyncErrorHandler(func(string, error) {}))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, c.Connect(ctx))

	filters := make([]string, stormFilters)
	for i := range filters {
		filters[i] = fmt.Sprintf("storm/%d", i)
	}
	var mu sync.Mutex
	live := make([]map[*atomic.Int64]runtime.Subscription, stormFilters)
	for i := range live {
		live[i] = map[*atomic.Int64]runtime.Subscription{}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 100 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 42))
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := r.IntN(stormFilters)
				qos := byte(r.IntN(3))
				switch r.IntN(9) {
				case 0, 1:
					_ = c.Publish(filters[i], qos, false, "x")
				case 2:
					_ = c.PublishAsync(filters[i], qos, false, "x")
				case 3:
					pctx, pcancel := context.WithTimeout(ctx, time.Duration(r.IntN(40))*time.Millisecond)
					_ = c.PublishContext(pctx, filters[i], qos, false, []byte("y"))
					pcancel()
				case 4, 5:
					n := new(atomic.Int64)
					sub, err := c.SubscribeContext(ctx, filters[i], qos, func(mqttclient.Client, mqttclient.Message) { n.Add(1) })
					if err == nil {
						mu.Lock()
						live[i][n] = sub
						mu.Unlock()
					}
				case 6:
					mu.Lock()
					var n *atomic.Int64
					var sub runtime.Subscription
					for n, sub = range live[i] {
						delete(live[i], n)
						break
					}
					mu.Unlock()
					if sub != nil {
						_ = sub.Unsubscribe(ctx)
					}
				case 7:
					_ = c.Subscribe(filters[i], qos, func(mqttclient.Client, mqttclient.Message) {})
				case 8:
					_ = c.Ping(ctx)
					_ = c.GetSubscriptions()
					_ = c.GetStats()
				}
			}
		})
	}
	for i := range 4 {
		time.Sleep(300 * time.Millisecond)
		if i == 2 {
			_ = c.Reconnect()
		} else {
			p.Drop()
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	waited := make(chan struct{})
	go func() { wg.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(20 * time.Second):
		buf := make([]byte, 1<<20)
		t.Fatalf("the storm's goroutines did not stop:\n%s", buf[:goruntime.Stack(buf, true)])
	}
	waitFor(t, 10*time.Second, "the link", c.IsConnected)

	// Odd filters: every handler ends. Even filters: the live handles stay,
	// the Subscribe handler goes (Unsubscribe by filter would end all).
	for i := range stormFilters {
		if i%2 == 1 {
			mu.Lock()
			subs := live[i]
			live[i] = map[*atomic.Int64]runtime.Subscription{}
			mu.Unlock()
			for _, s := range subs {
				_ = s.Unsubscribe(ctx)
			}
			require.NoError(t, c.Unsubscribe(filters[i]))
		} else {
			c.AddRoute(filters[i], nil)
		}
	}
	time.Sleep(300 * time.Millisecond) // late messages of the storm
	mu.Lock()
	wantReceived := 0
	for i := range stormFilters {
		for n := range live[i] {
			n.Store(0)
		}
		if i%2 == 0 && len(live[i]) > 0 {
			wantReceived++
		}
	}
	mu.Unlock()
	before := c.GetStats()
	for i := range stormFilters {
		require.NoError(t, pub.Publish(filters[i], 1, false, "probe"))
	}
	time.Sleep(700 * time.Millisecond)
	after := c.GetStats()
	mu.Lock()
	for i := range stormFilters {
		wrong := 0
		for n := range live[i] {
			if n.Load() != 1 {
				wrong++
			}
		}
		assert.Zero(t, wrong, "filter %s: handles without exactly one probe (of %d)", filters[i], len(live[i]))
	}
	mu.Unlock()
	assert.Equal(t, uint64(wantReceived), after.MessagesReceived-before.MessagesReceived, "probes received")
	assert.Equal(t, before.MessagesUnrouted, after.MessagesUnrouted, "probes unrouted: the broker holds a filter nobody wants")

	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer dcancel()
	require.NoError(t, c.Disconnect(dctx))
	s := c.GetStats()
	t.Logf("stats: sent %d = acked %d + errors %d; dropped %d; received %d; reconnects %d; losses %d",
		s.MessagesSent, s.PublishAcked, s.PublishErrors, s.MessagesDropped, s.MessagesReceived, s.Reconnects, s.ConnectionLosses)
	assert.Equal(t, s.MessagesSent, s.PublishAcked+s.PublishErrors)
	assert.Positive(t, s.PublishAcked)

	deadline := time.Now().Add(10 * time.Second)
	for goruntime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if n := goruntime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines after Disconnect, %d before the client:\n%s", n, base, buf[:goruntime.Stack(buf, true)])
	}
}
