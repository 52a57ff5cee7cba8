package runtime

import (
	"net"
	"strconv"
	"testing"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// recordingConn records the writes that reach the network.
type recordingConn struct {
	net.Conn
	writes int
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.writes++
	return len(b), nil
}

func publishPacket(id uint16, qos byte, payload string) *packets.PublishPacket {
	p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
	p.MessageID, p.Qos, p.TopicName, p.Payload = id, qos, "a/b", []byte(payload)
	return p
}

// TestPubrelConnKeepsQoS2ExactlyOnce drives the connection wrapper with the
// packets paho itself encodes: a PUBREL written replaces the QoS 2 PUBLISH
// stored under its ID (and nothing else); a QoS 2 PUBLISH reaches the
// network only while the store holds that same PUBLISH, or, with a clean
// session, holds nothing under its ID.
func TestPubrelConnKeepsQoS2ExactlyOnce(t *testing.T) {
	store := mqttclient.NewMemoryStore()
	store.Open()
	g := newQoS2Guard(store, newPublishWindow(20))
	put := func(p *packets.PublishPacket) { g.Put("o."+strconv.Itoa(int(p.MessageID)), p) }
	net := &recordingConn{}
	conn := &pubrelConn{Conn: net, guard: g, persistent: true}
	write := func(p packets.ControlPacket) bool {
		t.Helper()
		before := net.writes
		if err := p.Write(conn); err != nil {
			t.Fatal(err)
		}
		return net.writes > before
	}
	pubrel := func(id uint16) *packets.PubrelPacket {
		r := packets.NewControlPacket(packets.Pubrel).(*packets.PubrelPacket)
		r.MessageID = id
		return r
	}

	put(publishPacket(7, 2, "x"))
	put(publishPacket(8, 1, "y"))
	if !write(publishPacket(7, 2, "x")) {
		t.Fatal("the stored QoS 2 PUBLISH was not written")
	}
	for _, id := range []uint16{7, 8, 9} {
		if !write(pubrel(id)) {
			t.Fatalf("PUBREL %d was not written", id)
		}
	}
	if _, ok := g.Get("o.7").(*packets.PubrelPacket); !ok {
		t.Errorf("o.7 holds %T after its PUBREL was written, want the PUBREL", g.Get("o.7"))
	}
	if p, ok := g.Get("o.8").(*packets.PublishPacket); !ok || p.Qos != 1 {
		t.Errorf("the QoS 1 PUBLISH o.8 was changed to %T", g.Get("o.8"))
	}
	if got := g.Get("o.9"); got != nil {
		t.Errorf("a PUBREL with nothing stored put %T in the store", got)
	}
	if write(publishPacket(7, 2, "x")) {
		t.Error("a QoS 2 PUBLISH was written again after its PUBREC")
	}
	if !write(publishPacket(8, 1, "y")) {
		t.Error("a QoS 1 PUBLISH was held back")
	}

	g.Del("o.7") // the PUBCOMP
	if write(publishPacket(7, 2, "x")) {
		t.Error("a QoS 2 PUBLISH was written after its flow completed (persistent session)")
	}
	put(publishPacket(7, 2, "new"))
	if write(publishPacket(7, 2, "x")) {
		t.Error("a late copy of an earlier message was written under its reused packet ID")
	}
	if !write(publishPacket(7, 2, "new")) {
		t.Error("the message now stored under the reused packet ID was not written")
	}

	clean := &pubrelConn{Conn: net, guard: g, persistent: false}
	before := net.writes
	if err := publishPacket(10, 2, "z").Write(clean); err != nil || net.writes != before+1 {
		t.Errorf("with a clean session (store emptied on connect) a QoS 2 PUBLISH was held back: %v", err)
	}
}

func TestParseQoS2Publish(t *testing.T) {
	for _, size := range []int{0, 1, 200, 20000} { // 1, 2 and 3 bytes of remaining length
		p := publishPacket(513, 2, string(make([]byte, size)))
		p.Dup, p.Retain = true, true
		rec := &capture{}
		if err := p.Write(rec); err != nil {
			t.Fatal(err)
		}
		id, topic, payload, ok := parseQoS2Publish(rec.b)
		if !ok || id != 513 || string(topic) != "a/b" || len(payload) != size {
			t.Errorf("payload %d bytes: id %d topic %q payload %d bytes ok %v", size, id, topic, len(payload), ok)
		}
		if _, _, _, ok := parseQoS2Publish(rec.b[:len(rec.b)-1]); ok {
			t.Errorf("payload %d bytes: a truncated packet parsed", size)
		}
	}
}

type capture struct{ b []byte }

func (c *capture) Write(b []byte) (int, error) { c.b = append(c.b, b...); return len(b), nil }
