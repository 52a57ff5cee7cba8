package runtime_test

import (
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// With OrderMatters, handlers see messages one at a time in arrival order,
// even when they are slow.
func TestOrderMatters(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(true))
	pub := connected(t, runtime.WithBroker(b.URL()))
	const n = 200
	var active, overlaps atomic.Int32
	got := make(chan int, n)
	handler := func(_ mqttclient.Client, m mqttclient.Message) {
		if active.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer active.Add(-1)
		if m.Topic() == "ord/a" {
			time.Sleep(time.Millisecond) // slow handler: later messages queue up behind it
		}
		i, _ := strconv.Atoi(string(m.Payload()))
		got <- i
	}
	// Two subscriptions: order holds across handlers too.
	if err := c.Subscribe("ord/a", 1, handler); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe("ord/b", 1, handler); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := pub.Publish(fmt.Sprintf("ord/%c", 'a'+i%2), 1, false, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	for want := range n {
		select {
		case i := <-got:
			if i != want {
				t.Fatalf("message %d arrived in position %d", i, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("message %d missing", want)
		}
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d handler calls overlapped", overlaps.Load())
	}
}

// Without OrderMatters, handlers run concurrently: two handler calls are
// seen active at the same time.
func TestUnorderedHandlersRunConcurrently(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(false), runtime.WithHandlerWorkers(4))
	var active atomic.Int32
	both := make(chan struct{})
	var closed atomic.Bool
	if err := c.Subscribe("par/#", 1, func(mqttclient.Client, mqttclient.Message) {
		if active.Add(1) == 2 && closed.CompareAndSwap(false, true) {
			close(both)
		}
		select { // hold the worker until a second one is busy too
		case <-both:
		case <-time.After(3 * time.Second):
		}
		active.Add(-1)
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := c.Publish(fmt.Sprintf("par/%d", i), 1, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-both:
	case <-time.After(3 * time.Second):
		t.Fatal("handlers never ran at the same time")
	}
}

// A handler may publish at any QoS and wait for the acknowledgement, in both
// modes, without deadlocking paho's router.
func TestPublishFromHandler(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		t.Run(fmt.Sprintf("OrderMatters=%v", ordered), func(t *testing.T) {
			b := mqtttest.NewBroker(t)
			c := connected(t, runtime.WithBroker(b.URL()), runtime.WithOrderMatters(ordered))
			replies := newInbox()
			if err := c.Subscribe("reply/#", 2, replies.handler); err != nil {
				t.Fatal(err)
			}
			errs := make(chan error, 30)
			if err := c.Subscribe("req/#", 2, func(_ mqttclient.Client, m mqttclient.Message) {
				for qos := byte(0); qos <= 2; qos++ {
					errs <- c.Publish("reply/"+string(m.Payload()), qos, false, fmt.Sprint(qos))
				}
			}); err != nil {
				t.Fatal(err)
			}
			const n = 10
			for i := range n {
				if err := c.PublishAsync("req/x", 1, false, strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 * n {
				select {
				case err := <-errs:
					if err != nil {
						t.Fatalf("publish from handler: %v", err)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("publish from a handler did not complete: deadlock")
				}
				replies.next(t, 5*time.Second)
			}
		})
	}
}
