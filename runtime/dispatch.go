package runtime

import (
	"context"
	"runtime/debug"
	"sync"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// delivery is one received message and the handlers it goes to.
type delivery struct {
	msg      mqttclient.Message
	handlers []MessageHandler
}

// dispatcher runs handlers off paho's goroutine, on a bounded queue: with
// one worker (OrderMatters) messages are handled one at a time in arrival
// order; with several, concurrently. A handler may therefore publish and
// wait for the acknowledgement: paho's reader is never blocked by it unless
// the queue is full, and then only until the handler's wait times out.
type dispatcher struct {
	run     func(delivery)
	workers int
	size    int

	mu    sync.Mutex
	queue chan delivery // nil when stopped
	stop  chan struct{}
	done  chan struct{} // closed when every worker has exited
}

// start launches the workers unless they are running.
func (d *dispatcher) start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.queue != nil {
		return
	}
	queue, stop, done := make(chan delivery, d.size), make(chan struct{}), make(chan struct{})
	d.queue, d.stop, d.done = queue, stop, done
	var wg sync.WaitGroup
	for range d.workers {
		wg.Go(func() { d.work(queue, stop) })
	}
	go func() { wg.Wait(); close(done) }()
}

func (d *dispatcher) work(queue chan delivery, stop chan struct{}) {
	for {
		select {
		case del := <-queue:
			d.run(del)
		case <-stop:
			for { // drain: these messages were already acknowledged to the broker
				select {
				case del := <-queue:
					d.run(del)
				default:
					return
				}
			}
		}
	}
}

// enqueue queues del, waiting while the queue is full (which pauses reading
// from the broker: back-pressure, bounded memory). It reports false when the
// dispatcher is stopped.
func (d *dispatcher) enqueue(del delivery) bool {
	d.mu.Lock()
	queue, stop := d.queue, d.stop
	d.mu.Unlock()
	if queue == nil {
		return false
	}
	select {
	case queue <- del:
		return true
	case <-stop:
		return false
	}
}

// shutdown stops the workers after they drain the queue and waits for them
// until ctx ends (a handler calling Disconnect must not wait for itself).
func (d *dispatcher) shutdown(ctx context.Context) {
	d.mu.Lock()
	stop, done := d.stop, d.done
	d.queue, d.stop, d.done = nil, nil, nil
	d.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// runDelivery calls each handler of del, recovering panics so that one bad
// handler neither kills the process nor stops the others.
func (c *Client) runDelivery(del delivery) {
	for _, h := range del.handlers {
		c.callHandler(h, del.msg)
	}
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
