package runtime_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// The Mosquitto on this machine is built without websockets, so ws:// is
// tested against mochi-mqtt's websocket listener.
func TestWebsocketScheme(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddListener(listeners.NewWebsocket(listeners.Config{Type: listeners.TypeWS, ID: "ws", Address: addr})); err != nil {
		t.Fatal(err)
	}
	if err := srv.Serve(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	// Serve starts its listeners on goroutines: wait for the port, bounded.
	waitFor(t, 3*time.Second, "the websocket listener", func() bool {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			conn.Close()
		}
		return err == nil
	})

	c := connected(t, runtime.WithBroker("ws://"+addr+"/mqtt"))
	in := newInbox()
	if err := c.Subscribe("ws/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish("ws/x", 1, false, "over websockets"); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.payload != "over websockets" {
		t.Errorf("got %+v", m)
	}
}

// With AutoReconnect off a lost link stays lost, and says so.
func TestAutoReconnectOff(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := newClient(t, runtime.WithBroker(p.URL()), runtime.WithAutoReconnect(false))
	var lc lifecycle
	lc.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.Drop()
	waitFor(t, 3*time.Second, "the loss", func() bool { return lc.losses.Load() == 1 })
	time.Sleep(600 * time.Millisecond)
	if c.IsConnected() || lc.reconnecting.Load() != 0 || c.GetStats().ReconnectAttempts != 0 {
		t.Errorf("reconnected although AutoReconnect is off: %+v", c.GetStats())
	}
	if err := c.Publish("x", 1, false, "x"); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("QoS 1 publish with no reconnection coming: %v", err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatalf("Connect after the loss: %v", err)
	}
}

// A tiny handler queue applies back-pressure: nothing is lost, order holds.
func TestHandlerQueueBackPressure(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithHandlerQueueSize(1))
	pub := connected(t, runtime.WithBroker(b.URL()))
	got := make(chan string, 100)
	if err := c.Subscribe("bp", 1, func(_ mqttclient.Client, m mqttclient.Message) {
		time.Sleep(5 * time.Millisecond)
		got <- string(m.Payload())
	}); err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		if err := pub.Publish("bp", 1, false, string(rune('A'+i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		select {
		case p := <-got:
			if p != string(rune('A'+i)) {
				t.Fatalf("position %d: %q", i, p)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d lost", i)
		}
	}
}

// Lifecycle callbacks may call back into the client: no lock is held
// across them.
func TestCallbacksMayUseTheClient(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := newClient(t, runtime.WithBroker(p.URL()), runtime.WithMaxReconnectDelay(100*time.Millisecond))
	in := newInbox()
	var onConnectErrs, onConnectDone, lostOK atomic.Int32
	c.SetOnConnectHandler(func(mqttclient.Client) {
		defer onConnectDone.Add(1)
		if err := c.Subscribe("cb/#", 1, in.handler); err != nil {
			t.Logf("OnConnect: %v", err)
			onConnectErrs.Add(1)
		}
		if err := c.Publish("cb/hello", 1, false, "hi"); err != nil {
			t.Logf("OnConnect: %v", err)
			onConnectErrs.Add(1)
		}
	})
	c.SetConnectionLostHandler(func(mqttclient.Client, error) {
		_ = c.GetStats()
		_ = c.GetSubscriptions()
		if err := c.Publish("cb/lost", 0, false, "x"); errors.Is(err, runtime.ErrNotConnected) {
			lostOK.Add(1)
		}
	})
	c.SetReconnectingHandler(func(mqttclient.Client, *mqttclient.ClientOptions) { _ = c.IsConnected() })
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.next(t, 3*time.Second)
	waitFor(t, 3*time.Second, "OnConnect to finish", func() bool { return onConnectDone.Load() == 1 })
	p.Drop()
	in.next(t, 5*time.Second) // OnConnect ran again after the reconnection
	waitFor(t, 3*time.Second, "OnConnect to finish again", func() bool { return onConnectDone.Load() == 2 })
	if onConnectErrs.Load() != 0 || lostOK.Load() != 1 {
		t.Errorf("errors in OnConnect %d, lost handler ok %d", onConnectErrs.Load(), lostOK.Load())
	}
}

func TestContextMethodsHonourContext(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sub, err := c.SubscribeContext(ctx, "ctx/#", 1, nil)
	assert.ErrorIs(t, err, runtime.ErrSubscribeFailed, "SubscribeContext")
	assert.ErrorIs(t, err, context.Canceled, "SubscribeContext")
	assert.Nil(t, sub, "a cancelled SubscribeContext returned a subscription")
	assert.Empty(t, c.GetSubscriptions(), "a cancelled subscription is tracked")
	err = c.PublishContext(ctx, "ctx/x", 1, false, []byte("x"))
	assert.ErrorIs(t, err, runtime.ErrPublishFailed, "PublishContext")
	assert.ErrorIs(t, err, context.Canceled, "PublishContext")
	err = c.UnsubscribeContext(ctx, "ctx/#")
	assert.ErrorIs(t, err, runtime.ErrUnsubscribeFailed, "UnsubscribeContext")
	assert.ErrorIs(t, err, context.Canceled, "UnsubscribeContext")
	assert.ErrorIs(t, c.Ping(ctx), context.Canceled, "Ping")

	live, stop := context.WithTimeout(context.Background(), 3*time.Second)
	defer stop()
	sub, err = c.SubscribeContext(live, "ctx/#", 1, nil)
	require.NoError(t, err)
	assert.Equal(t, "ctx/#", sub.Filter())
	err = sub.Unsubscribe(ctx)
	assert.ErrorIs(t, err, runtime.ErrUnsubscribeFailed, "Subscription.Unsubscribe")
	assert.ErrorIs(t, err, context.Canceled, "Subscription.Unsubscribe")
	require.NoError(t, c.UnsubscribeContext(live, "ctx/#"))
}
