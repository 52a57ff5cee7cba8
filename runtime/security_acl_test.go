package runtime_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Security of issue 6, authorisation. A refused login and an ACL-denied
// subscribe are covered by TestLoginRefused and TestACLDeniedSubscribe.
//
// An ACL-denied PUBLISH is dropped silently by an MQTT 3.1.1 broker: the
// protocol has no negative PUBACK, so Mosquitto acknowledges the message
// and discards it. Publish therefore succeeds. The only way for a client to
// find out is end to end: subscribe to the topic (where reading is allowed)
// and see whether its own message comes back within a bound. This test
// shows both the silent success and that detection.

// echoProbe publishes payload to topic and reports whether a subscription
// of the same client on that topic sees it within wait.
func echoProbe(t *testing.T, c *runtime.Client, topic string, wait time.Duration) (published error, echoed bool) {
	t.Helper()
	nonce := fmt.Sprintf("probe-%d", time.Now().UnixNano())
	seen := make(chan struct{})
	var once sync.Once
	if err := c.Subscribe(topic, 1, func(_ mqttclient.Client, m mqttclient.Message) {
		if string(m.Payload()) == nonce {
			once.Do(func() { close(seen) })
		}
	}); err != nil {
		t.Fatalf("subscribe %s: %v", topic, err)
	}
	defer c.Unsubscribe(topic)
	if err := c.Publish(topic, 1, false, nonce); err != nil {
		return err, false
	}
	select {
	case <-seen:
		return nil, true
	case <-time.After(wait):
		return nil, false
	}
}

func TestSecurityACLDeniedPublishIsSilent(t *testing.T) {
	b := mqtttest.NewBroker(t,
		mqtttest.WithUser("dev", "dev-secret"),
		mqtttest.WithACL("user dev\ntopic readwrite allowed/#\ntopic read readonly/#\n"))
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithCredentials("dev", "dev-secret"))

	err, echoed := echoProbe(t, c, "allowed/x", 3*time.Second)
	if err != nil || !echoed {
		t.Fatalf("allowed topic: publish %v, echoed %v", err, echoed)
	}
	start := time.Now()
	err, echoed = echoProbe(t, c, "readonly/x", time.Second)
	t.Logf("ACL-denied QoS 1 publish: Publish returned %v (the broker acknowledged it), echo seen: %v, detected after %v",
		err, echoed, time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Errorf("Mosquitto acknowledges a denied QoS 1 publish; got %v (if this changed, update RELIABILITY.md)", err)
	}
	if echoed {
		t.Fatal("the denied message was delivered")
	}
	// The link is intact: the denial is invisible to Ping and the stats.
	if err := c.Ping(context.Background()); err != nil {
		t.Errorf("ping after the denied publish: %v", err)
	}
	if s := c.GetStats(); s.PublishErrors != 0 || !s.Connected {
		t.Errorf("stats %+v", s)
	}
}
