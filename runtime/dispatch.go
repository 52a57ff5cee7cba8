package runtime

import (
	"bytes"
	"context"
	goruntime "runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// delivery is one received message and the handlers it goes to.
type delivery struct {
	msg      mqttclient.Message
	handlers []MessageHandler
}

// enqueued says what became of a delivery handed to the dispatcher.
type enqueued int

const (
	queued    enqueued = iota
	discarded          // QoS 0, no room: dropped (counted by the caller)
	stopped            // the dispatcher is not running
)

// dispatcher runs handlers off paho's goroutine: with one worker
// (OrderMatters) messages are handled one at a time in arrival order; with
// several, concurrently. A handler may therefore publish and wait for the
// acknowledgement.
//
// The queue holds `size` deliveries. When it is full, paho's reader waits
// for room (back-pressure), but for at most `pause`: a reader stopped for
// longer would leave the broker's PINGRESP unread and paho would drop a
// healthy link. After that the queue overflows until it has room again:
// QoS 1/2 messages are kept (they are acknowledged only once handled, so
// the broker's in-flight window, e.g. Mosquitto's max_inflight_messages of
// 20, bounds them) and QoS 0 messages are discarded.
type dispatcher struct {
	run     func(delivery)
	workers int
	size    int
	pause   time.Duration

	mu sync.Mutex
	q  *dqueue // nil when stopped
}

// dqueue is one run of the dispatcher; workers of an earlier run that are
// still draining (a handler calling Disconnect) keep their own.
type dqueue struct {
	mu          sync.Mutex
	cond        *sync.Cond // signalled when items are added or stop is set
	items       []delivery // FIFO
	stopping    bool
	overflowing bool          // the reader stopped waiting for room
	room        chan struct{} // cap 1: a worker made room in a full queue
	stop        chan struct{} // closed by shutdown
	// exited has one channel per worker, closed when it exits; goids are
	// the workers' goroutine IDs, so that shutdown called from a handler
	// waits for every worker but its caller (see shutdown).
	exited []chan struct{}
	goids  []uint64
}

// start launches the workers unless they are running.
func (d *dispatcher) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.q != nil {
		return
	}
	q := &dqueue{room: make(chan struct{}, 1), stop: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	q.exited = make([]chan struct{}, d.workers)
	q.goids = make([]uint64, d.workers)
	d.q = q
	for i := range d.workers {
		q.exited[i] = make(chan struct{})
		go d.work(q, i)
	}
}

// work runs deliveries until the queue is stopped and drained (queued
// messages are handled even while disconnecting).
func (d *dispatcher) work(q *dqueue, i int) {
	running := false // a delivery is being run
	defer func() {
		if running {
			// A handler called runtime.Goexit (t.FailNow does): this
			// goroutine ends whatever happens, so another takes its
			// place, or the queue would never move again.
			go d.work(q, i)
			return
		}
		close(q.exited[i])
	}()
	id := goid()
	q.mu.Lock()
	q.goids[i] = id
	q.mu.Unlock()
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.stopping {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			q.mu.Unlock()
			return
		}
		del := q.items[0]
		q.items[0] = delivery{}
		q.items = q.items[1:]
		if len(q.items) < d.size {
			q.overflowing = false
			select {
			case q.room <- struct{}{}:
			default:
			}
		}
		q.mu.Unlock()
		running = true
		d.run(del)
		running = false
	}
}

// enqueue queues del, waiting up to pause while the queue is full (see
// dispatcher). It runs on paho's reader goroutine.
func (d *dispatcher) enqueue(del delivery) enqueued {
	d.mu.Lock()
	q := d.q
	d.mu.Unlock()
	if q == nil {
		return stopped
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) >= d.size && !q.overflowing {
		deadline := time.Now().Add(d.pause)
		for len(q.items) >= d.size && !q.stopping {
			wait := time.Until(deadline)
			if wait <= 0 {
				q.overflowing = true
				break
			}
			q.mu.Unlock()
			t := time.NewTimer(wait)
			select {
			case <-q.room:
			case <-t.C:
			case <-q.stop:
			}
			t.Stop()
			q.mu.Lock()
		}
	}
	switch {
	case q.stopping:
		return stopped
	case len(q.items) >= d.size && del.msg.Qos() == 0:
		return discarded
	}
	q.items = append(q.items, del)
	q.cond.Signal()
	return queued
}

// shutdown stops the workers after they drain the queue and waits for them
// until ctx ends. Called from a handler (Disconnect in a handler), it does
// not wait for the worker running that handler, which cannot go on before
// shutdown returns: it drains the rest of the queue afterwards.
func (d *dispatcher) shutdown(ctx context.Context) {
	d.mu.Lock()
	q := d.q
	d.q = nil
	d.mu.Unlock()
	if q == nil {
		return
	}
	caller := goid()
	q.mu.Lock()
	q.stopping = true
	q.cond.Broadcast()
	goids := slices.Clone(q.goids)
	q.mu.Unlock()
	close(q.stop)
	for i, exited := range q.exited {
		if goids[i] == caller {
			continue
		}
		select {
		case <-exited:
		case <-ctx.Done():
			return
		}
	}
}

// goid is the ID of the calling goroutine, read from the first line of its
// stack trace ("goroutine 42 [running]:"). Go exposes no other way for a
// worker to recognise that a handler it runs is calling back into the
// dispatcher; it costs a microsecond and is used once per worker and once
// per shutdown, never per message.
func goid() uint64 {
	var buf [64]byte
	line := buf[:goruntime.Stack(buf[:], false)]
	line, _ = bytes.CutPrefix(line, []byte("goroutine "))
	if i := bytes.IndexByte(line, ' '); i > 0 {
		line = line[:i]
	}
	id, _ := strconv.ParseUint(string(line), 10, 64)
	return id
}

// runDelivery calls each handler of del, recovering panics so that one bad
// handler neither kills the process nor stops the others, then
// acknowledges the message.
func (c *Client) runDelivery(del delivery) {
	defer c.ack(del.msg) // also when a handler ends the goroutine (Goexit)
	for _, h := range del.handlers {
		c.callHandler(h, del.msg)
	}
}

func (c *Client) callHandler(h MessageHandler, m mqttclient.Message) {
	returned := false
	defer func() {
		if r := recover(); r != nil {
			c.stats.panics.Add(1)
			c.log.Error("mqtt: handler panicked", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos(), "panic", r, "stack", string(debug.Stack()))
		} else if !returned {
			c.stats.panics.Add(1)
			c.log.Error("mqtt: handler called runtime.Goexit (t.FailNow?); its worker is replaced and the message's other handlers skipped",
				"client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos())
		}
	}()
	h(c.pc, m)
	returned = true
}
