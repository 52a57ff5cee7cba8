package runtime

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// initialReconnectDelay is the wait before the first reconnection attempt;
// it doubles after each failure up to Config.MaxReconnectDelay.
const initialReconnectDelay = 250 * time.Millisecond

// reconnectLoop is one run of automatic reconnection.
type reconnectLoop struct {
	stop  chan struct{} // closed to cancel
	done  chan struct{} // closed when the loop has exited
	first time.Duration // the wait before its first attempt (0: initialReconnectDelay)
}

func newReconnectLoop(first time.Duration) *reconnectLoop {
	return &reconnectLoop{stop: make(chan struct{}), done: make(chan struct{}), first: first}
}

// firstWaitLocked is the wait before the first attempt of a reconnection
// run starting now; c.mu held. The backoff would otherwise start again
// from initialReconnectDelay after every CONNACK, so a link the broker
// drops right after accepting it (another process took over the client
// ID, say) was retried about four times a second forever. A link that
// lived less than twice the wait that made it counts as flapping: the
// next run starts from twice that wait, up to MaxReconnectDelay.
func (c *Client) firstWaitLocked() time.Duration {
	if c.lastWait > 0 && time.Since(c.linkSince) < 2*c.lastWait {
		return min(2*c.lastWait, c.cfg.MaxReconnectDelay)
	}
	return 0
}

// outage lets QoS 1/2 publishers wait for a reconnection.
type outage struct {
	restored  chan struct{} // closed when the link is back
	abandoned chan struct{} // closed when no reconnection will happen
}

func newOutage() *outage {
	return &outage{restored: make(chan struct{}), abandoned: make(chan struct{})}
}

// reconnect retries with exponential backoff (with jitter, capped at
// MaxReconnectDelay) until a broker accepts, the loop is stopped, or
// MaxReconnectAttempts attempts have failed, which it reports.
func (c *Client) reconnect(l *reconnectLoop) {
	defer close(l.done)
	delay := min(initialReconnectDelay, c.cfg.MaxReconnectDelay)
	if l.first > 0 {
		delay = l.first
	}
	var lastErr error
	attempts := 0
	refusalReported := false
	for c.cfg.MaxReconnectAttempts == 0 || attempts < c.cfg.MaxReconnectAttempts {
		t := time.NewTimer(jitter(delay))
		select {
		case <-t.C:
		case <-l.stop:
			t.Stop()
			return
		}
		attempts++
		c.stats.attempts.Add(1)
		if _, _, h := c.hooks(); h != nil {
			opts := c.pahoOpts
			h(c.pc, &opts)
		}
		ctx, cancel := stopContext(l.stop)
		sessionPresent, err := c.dial(ctx)
		cancel()
		if err == nil {
			c.mu.Lock()
			c.lastWait = delay
			c.mu.Unlock()
			if err := c.established(sessionPresent, true); err != nil {
				c.log.Debug("mqtt: reconnected after Disconnect; closing", "client_id", c.cfg.ClientID, "err", err)
			}
			return
		}
		lastErr = err
		c.log.Warn("mqtt: reconnection attempt failed", "client_id", c.cfg.ClientID, "attempt", attempts, "err", err)
		if errors.Is(err, ErrLoginRefused) && !refusalReported {
			// Retrying cannot help until someone changes the credentials
			// or the broker's: say so once per run, where the application
			// hears of failures (the log alone is easy to miss).
			refusalReported = true
			c.asyncErr("", err)
		}
		delay = min(delay*2, c.cfg.MaxReconnectDelay)
	}
	c.giveUp(l, attempts, lastErr)
}

// stopContext returns a context cancelled when stop closes.
func stopContext(stop <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

// jitter spreads d over [0.8d, 1.2d) so that many clients cut off together
// do not all come back at the same instant.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// giveUp ends automatic reconnection after the last allowed attempt.
func (c *Client) giveUp(l *reconnectLoop, attempts int, lastErr error) {
	c.mu.Lock()
	if c.loop != l { // Disconnect or Reconnect took over
		c.mu.Unlock()
		return
	}
	c.loop = nil
	c.state = stateDisconnected
	c.ready.Store(false)
	o := c.outage
	c.outage = nil
	c.mu.Unlock()
	if o != nil {
		close(o.abandoned)
	}
	c.window.close()
	c.stats.gaveUp.Store(true)
	err := fmt.Errorf("%w: gave up reconnecting after %d attempts: %w", ErrConnectionFailed, attempts, lastErr)
	c.log.Error("mqtt: reconnection stopped", "client_id", c.cfg.ClientID, "err", err)
	if c.reconnectFailed != nil {
		c.reconnectFailed(err)
	}
}
