package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// deadURL is a loopback address nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "tcp://" + addr
}

func TestConnectErrors(t *testing.T) {
	c := newClient(t, runtime.WithBroker(deadURL(t)))
	err := c.Connect(context.Background())
	if !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dead broker: %v", err)
	}
	if c.IsConnected() {
		t.Error("connected after a failure")
	}
	if err := c.Publish("a", 0, false, "x"); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("publish before connect: %v", err)
	}
	if err := c.Publish("a", 1, false, "x"); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("QoS 1 publish before connect: %v", err)
	}
	if err := c.Subscribe("a", 0, nil); !errors.Is(err, runtime.ErrSubscribeFailed) || !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("subscribe before connect: %v", err)
	}
	if err := c.Ping(context.Background()); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("ping before connect: %v", err)
	}
	if s := c.GetStats(); s.MessagesDropped != 2 || s.MessagesSent != 0 {
		t.Errorf("stats %+v", s)
	}

	b := mqtttest.NewBroker(t)
	ok := connected(t, runtime.WithBroker(b.URL()))
	if err := ok.Connect(context.Background()); !errors.Is(err, runtime.ErrAlreadyConnected) {
		t.Errorf("second Connect: %v", err)
	}
	// A context that ends first bounds Connect.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	late := newClient(t, runtime.WithBroker(b.URL()))
	if err := late.Connect(ctx); !errors.Is(err, runtime.ErrConnectionFailed) {
		t.Errorf("cancelled Connect: %v", err)
	}
}

func TestBrokerFailover(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(deadURL(t)), runtime.WithBroker(b.URL()))
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSchemes(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(strings.Replace(b.URL(), "tcp://", "mqtt://", 1)))
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestLoginRefused(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithUser("alice", "right-password"))
	var logs strings.Builder
	var mu sync.Mutex
	bad := newClient(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("alice", "wrong-password"),
		runtime.WithLogger(slogTo(&mu, &logs)))
	err := bad.Connect(context.Background())
	if !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "login refused") {
		t.Fatalf("wrong password: %v", err)
	}
	anon := newClient(t, runtime.WithBroker(b.URL()))
	if err := anon.Connect(context.Background()); !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "login refused") {
		t.Fatalf("anonymous: %v", err)
	}
	connected(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("alice", "right-password"))
	mu.Lock()
	defer mu.Unlock()
	if strings.Contains(err.Error(), "wrong-password") || strings.Contains(logs.String(), "wrong-password") {
		t.Errorf("the password leaked: %v / %s", err, logs.String())
	}
}

func TestACLDeniedSubscribe(t *testing.T) {
	b := mqtttest.NewBroker(t,
		mqtttest.WithUser("dev", "pw"),
		mqtttest.WithACL("user dev\ntopic readwrite allowed/#\n"))
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("dev", "pw"))
	in := newInbox()
	err := c.Subscribe("secret/#", 1, in.handler)
	if !errors.Is(err, runtime.ErrSubscribeFailed) || !strings.Contains(err.Error(), "0x80") || !strings.Contains(err.Error(), "secret/#") {
		t.Fatalf("denied subscribe: %v", err)
	}
	err = c.SubscribeMultiple(map[string]byte{"allowed/x": 1, "secret/y": 1}, in.handler)
	if !errors.Is(err, runtime.ErrSubscribeFailed) || !strings.Contains(err.Error(), "secret/y") || strings.Contains(err.Error(), "allowed/x") {
		t.Fatalf("partly denied subscribe: %v", err)
	}
	if subs := c.GetSubscriptions(); len(subs) != 1 || subs[0].Topic != "allowed/x" {
		t.Errorf("tracked %+v, want only allowed/x", subs)
	}
	if err := c.Publish("allowed/x", 1, false, "ok"); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.topic != "allowed/x" {
		t.Errorf("got %+v", m)
	}
}

func TestTLS(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithTLS())
	files := b.TLSFiles()
	t.Run("CA only", func(t *testing.T) {
		c := connected(t, runtime.WithBroker(b.URL()), runtime.WithTLS("", "", files.CAFile))
		if err := c.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("mqtts scheme", func(t *testing.T) {
		connected(t, runtime.WithBroker(strings.Replace(b.URL(), "ssl://", "mqtts://", 1)), runtime.WithTLS("", "", files.CAFile))
	})
	t.Run("unknown CA is refused", func(t *testing.T) {
		c := newClient(t, runtime.WithBroker(b.URL()))
		err := c.Connect(context.Background())
		if !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("skip verify warns", func(t *testing.T) {
		var logs strings.Builder
		var mu sync.Mutex
		connected(t, runtime.WithBroker(b.URL()), runtime.WithTLSSkipVerify(true), runtime.WithLogger(slogTo(&mu, &logs)))
		mu.Lock()
		defer mu.Unlock()
		if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "verification is off") {
			t.Errorf("no warning: %s", logs.String())
		}
	})
	t.Run("custom tls.Config", func(t *testing.T) {
		connected(t, runtime.WithBroker(b.URL()), runtime.WithTLSConfig(b.ClientTLSConfig()))
	})
}

func TestMutualTLS(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithClientCerts())
	files := b.TLSFiles()
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithTLS(files.ClientCert, files.ClientKey, files.CAFile))
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	noCert := newClient(t, runtime.WithBroker(b.URL()), runtime.WithTLS("", "", files.CAFile))
	if err := noCert.Connect(context.Background()); !errors.Is(err, runtime.ErrConnectionFailed) {
		t.Fatalf("without a client certificate: %v", err)
	}
}

// The will is published when the link dies without DISCONNECT, and not
// after Disconnect.
func TestWill(t *testing.T) {
	b := mqtttest.NewBroker(t)
	watcher := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := watcher.Subscribe("will/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}

	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithAutoReconnect(false),
		runtime.WithWill("will/abrupt", []byte("gone"), 1, false))
	p.Drop()
	if m := in.next(t, 5*time.Second); m.topic != "will/abrupt" || m.payload != "gone" {
		t.Errorf("got %+v", m)
	}
	waitFor(t, 3*time.Second, "the loss to be noticed", func() bool { return !c.IsConnected() })

	clean := connected(t, runtime.WithBroker(b.URL()), runtime.WithWill("will/clean", []byte("gone"), 1, false))
	if err := clean.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	in.none(t, 500*time.Millisecond)
}

// lifecycle records the lifecycle callbacks.
type lifecycle struct {
	connects, losses, reconnecting atomic.Int32
}

func (l *lifecycle) install(c *runtime.Client) {
	c.SetOnConnectHandler(func(mqttclient.Client) { l.connects.Add(1) })
	c.SetConnectionLostHandler(func(mqttclient.Client, error) { l.losses.Add(1) })
	c.SetReconnectingHandler(func(_ mqttclient.Client, o *mqttclient.ClientOptions) {
		if o == nil || len(o.Servers) == 0 {
			panic("reconnecting handler without options")
		}
		l.reconnecting.Add(1)
	})
}

// After a broker restart (no persistence: the session is gone) the client
// reconnects by itself and makes its subscriptions again.
func TestReconnectAfterBrokerRestartResumesSubscriptions(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithMaxReconnectDelay(300*time.Millisecond))
	var lc lifecycle
	lc.install(c) // set after New: the setters take effect
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := newInbox()
	if err := c.Subscribe("resume/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	before := c.GetSubscriptions()[0].SubscribedAt

	b.Stop()
	waitFor(t, 5*time.Second, "the loss", func() bool { return lc.losses.Load() == 1 })
	if c.IsConnected() || c.GetStats().Connected {
		t.Error("connected while the broker is down")
	}
	time.Sleep(400 * time.Millisecond) // a few failed attempts
	b.Start()
	waitFor(t, 10*time.Second, "the reconnection", func() bool { return c.IsConnected() && lc.connects.Load() == 2 })

	pub := connected(t, runtime.WithBroker(b.URL()))
	if err := pub.Publish("resume/x", 1, false, "after"); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 5*time.Second); m.payload != "after" {
		t.Errorf("got %+v", m)
	}
	s := c.GetStats()
	if s.Reconnects != 1 || s.ConnectionLosses != 1 || s.ReconnectAttempts < 2 || int32(s.ReconnectAttempts) != lc.reconnecting.Load() {
		t.Errorf("stats %+v, reconnecting handler called %d times", s, lc.reconnecting.Load())
	}
	if after := c.GetSubscriptions()[0].SubscribedAt; !after.After(before) {
		t.Errorf("subscription not made again: %v then %v", before, after)
	}
}

// With ResumeSubs off, the subscriptions are not made again.
func TestResumeSubsOff(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithResumeSubs(false), runtime.WithMaxReconnectDelay(100*time.Millisecond))
	in := newInbox()
	if err := c.Subscribe("nores/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	p.Drop()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.GetStats().Reconnects == 1 && c.IsConnected() })
	if err := c.Publish("nores/x", 1, false, "x"); err != nil {
		t.Fatal(err)
	}
	in.none(t, 300*time.Millisecond)
}

// With CleanSession false the broker keeps the session: no resubscription
// is needed and messages published meanwhile arrive.
func TestPersistentSession(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithClientID("persistent-1"), runtime.WithCleanSession(false),
		runtime.WithMaxReconnectDelay(200*time.Millisecond))
	in := newInbox()
	if err := c.Subscribe("keep/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	before := c.GetSubscriptions()[0].SubscribedAt
	p.RefuseNew(true)
	p.Drop()
	waitFor(t, 3*time.Second, "the loss", func() bool { return !c.IsConnected() })
	pub := connected(t, runtime.WithBroker(b.URL()))
	if err := pub.Publish("keep/x", 1, false, "queued"); err != nil {
		t.Fatal(err)
	}
	p.RefuseNew(false)
	if m := in.next(t, 5*time.Second); m.payload != "queued" {
		t.Errorf("got %+v", m)
	}
	if after := c.GetSubscriptions()[0].SubscribedAt; !after.Equal(before) {
		t.Error("resubscribed although the broker kept the session")
	}
}

// MaxReconnectAttempts is enforced: after that many failures the client
// stops, says so once, and stays disconnected until told otherwise.
func TestMaxReconnectAttemptsStops(t *testing.T) {
	b := mqtttest.NewBroker(t)
	failed := make(chan error, 10)
	c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithMaxReconnectAttempts(3),
		runtime.WithMaxReconnectDelay(100*time.Millisecond), runtime.WithConnectTimeout(500*time.Millisecond),
		runtime.WithReconnectFailedHandler(func(err error) { failed <- err }))
	var lc lifecycle
	lc.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Stop()
	start := time.Now()
	select {
	case err := <-failed:
		if !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "after 3 attempts") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("reconnection never gave up")
	}
	elapsed := time.Since(start)
	time.Sleep(500 * time.Millisecond) // no further attempt happens
	s := c.GetStats()
	if s.ReconnectAttempts != 3 || lc.reconnecting.Load() != 3 || !s.ReconnectGaveUp || s.Connected || len(failed) != 0 {
		t.Errorf("stats %+v, reconnecting handler %d", s, lc.reconnecting.Load())
	}
	// Backoff 250ms capped at 100ms, ±20%: three waits take at least 240ms.
	if elapsed < 240*time.Millisecond {
		t.Errorf("gave up after %v: the delay was not applied", elapsed)
	}
	if err := c.Publish("x", 1, false, "x"); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("publish after giving up: %v", err)
	}
	// Reconnect starts again once the broker is back.
	b.Start()
	if err := c.Reconnect(); err != nil {
		t.Fatal(err)
	}
	if !c.IsConnected() || c.GetStats().ReconnectGaveUp {
		t.Error("Reconnect did not restore the client")
	}
}

// While the link is down a QoS 0 publish is an error (never a fake
// success) and a QoS 1 publish waits for the reconnection.
func TestPublishDuringOutage(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithMaxReconnectDelay(100*time.Millisecond))
	in := newInbox()
	if err := c.Subscribe("out/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	p.RefuseNew(true)
	p.Drop()
	waitFor(t, 3*time.Second, "the loss", func() bool { return !c.IsConnected() })

	if err := c.Publish("out/0", 0, false, "x"); !errors.Is(err, runtime.ErrNotConnected) || !errors.Is(err, runtime.ErrPublishFailed) {
		t.Errorf("QoS 0 during the outage: %v", err)
	}
	if err := c.PublishAsync("out/0", 0, false, "x"); !errors.Is(err, runtime.ErrNotConnected) {
		t.Errorf("async QoS 0 during the outage: %v", err)
	}
	if s := c.GetStats(); s.MessagesDropped != 2 {
		t.Errorf("dropped %d, want 2", s.MessagesDropped)
	}
	done := make(chan error, 1)
	go func() { done <- c.Publish("out/1", 1, false, "waited") }()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("QoS 1 publish returned during the outage: %v", err)
	default:
	}
	p.RefuseNew(false)
	if err := <-done; err != nil {
		t.Fatalf("QoS 1 publish after the reconnection: %v", err)
	}
	if m := in.next(t, 5*time.Second); m.payload != "waited" {
		t.Errorf("got %+v", m)
	}
}

// A stalled link (no FIN, no error) is not trusted: acknowledged operations
// time out, Ping fails, keep-alive notices it, and the client recovers.
func TestStalledLink(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithOperationTimeout(500*time.Millisecond),
		runtime.WithKeepAlive(time.Second), runtime.WithMaxReconnectDelay(200*time.Millisecond))
	if err := c.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := newInbox()
	if err := c.Subscribe("stall/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	p.Stall()
	start := time.Now()
	err := c.Publish("stall/x", 1, false, "x")
	if !errors.Is(err, runtime.ErrTimeout) || !errors.Is(err, runtime.ErrPublishFailed) {
		t.Errorf("publish on a stalled link: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("publish took %v, the bound is 500ms", d)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := c.Ping(ctx); !errors.Is(err, runtime.ErrTimeout) {
		t.Errorf("ping on a stalled link: %v", err)
	}
	if s := c.GetStats(); s.PublishErrors != 1 || s.MessagesSent != s.PublishAcked+s.PublishErrors {
		t.Errorf("stats %+v", s)
	}
	waitFor(t, 5*time.Second, "keep-alive to notice", func() bool { return c.GetStats().ConnectionLosses == 1 })
	if d := time.Since(start); d > 2500*time.Millisecond {
		t.Errorf("loss noticed after %v; keep-alive is 1s", d)
	}
	p.Resume()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.IsConnected() && c.GetStats().Reconnects == 1 })
	if err := c.Publish("stall/y", 1, false, "y"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 3*time.Second, "stall/y", func() bool {
		select {
		case m := <-in.ch:
			return m.payload == "y"
		default:
			return false
		}
	})
}

func TestReconnectMethod(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := newClient(t, runtime.WithBroker(b.URL()))
	var lc lifecycle
	lc.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := newInbox()
	if err := c.Subscribe("rc/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	if err := c.Reconnect(); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish("rc/x", 1, false, "x"); err != nil {
		t.Fatal(err)
	}
	in.next(t, 3*time.Second)
	waitFor(t, 3*time.Second, "two OnConnect calls", func() bool { return lc.connects.Load() == 2 })
	if s := c.GetStats(); s.Reconnects != 1 || lc.losses.Load() != 0 {
		t.Errorf("stats %+v, losses %d", s, lc.losses.Load())
	}
}

func TestDisconnectAndConnectAgain(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := c.Subscribe("again/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if err := c.PublishAsync("again/x", 1, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Disconnect(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Disconnect waited for the async publishes.
	if s := c.GetStats(); s.PublishAcked != 20 || s.Connected {
		t.Errorf("stats after Disconnect %+v", s)
	}
	if err := c.Disconnect(context.Background()); err != nil {
		t.Errorf("second Disconnect: %v", err)
	}
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		in.next(t, 3*time.Second)
	}
	if err := c.Publish("again/y", 1, false, "y"); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.payload != "y" {
		t.Errorf("the subscription was not made again after Connect: %+v", m)
	}
}

// TestConnectedOnlyOnceSubscriptionsResumed: after a reconnection that lost
// the session, IsConnected turns true only when the tracked subscriptions
// are made again, so a message published to one of them as soon as the
// client says it is connected is delivered. 300 filters (three SUBSCRIBE
// round trips) keep the resubscription long enough for a publish to slip
// in before it when IsConnected only reflects paho's link.
func TestConnectedOnlyOnceSubscriptionsResumed(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithMaxReconnectDelay(50*time.Millisecond))
	in := newInbox()
	filters := map[string]byte{}
	for i := range 300 {
		filters[fmt.Sprintf("resumed/%03d", i)] = 1
	}
	if err := c.SubscribeMultiple(filters, in.handler); err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		p.Drop()
		waitFor(t, 5*time.Second, "the loss to be noticed", func() bool { return c.GetStats().ConnectionLosses > uint64(round) })
		// Publish the moment IsConnected says so (polling every 10 ms
		// would let the resubscription finish first).
		for deadline := time.Now().Add(10 * time.Second); !c.IsConnected(); {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: not connected again within 10s", round)
			}
			goruntime.Gosched()
		}
		if err := c.Publish("resumed/299", 1, false, fmt.Sprint(round)); err != nil {
			t.Fatal(err)
		}
		if m := in.next(t, 3*time.Second); m.payload != fmt.Sprint(round) {
			t.Fatalf("round %d: got %q", round, m.payload)
		}
		if n := len(c.GetSubscriptions()); n != 300 {
			t.Fatalf("round %d: %d subscriptions tracked, want 300", round, n)
		}
	}
}
