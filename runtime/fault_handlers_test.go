package runtime_test

import (
	"fmt"
	goruntime "runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 5 of issue 6: handlers that panic or block.

// Without OrderMatters, handlers that block or panic do not stop the other
// subscriptions as long as a worker is free.
func TestFaultBlockedAndPanickingHandlersUnordered(t *testing.T) {
	const workers, blocked, n = 4, 2, 200
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(false), runtime.WithHandlerWorkers(workers))
	pub := connected(t, runtime.WithBroker(b.URL()))
	release := make(chan struct{})
	defer close(release) // before Disconnect (cleanups run after defers)
	var stuck atomic.Int32
	if err := c.Subscribe("h/block", 1, func(mqttclient.Client, mqttclient.Message) {
		stuck.Add(1)
		select { // bounded: released at the end of the test at the latest
		case <-release:
		case <-time.After(20 * time.Second):
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe("h/panic", 1, func(mqttclient.Client, mqttclient.Message) { panic("handler bug") }); err != nil {
		t.Fatal(err)
	}
	got := newCounter()
	if err := c.Subscribe("h/ok", 1, got.handler); err != nil {
		t.Fatal(err)
	}
	for range blocked {
		if err := pub.Publish("h/block", 1, false, "hold"); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Second, "the handlers to block", func() bool { return stuck.Load() == blocked })
	want := names("ok", n)
	start := time.Now()
	for i, p := range want {
		if i%10 == 0 {
			if err := pub.Publish("h/panic", 1, false, "boom"); err != nil {
				t.Fatal(err)
			}
		}
		if err := pub.Publish("h/ok", 1, false, p); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "the healthy subscription's messages", func() bool { return got.has(want) })
	r, l, d := got.tally(want)
	s := c.GetStats()
	t.Logf("unordered, %d of %d workers blocked, %d panics: sent %d, received %d, lost %d, duplicated %d in %v",
		blocked, workers, s.HandlerPanics, n, r, l, d, time.Since(start).Round(time.Millisecond))
	waitFor(t, 3*time.Second, "the panics to be counted", func() bool { return c.GetStats().HandlerPanics == n/10 })
	if !c.IsConnected() {
		t.Error("the connection did not survive")
	}
}

// With OrderMatters one goroutine runs every handler, so a blocked handler
// holds up every subscription (head-of-line blocking, documented). The
// hold-up is bounded by the handler itself: once it returns, everything
// queued meanwhile is delivered in order, nothing lost, and the connection
// survives because the queue (not paho's reader) absorbs the backlog.
func TestFaultBlockedHandlerOrdered(t *testing.T) {
	t.Run("queue absorbs the backlog", func(t *testing.T) { testBlockedOrdered(t, 1024, 1500*time.Millisecond) })
	// The queue fills up and reading from the socket pauses for longer
	// than the keep-alive (1s): the link must survive that too.
	t.Run("queue full beyond keep-alive", func(t *testing.T) { testBlockedOrdered(t, 8, 2500*time.Millisecond) })
}

func testBlockedOrdered(t *testing.T, queue int, hold time.Duration) {
	const n = 100
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithKeepAlive(time.Second), runtime.WithHandlerQueueSize(queue))
	pub := connected(t, runtime.WithBroker(b.URL()))
	blocking := make(chan struct{})
	if err := c.Subscribe("o/block", 1, func(mqttclient.Client, mqttclient.Message) {
		close(blocking)
		time.Sleep(hold)
	}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var order []int
	var firstAt time.Time
	if err := c.Subscribe("o/next", 1, func(_ mqttclient.Client, m mqttclient.Message) {
		i, _ := strconv.Atoi(string(m.Payload()))
		mu.Lock()
		if len(order) == 0 {
			firstAt = time.Now()
		}
		order = append(order, i)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("o/block", 1, false, "hold"); err != nil {
		t.Fatal(err)
	}
	<-blocking
	blockedAt := time.Now()
	for i := range n {
		if err := pub.Publish("o/next", 1, false, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(hold + 5*time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		done := len(order) == n
		mu.Unlock()
		if done {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != n {
		t.Fatalf("queue %d, handler blocked %v: %d of %d messages arrived (%d lost), connection losses %d",
			queue, hold, len(order), n, n-len(order), c.GetStats().ConnectionLosses)
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("position %d holds message %d", i, v)
		}
	}
	waited := firstAt.Sub(blockedAt)
	t.Logf("ordered, queue %d, handler blocked %v: %d messages queued behind it, first delivered after %v, all in order, 0 lost; losses %d",
		queue, hold, n, waited.Round(time.Millisecond), c.GetStats().ConnectionLosses)
	if waited < hold-50*time.Millisecond {
		t.Errorf("a message was handled %v into a %v block: OrderMatters not honoured", waited, hold)
	}
	if s := c.GetStats(); s.ConnectionLosses != 0 {
		t.Errorf("the connection dropped while a handler blocked: %+v", s)
	}
}

// A slow handler that falls far behind keeps memory bounded: the client
// holds at most HandlerQueueSize messages (plus the one being handled and
// the one waiting to be queued); the rest stays at the broker, and reading
// from the socket pauses. Measured as received-minus-handled and as live
// heap after GC.
func TestFaultSlowHandlerMemoryBounded(t *testing.T) {
	const queue, n, size = 16, 600, 8 << 10
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithHandlerQueueSize(queue))
	pub := connected(t, runtime.WithBroker(b.URL()))
	var handled atomic.Uint64
	var maxBacklog atomic.Int64
	if err := c.Subscribe("slow/#", 1, func(mqttclient.Client, mqttclient.Message) {
		backlog := int64(c.GetStats().MessagesReceived - handled.Load())
		for {
			m := maxBacklog.Load()
			if backlog <= m || maxBacklog.CompareAndSwap(m, backlog) {
				break
			}
		}
		time.Sleep(3 * time.Millisecond)
		handled.Add(1)
	}); err != nil {
		t.Fatal(err)
	}
	heapBefore := liveHeap()
	payload := make([]byte, size)
	for i := range n {
		if err := pub.Publish(fmt.Sprintf("slow/%d", i%4), 1, false, payload); err != nil {
			t.Fatal(err)
		}
	}
	var heapPeak uint64
	deadline := time.Now().Add(20 * time.Second)
	for handled.Load() < n && time.Now().Before(deadline) {
		heapPeak = max(heapPeak, liveHeap())
		time.Sleep(100 * time.Millisecond)
	}
	if handled.Load() != n {
		t.Fatalf("handled %d of %d", handled.Load(), n)
	}
	growth := int64(heapPeak) - int64(heapBefore)
	t.Logf("slow handler: %d × %d KiB published (%d KiB), max backlog in the client %d (queue %d), live heap growth %d KiB",
		n, size>>10, n*size>>10, maxBacklog.Load(), queue, growth>>10)
	// The backlog read in the handler includes the message being handled
	// and one blocked on the full queue.
	if m := maxBacklog.Load(); m > queue+2 {
		t.Errorf("the client held %d unhandled messages, the bound is %d", m, queue+2)
	}
	// Everything published is 4.8 MiB; a bounded client holds a fraction.
	if growth > int64(n*size/2) {
		t.Errorf("live heap grew by %d KiB while %d KiB were waiting", growth>>10, n*size>>10)
	}
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}
