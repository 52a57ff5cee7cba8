package runtime_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 6 of issue 6: churn. 50 goroutines publish while subscriptions are
// added and removed and the connection is dropped by the proxy. Run with
// -race. Every publish call is accounted for: a nil return is exactly one
// PublishAcked, an error is exactly one PublishErrors or MessagesDropped,
// and MessagesSent == PublishAcked + PublishErrors once all have returned.
func TestFaultChurn(t *testing.T) {
	const publishers, perPublisher, subTopics, drops = 50, 40, 8, 3
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithMaxReconnectDelay(100*time.Millisecond),
		runtime.WithOperationTimeout(2*time.Second), runtime.WithOrderMatters(false))

	var okCalls, errCalls atomic.Uint64
	var unexpected sync.Map // error text -> count, for errors that wrap no expected sentinel
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range publishers {
		wg.Go(func() {
			for i := range perPublisher {
				err := c.Publish(fmt.Sprintf("churn/%d", g%subTopics), byte((g+i)%3), false, fmt.Sprintf("%d-%d", g, i))
				if err == nil {
					okCalls.Add(1)
				} else {
					errCalls.Add(1)
					if !errors.Is(err, runtime.ErrPublishFailed) {
						unexpected.Store(err.Error(), true)
					}
				}
				time.Sleep(time.Duration(g%5) * time.Millisecond)
			}
		})
	}

	// The subscriber churn: subscribe and unsubscribe the topics in turn,
	// keeping a model of what should be tracked.
	var received atomic.Uint64
	handler := func(mqttclient.Client, mqttclient.Message) { received.Add(1) }
	model := map[string]bool{}
	var subOK, subErr, unsubCalls int
	churnDone := make(chan struct{})
	go func() {
		defer close(churnDone)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f := fmt.Sprintf("churn/%d", i%subTopics)
			if model[f] {
				_ = c.Unsubscribe(f) // tracking and routing go even when the broker is not told
				delete(model, f)
				unsubCalls++
			} else if err := c.Subscribe(f, byte(i%3), handler); err == nil {
				model[f] = true
				subOK++
			} else {
				subErr++
			}
			_ = c.GetStats()
			_ = c.GetSubscriptions()
			time.Sleep(5 * time.Millisecond)
		}
	}()

	for range drops {
		time.Sleep(400 * time.Millisecond)
		p.Drop()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("publishers did not finish within 60s")
	}
	close(stop)
	<-churnDone
	waitFor(t, 5*time.Second, "the client to be connected", c.IsConnected)

	s := c.GetStats()
	total := uint64(publishers * perPublisher)
	t.Logf("churn: %d publish calls (%d ok, %d failed), %d drops, %d losses, %d reconnects; stats sent %d = acked %d + errors %d, dropped %d; "+
		"%d subscribes ok, %d refused, %d unsubscribes; %d messages received",
		total, okCalls.Load(), errCalls.Load(), drops, s.ConnectionLosses, s.Reconnects, s.MessagesSent, s.PublishAcked,
		s.PublishErrors, s.MessagesDropped, subOK, subErr, unsubCalls, received.Load())
	unexpected.Range(func(k, _ any) bool { t.Errorf("publish error wraps no sentinel: %v", k); return true })
	if okCalls.Load()+errCalls.Load() != total {
		t.Errorf("%d calls returned, want %d", okCalls.Load()+errCalls.Load(), total)
	}
	if s.MessagesSent != s.PublishAcked+s.PublishErrors {
		t.Errorf("sent %d != acked %d + errors %d", s.MessagesSent, s.PublishAcked, s.PublishErrors)
	}
	if s.PublishAcked != okCalls.Load() || s.PublishErrors+s.MessagesDropped != errCalls.Load() {
		t.Errorf("stats do not match the calls: acked %d (calls ok %d), errors %d + dropped %d (calls failed %d)",
			s.PublishAcked, okCalls.Load(), s.PublishErrors, s.MessagesDropped, errCalls.Load())
	}
	if s.ConnectionLosses < drops {
		t.Errorf("%d losses noticed for %d drops", s.ConnectionLosses, drops)
	}
	tracked := []string{}
	for _, info := range c.GetSubscriptions() {
		tracked = append(tracked, info.Topic)
	}
	if want := slices.Sorted(maps.Keys(model)); !slices.Equal(tracked, want) {
		t.Errorf("tracked subscriptions %v, the churner expects %v", tracked, want)
	}

	// After the churn, routing matches the model: a subscribed topic gets
	// its message, an unsubscribed one does not.
	before := received.Load()
	for i := range subTopics {
		if err := c.Publish(fmt.Sprintf("churn/%d", i), 1, false, "final"); err != nil {
			t.Fatal(err)
		}
	}
	want := uint64(len(model))
	waitFor(t, 5*time.Second, "the final messages", func() bool { return received.Load()-before >= want })
	time.Sleep(200 * time.Millisecond)
	if got := received.Load() - before; got != want {
		t.Errorf("after the churn %d final messages were handled, want %d (one per tracked subscription)", got, want)
	}
}
