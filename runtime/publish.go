package runtime

import (
	"context"
	"errors"
	"fmt"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// Publish sends payload to topic and waits for the acknowledgement its QoS
// implies (QoS 0: written to the connection; 1: PUBACK; 2: PUBCOMP),
// bounded by OperationTimeout (ErrTimeout). []byte, string and
// json.RawMessage are sent as they are, nil as an empty payload, anything
// else through the Codec.
//
// While the link is down a QoS 0 publish fails at once with ErrNotConnected
// (paho would report it sent and drop it); a QoS 1/2 publish waits, within
// the same bound, for an automatic reconnection. A publish that times out
// may still be delivered later.
func (c *Client) Publish(topic string, qos byte, retained bool, payload interface{}) error {
	data, err := c.preparePublish(topic, qos, payload)
	if err != nil {
		return err
	}
	return c.publish(context.Background(), topic, qos, retained, data)
}

// PublishContext is Publish for bytes, bounded by ctx as well as by
// OperationTimeout. Generated code calls it. With a ctx that can never
// end (context.Background) paho's hand-off of the packet runs on the
// caller's goroutine; any other ctx costs a goroutine per call, so that
// cancelling it releases a publish stuck behind a stalled connection at
// once.
func (c *Client) PublishContext(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error {
	if err := c.checkPublish(topic, qos, payload); err != nil {
		return err
	}
	return c.publish(ctx, topic, qos, retained, payload)
}

// PublishAsync checks and encodes the message, hands it to a background
// publish and returns. Its failures go to the async error handler (see
// WithAsyncErrorHandler) and the stats. At most MaxInFlight async publishes
// are pending; when all slots are taken it waits for one, up to twice
// OperationTimeout (ErrTimeout). A QoS 0 publish while disconnected fails at once with
// ErrNotConnected.
func (c *Client) PublishAsync(topic string, qos byte, retained bool, payload interface{}) error {
	data, err := c.preparePublish(topic, qos, payload)
	if err != nil {
		return err
	}
	if qos == 0 && !c.IsConnected() {
		c.stats.dropped.Add(1)
		return notConnected(topic)
	}
	if err := c.acquireSlot(); err != nil {
		return fmt.Errorf("%w: topic %q: %w", ErrPublishFailed, topic, err)
	}
	go func() {
		defer func() { <-c.inFlight }()
		if err := c.publish(context.Background(), topic, qos, retained, data); err != nil {
			c.asyncErr(topic, err)
		}
	}()
	return nil
}

func (c *Client) acquireSlot() error {
	select {
	case c.inFlight <- struct{}{}:
		return nil
	default:
	}
	// Every publish in flight settles within OperationTimeout, so a slot
	// frees within that; twice the bound leaves room for scheduling.
	t := time.NewTimer(2 * c.cfg.OperationTimeout)
	defer t.Stop()
	select {
	case c.inFlight <- struct{}{}:
		return nil
	case <-t.C:
		return fmt.Errorf("%w: %d asynchronous publishes already in flight", ErrTimeout, cap(c.inFlight))
	}
}

// flushAsync waits, bounded by ctx, until no PublishAsync is in flight, by
// taking every slot and giving them back.
func (c *Client) flushAsync(ctx context.Context) {
	taken := 0
	defer func() {
		for range taken {
			<-c.inFlight
		}
	}()
	for taken < cap(c.inFlight) {
		select {
		case c.inFlight <- struct{}{}:
			taken++
		case <-ctx.Done():
			return
		}
	}
}

func (c *Client) preparePublish(topic string, qos byte, payload any) ([]byte, error) {
	data, err := c.encodePayload(topic, payload)
	if err != nil {
		return nil, err
	}
	return data, c.checkPublish(topic, qos, data)
}

func (c *Client) checkPublish(topic string, qos byte, payload []byte) error {
	if err := ValidateTopic(topic); err != nil {
		return err
	}
	if err := checkQoS(qos); err != nil {
		return err
	}
	if max := c.cfg.MaxPayloadSize; max > 0 && len(payload) > max {
		return fmt.Errorf("topic %q: %w", topic, payloadTooLarge(len(payload), max))
	}
	if max := maxPublishPayload(topic, qos); len(payload) > max {
		return fmt.Errorf("topic %q: %w (the largest PUBLISH MQTT can carry)", clip(topic), payloadTooLarge(len(payload), max))
	}
	return nil
}

// maxRemainingLength is the largest remaining length of an MQTT packet: four
// bytes of seven bits [MQTT-2.2.3].
const maxRemainingLength = 268_435_455

// maxPublishPayload is the largest payload a PUBLISH to topic at qos can
// carry: paho encodes a longer one with a fifth length byte, which the
// broker takes for a malformed packet and closes the connection (and a
// QoS 1/2 message kept in a persistent session is sent again, and refused
// again, on every reconnection).
func maxPublishPayload(topic string, qos byte) int {
	max := maxRemainingLength - 2 - len(topic) // topic length prefix and topic
	if qos > 0 {
		max -= 2 // packet ID
	}
	return max
}

func checkQoS(qos byte) error {
	if qos > 2 {
		return fmt.Errorf("%w: %d (want 0, 1 or 2)", ErrInvalidQoS, qos)
	}
	return nil
}

func payloadTooLarge(size, max int) error {
	return fmt.Errorf("%w: %d bytes, the limit is %d", ErrPayloadTooLarge, size, max)
}

func notConnected(topic string) error {
	return fmt.Errorf("%w: topic %q: %w", ErrPublishFailed, topic, ErrNotConnected)
}

// publish sends a checked message; see Publish for the semantics.
func (c *Client) publish(ctx context.Context, topic string, qos byte, retained bool, data []byte) error {
	var b opBound
	b.begin(ctx, c.cfg.OperationTimeout)
	defer b.end()
	if !c.IsConnected() {
		if qos == 0 {
			c.stats.dropped.Add(1)
			return notConnected(topic)
		}
		if err := c.awaitLink(&b); err != nil {
			c.stats.dropped.Add(1)
			return fmt.Errorf("%w: topic %q: %w", ErrPublishFailed, topic, err)
		}
	}
	c.stats.sent.Add(1)
	links := c.stats.links.Load()
	var tok mqttclient.Token
	var err error
	if qos > 0 && c.files != nil {
		// Refused, not sent, while the file store cannot keep it: its
		// crash safety is what the file store was chosen for.
		err = c.files.usable()
	}
	if err == nil {
		tok, err = c.startPublish(&b, topic, qos, retained, data)
	}
	// The link may drop again between the reconnection that released this
	// publisher and paho's Publish: paho then refuses at once with "not
	// connected" (nothing was stored or sent), so wait for the next
	// reconnection within the same bound instead of failing.
	for err == nil && qos > 0 && refusedNotConnected(tok) {
		if c.awaitLink(&b) != nil {
			break
		}
		links = c.stats.links.Load()
		tok, err = c.startPublish(&b, topic, qos, retained, data)
	}
	if err == nil {
		err = b.waitToken(tok)
		if err != nil && qos > 0 && !*c.cfg.CleanSession && *c.cfg.AutoReconnect && b.err() == nil {
			// Paho fails the token when writing the PUBLISH fails, yet
			// keeps the packet in its store and resends it after the
			// reconnection (the session persists): the outcome is that
			// resend's acknowledgement. Failing here would make a caller
			// send it again, a second message at QoS 2.
			if rerr := c.awaitRelease(&b, tok); rerr == nil || errors.Is(rerr, ErrTimeout) {
				err = rerr
			}
		}
	}
	if err == nil && qos > 0 && c.stats.links.Load() != links {
		// Reconnected meanwhile: paho completes the token of a PUBLISH it
		// resends from its store without waiting for the acknowledgement.
		// Success is when the store releases the packet.
		err = c.awaitRelease(&b, tok)
	}
	if err != nil {
		c.stats.pubErrors.Add(1)
		if errors.Is(err, mqttclient.ErrNotConnected) {
			err = fmt.Errorf("%w: %w", ErrNotConnected, err)
		}
		return fmt.Errorf("%w: topic %q: %w", ErrPublishFailed, topic, err)
	}
	c.stats.acked.Add(1)
	return nil
}

// startPublish hands the message to paho within b; nothing is sent once b
// has ended. A QoS 1/2 message first waits for a place in the publish
// window, which it holds until paho's Publish has stored it.
func (c *Client) startPublish(b *opBound, topic string, qos byte, retained bool, data []byte) (mqttclient.Token, error) {
	if err := b.err(); err != nil {
		return nil, err
	}
	if qos > 0 {
		if err := c.window.reserve(b); err != nil {
			return nil, err
		}
	}
	if b.direct { // the common case: no goroutine, no closure
		tok := c.pc.Publish(topic, qos, retained, data)
		if qos > 0 {
			c.window.unreserve()
		}
		return tok, nil
	}
	return b.start(func() mqttclient.Token {
		// Unreserved when paho returns, not when the caller stops waiting:
		// paho may store the packet after that.
		tok := c.pc.Publish(topic, qos, retained, data)
		if qos > 0 {
			c.window.unreserve()
		}
		return tok
	})
}

// awaitLink waits, within b, for an automatic reconnection in progress.
func (c *Client) awaitLink(b *opBound) error {
	c.mu.Lock()
	o := c.outage
	if o == nil && c.state == stateConnected && *c.cfg.AutoReconnect && !c.pc.IsConnectionOpen() {
		// Paho has dropped the link but not yet called connectionLost (it
		// does once its goroutines stop): the reconnection is coming, so
		// wait for it rather than fail. connectionLost adopts this outage.
		o = newOutage()
		c.outage = o
	}
	c.mu.Unlock()
	if o == nil {
		return ErrNotConnected
	}
	restored, err := b.waitEither(o.restored, o.abandoned)
	switch {
	case err != nil:
		return fmt.Errorf("%w: still reconnecting: %w", ErrNotConnected, err)
	case !restored:
		return ErrNotConnected
	}
	return nil
}

// refusedNotConnected reports a publish paho refused because the link was
// down when it was called: its token completes at once with paho's
// ErrNotConnected.
func refusedNotConnected(tok mqttclient.Token) bool {
	select {
	case <-tok.Done():
		return errors.Is(tok.Error(), mqttclient.ErrNotConnected)
	default:
		return false
	}
}

// awaitRelease waits, within b, until the packet of a QoS 1/2 publish
// leaves the store (PUBACK or PUBCOMP received).
func (c *Client) awaitRelease(b *opBound, tok mqttclient.Token) error {
	pt, ok := tok.(*mqttclient.PublishToken)
	if !ok {
		return nil
	}
	released := c.guard.release(pt.MessageID())
	if released == nil {
		return nil
	}
	if err := b.wait(released); err != nil {
		return fmt.Errorf("resent after a reconnection, not acknowledged: %w", err)
	}
	return nil
}
