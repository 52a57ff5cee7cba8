package runtime

import (
	"sync"
	"sync/atomic"
	"time"
)

// ClientStats is a snapshot of the client's counters. Every publish that
// passes validation while connected counts in MessagesSent and, once it
// settles, in exactly one of PublishAcked and PublishErrors, so
// MessagesSent == PublishAcked + PublishErrors when none is in flight.
// Publishes refused because the client was not connected count only in
// MessagesDropped.
type ClientStats struct {
	Connected       bool
	ConnectTime     time.Time // when the current (or last) connection was made
	LastMessageTime time.Time // when the last message was received

	MessagesReceived uint64 // messages received from the broker
	MessagesRejected uint64 // received but refused before a handler (too large, undecodable, invalid)
	MessagesUnrouted uint64 // received with no matching route and no default handler
	// MessagesOverflowed counts QoS 0 messages discarded because the
	// handler queue was full for longer than the reader may wait (see
	// Config.HandlerQueueSize).
	MessagesOverflowed uint64
	// DuplicatesSuppressed counts QoS 2 messages received again before
	// their PUBREL (a resend after a reconnection) and not delivered twice.
	DuplicatesSuppressed uint64
	HandlerPanics        uint64 // handler calls that panicked (recovered) or called runtime.Goexit

	MessagesSent    uint64 // publishes handed to the broker connection
	PublishAcked    uint64 // of those: acknowledged (QoS 1/2) or written (QoS 0)
	PublishErrors   uint64 // of those: failed or timed out
	MessagesDropped uint64 // publishes refused because the client was not connected
	// StoreErrors counts writes and removals the file message store could
	// not make (see ErrStoreFailed); always 0 with the memory store.
	StoreErrors uint64

	Subscriptions int // tracked subscriptions

	Reconnects        uint64 // successful automatic or explicit reconnections
	ReconnectAttempts uint64 // reconnection attempts, successful or not
	ConnectionLosses  uint64 // connections that dropped without Disconnect
	ReconnectGaveUp   bool   // reconnection stopped after MaxReconnectAttempts
}

// SubscriptionInfo describes a tracked subscription.
type SubscriptionInfo struct {
	Topic        string    // the filter, as subscribed (may be $share/...)
	QoS          byte      // the QoS asked for
	GrantedQoS   byte      // the QoS the broker granted
	SubscribedAt time.Time // when the broker last acknowledged it
}

// stats holds the live counters; all fields are safe for concurrent use.
type stats struct {
	received, rejected, unrouted, panics atomic.Uint64
	overflowed, duplicates               atomic.Uint64
	sent, acked, pubErrors, dropped      atomic.Uint64
	storeErrors                          atomic.Uint64
	reconnects, attempts, losses         atomic.Uint64
	links                                atomic.Uint64 // connections attempted (counted before paho resumes a session), for publish
	gaveUp                               atomic.Bool

	// lastMessage is the receive time of the last message in Unix
	// nanoseconds (0: none): an atomic, not the mutex, because paho's
	// reader stores it for every message while GetStats may read it.
	lastMessage atomic.Int64

	mu          sync.Mutex
	connectTime time.Time
}

func (s *stats) messageReceived() {
	s.received.Add(1)
	s.lastMessage.Store(time.Now().UnixNano())
}

func (s *stats) connected() {
	s.gaveUp.Store(false)
	s.mu.Lock()
	s.connectTime = time.Now()
	s.mu.Unlock()
}

// GetStats returns a snapshot of the counters.
func (c *Client) GetStats() ClientStats {
	s := &c.stats
	s.mu.Lock()
	connectTime := s.connectTime
	s.mu.Unlock()
	var lastMessage time.Time
	if ns := s.lastMessage.Load(); ns != 0 {
		lastMessage = time.Unix(0, ns)
	}
	return ClientStats{
		Connected:            c.IsConnected(),
		ConnectTime:          connectTime,
		LastMessageTime:      lastMessage,
		MessagesReceived:     s.received.Load(),
		MessagesRejected:     s.rejected.Load(),
		MessagesUnrouted:     s.unrouted.Load(),
		MessagesOverflowed:   s.overflowed.Load(),
		DuplicatesSuppressed: s.duplicates.Load(),
		HandlerPanics:        s.panics.Load(),
		MessagesSent:         s.sent.Load(),
		PublishAcked:         s.acked.Load(),
		PublishErrors:        s.pubErrors.Load(),
		MessagesDropped:      s.dropped.Load(),
		StoreErrors:          s.storeErrors.Load(),
		Subscriptions:        c.subs.count(),
		Reconnects:           s.reconnects.Load(),
		ReconnectAttempts:    s.attempts.Load(),
		ConnectionLosses:     s.losses.Load(),
		ReconnectGaveUp:      s.gaveUp.Load(),
	}
}
