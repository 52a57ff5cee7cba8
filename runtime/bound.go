package runtime

import (
	"context"
	"fmt"
	"sync"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// opBound bounds one publish by the caller's ctx and by OperationTimeout
// without deriving a context: context.WithTimeout and a goroutine per call
// (startPaho) were a third of the runtime's CPU per publish (BENCHMARKS.md,
// target 1). The timer comes from a pool and is stopped (and drained) on
// its way back, so a pooled timer is as good as a new one.
//
// An opBound is used by one goroutine; end returns its timer.
type opBound struct {
	ctx      context.Context
	timer    *time.Timer
	timedOut bool // the timer fired and its tick was consumed
	// direct: paho's call can run on the caller's goroutine, because its
	// only blocking step (the hand-off to paho's writer) is bounded by the
	// write timeout, which is OperationTimeout, and ctx cannot end.
	direct bool
}

// errOpTimeout is OperationTimeout running out, worded as an expired
// context was (ErrTimeout wrapping context.DeadlineExceeded).
var errOpTimeout = fmt.Errorf("%w: %w", ErrTimeout, context.DeadlineExceeded)

var timerPool = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

// begin starts the bound of d from now.
func (b *opBound) begin(ctx context.Context, d time.Duration) {
	b.ctx = ctx
	b.timer = timerPool.Get().(*time.Timer)
	b.timer.Reset(d)
	b.timedOut = false
	// Any context with a Done channel may be cancelled early, whatever
	// its deadline: only one that can never end lets paho block the caller.
	b.direct = ctx.Done() == nil
}

// end gives the timer back.
func (b *opBound) end() {
	if !b.timer.Stop() {
		// Only with GODEBUG=asynctimerchan=1 (pre-1.23 timers) can a tick
		// wait in the channel after Stop: drop it, or the next publish
		// would time out at once.
		select {
		case <-b.timer.C:
		default:
		}
	}
	timerPool.Put(b.timer)
	b.timer = nil
}

// err is the reason the bound has ended, or nil while it runs.
func (b *opBound) err() error {
	if b.timedOut {
		return errOpTimeout
	}
	if b.ctx.Err() != nil {
		return ctxError(b.ctx)
	}
	select {
	case <-b.timer.C:
		b.timedOut = true
		return errOpTimeout
	default:
		return nil
	}
}

// wait waits for ready, returning nil, or for the end of the bound,
// returning why it ended.
func (b *opBound) wait(ready <-chan struct{}) error {
	_, err := b.waitEither(ready, nil)
	return err
}

// waitEither waits for first (true) or second (false), or for the end of
// the bound, returning why it ended. A nil second never comes.
func (b *opBound) waitEither(first, second <-chan struct{}) (bool, error) {
	if b.timedOut {
		// The tick was consumed: the bound has ended, but a channel
		// already ready still counts, as it would with an expired context.
		select {
		case <-first:
			return true, nil
		case <-second:
			return false, nil
		default:
			return false, errOpTimeout
		}
	}
	select {
	case <-first:
		return true, nil
	case <-second:
		return false, nil
	case <-b.ctx.Done():
		return false, ctxError(b.ctx)
	case <-b.timer.C:
		b.timedOut = true
		return false, errOpTimeout
	}
}

// waitToken waits for tok within the bound: never token.Wait(), which
// hangs forever on a dropped link.
func (b *opBound) waitToken(tok mqttclient.Token) error {
	if err := b.wait(tok.Done()); err != nil {
		return err
	}
	return tok.Error()
}

// start runs a paho call that may block on its own goroutine (as
// startPaho does), so that a ctx ending meanwhile releases the caller in
// time.
func (b *opBound) start(call func() mqttclient.Token) (mqttclient.Token, error) {
	ch := make(chan mqttclient.Token, 1) // buffered: the goroutine never blocks after we give up
	go func() { ch <- call() }()
	tok, err := b.recv(ch)
	return tok, err
}

// recv is waitEither for a token channel.
func (b *opBound) recv(ch <-chan mqttclient.Token) (mqttclient.Token, error) {
	if b.timedOut {
		return nil, errOpTimeout
	}
	select {
	case tok := <-ch:
		return tok, nil
	case <-b.ctx.Done():
		return nil, ctxError(b.ctx)
	case <-b.timer.C:
		b.timedOut = true
		return nil, errOpTimeout
	}
}
