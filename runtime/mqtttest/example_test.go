package mqtttest_test

import (
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// greeterTest is what a user's func TestGreeter(t *testing.T) looks like:
// a message handler tested against a real broker, with a link cut on
// purpose through a proxy. (This package runs it as TestExampleGreeter.)
func greeterTest(t *testing.T) {
	b := mqtttest.NewBroker(t)         // stopped when the test ends
	p := mqtttest.NewProxy(t, b.URL()) // closed when the test ends
	lost := make(chan error, 1)
	c := paho.NewClient(paho.NewClientOptions().AddBroker(p.URL()).SetClientID("greeter").
		SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err }))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)

	got := make(chan string, 1)
	greet := func(_ paho.Client, m paho.Message) { got <- "hello, " + string(m.Payload()) }
	if tok := c.Subscribe("names", 1, greet); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	if tok := c.Publish("names", 1, false, "world"); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	select {
	case g := <-got:
		if g != "hello, world" {
			t.Fatalf("greeting %q", g)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no greeting")
	}

	p.Drop() // client and broker both see a TCP reset
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the cut went unnoticed")
	}
}

// Example shows a test of a handler against NewBroker and NewProxy; see
// greeterTest above, which go test runs as an ordinary test.
func Example() {
	_ = greeterTest
}

// natsSessionTest is what a test against a NATS cluster looks like: a
// subscriber with a fixed client ID and a persistent session leaves one
// node, a message for it is published on another, and it finds the
// message in its session on a third. (This package runs it as
// TestExampleNATSSession; NATSNode.Kill ends a node for failover tests.)
func natsSessionTest(t *testing.T) {
	// Skipped without nats-server. A QoS 1 message in flight when a node
	// dies is sent again after ack_wait: 2 s here, NATS's default is 30 s.
	cluster := mqtttest.NewNATSCluster(t, 3, mqtttest.WithNATSAckWait(2*time.Second))
	nodes := cluster.Nodes()
	wait := func(what string, tok paho.Token) {
		t.Helper()
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("%s: %v", what, tok.Error())
		}
	}
	got := make(chan string, 10)
	subscriber := func(node *mqtttest.NATSNode) paho.Client {
		return paho.NewClient(paho.NewClientOptions().AddBroker(node.URL()).
			SetClientID("session-example").SetCleanSession(false).
			SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) }))
	}

	sub := subscriber(nodes[0])
	wait("connect to n1", sub.Connect())
	wait("subscribe", sub.Subscribe("rooms/+/temperature", 1, nil))
	sub.Disconnect(100) // the session stays, in JetStream

	pub := paho.NewClient(paho.NewClientOptions().AddBroker(nodes[2].URL()).SetClientID("publisher-example"))
	wait("connect to n3", pub.Connect())
	defer pub.Disconnect(100)
	wait("publish", pub.Publish("rooms/kitchen/temperature", 1, false, "21.5"))

	sub = subscriber(nodes[1])
	wait("connect to n2", sub.Connect())
	defer sub.Disconnect(100)
	select {
	case m := <-got:
		if m != "21.5" {
			t.Fatalf("received %q", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the session did not follow the client to another node")
	}
}

// ExampleNewNATSCluster shows a test of sessions on a three-node NATS
// cluster; see natsSessionTest above, which go test runs as an ordinary
// test.
func ExampleNewNATSCluster() {
	_ = natsSessionTest
}
