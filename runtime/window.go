package runtime

import (
	"fmt"
	"slices"
	"sync"
)

// maxPacketIDs is the number of packet IDs (1-65535) [MQTT-2.3.1-1]: no
// more publishes than that can be unacknowledged at once.
const maxPacketIDs = 65535

// publishWindow bounds the QoS 1 and 2 publishes the broker holds from
// this client unacknowledged (Config.PublishWindow).
//
// A broker has a limit of its own (MQTT 5 calls it Receive Maximum;
// Mosquitto's is max_inflight_messages, default 20) and MQTT 3.1.1 gives it
// no way to refuse a publish beyond it: Mosquitto (2.0.16 and later, and
// distributions' 2.0.x with the fix for CVE-2023-28366) answers such a QoS
// 2 PUBLISH with PUBREC, a QoS 1 PUBLISH with PUBACK, and discards it (its
// reason code 0x97, quota exceeded, exists only in MQTT 5 and is left out
// of a 3.1.1 packet). The sender sees a normal acknowledgement. Mosquitto
// counts a QoS 2 message from its arrival until it sends the PUBCOMP, and
// refuses a QoS 1 or 2 message that arrives while its count is at the
// limit, so both are kept under it here: a message counts from before paho
// stores it until its packet leaves paho's store (PUBACK or PUBCOMP
// received), which covers the broker's count. See RELIABILITY.md, D13.
//
// The window follows the store rather than the publish calls: a publish
// that timed out may still be in flight (and is resent after a
// reconnection), and a session resumed from a file store brings messages
// of an earlier process; all of them hold a place until acknowledged, or
// until a clean session empties the store.
type publishWindow struct {
	mu   sync.Mutex
	size int
	// stored are the outbound packet IDs of QoS 1/2 publishes in paho's
	// store (PUBLISH, or PUBREL once the broker sent PUBREC).
	stored map[uint16]struct{}
	// reserved counts publishers between reserve and unreserve: their
	// packet may already be in stored, so it briefly counts twice, which
	// errs on the safe side.
	reserved int
	// waiters are publishers waiting for room, first come first served.
	waiters []*windowWaiter
	// closed: no reconnection is coming (Disconnect, AutoReconnect off,
	// reconnection given up), so waiting for the broker to acknowledge
	// what holds the window is pointless; cleared when a connection opens
	// the store again (reset).
	closed bool
}

// windowWaiter is a publisher waiting for a place: ready is closed when it
// is given one, or refused (refused set, under publishWindow.mu) when the
// window is closed.
type windowWaiter struct {
	ready   chan struct{}
	refused bool
}

func newPublishWindow(size int) *publishWindow {
	return &publishWindow{size: size, stored: map[uint16]struct{}{}}
}

// reserve waits, within b, for room for one more publish.
func (w *publishWindow) reserve(b *opBound) error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return errWindowClosed
	}
	if len(w.waiters) == 0 && w.used() < w.size {
		w.reserved++
		w.mu.Unlock()
		return nil
	}
	me := &windowWaiter{ready: make(chan struct{})}
	w.waiters = append(w.waiters, me)
	w.mu.Unlock()
	err := b.wait(me.ready)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil && me.refused:
		return errWindowClosed
	case err == nil:
		return nil
	}
	select {
	case <-me.ready:
		if !me.refused { // given a reservation as the bound ended: pass it on
			w.reserved--
			w.grant()
		}
	default:
		w.waiters = slices.DeleteFunc(w.waiters, func(o *windowWaiter) bool { return o == me })
	}
	return fmt.Errorf("%d QoS 1/2 publishes unacknowledged (PublishWindow): %w", w.size, err)
}

// errWindowClosed: the client was closed while a publisher waited.
var errWindowClosed = fmt.Errorf("%w: the client was closed while the publish waited for the publish window", ErrNotConnected)

// close releases every waiting publisher with errWindowClosed, and makes
// later ones fail at once, until reset.
func (w *publishWindow) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	for _, o := range w.waiters {
		o.refused = true
		close(o.ready)
	}
	w.waiters = nil
}

// unreserve ends a reservation once paho's Publish has returned (its packet
// is stored by then, or was never stored).
func (w *publishWindow) unreserve() {
	w.mu.Lock()
	w.reserved--
	w.grant()
	w.mu.Unlock()
}

// add records a QoS 1/2 publish stored under id.
func (w *publishWindow) add(id uint16) {
	w.mu.Lock()
	w.stored[id] = struct{}{}
	w.mu.Unlock()
}

// remove records that the publish stored under id left the store.
func (w *publishWindow) remove(id uint16) {
	w.mu.Lock()
	if _, ok := w.stored[id]; ok {
		delete(w.stored, id)
		w.grant()
	}
	w.mu.Unlock()
}

// reset makes ids the stored publishes (the store was emptied or opened).
func (w *publishWindow) reset(ids []uint16) {
	w.mu.Lock()
	w.closed = false
	clear(w.stored)
	for _, id := range ids {
		w.stored[id] = struct{}{}
	}
	w.grant()
	w.mu.Unlock()
}

// used is the number of places taken; w.mu held.
func (w *publishWindow) used() int { return len(w.stored) + w.reserved }

// grant gives free places to waiters in order; w.mu held.
func (w *publishWindow) grant() {
	for len(w.waiters) > 0 && w.used() < w.size {
		close(w.waiters[0].ready)
		w.waiters = w.waiters[1:]
		w.reserved++
	}
}
