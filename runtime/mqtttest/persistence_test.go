package mqtttest

import (
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// queuedAcrossRestart parks a persistent subscriber, publishes one QoS 1
// message while it is offline, restarts the broker with restart, and
// reports whether the subscriber then receives the message.
func queuedAcrossRestart(t *testing.T, b *Broker, restart func()) bool {
	t.Helper()
	got := make(chan string, 10)
	subOpts := clientOpts(b.URL()).SetCleanSession(false).
		SetDefaultPublishHandler(func(_ paho.Client, m paho.Message) { got <- string(m.Payload()) })
	sub := connect(t, subOpts)
	if err := wait(sub.Subscribe("mqtttest/queued", 1, nil)); err != nil {
		t.Fatal(err)
	}
	sub.Disconnect(100)

	pub := connect(t, clientOpts(b.URL()))
	publish(t, pub, "mqtttest/queued", 1, "kept")
	pub.Disconnect(100)

	restart()
	connect(t, subOpts) // same client ID, clean session false
	select {
	case m := <-got:
		if m != "kept" {
			t.Fatalf("received %q", m)
		}
		return true
	case <-time.After(time.Second):
		return false
	}
}

func TestPersistence(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithPersistence())...)
		if !queuedAcrossRestart(t, b, func() { b.Stop(); b.Start() }) {
			t.Fatal("queued QoS 1 message lost across Stop/Start with persistence")
		}
	})
}

// TestNoPersistence is the control: without persistence a restart forgets
// the session, so the test above can tell the difference.
func TestNoPersistence(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, opts...)
		if queuedAcrossRestart(t, b, func() { b.Stop(); b.Start() }) {
			t.Fatal("message survived a restart without persistence")
		}
	})
}

// TestPersistenceKillLosesUnsaved documents Mosquitto's side: with no
// autosave, only a graceful stop writes the database.
func TestPersistenceKillLosesUnsaved(t *testing.T) {
	b := NewBroker(t, WithPersistence())
	if queuedAcrossRestart(t, b, func() { b.Kill(); b.Start() }) {
		t.Fatal("message survived SIGKILL although nothing was saved")
	}
}
