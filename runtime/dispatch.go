package runtime

import (
	"context"
	"runtime/debug"
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
	done        chan struct{} // closed when every worker has exited
}

// start launches the workers unless they are running.
func (d *dispatcher) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.q != nil {
		return
	}
	q := &dqueue{room: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	d.q = q
	var wg sync.WaitGroup
	for range d.workers {
		wg.Go(func() { d.work(q) })
	}
	go func() { wg.Wait(); close(q.done) }()
}

// work runs deliveries until the queue is stopped and drained (queued
// messages are handled even while disconnecting).
func (d *dispatcher) work(q *dqueue) {
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
		d.run(del)
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
// until ctx ends (a handler calling Disconnect must not wait for itself).
func (d *dispatcher) shutdown(ctx context.Context) {
	d.mu.Lock()
	q := d.q
	d.q = nil
	d.mu.Unlock()
	if q == nil {
		return
	}
	q.mu.Lock()
	q.stopping = true
	q.cond.Broadcast()
	q.mu.Unlock()
	close(q.stop)
	select {
	case <-q.done:
	case <-ctx.Done():
	}
}

// runDelivery calls each handler of del, recovering panics so that one bad
// handler neither kills the process nor stops the others, then
// acknowledges the message.
func (c *Client) runDelivery(del delivery) {
	for _, h := range del.handlers {
		c.callHandler(h, del.msg)
	}
	c.ack(del.msg)
}

func (c *Client) callHandler(h MessageHandler, m mqttclient.Message) {
	defer func() {
		if r := recover(); r != nil {
			c.stats.panics.Add(1)
			c.log.Error("mqtt: handler panicked", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos(), "panic", r, "stack", string(debug.Stack()))
		}
	}()
	h(c.pc, m)
}
