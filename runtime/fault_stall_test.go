package runtime_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 3 of issue 6: the network stalls silently (the proxy stops
// forwarding, no FIN, no RST). The client must notice within 1.5 ×
// keep-alive, reconnect once traffic flows again, have its subscriptions
// back, and the QoS ≥ 1 messages published meanwhile must arrive.

const stallKeepAlive = 2 * time.Second

// counter counts received payloads.
type counter struct {
	mu   sync.Mutex
	seen map[string]int
}

func newCounter() *counter { return &counter{seen: map[string]int{}} }

func (c *counter) handler(_ mqttclient.Client, m mqttclient.Message) {
	c.mu.Lock()
	c.seen[string(m.Payload())]++
	c.mu.Unlock()
}

// tally reports how many of want arrived, how many were lost and how many
// extra copies came.
func (c *counter) tally(want []string) (received, lost, dups int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, w := range want {
		switch n := c.seen[w]; {
		case n == 0:
			lost++
		default:
			received++
			dups += n - 1
		}
	}
	return
}

func (c *counter) has(all []string) bool {
	_, lost, _ := c.tally(all)
	return lost == 0
}

type publishResult struct {
	payload string
	err     error
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func TestFaultSilentStall(t *testing.T) {
	for _, persistent := range []bool{false, true} {
		name := "clean session"
		if persistent {
			name = "persistent session"
		}
		t.Run(name, func(t *testing.T) { testSilentStall(t, persistent) })
	}
}

func testSilentStall(t *testing.T, persistent bool) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	lost := make(chan time.Time, 4)
	opts := []runtime.Option{
		runtime.WithBroker(p.URL()), runtime.WithKeepAlive(stallKeepAlive),
		runtime.WithConnectTimeout(time.Second), runtime.WithMaxReconnectDelay(300 * time.Millisecond),
		// Long enough for a publish to outlive detection and reconnection.
		runtime.WithOperationTimeout(15 * time.Second),
	}
	if persistent {
		opts = append(opts, runtime.WithClientID(fmt.Sprintf("stall-%d", time.Now().UnixNano())), runtime.WithCleanSession(false))
	}
	c := newClient(t, opts...)
	c.SetConnectionLostHandler(func(mqttclient.Client, error) { lost <- time.Now() })
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	toClient := newCounter()
	if err := c.Subscribe("stall/in/#", 1, toClient.handler); err != nil {
		t.Fatal(err)
	}
	peer := connected(t, runtime.WithBroker(b.URL()))
	fromClient := newCounter()
	if err := peer.Subscribe("stall/out/#", 2, fromClient.handler); err != nil {
		t.Fatal(err)
	}

	// Traffic right before the stall, so that the keep-alive timer starts
	// from fresh activity (the worst case for detection).
	if err := c.Publish("stall/out/warmup", 1, false, "warmup"); err != nil {
		t.Fatal(err)
	}
	p.Stall()
	stalled := time.Now()

	// Publishes made while the stall is not yet noticed: QoS 1 and 2 from
	// the client, QoS 1 to it.
	during := names("during", 6)
	results := make(chan publishResult, len(during)+4)
	for i, payload := range during {
		go func() { results <- publishResult{payload, c.Publish("stall/out/x", byte(1+i%2), false, payload)} }()
	}
	toDuring := names("to-during", 10)
	for _, payload := range toDuring {
		if err := peer.Publish("stall/in/x", 1, false, payload); err != nil {
			t.Fatal(err)
		}
	}

	var detected time.Duration
	select {
	case at := <-lost:
		detected = at.Sub(stalled)
	case <-time.After(3 * stallKeepAlive):
		t.Fatalf("stall not noticed within %v", 3*stallKeepAlive)
	}
	t.Logf("stall noticed after %v (keep-alive %v, bound 1.5 × keep-alive = %v)", detected.Round(time.Millisecond),
		stallKeepAlive, 3*stallKeepAlive/2)
	if detected > 3*stallKeepAlive/2+100*time.Millisecond {
		t.Errorf("stall noticed after %v, want within 1.5 × keep-alive = %v", detected, 3*stallKeepAlive/2)
	}

	// Publishes made after the loss was noticed, while reconnection
	// attempts still hang in the stalled proxy.
	after := names("after", 4)
	for i, payload := range after {
		go func() { results <- publishResult{payload, c.Publish("stall/out/y", byte(1+i%2), false, payload)} }()
	}
	time.Sleep(1500 * time.Millisecond) // at least one attempt times out in the stall
	if c.IsConnected() {
		t.Fatal("connected through a stalled proxy")
	}
	resumed := time.Now()
	p.Resume()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.IsConnected() })
	t.Logf("reconnected %v after traffic resumed", time.Since(resumed).Round(time.Millisecond))

	var failed []error
	failedAfter := 0
	for range len(during) + len(after) {
		select {
		case res := <-results:
			if res.err != nil {
				failed = append(failed, res.err)
				if strings.HasPrefix(res.payload, "after") {
					failedAfter++
				}
			}
		case <-time.After(20 * time.Second):
			t.Fatal("a publish did not return within its bound")
		}
	}

	// The subscription works again (resumed by the client or kept by the
	// broker).
	probe := names("probe", 1)
	if err := peer.Publish("stall/in/probe", 1, false, probe[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the probe through the resumed subscription", func() bool { return toClient.has(probe) })

	// Publishes made after the loss was noticed wait for the reconnection
	// and must all arrive, whatever the session.
	for deadline := time.Now().Add(5 * time.Second); !fromClient.has(after) && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	sent := append(append([]string(nil), during...), after...)
	time.Sleep(300 * time.Millisecond) // let late copies arrive
	if _, lostAfter, _ := fromClient.tally(after); lostAfter > 0 || failedAfter > 0 {
		t.Errorf("publishes made after the loss was noticed: %d of %d lost, %d returned an error; they must wait for the reconnection",
			lostAfter, len(after), failedAfter)
	}
	r, l, d := fromClient.tally(sent)
	t.Logf("from the client: sent %d (%d while the stall was unnoticed, %d after), received %d, lost %d, duplicated %d, publish errors %d",
		len(sent), len(during), len(after), r, l, d, len(failed))
	for _, err := range failed {
		t.Logf("publish error: %v", err)
	}
	switch {
	case persistent && (l > 0 || len(failed) > 0):
		t.Errorf("persistent session: %d publishes lost, %d failed; want all delivered", l, len(failed))
	case l > len(failed):
		// With a clean session paho fails the publishes still in flight
		// when the loss is noticed (the broker keeps no state to resend
		// them to): each lost message must at least have told its caller.
		t.Errorf("%d publishes lost but only %d reported an error: silent loss", l, len(failed))
	}
	r, l, d = toClient.tally(toDuring)
	t.Logf("to the client during the stall: sent %d, received %d, lost %d, duplicated %d", len(toDuring), r, l, d)
	if persistent && l > 0 {
		// Without a persistent session MQTT lets the broker discard them.
		t.Errorf("persistent session: %d of %d messages to the client lost", l, len(toDuring))
	}
	// A stale CONNECT from an attempt that timed out in the stall may reach
	// the broker after the good one and take the session over: the client
	// then reconnects once more. Every loss must end in a reconnection.
	if s := c.GetStats(); s.ConnectionLosses < 1 || s.Reconnects != s.ConnectionLosses {
		t.Errorf("stats %+v, want every loss followed by a reconnection", s)
	}
}
