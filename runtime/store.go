package runtime

import (
	"bytes"
	"cmp"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// qos2Guard wraps paho's store to fix two things paho gets wrong across a
// reconnection.
//
// Receiving QoS 2: until the sender's PUBREL, the receiver must acknowledge
// a PUBLISH with the same packet ID without delivering it again
// [MQTT-4.3.3-2]. Paho delivers every PUBLISH it gets, and its resume()
// deletes the stored inbound QoS 2 packets on reconnect, so a broker's
// redelivery (DUP=1) would reach handlers twice. The guard remembers each
// QoS 2 message handed to handlers (packet ID and a hash of topic and
// payload) until paho stores its PUBREL ("i.<id>"). A copy (same ID, same
// hash) is not delivered; it is acknowledged once the original's handlers
// have run, so its PUBREC never precedes them. The DUP flag is not asked:
// after a reconnection paho's router for the old connection may still hand
// over the original (DUP 0) after the new one handed over the broker's
// resend, and the second to arrive must be the one dropped. Only an
// identical message counts as a copy, so a new message is never dropped:
// an ID is reused only after the PUBREL that ends its entry, and a broker
// that lost the session (session present 0) makes the guard forget
// everything. It
// holds at most one entry per packet ID (65535). It lives in memory: after
// a process restart, a QoS 2 message whose handlers ran but whose PUBREC
// was never sent is delivered again.
//
// Sending QoS 2: paho stores no PUBREL, so a resumed session would send
// the PUBLISH again; pubrelSent keeps the store in step (see pubrelConn).
//
// Sending QoS 1/2: when paho resends a stored PUBLISH after a reconnection
// it completes the original token at once, without error and before any
// acknowledgement (messageIds.claimID). The guard tells when the stored
// packet is really released ("o.<id>" deleted on PUBACK or PUBCOMP), so
// that Publish reports success only then. It also tells the publish
// window which publishes are stored, that is, unacknowledged.
type qos2Guard struct {
	mqttclient.Store
	window   *publishWindow
	mu       sync.Mutex
	received map[uint16]*receivedQoS2
	released map[uint16][]chan struct{} // waiters for the deletion of "o.<id>"
	// putAt orders the keys put through the guard, for All (see there).
	putAt map[string]uint64
	puts  uint64
}

// receivedQoS2 is a QoS 2 message handed to handlers, PUBREL not yet seen.
type receivedQoS2 struct {
	sum     uint64
	handled bool                 // its handlers have run and it was acknowledged
	copies  []mqttclient.Message // resent copies to acknowledge once handled
}

func newQoS2Guard(s mqttclient.Store, window *publishWindow) *qos2Guard {
	return &qos2Guard{Store: s, window: window, received: map[uint16]*receivedQoS2{}, released: map[uint16][]chan struct{}{}, putAt: map[string]uint64{}}
}

// Put learns of received PUBRELs (the message's exactly-once window ends)
// and of stored outbound publishes (they take a place in the window).
func (g *qos2Guard) Put(key string, m packets.ControlPacket) {
	g.mu.Lock()
	if p, ok := m.(*packets.PubrelPacket); ok && strings.HasPrefix(key, "i.") {
		delete(g.received, p.MessageID)
	}
	g.puts++
	g.putAt[key] = g.puts
	g.mu.Unlock()
	g.Store.Put(key, m)
	if id, ok := outboundID(key); ok && unacknowledgedPublish(m) {
		g.window.add(id)
	}
}

// Del learns of released outbound messages.
func (g *qos2Guard) Del(key string) {
	id, ok := outboundID(key)
	g.mu.Lock()
	delete(g.putAt, key)
	if !ok {
		g.Store.Del(key)
		g.mu.Unlock()
		return
	}
	g.Store.Del(key)
	for _, ch := range g.released[id] {
		close(ch)
	}
	delete(g.released, id)
	g.mu.Unlock()
	g.window.remove(id)
}

// Reset forgets everything: paho resets the store on a clean-session
// connect, after which the broker keeps no state to redeliver.
func (g *qos2Guard) Reset() {
	g.forget()
	g.mu.Lock()
	clear(g.putAt)
	g.mu.Unlock()
	g.Store.Reset()
	g.window.reset(nil)
}

// All returns the stored keys in the order they were put. Paho resends a
// resumed session's packets in the order All gives them, which must be
// the order they were first sent in [MQTT-4.6.0-1] (and PUBRELs in the
// order of their PUBRECs [MQTT-4.6.0-3], which is when paho stores them);
// paho's MemoryStore gives them in Go map order. Keys the guard has not
// seen put (read from a file store an earlier process wrote) come first,
// in the store's order: they are older.
func (g *qos2Guard) All() []string {
	keys := g.Store.All()
	g.mu.Lock()
	defer g.mu.Unlock()
	slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(g.putAt[a], g.putAt[b]) })
	return keys
}

// Open is called by paho on every connect: the window learns what the store
// holds, publishes of an earlier process included.
func (g *qos2Guard) Open() {
	g.Store.Open()
	var ids []uint16
	for _, key := range g.Store.All() {
		if id, ok := outboundID(key); ok && unacknowledgedPublish(g.Store.Get(key)) {
			ids = append(ids, id)
		}
	}
	g.window.reset(ids)
}

// outboundID is the packet ID of paho's store key of an outbound packet.
func outboundID(key string) (uint16, bool) {
	if !strings.HasPrefix(key, "o.") {
		return 0, false
	}
	id, err := strconv.ParseUint(key[2:], 10, 16)
	return uint16(id), err == nil
}

// unacknowledgedPublish reports a stored outbound packet that the broker
// counts against its receive limit: a QoS 1/2 PUBLISH, or the PUBREL that
// replaces a QoS 2 PUBLISH (not a SUBSCRIBE or UNSUBSCRIBE, which paho
// stores under the same keys).
func unacknowledgedPublish(p packets.ControlPacket) bool {
	switch p := p.(type) {
	case *packets.PublishPacket:
		return p.Qos > 0
	case *packets.PubrelPacket:
		return true
	}
	return false
}

// outboundKey is paho's store key of an outbound packet ID.
func outboundKey(id uint16) string { return "o." + strconv.Itoa(int(id)) }

// pubrelSent records that paho wrote the PUBREL of outbound packet id:
// a QoS 2 PUBLISH still stored under it is replaced by the PUBREL, so that
// a resumed session sends the PUBREL and not the PUBLISH (see pubrelConn).
func (g *qos2Guard) pubrelSent(id uint16) {
	key := outboundKey(id)
	g.mu.Lock()
	defer g.mu.Unlock()
	if p, ok := g.Store.Get(key).(*packets.PublishPacket); ok && p.Qos == 2 {
		rel := packets.NewControlPacket(packets.Pubrel).(*packets.PubrelPacket)
		rel.MessageID = id
		g.Store.Put(key, rel)
	}
}

// publishable reports whether a QoS 2 PUBLISH about to be written is still
// to be sent: the store holds that same PUBLISH under its packet ID, or
// holds nothing under it and the session is not persistent. A PUBREL in
// its place (PUBREC received), another message under the ID (reused), or
// with a persistent session nothing (PUBCOMP received) makes it a late copy
// (see pubrelConn).
func (g *qos2Guard) publishable(id uint16, topic, payload []byte, persistent bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch p := g.Store.Get(outboundKey(id)).(type) {
	case *packets.PublishPacket:
		return p.Qos == 2 && p.TopicName == string(topic) && bytes.Equal(p.Payload, payload)
	case nil:
		return !persistent
	}
	return false
}

// forget drops the received QoS 2 state; the broker has no session.
func (g *qos2Guard) forget() {
	g.mu.Lock()
	g.received = map[uint16]*receivedQoS2{}
	g.mu.Unlock()
}

// release returns a channel closed when the outbound packet with this ID
// leaves the store, or nil when it is not stored (already acknowledged).
func (g *qos2Guard) release(id uint16) <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.Store.Get(outboundKey(id)) == nil {
		return nil
	}
	ch := make(chan struct{})
	g.released[id] = append(g.released[id], ch)
	return ch
}

// firstDelivery records a received QoS 2 message and reports false when it
// is a copy of one already delivered and not yet released; the copy is
// then acknowledged now (original handled) or by handled.
func (g *qos2Guard) firstDelivery(m mqttclient.Message) bool {
	sum := contentHash(m)
	g.mu.Lock()
	r, ok := g.received[m.MessageID()]
	if ok && r.sum == sum {
		if !r.handled {
			r.copies = append(r.copies, m)
			g.mu.Unlock()
			return false
		}
		g.mu.Unlock()
		m.Ack()
		return false
	}
	g.received[m.MessageID()] = &receivedQoS2{sum: sum}
	g.mu.Unlock()
	return true
}

// handled records that m was acknowledged and acknowledges its copies.
func (g *qos2Guard) handled(m mqttclient.Message) {
	g.mu.Lock()
	r, ok := g.received[m.MessageID()]
	var copies []mqttclient.Message
	if ok && r.sum == contentHash(m) {
		r.handled = true
		copies, r.copies = r.copies, nil
	}
	g.mu.Unlock()
	for _, c := range copies {
		c.Ack()
	}
}

func contentHash(m mqttclient.Message) uint64 {
	h := fnv.New64a()
	h.Write([]byte(m.Topic()))
	h.Write([]byte{0})
	h.Write(m.Payload())
	return h.Sum64()
}
