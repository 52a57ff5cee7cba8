package runtime_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// TestFailoverBetweenTwoBrokers is the broker-cluster story of the README
// with two independent brokers (Mosquitto when installed): the client is
// given both URLs; when the one it uses stops, it reconnects to the other
// and makes its subscriptions there again (the second broker has no
// session for it); when that one stops too and the first is back, it
// returns to the first. A client whose first broker is already down
// connects to the second.
func TestFailoverBetweenTwoBrokers(t *testing.T) {
	first, second := mqtttest.NewBroker(t), mqtttest.NewBroker(t)
	t.Logf("brokers %s and %s (embedded: %v)", first.URL(), second.URL(), first.Embedded())
	fast := runtime.WithMaxReconnectDelay(300 * time.Millisecond)
	var mu sync.Mutex
	var logs strings.Builder
	c := connected(t, runtime.WithBroker(first.URL()), runtime.WithBroker(second.URL()), fast,
		runtime.WithClientID("failover-1"), runtime.WithLogger(slogTo(&mu, &logs)))
	in := newInbox()
	if err := c.Subscribe("failover/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}

	// publishVia publishes on one broker only, with a client of its own,
	// so a message that arrives proves which broker c is connected to.
	publishVia := func(b *mqtttest.Broker, payload string) {
		t.Helper()
		p := connected(t, runtime.WithBroker(b.URL()))
		if err := p.Publish("failover/x", 1, false, payload); err != nil {
			t.Fatal(err)
		}
		if err := p.Disconnect(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	publishVia(first, "on first")
	if m := in.next(t, 5*time.Second); m.payload != "on first" {
		t.Fatalf("got %+v", m)
	}

	first.Stop()
	waitFor(t, 10*time.Second, "failover to the second broker", func() bool {
		s := c.GetStats()
		return s.Connected && s.Reconnects == 1
	})
	publishVia(second, "on second")
	if m := in.next(t, 5*time.Second); m.payload != "on second" {
		t.Fatalf("got %+v", m)
	}

	// A client made now skips the stopped first broker.
	late := connected(t, runtime.WithBroker(first.URL()), runtime.WithBroker(second.URL()))
	if err := late.Ping(context.Background()); err != nil {
		t.Errorf("client connected past a stopped broker cannot ping: %v", err)
	}

	first.Start()
	second.Stop()
	waitFor(t, 10*time.Second, "failing back to the first broker", func() bool {
		s := c.GetStats()
		return s.Connected && s.Reconnects == 2
	})
	publishVia(first, "back on first")
	if m := in.next(t, 5*time.Second); m.payload != "back on first" {
		t.Fatalf("got %+v", m)
	}
	in.none(t, 200*time.Millisecond)
	if s := c.GetStats(); s.ConnectionLosses != 2 || s.Subscriptions != 1 {
		t.Errorf("stats after two failovers: %+v", s)
	}
	second.Start() // so that late's cleanup can disconnect cleanly

	// The log says which broker each connection reached.
	mu.Lock()
	defer mu.Unlock()
	var connects []string
	for line := range strings.Lines(logs.String()) {
		if strings.Contains(line, `msg="mqtt: connected"`) && strings.Contains(line, "client_id=failover-1") {
			_, b, _ := strings.Cut(line, " broker=")
			b, _, _ = strings.Cut(b, " ")
			connects = append(connects, b)
		}
	}
	if want := []string{first.URL(), second.URL(), first.URL()}; !slices.Equal(connects, want) {
		t.Errorf("connected log lines name brokers %q, want %q", connects, want)
	}
}
