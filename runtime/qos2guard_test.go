package runtime

import (
	"testing"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// guardMessage is a received QoS 2 PUBLISH that counts its acknowledgements.
type guardMessage struct {
	id    uint16
	dup   bool
	topic string
	body  string
	acks  int
}

func (m *guardMessage) Duplicate() bool   { return m.dup }
func (m *guardMessage) Qos() byte         { return 2 }
func (m *guardMessage) Retained() bool    { return false }
func (m *guardMessage) Topic() string     { return m.topic }
func (m *guardMessage) MessageID() uint16 { return m.id }
func (m *guardMessage) Payload() []byte   { return []byte(m.body) }
func (m *guardMessage) Ack()              { m.acks++ }

func pubrel(g *qos2Guard, id uint16) {
	p := packets.NewControlPacket(packets.Pubrel).(*packets.PubrelPacket)
	p.MessageID = id
	g.Put("i.5", p)
}

// TestQoS2GuardDeliversOnce: a message with the ID and content of one
// delivered and not yet released is a copy whatever its DUP flag (paho's
// old router may hand over the original after the new one handed over the
// resend), acknowledged only once the original was handled; after the
// PUBREL, or with other content, the same ID is a new message.
func TestQoS2GuardDeliversOnce(t *testing.T) {
	g := newQoS2Guard(mqttclient.NewMemoryStore(), newPublishWindow(20))
	resend := &guardMessage{id: 5, dup: true, topic: "a/b", body: "x"}
	original := &guardMessage{id: 5, dup: false, topic: "a/b", body: "x"}

	if !g.firstDelivery(resend) {
		t.Fatal("the first copy to arrive was not delivered")
	}
	if g.firstDelivery(original) {
		t.Fatal("the original arriving after its resend was delivered twice")
	}
	if original.acks != 0 {
		t.Fatal("a copy was acknowledged before the delivered message was handled")
	}
	resend.Ack()
	g.handled(resend)
	if original.acks != 1 {
		t.Fatalf("the held copy was acknowledged %d times once handled, want 1", original.acks)
	}
	late := &guardMessage{id: 5, dup: true, topic: "a/b", body: "x"}
	if g.firstDelivery(late) || late.acks != 1 {
		t.Fatalf("a copy after handling: delivered or not acknowledged at once (acks %d)", late.acks)
	}

	if !g.firstDelivery(&guardMessage{id: 5, topic: "a/b", body: "other"}) {
		t.Fatal("a message with the same ID but other content was dropped")
	}
	pubrel(g, 5)
	if !g.firstDelivery(&guardMessage{id: 5, topic: "a/b", body: "other"}) {
		t.Fatal("after the PUBREL the ID's next message was dropped")
	}
	g.forget()
	if !g.firstDelivery(&guardMessage{id: 5, dup: true, topic: "a/b", body: "other"}) {
		t.Fatal("after the session was lost a resend was dropped")
	}
}
