package runtime_test

import (
	"sync/atomic"

	"context"
	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A Disconnect that gives up waiting for a Connect still dialling (its
// context ended first) must not leave the link that Connect then makes
// open: the client says it is disconnected, and an open link behind its
// back keeps the session, pings forever and never publishes the will.
func TestAttackDisconnectDuringConnectLeavesNoLink(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := newClient(t, runtime.WithBroker(p.URL()), runtime.WithConnectTimeout(5*time.Second))

	p.Stall() // the CONNECT waits in the proxy
	connected := make(chan error, 1)
	go func() { connected <- c.Connect(context.Background()) }()
	time.Sleep(300 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	derr := c.Disconnect(ctx)
	t.Logf("Disconnect while dialling: %v", derr)
	p.Resume() // the CONNACK comes back now

	var cerr error
	select {
	case cerr = <-connected:
	case <-time.After(8 * time.Second):
		t.Fatal("Connect did not return")
	}
	t.Logf("Connect: %v", cerr)
	require.ErrorIs(t, cerr, runtime.ErrConnectionFailed)

	// Give paho time to settle whatever it does with the link.
	time.Sleep(300 * time.Millisecond)
	assert.False(t, c.IsConnected())
	assert.False(t, c.GetClient().IsConnectionOpen(), "paho's link is still open after Connect failed and Disconnect returned")
	assert.Equal(t, 0, p.Connections(), "the proxy still forwards a connection for a disconnected client")

	// The client is usable again.
	cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer ccancel()
	require.NoError(t, c.Connect(cctx))
	require.NoError(t, c.Ping(cctx))
}

// A handler may call Disconnect (a "shut down" command, say). Disconnect
// waits for queued messages to reach their handlers, but not for the
// handler it is called from: that one cannot return before Disconnect
// does, so waiting for it only burnt the whole bound (OperationTimeout +
// ConnectTimeout) and ended in ErrTimeout.
func TestAttackDisconnectFromHandler(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		t.Run(map[bool]string{true: "ordered", false: "unordered"}[ordered], func(t *testing.T) {
			b := mqtttest.NewBroker(t)
			c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(ordered))
			type result struct {
				err  error
				took time.Duration
			}
			done := make(chan result, 1)
			var later atomic.Int32
			require.NoError(t, c.Subscribe("cmd/stop", 1, func(mqttclient.Client, mqttclient.Message) {
				start := time.Now()
				err := c.Disconnect(context.Background())
				done <- result{err, time.Since(start)}
			}))
			require.NoError(t, c.Subscribe("cmd/other", 1, func(mqttclient.Client, mqttclient.Message) { later.Add(1) }))
			pub := connected(t, runtime.WithBroker(b.URL()))
			require.NoError(t, pub.Publish("cmd/stop", 1, false, "now"))
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Disconnect from a handler did not return")
			}
			t.Logf("Disconnect from a handler: %v after %v", r.err, r.took)
			require.NoError(t, r.err)
			assert.Less(t, r.took, 2*time.Second, "Disconnect waited for the handler calling it")
			assert.False(t, c.IsConnected())
			assert.False(t, c.GetClient().IsConnectionOpen())

			// The client connects again and delivers as before.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			require.NoError(t, c.Connect(ctx))
			require.NoError(t, c.Publish("cmd/other", 1, false, "x"))
			waitFor(t, 3*time.Second, "a message after reconnecting", func() bool { return later.Load() == 1 })
		})
	}
}

// Ping promises ErrTimeout for a stalled link and ErrNotConnected for a
// closed one. A link that died during the round trip gave paho's
// "connection lost before Unsubscribe completed" wrapped in no sentinel,
// so errors.Is could not tell it from anything else.
func TestAttackPingOnALinkThatDiesIsErrNotConnected(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithOperationTimeout(5*time.Second), runtime.WithAutoReconnect(false))
	p.Stall()
	done := make(chan error, 1)
	go func() { done <- c.Ping(context.Background()) }()
	time.Sleep(200 * time.Millisecond)
	p.Drop()
	select {
	case err := <-done:
		t.Logf("Ping: %v", err)
		require.ErrorIs(t, err, runtime.ErrNotConnected)
	case <-time.After(4 * time.Second):
		t.Fatal("Ping did not return when the link died")
	}
	p.Resume()
}

// Publishers waiting for a place in the publish window when the client is
// closed were not released: Disconnect failed the 20 publishes in flight
// at once, but the 10 queued behind them waited out the whole
// OperationTimeout (8 s here, 10 s by default) and then reported a
// PublishWindow timeout, as if the broker were slow. They now fail with
// ErrNotConnected as soon as no reconnection is coming (Disconnect, and
// likewise a lost link with AutoReconnect off, or reconnection giving up).
func TestAttackWindowWaitersReleasedByDisconnect(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithOperationTimeout(8*time.Second))
	p.Stall() // nothing is acknowledged: 20 publishes fill the window
	errs := make(chan error, 30)
	for range 30 {
		go func() { errs <- c.Publish("window/t", 1, false, "x") }()
	}
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	require.NoError(t, c.Disconnect(ctx))
	for range 30 {
		select {
		case err := <-errs:
			require.ErrorIs(t, err, runtime.ErrPublishFailed)
			require.NotErrorIs(t, err, runtime.ErrTimeout, "a waiter timed out instead of being released")
		case <-time.After(3 * time.Second):
			t.Fatalf("a publisher was still waiting %v after Disconnect", time.Since(start))
		}
	}
	t.Logf("all 30 returned %v after Disconnect", time.Since(start))
	p.Resume()

	// Connected again, the window is whole: 20 publishes at once go through.
	require.NoError(t, c.Connect(ctx))
	for range 20 {
		go func() { errs <- c.Publish("window/t", 1, false, "x") }()
	}
	for range 20 {
		require.NoError(t, <-errs)
	}
}

// Concurrent Reconnect calls: a second call waited for the first one's
// dial and then asked paho to connect a link that was already up, failing
// with "status is already connected or reconnecting" although the client
// was connected. Calls made while one is in progress now share its
// outcome.
func TestAttackConcurrentReconnectCallsShareOneAttempt(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	for round := range 5 {
		errs := make(chan error, 20)
		for range 20 {
			go func() { errs <- c.Reconnect() }()
		}
		for range 20 {
			select {
			case err := <-errs:
				require.NoError(t, err, "round %d", round)
			case <-time.After(10 * time.Second):
				t.Fatal("Reconnect did not return")
			}
		}
		require.True(t, c.IsConnected())
		require.NoError(t, c.Ping(context.Background()))
	}
}
