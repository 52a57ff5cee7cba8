package runtime

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/eclipse/paho.mqtt.golang/packets"
)

// Connect connects to the first broker that accepts, bounded by ctx and by
// ConnectTimeout per broker. A refused login, an unreachable broker or a TLS
// failure is an error wrapping ErrConnectionFailed with the cause; a client
// already connected (or reconnecting) returns ErrAlreadyConnected. The first
// connection is not retried; once connected, a lost link is reconnected
// when AutoReconnect is on. Tracked subscriptions are made again when the
// broker kept no session (ResumeSubs), before the OnConnect handler runs.
func (c *Client) Connect(ctx context.Context) error {
	c.mu.Lock()
	if c.state != stateDisconnected {
		c.mu.Unlock()
		return ErrAlreadyConnected
	}
	c.state = stateConnecting
	c.lastWait = 0 // no backoff wait made this link
	c.mu.Unlock()

	c.dispatch.start()
	sessionPresent, err := c.dial(ctx)
	if err == nil {
		err = c.established(sessionPresent, false)
	}
	if err != nil {
		c.mu.Lock()
		if c.state == stateConnecting {
			c.state = stateDisconnected
		}
		c.mu.Unlock()
		c.dispatch.shutdown(ctx)
		return err
	}
	return nil
}

// IsConnected reports whether the link to the broker is up now and ready:
// after a reconnection, only once the subscriptions the broker lost are
// made again, so that nothing published from then on to one of them is
// missed.
func (c *Client) IsConnected() bool { return c.ready.Load() && c.pc.IsConnectionOpen() }

// Disconnect stops any reconnection, waits (bounded by ctx) for
// PublishAsync calls in flight and for queued messages to reach their
// handlers, sends DISCONNECT (so the will is not published) and closes the
// link. Tracked subscriptions are kept for a later Connect. Calling it on a
// disconnected client only releases its goroutines. A handler may call it:
// it then does not wait for that handler, whose worker handles the rest of
// the queue once the handler returns (those messages are not acknowledged).
func (c *Client) Disconnect(ctx context.Context) error {
	c.mu.Lock()
	if c.state == stateDisconnecting {
		c.mu.Unlock()
		return nil
	}
	c.state = stateDisconnecting
	loop, o, dialing := c.loop, c.outage, c.dialing
	c.loop, c.outage = nil, nil
	c.mu.Unlock()

	if o != nil {
		close(o.abandoned) // publishers waiting for the link give up now
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OperationTimeout+c.cfg.ConnectTimeout)
	defer cancel()
	if loop != nil {
		close(loop.stop)
		waitClosed(ctx, loop.done)
	}
	if dialing != nil {
		waitClosed(ctx, dialing)
	}
	c.flushAsync(ctx) // PublishAsync calls in flight still find the link ready
	c.ready.Store(false)
	if c.pc.IsConnectionOpen() {
		quiesce := 250 * time.Millisecond
		if d, ok := ctx.Deadline(); ok {
			quiesce = min(quiesce, max(time.Until(d), 0))
		}
		c.pc.Disconnect(uint(quiesce.Milliseconds()))
	}
	// Publishers still waiting for a place in the publish window wait for
	// acknowledgements that will not come now (PublishAsync calls had
	// their chance above).
	c.window.close()
	// Every message received before the DISCONNECT still reaches its
	// handlers. Those handled after it cannot be acknowledged any more: a
	// broker keeping the session sends them again (a QoS 2 copy is then
	// recognised by the guard while this process runs).
	c.dispatch.shutdown(ctx)

	c.mu.Lock()
	c.state = stateDisconnected
	c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%w: disconnect did not finish cleanly: %w", ErrTimeout, err)
	}
	return nil
}

// Reconnect closes the current link, if any (with DISCONNECT, so the will
// is not published), and connects again, bounded by ConnectTimeout per
// broker. A running automatic reconnection is replaced by this attempt; if
// it fails and AutoReconnect is on, automatic reconnection goes on. It also
// restarts a client whose reconnection gave up. Calls made while one is in
// progress wait for it and return its outcome.
func (c *Client) Reconnect() error {
	c.mu.Lock()
	if call := c.reconnectCall; call != nil {
		// Another Reconnect is under way: a second attempt would find the
		// link it makes already up. Share its outcome.
		c.mu.Unlock()
		select {
		case <-call.done:
			return call.err
		case <-time.After(c.dialBound() + 2*c.cfg.ConnectTimeout + c.cfg.OperationTimeout):
			return fmt.Errorf("%w: waiting for a concurrent Reconnect: %w", ErrConnectionFailed, ErrTimeout)
		}
	}
	call := &reconnectCall{done: make(chan struct{})}
	c.reconnectCall = call
	c.mu.Unlock()
	call.err = c.reconnectOnce()
	c.mu.Lock()
	c.reconnectCall = nil
	c.mu.Unlock()
	close(call.done)
	return call.err
}

// reconnectCall is one Reconnect in progress, which concurrent calls wait
// for: err is set before done is closed.
type reconnectCall struct {
	done chan struct{}
	err  error
}

// reconnectOnce is one Reconnect.
func (c *Client) reconnectOnce() error {
	c.mu.Lock()
	switch c.state {
	case stateConnecting, stateDisconnecting:
		c.mu.Unlock()
		return fmt.Errorf("%w: a Connect or Disconnect is in progress", ErrConnectionFailed)
	}
	loop := c.loop
	c.loop = nil
	c.state = stateReconnecting
	c.ready.Store(false)
	if c.outage == nil {
		c.outage = newOutage()
	}
	c.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), c.dialBound()+c.cfg.ConnectTimeout)
	defer cancel()
	if loop != nil {
		close(loop.stop)
		waitClosed(ctx, loop.done)
	}
	c.dispatch.start()
	c.mu.Lock()
	c.lastWait = 0 // no backoff wait makes this link
	c.mu.Unlock()
	if c.pc.IsConnectionOpen() {
		c.pc.Disconnect(100)
	}
	c.stats.attempts.Add(1)
	sessionPresent, err := c.dial(ctx)
	if err == nil {
		return c.established(sessionPresent, true)
	}
	c.mu.Lock()
	var next *reconnectLoop
	if c.state == stateReconnecting && c.loop == nil {
		if *c.cfg.AutoReconnect {
			next = newReconnectLoop(0)
			c.loop = next
		} else {
			c.state = stateDisconnected
			if o := c.outage; o != nil {
				c.outage = nil
				close(o.abandoned)
			}
			c.window.close()
		}
	}
	c.mu.Unlock()
	if next != nil {
		go c.reconnect(next)
	}
	return err
}

// dialBound is the longest one paho connection attempt can take: each
// broker in turn, each bounded by ConnectTimeout.
func (c *Client) dialBound() time.Duration {
	return time.Duration(len(c.cfg.Brokers))*c.cfg.ConnectTimeout + time.Second
}

// dial makes one paho connection attempt over the brokers and returns the
// CONNACK's session-present flag. If ctx ends first, the attempt is left to
// finish in the background and a connection it makes is closed; c.dialing
// lets Connect, Reconnect and Disconnect wait for that.
func (c *Client) dial(ctx context.Context) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrConnectionFailed, c.brokerList(), ctxError(ctx))
	}
	c.mu.Lock()
	pending := c.dialing
	c.mu.Unlock()
	if pending != nil {
		waitClosed(ctx, pending)
	}
	settled := make(chan struct{})
	c.mu.Lock()
	c.lostInDial = false
	c.dialing = settled
	c.mu.Unlock()
	finish := func() {
		c.mu.Lock()
		if c.dialing == settled {
			c.dialing = nil
		}
		c.mu.Unlock()
		close(settled)
	}

	// Counted before paho connects: resuming a session, paho completes the
	// tokens of the publishes it resends before any acknowledgement, and a
	// publisher that saw no new link would take that for success.
	c.stats.links.Add(1)
	bound := time.NewTimer(c.dialBound())
	defer bound.Stop()
	for {
		tok := c.pc.Connect()
		select {
		case <-tok.Done():
			if err := tok.Error(); err != nil && isStatusBusy(err) {
				// paho is still tearing down the previous connection.
				select {
				case <-time.After(20 * time.Millisecond):
					continue
				case <-ctx.Done():
				case <-bound.C:
				}
				finish()
				return false, c.connectError(tok, fmt.Errorf("%w: previous connection still closing", ErrTimeout))
			}
			finish()
			if err := tok.Error(); err != nil {
				return false, c.connectError(tok, err)
			}
			return tok.(*mqttclient.ConnectToken).SessionPresent(), nil
		case <-ctx.Done():
		case <-bound.C:
		}
		go func() { // let the attempt finish, then undo it
			defer finish()
			select {
			case <-tok.Done():
				if tok.Error() == nil {
					c.pc.Disconnect(0)
				}
			case <-time.After(c.dialBound()):
				c.log.Error("mqtt: connection attempt did not finish", "client_id", c.cfg.ClientID, "bound", c.dialBound())
			}
		}()
		err := ctx.Err()
		if err == nil {
			err = context.DeadlineExceeded
		}
		return false, fmt.Errorf("%w: %s: %w", ErrConnectionFailed, c.brokerList(), fmt.Errorf("%w: %w", ErrTimeout, err))
	}
}

// isStatusBusy recognises paho's refusal to connect while its previous
// connection is still being torn down (paho does not export this error).
func isStatusBusy(err error) bool {
	return strings.Contains(err.Error(), "transition to connecting from disconnected")
}

// connectError wraps a failed attempt; a refused login says so.
func (c *Client) connectError(tok mqttclient.Token, err error) error {
	if ct, ok := tok.(*mqttclient.ConnectToken); ok {
		switch ct.ReturnCode() {
		case packets.ErrRefusedBadUsernameOrPassword, packets.ErrRefusedNotAuthorised:
			return fmt.Errorf("%w: %s: %w: %w", ErrConnectionFailed, c.brokerList(), ErrLoginRefused, err)
		case packets.ErrRefusedIDRejected:
			return fmt.Errorf("%w: %s: client ID %q rejected: %w", ErrConnectionFailed, c.brokerList(), c.cfg.ClientID, err)
		}
	}
	if isTimeout(err) {
		// ConnectTimeout ran out (dial, TLS handshake or CONNACK): a
		// timeout, as the runtime's other bounds are.
		return fmt.Errorf("%w: %s: %w: %w", ErrConnectionFailed, c.brokerList(), ErrTimeout, err)
	}
	return fmt.Errorf("%w: %s: %w", ErrConnectionFailed, c.brokerList(), err)
}

// isTimeout recognises a network timeout in paho's error chain: a deadline
// on the socket, or the dialer's context.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

func (c *Client) brokerList() string {
	names := make([]string, len(c.cfg.Brokers))
	for i, b := range c.cfg.Brokers {
		names[i] = redactURL(b)
	}
	return strings.Join(names, ", ")
}

// errDisconnectedMeanwhile: Disconnect won the race against a connection.
var errDisconnectedMeanwhile = fmt.Errorf("%w: Disconnect was called while connecting", ErrConnectionFailed)

// established records a new connection, resumes subscriptions when the
// broker kept no session (or settles those left unknown or wrong when it
// kept it, see resumeSubscriptions), marks the client ready and calls the
// OnConnect handler. Publishers waiting for the link (the outage) are
// released only once the subscriptions are made again, and until then
// IsConnected is false, so that a message published to one of our own
// subscriptions is not missed.
func (c *Client) established(sessionPresent, reconnect bool) error {
	c.mu.Lock()
	if c.state != stateConnecting && c.state != stateReconnecting {
		c.mu.Unlock()
		// A Disconnect that stopped waiting for this dial (its ctx ended,
		// or it ran before the dial began) has already looked at the link
		// and will not close it: close it here, or paho keeps it open
		// behind a disconnected client and refuses every later Connect.
		c.pc.Disconnect(0)
		return errDisconnectedMeanwhile
	}
	c.state = stateConnected
	c.linkSince = time.Now()
	lost := c.lostInDial
	c.lostInDial = false
	o := c.outage // stays registered until the client is ready
	c.mu.Unlock()

	c.stats.connected()
	if reconnect {
		c.stats.reconnects.Add(1)
	}
	c.log.Info("mqtt: connected", "client_id", c.cfg.ClientID, "broker", c.connectedBroker(), "session_present", sessionPresent, "reconnect", reconnect)
	if lost {
		// Publishers keep waiting on the outage, for the next reconnection.
		c.connectionLost(c.pc, errors.New("connection lost while it was being set up"))
		return nil
	}
	if !sessionPresent {
		c.guard.forget() // the broker resends nothing: no copy to expect
	}
	c.resumeSubscriptions(sessionPresent)
	// Ready unless the link was lost (connectionLost changed the state and
	// kept the outage) or a publisher saw paho drop it (a new outage).
	c.mu.Lock()
	ready := c.state == stateConnected && c.outage == o
	if ready {
		c.outage = nil
		c.ready.Store(true)
	}
	c.mu.Unlock()
	if ready {
		c.restoreOutage(o)
	}
	if h, _, _ := c.hooks(); h != nil {
		go h(c.pc)
	}
	return nil
}

func (c *Client) restoreOutage(o *outage) {
	if o != nil {
		close(o.restored)
	}
}

// connectionLost is paho's connection-lost handler (paho runs it on its own
// goroutine once its workers have stopped).
func (c *Client) connectionLost(_ mqttclient.Client, err error) {
	c.mu.Lock()
	c.ready.Store(false)
	switch c.state {
	case stateConnected:
	case stateConnecting, stateReconnecting:
		c.lostInDial = true // established will handle it
		c.mu.Unlock()
		return
	default: // Disconnect is closing the link: expected
		c.mu.Unlock()
		return
	}
	var loop *reconnectLoop
	var abandoned *outage
	if *c.cfg.AutoReconnect {
		c.state = stateReconnecting
		if c.outage == nil {
			c.outage = newOutage()
		}
		loop = newReconnectLoop(c.firstWaitLocked())
		c.loop = loop
	} else {
		c.state = stateDisconnected
		abandoned, c.outage = c.outage, nil
	}
	c.mu.Unlock()
	if abandoned != nil {
		close(abandoned.abandoned)
	}
	if loop == nil {
		c.window.close()
	}

	c.stats.losses.Add(1)
	c.log.Warn("mqtt: connection lost", "client_id", c.cfg.ClientID, "err", err, "reconnecting", loop != nil)
	if loop != nil {
		go c.reconnect(loop)
	}
	if _, h, _ := c.hooks(); h != nil {
		h(c.pc, err)
	}
}

// waitClosed waits for ch to close or ctx to end.
func waitClosed(ctx context.Context, ch <-chan struct{}) {
	select {
	case <-ch:
	case <-ctx.Done():
	}
}
