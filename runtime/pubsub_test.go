package runtime_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

func TestPublishSubscribeEachQoS(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := c.Subscribe("q/+", 2, in.handler); err != nil {
		t.Fatal(err)
	}
	for qos := byte(0); qos <= 2; qos++ {
		topic := fmt.Sprintf("q/%d", qos)
		if err := c.Publish(topic, qos, false, []byte("payload")); err != nil {
			t.Fatalf("QoS %d: %v", qos, err)
		}
		m := in.next(t, 3*time.Second)
		if m.topic != topic || m.payload != "payload" || m.qos != qos {
			t.Errorf("QoS %d: got %+v", qos, m)
		}
	}
	s := c.GetStats()
	if !s.Connected || s.MessagesSent != 3 || s.PublishAcked != 3 || s.PublishErrors != 0 || s.MessagesReceived != 3 ||
		s.Subscriptions != 1 || s.ConnectTime.IsZero() || s.LastMessageTime.IsZero() {
		t.Errorf("stats %+v", s)
	}
}

func TestQoS2ExactlyOnce(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sub := connected(t, runtime.WithBroker(b.URL()))
	pub := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := sub.Subscribe("exact/#", 2, in.handler); err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := range n {
		if err := pub.Publish("exact/x", 2, false, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	seen := make(map[string]int)
	for range n {
		m := in.next(t, 5*time.Second)
		seen[m.payload]++
		if m.qos != 2 {
			t.Fatalf("qos %d", m.qos)
		}
	}
	in.none(t, 200*time.Millisecond)
	for i := range n {
		if seen[fmt.Sprint(i)] != 1 {
			t.Fatalf("message %d received %d times", i, seen[fmt.Sprint(i)])
		}
	}
}

func TestRetained(t *testing.T) {
	b := mqtttest.NewBroker(t)
	pub := connected(t, runtime.WithBroker(b.URL()))
	if err := pub.Publish("ret/a", 1, true, "kept"); err != nil {
		t.Fatal(err)
	}
	sub := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := sub.Subscribe("ret/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.payload != "kept" || !m.retained {
		t.Fatalf("got %+v, want the retained message", m)
	}
	// A nil payload, retained, clears it.
	if err := pub.Publish("ret/a", 1, true, nil); err != nil {
		t.Fatal(err)
	}
	in.next(t, 3*time.Second) // the (live) empty message
	late := connected(t, runtime.WithBroker(b.URL()))
	in2 := newInbox()
	if err := late.Subscribe("ret/#", 1, in2.handler); err != nil {
		t.Fatal(err)
	}
	in2.none(t, 300*time.Millisecond)
}

type reading struct {
	Celsius float64 `json:"celsius"`
}

type upperCodec struct{}

func (upperCodec) Marshal(v any) ([]byte, error) { return []byte(strings.ToUpper(fmt.Sprint(v))), nil }
func (upperCodec) Unmarshal([]byte, any) error   { return errors.New("unused") }

func TestPayloadTypes(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := c.Subscribe("p/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		payload any
		want    string
	}{
		{[]byte{'b', 0, 'x'}, "b\x00x"},
		{"text", "text"},
		{json.RawMessage(`{"raw":true}`), `{"raw":true}`},
		{reading{21.5}, `{"celsius":21.5}`},
		{nil, ""},
	}
	for _, tc := range cases {
		if err := c.Publish("p/x", 1, false, tc.payload); err != nil {
			t.Fatal(err)
		}
		if m := in.next(t, 3*time.Second); m.payload != tc.want {
			t.Errorf("%T: got %q, want %q", tc.payload, m.payload, tc.want)
		}
	}
	if err := c.Publish("p/x", 1, false, func() {}); !errors.Is(err, runtime.ErrPublishFailed) || !strings.Contains(err.Error(), "encode") {
		t.Errorf("unencodable payload: %v", err)
	}

	custom := connected(t, runtime.WithBroker(b.URL()), runtime.WithCodec(upperCodec{}))
	if err := custom.Publish("p/y", 1, false, struct{ A string }{"x"}); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.payload != "{X}" {
		t.Errorf("custom codec: %q", m.payload)
	}
}

func TestInvalidInputIsRefusedBeforeSending(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithMaxPayloadSize(8))
	for _, topic := range []string{"", "a/+", "a/#", "a\x00", "\xff"} {
		if err := c.Publish(topic, 0, false, "x"); !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("Publish(%q) = %v, want ErrInvalidTopic", topic, err)
		}
		if err := c.PublishAsync(topic, 0, false, "x"); !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("PublishAsync(%q) = %v, want ErrInvalidTopic", topic, err)
		}
	}
	for _, f := range []string{"", "a/#/b", "a+", "$share//x"} {
		if err := c.Subscribe(f, 0, nil); !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("Subscribe(%q) = %v, want ErrInvalidTopic", f, err)
		}
		if err := c.Unsubscribe(f); !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("Unsubscribe(%q) = %v, want ErrInvalidTopic", f, err)
		}
	}
	if err := c.Publish("a", 3, false, "x"); !errors.Is(err, runtime.ErrInvalidQoS) {
		t.Errorf("QoS 3: %v", err)
	}
	if err := c.Subscribe("a", 3, nil); !errors.Is(err, runtime.ErrInvalidQoS) {
		t.Errorf("subscribe QoS 3: %v", err)
	}
	if err := c.SubscribeMultiple(map[string]byte{"a": 1, "b/#/c": 0}, nil); !errors.Is(err, runtime.ErrInvalidTopic) {
		t.Errorf("SubscribeMultiple with a bad filter: %v", err)
	}
	if err := c.Publish("a", 0, false, "123456789"); !errors.Is(err, runtime.ErrPayloadTooLarge) {
		t.Errorf("9 bytes with a limit of 8: %v", err)
	}
	if s := c.GetStats(); s.MessagesSent != 0 || s.Subscriptions != 0 {
		t.Errorf("something was sent: %+v", s)
	}
	if c.MaxPayloadSize() != 8 {
		t.Errorf("MaxPayloadSize() = %d", c.MaxPayloadSize())
	}
}

func TestReceivedPayloadTooLargeIsRejected(t *testing.T) {
	b := mqtttest.NewBroker(t)
	sub := connected(t, runtime.WithBroker(b.URL()), runtime.WithMaxPayloadSize(4))
	pub := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := sub.Subscribe("big", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"12345", "1234"} {
		if err := pub.Publish("big", 1, false, p); err != nil {
			t.Fatal(err)
		}
	}
	if m := in.next(t, 3*time.Second); m.payload != "1234" {
		t.Errorf("got %q", m.payload)
	}
	if s := sub.GetStats(); s.MessagesRejected != 1 || s.MessagesReceived != 2 {
		t.Errorf("stats %+v", s)
	}
	sub.RecordRejected("big", errors.New("undecodable"))
	if s := sub.GetStats(); s.MessagesRejected != 2 {
		t.Errorf("RecordRejected not counted: %+v", s)
	}
}

func TestRouting(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	pub := connected(t, runtime.WithBroker(b.URL()))
	wide, narrow, def := newInbox(), newInbox(), newInbox()
	c.SetDefaultHandler(def.handler)
	if err := c.Subscribe("r/#", 1, wide.handler); err != nil {
		t.Fatal(err)
	}
	// A route without its own subscription: fed by the r/# subscription.
	c.AddRoute("r/+/temp", narrow.handler)
	// A subscription without a handler: its messages go to the default handler.
	if err := c.Subscribe("other/#", 1, nil); err != nil {
		t.Fatal(err)
	}

	publish := func(topic string) {
		t.Helper()
		if err := pub.Publish(topic, 1, false, topic); err != nil {
			t.Fatal(err)
		}
	}
	publish("r/1/temp") // both overlapping routes, not the default handler
	if m := wide.next(t, 3*time.Second); m.topic != "r/1/temp" {
		t.Errorf("wide got %+v", m)
	}
	if m := narrow.next(t, 3*time.Second); m.topic != "r/1/temp" {
		t.Errorf("narrow got %+v", m)
	}
	publish("r/1/hum") // only the wide route
	wide.next(t, 3*time.Second)
	publish("other/x") // no route: the default handler
	if m := def.next(t, 3*time.Second); m.topic != "other/x" {
		t.Errorf("default got %+v", m)
	}
	narrow.none(t, 200*time.Millisecond)
	def.none(t, 0)

	// Removing the route and the default handler: unmatched messages are counted.
	c.AddRoute("r/+/temp", nil)
	c.SetDefaultHandler(nil)
	publish("r/2/temp")
	wide.next(t, 3*time.Second)
	publish("other/y")
	waitFor(t, 3*time.Second, "an unrouted message", func() bool { return c.GetStats().MessagesUnrouted == 1 })
	narrow.none(t, 100*time.Millisecond)

	// An invalid route is refused (and logged), never installed.
	c.AddRoute("r/#/x", narrow.handler)
	publish("r/3/x")
	wide.next(t, 3*time.Second)
	narrow.none(t, 100*time.Millisecond)
}

func TestSharedSubscriptionRoutesByFilter(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	shared, err := runtime.SharedFilter("workers", "jobs/+")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(shared, 1, in.handler); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish("jobs/1", 1, false, "j"); err != nil {
		t.Fatal(err)
	}
	if m := in.next(t, 3*time.Second); m.topic != "jobs/1" {
		t.Errorf("got %+v", m)
	}
	if subs := c.GetSubscriptions(); len(subs) != 1 || subs[0].Topic != shared {
		t.Errorf("subscriptions %+v", subs)
	}
}

func TestHandlerPanicIsRecovered(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	if err := c.Subscribe("boom", 1, func(_ mqttclient.Client, m mqttclient.Message) { panic("handler bug") }); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe("fine", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := c.Publish("boom", 1, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Publish("fine", 1, false, "ok"); err != nil {
		t.Fatal(err)
	}
	in.next(t, 3*time.Second)
	waitFor(t, 3*time.Second, "3 panics counted", func() bool { return c.GetStats().HandlerPanics == 3 })
	if !c.IsConnected() {
		t.Error("a panicking handler cut the connection")
	}
}

func TestSubscribeMultipleUnsubscribeAndTracking(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	in := newInbox()
	before := time.Now()
	if err := c.SubscribeMultiple(map[string]byte{"m/a": 0, "m/b": 1, "m/c": 2}, in.handler); err != nil {
		t.Fatal(err)
	}
	subs := c.GetSubscriptions()
	if len(subs) != 3 {
		t.Fatalf("subscriptions %+v", subs)
	}
	for i, s := range subs {
		if s.Topic != fmt.Sprintf("m/%c", 'a'+i) || s.QoS != byte(i) || s.GrantedQoS != byte(i) || s.SubscribedAt.Before(before) {
			t.Errorf("subscription %d: %+v", i, s)
		}
	}
	if err := c.Unsubscribe("m/a", "m/b"); err != nil {
		t.Fatal(err)
	}
	if subs := c.GetSubscriptions(); len(subs) != 1 || subs[0].Topic != "m/c" || c.GetStats().Subscriptions != 1 {
		t.Errorf("after unsubscribe: %+v", subs)
	}
	for _, topic := range []string{"m/a", "m/b", "m/c"} {
		if err := c.Publish(topic, 1, false, topic); err != nil {
			t.Fatal(err)
		}
	}
	if m := in.next(t, 3*time.Second); m.topic != "m/c" {
		t.Errorf("got %+v after unsubscribing m/a and m/b", m)
	}
	in.none(t, 200*time.Millisecond)
	if err := c.Unsubscribe(); !errors.Is(err, runtime.ErrUnsubscribeFailed) {
		t.Errorf("Unsubscribe() = %v", err)
	}
	if err := c.SubscribeMultiple(nil, nil); !errors.Is(err, runtime.ErrSubscribeFailed) {
		t.Errorf("SubscribeMultiple(nil) = %v", err)
	}
}

// Every publish that was sent is either acknowledged or failed.
func TestStatsAddUpUnderConcurrency(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	var received atomic.Int64
	if err := c.Subscribe("load/#", 1, func(mqttclient.Client, mqttclient.Message) { received.Add(1) }); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range 50 {
				if err := c.Publish(fmt.Sprintf("load/%d", g), byte(i%3), false, "x"); err != nil {
					done <- err
					return
				}
				_ = c.GetStats()
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "400 messages back", func() bool { return received.Load() == 400 })
	s := c.GetStats()
	if s.MessagesSent != 400 || s.PublishAcked+s.PublishErrors != s.MessagesSent || s.MessagesReceived != 400 {
		t.Errorf("stats %+v", s)
	}
}
