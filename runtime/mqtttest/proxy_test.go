package mqtttest

import (
	"runtime"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// lostChan returns client options that report a lost connection on the
// returned channel.
func lostChan(opts *paho.ClientOptions) (*paho.ClientOptions, <-chan error) {
	lost := make(chan error, 1)
	return opts.SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err }), lost
}

func waitLost(t *testing.T, lost <-chan error, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case err := <-lost:
		t.Logf("connection lost after %v: %v", time.Since(start).Round(time.Millisecond), err)
		return time.Since(start)
	case <-time.After(within):
		t.Fatalf("client did not notice the cut within %v", within)
		return 0
	}
}

func TestProxyDrop(t *testing.T) {
	b := NewBroker(t)
	p := NewProxy(t, b.URL())
	if p.URL() != "tcp://"+p.Addr() {
		t.Fatalf("URL() = %q", p.URL())
	}
	opts, lost := lostChan(clientOpts(p.URL()))
	c := connect(t, opts)
	roundTrip(t, c, "mqtttest/proxy/drop")
	if n := p.Connections(); n != 1 {
		t.Fatalf("Connections() = %d, want 1", n)
	}

	p.Drop()
	waitLost(t, lost, waitTimeout)
	eventually(t, "no connection left", func() bool { return p.Connections() == 0 })

	// New connections are still accepted after a drop.
	if err := wait(c.Connect()); err != nil {
		t.Fatalf("reconnect through proxy: %v", err)
	}
	roundTrip(t, c, "mqtttest/proxy/after-drop")
}

func TestProxyStallAndResume(t *testing.T) {
	b := NewBroker(t)
	p := NewProxy(t, b.Addr()) // host:port works as well as a URL
	sub := connect(t, clientOpts(b.URL()))
	got := subscribe(t, sub, "mqtttest/proxy/stall", 1)

	const keepAlive = time.Second
	opts, lost := lostChan(clientOpts(p.URL()).SetKeepAlive(keepAlive).SetPingTimeout(keepAlive))
	pub := connect(t, opts)
	publish(t, pub, "mqtttest/proxy/stall", 1, "before")
	expect(t, got, "before")

	p.Stall()
	tok := pub.Publish("mqtttest/proxy/stall", 1, false, "during")
	select {
	case m := <-got:
		t.Fatalf("%q crossed a stalled proxy", m)
	case <-time.After(300 * time.Millisecond):
	}
	if tok.WaitTimeout(10 * time.Millisecond) {
		t.Fatal("PUBACK crossed a stalled proxy")
	}
	// Paho notices after keep-alive + ping timeout, give or take a tick.
	if took := waitLost(t, lost, 4*keepAlive); took < keepAlive/2 {
		t.Fatalf("lost after %v: the stall was not silent", took)
	}

	p.Resume()
	// The bytes held during the stall are delivered after Resume.
	expect(t, got, "during")
	if err := wait(pub.Connect()); err != nil {
		t.Fatalf("reconnect after resume: %v", err)
	}
	publish(t, pub, "mqtttest/proxy/stall", 1, "after")
	expect(t, got, "after")
}

func TestProxyStallsNewConnections(t *testing.T) {
	b := NewBroker(t)
	p := NewProxy(t, b.URL())
	p.Stall()
	p.Stall() // twice is the same as once
	if _, err := tryConnect(clientOpts(p.URL()).SetConnectTimeout(300 * time.Millisecond)); err == nil {
		t.Fatal("connected through a stalled proxy")
	}
	p.Resume()
	p.Resume()
	roundTrip(t, connect(t, clientOpts(p.URL())), "mqtttest/proxy/resumed")
}

func TestProxyRefuseNew(t *testing.T) {
	b := NewBroker(t)
	p := NewProxy(t, b.URL())
	kept := connect(t, clientOpts(p.URL()))

	p.RefuseNew(true)
	if _, err := tryConnect(clientOpts(p.URL())); err == nil {
		t.Fatal("connected through a refusing proxy")
	}
	roundTrip(t, kept, "mqtttest/proxy/kept") // existing connections untouched

	p.RefuseNew(false)
	roundTrip(t, connect(t, clientOpts(p.URL())), "mqtttest/proxy/accepted")
}

func TestProxyCloseEndsConnections(t *testing.T) {
	b := NewBroker(t)
	p := NewProxy(t, b.URL())
	opts, lost := lostChan(clientOpts(p.URL()))
	connect(t, opts)
	p.Close()
	waitLost(t, lost, waitTimeout)
	if dialable(p.Addr()) {
		t.Fatal("closed proxy still accepts connections")
	}
	p.Close() // idempotent
}

func TestProxyBadTarget(t *testing.T) {
	for _, target := range []string{"no-port", "tcp://127.0.0.1", "::bad::"} {
		if _, _, err := splitTarget(target); err == nil {
			t.Errorf("splitTarget(%q) accepted", target)
		}
	}
	scheme, hp, err := splitTarget("ssl://127.0.0.1:8883")
	if err != nil || scheme != "ssl" || hp != "127.0.0.1:8883" {
		t.Fatalf("splitTarget(ssl://127.0.0.1:8883) = %q, %q, %v", scheme, hp, err)
	}
}

// TestNoGoroutineLeak runs brokers, proxies and every fault, then checks
// the goroutine count returns to where it was.
func TestNoGoroutineLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithPersistence())...)
		p := NewProxy(t, b.URL())
		c := connect(t, clientOpts(p.URL()))
		roundTrip(t, c, "mqtttest/leak")
		p.Stall()
		go c.Publish("mqtttest/leak", 1, false, "held")
		time.Sleep(50 * time.Millisecond)
		p.Drop()
		p.Resume()
		b.Stop()
		b.Start()
		b.Kill()
		b.Start()
		connect(t, clientOpts(p.URL()))
		p.RefuseNew(true)
		_, _ = tryConnect(clientOpts(p.URL()))
	})
	var after int
	deadline := time.Now().Add(waitTimeout)
	for {
		after = runtime.NumGoroutine()
		if after <= before || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
