package runtime_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
)

// testLogger writes to the test's output until the test ends; goroutines
// still logging afterwards (a reconnect loop being stopped) are silenced
// instead of panicking the test binary.
func testLogger(t testing.TB) *slog.Logger {
	w := &testWriter{w: t.Output()}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return len(p), nil
	}
	return w.w.Write(p)
}

func (w *testWriter) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
}

// newClient makes a client that logs to the test and is disconnected when
// the test ends.
func newClient(t testing.TB, opts ...runtime.Option) *runtime.Client {
	t.Helper()
	opts = append([]runtime.Option{
		runtime.WithLogger(testLogger(t)),
		runtime.WithConnectTimeout(2 * time.Second),
		runtime.WithOperationTimeout(3 * time.Second),
	}, opts...)
	c, err := runtime.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Disconnect(ctx); err != nil {
			t.Errorf("Disconnect: %v", err)
		}
	})
	return c
}

// connected makes a client and connects it.
func connected(t testing.TB, opts ...runtime.Option) *runtime.Client {
	t.Helper()
	c := newClient(t, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	return c
}

// waitFor polls cond every 10ms until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// inbox collects received messages.
type inbox struct {
	ch chan msg
}

type msg struct {
	topic    string
	payload  string
	retained bool
	qos      byte
}

func newInbox() *inbox { return &inbox{ch: make(chan msg, 10000)} }

func (in *inbox) handler(_ mqttclient.Client, m mqttclient.Message) {
	in.ch <- msg{topic: m.Topic(), payload: string(m.Payload()), retained: m.Retained(), qos: m.Qos()}
}

// next returns the next message or fails after timeout.
func (in *inbox) next(t testing.TB, timeout time.Duration) msg {
	t.Helper()
	select {
	case m := <-in.ch:
		return m
	case <-time.After(timeout):
		t.Fatalf("no message within %v", timeout)
		return msg{}
	}
}

// none checks that no message arrives within d.
func (in *inbox) none(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-in.ch:
		t.Fatalf("unexpected message %+v", m)
	case <-time.After(d):
	}
}

// slogTo returns a logger writing text to w, guarded by mu.
func slogTo(mu *sync.Mutex, w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{mu, w}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
