package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"

	"github.com/mqttgen/mqttgen/runtime"
)

// Connect, subscribe with a wildcard, publish a JSON value, receive it.
func Example() {
	broker, stop := exampleBroker()
	defer stop()

	c, err := runtime.New(
		runtime.WithBroker(broker), // e.g. "tcp://127.0.0.1:1883"
		runtime.WithClientID("example-sensor"),
		runtime.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Disconnect(ctx)

	received := make(chan string, 1)
	err = c.Subscribe("sensors/+/temperature", 1, func(_ mqttclient.Client, m mqttclient.Message) {
		received <- m.Topic() + " " + string(m.Payload())
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Structs go through the codec (JSON by default); []byte and string as they are.
	type reading struct {
		Celsius float64 `json:"celsius"`
	}
	if err := c.Publish("sensors/kitchen/temperature", 1, false, reading{Celsius: 21.5}); err != nil {
		fmt.Println(err)
		return
	}
	select {
	case msg := <-received:
		fmt.Println(msg)
	case <-ctx.Done():
		fmt.Println("nothing received")
	}
	// Output: sensors/kitchen/temperature {"celsius":21.5}
}

// Generated code publishes through PublishContext, bounded by a context.
func ExampleClient_PublishContext() {
	broker, stop := exampleBroker()
	defer stop()
	c, _ := runtime.New(runtime.WithBroker(broker), runtime.WithLogger(slog.New(slog.DiscardHandler)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Disconnect(ctx)

	err := c.PublishContext(ctx, "devices/d1/status", 1, true, []byte("online"))
	fmt.Println("published:", err == nil)
	err = c.PublishContext(ctx, "devices/+/status", 1, false, nil)
	fmt.Println(err)
	s := c.GetStats()
	fmt.Println("sent", s.MessagesSent, "acked", s.PublishAcked)
	// Output:
	// published: true
	// mqtt: invalid topic: topic "devices/+/status": wildcards + and # are not allowed in a topic name [MQTT-3.3.2-2]
	// sent 1 acked 1
}

// Two parts of a program receive from one filter with SubscribeContext: the
// broker holds one subscription for both, each handler gets every message
// once, and each Subscription ends only its own handler.
func ExampleClient_SubscribeContext() {
	broker, stop := exampleBroker()
	defer stop()
	c, _ := runtime.New(runtime.WithBroker(broker), runtime.WithLogger(slog.New(slog.DiscardHandler)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Disconnect(ctx)

	got := make(chan string, 4)
	handler := func(name string) runtime.MessageHandler {
		return func(_ mqttclient.Client, m mqttclient.Message) {
			got <- name + " " + m.Topic() + " " + string(m.Payload())
		}
	}
	next := func() string {
		select {
		case s := <-got:
			return s
		case <-ctx.Done():
			return "nothing received"
		}
	}
	audit, err := c.SubscribeContext(ctx, "orders/+", 1, handler("audit"))
	if err != nil {
		fmt.Println(err)
		return
	}
	billing, err := c.SubscribeContext(ctx, "orders/+", 1, handler("billing"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(c.GetSubscriptions()), "broker subscription for", billing.Filter())

	_ = c.PublishContext(ctx, "orders/42", 1, false, []byte("placed"))
	fmt.Println(next())
	fmt.Println(next())
	fmt.Println("audit unsubscribed:", audit.Unsubscribe(ctx))
	_ = c.PublishContext(ctx, "orders/43", 1, false, []byte("placed"))
	fmt.Println(next())
	// Output:
	// 1 broker subscription for orders/+
	// audit orders/42 placed
	// billing orders/42 placed
	// audit unsubscribed: <nil>
	// billing orders/43 placed
}

// A Config literal only names what it changes; WithConfig takes it, and
// options win over it. Printing a Config masks the password.
func ExampleWithConfig() {
	cfg := runtime.Config{
		Brokers:      []string{"tcp://broker.local:1883"},
		Username:     "app",
		Password:     "secret",
		CleanSession: new(false), // default-true fields are *bool: omitted means true
	}
	c, err := runtime.New(runtime.WithConfig(cfg), runtime.WithClientID("app-1"), runtime.WithDefaultQoS(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.ClientID(), c.DefaultQoS())
	printed := fmt.Sprintf("%+v", cfg)
	fmt.Println(strings.Contains(printed, "Password:*****"), strings.Contains(printed, "secret"))
	// Output:
	// app-1 1
	// true false
}

// A broker that accepts more unacknowledged QoS 1/2 publishes than
// Mosquitto's default 20 (here: max_inflight_messages 100 in its
// mosquitto.conf) lets the client keep more of them in flight.
func ExampleWithPublishWindow() {
	broker, stop := exampleBroker()
	defer stop()
	c, err := runtime.New(runtime.WithBroker(broker), runtime.WithPublishWindow(100),
		runtime.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for i := range 500 {
		_ = c.PublishAsync("batch/readings", 2, false, fmt.Sprint(i))
	}
	_ = c.Disconnect(ctx) // waits for the asynchronous publishes
	s := c.GetStats()
	fmt.Println("acked", s.PublishAcked, "errors", s.PublishErrors)

	_, err = runtime.New(runtime.WithBroker(broker), runtime.WithPublishWindow(70000))
	fmt.Println(err)
	// Output:
	// acked 500 errors 0
	// mqtt: invalid config: PublishWindow: must be between 1 and 65535 (packet IDs), got 70000
}

// With the file store, a QoS 1/2 publish that the store cannot keep (its
// directory is gone and cannot be made again, the disk is full) is refused
// with ErrStoreFailed, not sent, until the store can be written again.
func ExampleErrStoreFailed() {
	broker, stop := exampleBroker()
	defer stop()
	root, _ := os.MkdirTemp("", "store")
	defer os.RemoveAll(root)
	c, err := runtime.New(runtime.WithBroker(broker), runtime.WithClientID("meter-7"),
		runtime.WithCleanSession(false), runtime.WithMessageStore(runtime.StoreFile, root),
		runtime.WithLogger(slog.New(slog.DiscardHandler)),
		runtime.WithAsyncErrorHandler(func(string, error) {})) // told when the store starts failing
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Disconnect(ctx)

	dir := filepath.Join(root, "client-meter-7")
	os.RemoveAll(dir)
	os.WriteFile(dir, nil, 0o600) // a file where the store's directory was
	// The publish during which the store failed was already handed to the
	// connection: it goes out, and succeeds when the broker acknowledges it.
	fmt.Println(c.Publish("meters/7", 1, false, "1042"))
	err = c.Publish("meters/7", 1, false, "1043")
	fmt.Println(errors.Is(err, runtime.ErrPublishFailed), errors.Is(err, runtime.ErrStoreFailed))

	os.Remove(dir) // the store makes its directory again
	fmt.Println(c.Publish("meters/7", 1, false, "1044"))
	fmt.Println(c.GetStats().StoreErrors > 0)
	// Output:
	// <nil>
	// true true
	// <nil>
	// true
}

func ExampleCheckTopicParam() {
	fmt.Println(runtime.CheckTopicParam("deviceId", "kitchen-1"))
	fmt.Println(runtime.CheckTopicParam("deviceId", "a/b"))
	// Output:
	// <nil>
	// mqtt: invalid topic: parameter deviceId = "a/b": must not contain / (it would add a topic level)
}

func ExampleSharedFilter() {
	f, _ := runtime.SharedFilter("workers", "jobs/#")
	fmt.Println(f)
	fmt.Println(runtime.MatchTopic(f, "jobs/42"))
	// Output:
	// $share/workers/jobs/#
	// true
}

func ExampleMatchTopic() {
	fmt.Println(runtime.MatchTopic("a/+/c", "a/b/c"))
	fmt.Println(runtime.MatchTopic("a/#", "a"))
	fmt.Println(runtime.MatchTopic("#", "$SYS/uptime"))
	// Output:
	// true
	// true
	// false
}

// exampleBroker starts an embedded broker on a free loopback port, so the
// examples run anywhere; real code points WithBroker at its broker.
func exampleBroker() (url string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		panic(err)
	}
	if err := srv.AddListener(listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "example", Address: addr})); err != nil {
		panic(err)
	}
	if err := srv.Serve(); err != nil {
		panic(err)
	}
	return "tcp://" + addr, func() { _ = srv.Close() }
}

// Generated packages keep each payload schema in a variable made with
// CompileOnUse: nothing is compiled when the package loads, and the first
// message that needs the schema compiles it.
func ExampleCompileOnUse() {
	reading := runtime.CompileOnUse("Reading", `{"type":"object","required":["celsius"],"properties":{"celsius":{"type":"number","maximum":100}}}`)
	fmt.Println(reading.ValidateJSON([]byte(`{"celsius":21.5}`)))
	fmt.Println(reading.ValidateJSON([]byte(`{"celsius":120}`)))
	// Output:
	// <nil>
	// payload field "/celsius": maximum: must be <= 100 but found 120
}
