package runtime

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/eclipse/paho.mqtt.golang/packets"
)

// countingConn serves data as a socket holding all of it would, counting
// the reads.
type countingConn struct {
	net.Conn
	data  *bytes.Reader
	reads int
}

func (c *countingConn) Read(b []byte) (int, error) {
	c.reads++
	return c.data.Read(b)
}

// TestBufferedConnReadsManyPacketsAtOnce: 500 PUBLISH packets come out of
// the buffer whole and in order, with one read of the connection per
// buffer's worth instead of at least three per packet.
func TestBufferedConnReadsManyPacketsAtOnce(t *testing.T) {
	var wire bytes.Buffer
	const n = 500
	for i := range n {
		p := packets.NewControlPacket(packets.Publish).(*packets.PublishPacket)
		p.TopicName = fmt.Sprintf("sensors/room%d/temperature", i)
		p.Qos = 1
		p.MessageID = uint16(i + 1)
		p.Payload = bytes.Repeat([]byte{byte(i)}, i%300)
		if err := p.Write(&wire); err != nil {
			t.Fatal(err)
		}
	}
	raw := &countingConn{data: bytes.NewReader(wire.Bytes())}
	conn := newBufferedConn(raw)
	for i := range n {
		cp, err := packets.ReadPacket(conn)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		p, ok := cp.(*packets.PublishPacket)
		if !ok || p.MessageID != uint16(i+1) || p.TopicName != fmt.Sprintf("sensors/room%d/temperature", i) || !bytes.Equal(p.Payload, bytes.Repeat([]byte{byte(i)}, i%300)) {
			t.Fatalf("packet %d came out as %v", i, cp)
		}
	}
	if want := wire.Len()/readBufferSize + 1; raw.reads > want {
		t.Errorf("%d reads of the connection for %d bytes, want at most %d", raw.reads, wire.Len(), want)
	}
	t.Logf("%d packets, %d bytes: %d reads of the connection", n, wire.Len(), raw.reads)
}

// TestBufferedConnDoesNotWaitToFill: a packet is read as soon as it has
// arrived, with nothing after it (net.Pipe hands over exactly what is
// written).
func TestBufferedConnDoesNotWaitToFill(t *testing.T) {
	client, broker := net.Pipe()
	defer client.Close()
	defer broker.Close()
	conn := newBufferedConn(client)
	got := make(chan error, 1)
	go func() {
		_, err := packets.ReadPacket(conn)
		got <- err
	}()
	ping := packets.NewControlPacket(packets.Pingresp)
	if err := broker.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := ping.Write(broker); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the read waited for more than the packet")
	}
}

// TestBufferedConnDropsWhatIsLeftOnClose: after Close, the packets still
// in the buffer are not handed over, as a closed socket hands over
// nothing; paho must see the old connection end where it closed it.
func TestBufferedConnDropsWhatIsLeftOnClose(t *testing.T) {
	var wire bytes.Buffer
	for i := range 3 {
		p := packets.NewControlPacket(packets.Pubrel).(*packets.PubrelPacket)
		p.MessageID = uint16(i + 1)
		if err := p.Write(&wire); err != nil {
			t.Fatal(err)
		}
	}
	conn := newBufferedConn(&countingConn{Conn: nopConn{}, data: bytes.NewReader(wire.Bytes())})
	if _, err := packets.ReadPacket(conn); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if cp, err := packets.ReadPacket(conn); err == nil {
		t.Fatalf("read %v from the buffer of a closed connection", cp)
	}
}

// nopConn is a net.Conn whose Close does nothing; the rest is unused.
type nopConn struct{ net.Conn }

func (nopConn) Close() error { return nil }
