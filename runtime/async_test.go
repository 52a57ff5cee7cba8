package runtime_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

func TestPublishAsyncDelivers(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := c.Subscribe("async/#", 2, in.handler); err != nil {
		t.Fatal(err)
	}
	for qos := byte(0); qos <= 2; qos++ {
		if err := c.PublishAsync("async/x", qos, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		in.next(t, 3*time.Second)
	}
	waitFor(t, 3*time.Second, "3 acks", func() bool { return c.GetStats().PublishAcked == 3 })
}

// Failures of PublishAsync reach the async error handler and the stats, and
// the number in flight is bounded: a call beyond MaxInFlight waits for a
// slot instead of starting one more goroutine.
func TestPublishAsyncFailuresAndBound(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	asyncErrs := make(chan error, 10)
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithMaxInFlight(2), runtime.WithOperationTimeout(time.Second),
		runtime.WithAsyncErrorHandler(func(topic string, err error) {
			if topic != "slow" {
				err = errors.New("wrong topic " + topic)
			}
			asyncErrs <- err
		}))
	p.Stall()
	start := time.Now()
	for range 2 {
		if err := c.PublishAsync("slow", 1, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	third := make(chan error, 1)
	go func() { third <- c.PublishAsync("slow", 1, false, "x") }()
	select {
	case err := <-third:
		t.Fatalf("third PublishAsync returned at once (%v): the in-flight count is not bounded", err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := <-third; err != nil {
		t.Fatalf("third PublishAsync after a slot freed: %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("a slot freed after %v, before the first publishes timed out", d)
	}
	for range 3 {
		select {
		case err := <-asyncErrs:
			if !errors.Is(err, runtime.ErrTimeout) || !errors.Is(err, runtime.ErrPublishFailed) {
				t.Errorf("async error %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("async failure not reported")
		}
	}
	if s := c.GetStats(); s.MessagesSent != 3 || s.PublishErrors != 3 || s.PublishAcked != 0 {
		t.Errorf("stats %+v", s)
	}
	p.Resume()
}
