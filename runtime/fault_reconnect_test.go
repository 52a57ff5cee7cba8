package runtime_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 4 of issue 6: MaxReconnectAttempts and MaxReconnectDelay are
// honoured against a broker that stays down. The attempts are timed through
// the ReconnectingHandler, which the client calls right before each one.

// schedSlack absorbs scheduling delays on a loaded 2-core CI machine; it is
// only ever added to upper bounds.
const schedSlack = 250 * time.Millisecond

// attemptClock records when the connection was lost, when each
// reconnection attempt started, and when the client gave up.
type attemptClock struct {
	mu       sync.Mutex
	lost     time.Time
	attempts []time.Time
	gaveUp   time.Time
	giveErr  error
}

func (a *attemptClock) install(c *runtime.Client) {
	c.SetConnectionLostHandler(func(mqttclient.Client, error) {
		a.mu.Lock()
		a.lost = time.Now()
		a.mu.Unlock()
	})
	c.SetReconnectingHandler(func(mqttclient.Client, *mqttclient.ClientOptions) {
		a.mu.Lock()
		a.attempts = append(a.attempts, time.Now())
		a.mu.Unlock()
	})
}

func (a *attemptClock) failed(err error) {
	a.mu.Lock()
	a.gaveUp, a.giveErr = time.Now(), err
	a.mu.Unlock()
}

func (a *attemptClock) snapshot() (lost time.Time, attempts []time.Time, gaveUp time.Time, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.lost, append([]time.Time(nil), a.attempts...), a.gaveUp, a.giveErr
}

// expectedDelays is the documented backoff: 250ms doubling, capped at max.
func expectedDelays(n int, max time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	d := min(250*time.Millisecond, max)
	for i := range out {
		out[i] = d
		d = min(2*d, max)
	}
	return out
}

// checkSpacing compares the measured gaps with the backoff (±20% jitter)
// plus the time each failed attempt itself took (extra).
func checkSpacing(t *testing.T, lost time.Time, attempts []time.Time, max, extra time.Duration) {
	t.Helper()
	want := expectedDelays(len(attempts), max)
	prev := lost
	for i, at := range attempts {
		gap := at.Sub(prev)
		lo := time.Duration(float64(want[i]) * 0.8)
		hi := time.Duration(float64(want[i])*1.2) + schedSlack
		if i > 0 {
			lo += extra
			hi += extra
		}
		t.Logf("attempt %d: %v after the previous event (backoff %v, allowed [%v, %v])", i+1, gap.Round(time.Millisecond), want[i], lo, hi)
		if gap < lo-5*time.Millisecond || gap > hi {
			t.Errorf("attempt %d came %v after the previous event, want within [%v, %v]", i+1, gap, lo, hi)
		}
		prev = at
	}
}

func TestFaultMaxReconnectAttemptsBrokerDown(t *testing.T) {
	const attempts = 6
	const maxDelay = 400 * time.Millisecond
	b := mqtttest.NewBroker(t)
	var clock attemptClock
	c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithMaxReconnectAttempts(attempts),
		runtime.WithMaxReconnectDelay(maxDelay), runtime.WithConnectTimeout(time.Second),
		runtime.WithReconnectFailedHandler(clock.failed))
	clock.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Stop() // stays down for the rest of the test

	// 250 + 5×400ms ±20%, plus slack: well under 6s.
	waitFor(t, 6*time.Second, "the client to give up", func() bool { _, _, g, _ := clock.snapshot(); return !g.IsZero() })
	time.Sleep(2 * maxDelay) // long enough for one more attempt, were there one
	lost, at, gaveUp, err := clock.snapshot()
	if len(at) != attempts {
		t.Fatalf("%d attempts, want %d", len(at), attempts)
	}
	if !errors.Is(err, runtime.ErrConnectionFailed) {
		t.Errorf("give-up error %v does not wrap ErrConnectionFailed", err)
	}
	// A refused TCP connection fails in well under a millisecond, so the
	// gaps are the backoff alone.
	checkSpacing(t, lost, at, maxDelay, 0)
	if d := gaveUp.Sub(at[len(at)-1]); d > schedSlack {
		t.Errorf("gave up %v after the last attempt started", d)
	}
	s := c.GetStats()
	if s.ReconnectAttempts != attempts || !s.ReconnectGaveUp || s.Connected || s.Reconnects != 0 {
		t.Errorf("stats %+v", s)
	}
	t.Logf("broker down: %d attempts over %v, then gave up (%v)", len(at), gaveUp.Sub(lost).Round(time.Millisecond), err)
}

// A broker that accepts TCP but never answers: every attempt lasts
// ConnectTimeout, and the attempts are still counted and spaced.
func TestFaultMaxReconnectAttemptsBrokerSilent(t *testing.T) {
	const attempts = 3
	const maxDelay = 200 * time.Millisecond
	const connectTimeout = 400 * time.Millisecond
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	var clock attemptClock
	c := newClient(t, runtime.WithBroker(p.URL()), runtime.WithMaxReconnectAttempts(attempts),
		runtime.WithMaxReconnectDelay(maxDelay), runtime.WithConnectTimeout(connectTimeout),
		runtime.WithReconnectFailedHandler(clock.failed))
	clock.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.Stall() // new connections are accepted and never answered
	p.Drop()
	waitFor(t, 5*time.Second, "the client to give up", func() bool { _, _, g, _ := clock.snapshot(); return !g.IsZero() })
	time.Sleep(2 * (maxDelay + connectTimeout))
	lost, at, gaveUp, err := clock.snapshot()
	if len(at) != attempts {
		t.Fatalf("%d attempts, want %d", len(at), attempts)
	}
	checkSpacing(t, lost, at, maxDelay, connectTimeout)
	if d := gaveUp.Sub(at[len(at)-1]); d < connectTimeout || d > connectTimeout+schedSlack {
		t.Errorf("the last attempt lasted %v, want about ConnectTimeout %v", d, connectTimeout)
	}
	if !errors.Is(err, runtime.ErrConnectionFailed) {
		t.Errorf("give-up error: %v", err)
	}
	t.Logf("silent broker: %d attempts of %v each over %v, then gave up (%v)", len(at), connectTimeout,
		gaveUp.Sub(lost).Round(time.Millisecond), err)
}

// MaxReconnectAttempts 0 never gives up, keeps the delay at its cap, and
// reconnects as soon as the broker is back.
func TestFaultUnlimitedReconnectAttempts(t *testing.T) {
	const maxDelay = 100 * time.Millisecond
	b := mqtttest.NewBroker(t)
	var clock attemptClock
	c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithMaxReconnectAttempts(0),
		runtime.WithMaxReconnectDelay(maxDelay), runtime.WithReconnectFailedHandler(clock.failed))
	clock.install(c)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	b.Stop()
	waitFor(t, 5*time.Second, "ten attempts", func() bool { _, at, _, _ := clock.snapshot(); return len(at) >= 10 })
	restart := time.Now()
	b.Start()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.IsConnected() })
	back := time.Since(restart)
	lost, at, gaveUp, _ := clock.snapshot()
	if !gaveUp.IsZero() || c.GetStats().ReconnectGaveUp {
		t.Error("gave up although MaxReconnectAttempts is 0")
	}
	checkSpacing(t, lost, at[:10], maxDelay, 0)
	// The broker's start is measured from before Start returned, so the
	// bound is one capped delay plus the start itself.
	if back > 3*time.Second {
		t.Errorf("reconnected %v after the broker came back", back)
	}
	t.Logf("unlimited: %d attempts while down, reconnected %v after Start (incl. broker start)", len(at), back.Round(time.Millisecond))
}
