package mqtttest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// waitTimeout bounds every token wait and every polling loop in the tests.
const waitTimeout = 10 * time.Second

var clientSeq atomic.Int64

// clientOpts returns paho options for url with a unique client ID and no
// automatic reconnection (tests reconnect on purpose).
func clientOpts(url string) *paho.ClientOptions {
	return paho.NewClientOptions().
		AddBroker(url).
		SetClientID(fmt.Sprintf("mqtttest-%d-%d", time.Now().UnixNano()%1e6, clientSeq.Add(1))).
		SetAutoReconnect(false).
		SetConnectRetry(false).
		SetConnectTimeout(3 * time.Second).
		SetWriteTimeout(3 * time.Second)
}

// wait waits for tok, bounded, and returns its error.
func wait(tok paho.Token) error {
	if !tok.WaitTimeout(waitTimeout) {
		return errors.New("timed out waiting for the broker")
	}
	return tok.Error()
}

// connect connects a client and disconnects it when the test ends.
func connect(t *testing.T, opts *paho.ClientOptions) paho.Client {
	t.Helper()
	c, err := tryConnect(opts)
	if err != nil {
		t.Fatalf("connect to %v: %v", opts.Servers, err)
	}
	t.Cleanup(func() { c.Disconnect(0) })
	return c
}

// tryConnect connects and returns the error, for tests that expect one.
func tryConnect(opts *paho.ClientOptions) (paho.Client, error) {
	c := paho.NewClient(opts)
	if err := wait(c.Connect()); err != nil {
		return nil, err
	}
	return c, nil
}

// subscribe subscribes and returns a channel of received payloads.
func subscribe(t *testing.T, c paho.Client, filter string, qos byte) <-chan string {
	t.Helper()
	got := make(chan string, 100)
	tok := c.Subscribe(filter, qos, func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
	if err := wait(tok); err != nil {
		t.Fatalf("subscribe %q: %v", filter, err)
	}
	if code := tok.(*paho.SubscribeToken).Result()[filter]; code >= 0x80 {
		t.Fatalf("subscribe %q: SUBACK 0x%02x", filter, code)
	}
	return got
}

func publish(t *testing.T, c paho.Client, topic string, qos byte, payload string) {
	t.Helper()
	if err := wait(c.Publish(topic, qos, false, payload)); err != nil {
		t.Fatalf("publish %q: %v", topic, err)
	}
}

// expect waits for want on got.
func expect(t *testing.T, got <-chan string, want string) {
	t.Helper()
	select {
	case m := <-got:
		if m != want {
			t.Fatalf("received %q, want %q", m, want)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("did not receive %q within %v", want, waitTimeout)
	}
}

// roundTrip checks that a message published by c comes back to it.
func roundTrip(t *testing.T, c paho.Client, topic string) {
	t.Helper()
	got := subscribe(t, c, topic, 1)
	publish(t, c, topic, 1, "ping "+topic)
	expect(t, got, "ping "+topic)
}

// tlsOpts returns client options for an ssl:// url with the given config.
func tlsOpts(url string, cfg *tls.Config) *paho.ClientOptions {
	return clientOpts(url).SetTLSConfig(cfg)
}

// eventually polls cond until it holds, failing the test after waitTimeout.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within %v", what, waitTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// asError is errors.As, named for readability at call sites.
func asError(err error, target any) bool { return errors.As(err, target) }
