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
