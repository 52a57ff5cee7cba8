package runtime

import (
	"context"
	"fmt"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// subackFailure is the SUBACK return code for a refused filter [MQTT-3.9.3].
const subackFailure = 0x80

// settleMode says what a settle call is for.
type settleMode struct {
	// force unsubscribes filters nobody wants even when the broker is known
	// not to hold them (Unsubscribe, as paho does).
	force bool
	// resuming: on a new connection, before IsConnected turns true.
	resuming bool
	// sessionLost: the new connection's broker kept no session, so it
	// holds none of the filters.
	sessionLost bool
	// undo, if set, is called under the registry's lock, before the turns
	// are released, with the index of each filter whose outcome is a
	// failure, so that a failed Subscribe leaves nothing behind that a
	// later plan could see.
	undo func(i int)
}

// outcome is what settle did for one filter.
type outcome struct {
	op      opKind
	qos     byte  // for opSubscribe
	err     error // the broker was not told, or did not answer in time
	refused bool  // SUBACK 0x80: the broker's state is unchanged
}

func (o outcome) failed() bool { return o.err != nil || o.refused }

// settle makes the broker hold what the wants of fss (sorted by filter,
// each once) need: it takes their turns in order, plans each (plan), sends
// one SUBSCRIBE and one UNSUBSCRIBE at most, and records what the broker
// acknowledged. Everything is bounded by ctx and OperationTimeout. A
// packet sent but not acknowledged leaves its filters unknown: they are
// settled again once its acknowledgement comes late (settleWhenAnswered)
// or on the next connection (resumeSubscriptions). A packet not sent (ctx
// ended, link down) leaves the broker's state as it was.
func (c *Client) settle(ctx context.Context, fss []*filterSubs, mode settleMode) []outcome {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OperationTimeout)
	defer cancel()
	outs := make([]outcome, len(fss))
	held := 0
	defer func() {
		for _, fs := range fss[:held] {
			<-fs.turn
		}
	}()
	if err := ctx.Err(); err != nil {
		c.failAll(fss, outs, mode, ctxError(ctx))
		return outs
	}
	held = takeTurns(ctx, fss)
	if held < len(fss) {
		c.failAll(fss[held:], outs[held:], mode.shifted(held), fmt.Errorf("waiting for an earlier operation on the filter: %w", ctxError(ctx)))
	}

	subs := map[string]byte{}
	var unsubs []string
	c.subs.mu.Lock()
	epoch := c.subs.epoch
	for i, fs := range fss[:held] {
		if mode.sessionLost {
			fs.unsubscribed() // the broker holds nothing, whatever it acknowledged before
		}
		outs[i].op, outs[i].qos = fs.plan(mode.force, mode.resuming && !*c.cfg.ResumeSubs)
		switch outs[i].op {
		case opSubscribe:
			subs[fs.filter] = outs[i].qos
		case opUnsubscribe:
			unsubs = append(unsubs, fs.filter)
		}
	}
	c.subs.mu.Unlock()
	if len(subs)+len(unsubs) == 0 {
		return outs
	}
	var notSent error
	switch {
	case ctx.Err() != nil:
		notSent = ctxError(ctx)
	case !mode.resuming && !c.IsConnected():
		notSent = ErrNotConnected
	}
	if notSent != nil {
		c.failPlanned(fss[:held], outs, mode, notSent)
		return outs
	}

	var granted map[string]byte
	var subTok, unsubTok mqttclient.Token
	var subErr, unsubErr error
	if len(subs) > 0 {
		granted, subTok, subErr = c.sendSubscribe(ctx, subs)
	}
	if len(unsubs) > 0 {
		unsubTok, unsubErr = c.sendUnsubscribe(ctx, unsubs)
	}
	now := time.Now()
	var lateSub, lateUnsub []*filterSubs
	c.subs.mu.Lock()
	// An acknowledgement from a connection before the current one says
	// nothing of what the current one's broker holds.
	stale := c.subs.epoch != epoch
	for i, fs := range fss[:held] {
		o := &outs[i]
		switch o.op {
		case opSubscribe:
			code, ok := granted[fs.filter]
			switch {
			case subErr != nil:
				fs.known, o.err = false, subErr
				lateSub = append(lateSub, fs)
			case !ok || code == subackFailure:
				o.refused = true
			case stale:
				fs.known = false
			default:
				fs.subscribed(o.qos, code, now)
			}
		case opUnsubscribe:
			switch {
			case unsubErr != nil:
				fs.known, o.err = false, unsubErr
				lateUnsub = append(lateUnsub, fs)
			case stale:
				fs.known = false
			default:
				fs.unsubscribed()
			}
		}
		if o.failed() && mode.undo != nil {
			mode.undo(i)
		}
	}
	c.subs.mu.Unlock()
	c.settleWhenAnswered(subTok, lateSub)
	c.settleWhenAnswered(unsubTok, lateUnsub)
	return outs
}

// takeTurns takes the turns of fss in order (so that two calls never wait
// for each other's) until ctx ends, and returns how many it took.
func takeTurns(ctx context.Context, fss []*filterSubs) int {
	for i, fs := range fss {
		select {
		case fs.turn <- struct{}{}:
		case <-ctx.Done():
			return i
		}
	}
	return len(fss)
}

// shifted is mode for a tail of its filters, starting at index from.
func (m settleMode) shifted(from int) settleMode {
	if undo := m.undo; undo != nil {
		m.undo = func(i int) { undo(from + i) }
	}
	return m
}

// failAll fails every filter of fss with err, nothing having been sent.
func (c *Client) failAll(fss []*filterSubs, outs []outcome, mode settleMode, err error) {
	c.subs.mu.Lock()
	defer c.subs.mu.Unlock()
	for i := range fss {
		outs[i].err = err
		if mode.undo != nil {
			mode.undo(i)
		}
	}
}

// failPlanned fails the filters that needed a packet with err, nothing
// having been sent.
func (c *Client) failPlanned(fss []*filterSubs, outs []outcome, mode settleMode, err error) {
	c.subs.mu.Lock()
	defer c.subs.mu.Unlock()
	for i := range fss {
		if outs[i].op == opNone {
			continue
		}
		outs[i].err = err
		if mode.undo != nil {
			mode.undo(i)
		}
	}
}

// sendSubscribe sends one SUBSCRIBE and returns the SUBACK codes by
// filter. tok is paho's token once the packet was handed over, also when
// the wait for the SUBACK ended first.
func (c *Client) sendSubscribe(ctx context.Context, filters map[string]byte) (granted map[string]byte, tok mqttclient.Token, err error) {
	tok, err = startPaho(ctx, func() mqttclient.Token { return c.pc.SubscribeMultiple(filters, nil) })
	if err == nil {
		err = waitToken(ctx, tok)
	}
	if err != nil {
		return nil, tok, err
	}
	return tok.(*mqttclient.SubscribeToken).Result(), tok, nil
}

// sendUnsubscribe sends one UNSUBSCRIBE and waits for the UNSUBACK (tok
// as for sendSubscribe).
func (c *Client) sendUnsubscribe(ctx context.Context, filters []string) (tok mqttclient.Token, err error) {
	tok, err = startPaho(ctx, func() mqttclient.Token { return c.pc.Unsubscribe(filters...) })
	if err == nil {
		err = waitToken(ctx, tok)
	}
	return tok, err
}

// settleWhenAnswered settles fss again once tok, whose wait ended before
// the broker answered, completes: a late acknowledgement means the link
// works and the broker's state can be made known now instead of at the
// next reconnection. Paho completes the token when the answer comes, or
// with an error when the link is lost or closed (its pending SUBSCRIBE and
// UNSUBSCRIBE tokens are failed then, since paho's ResumeSubs is off); the
// wait is bounded all the same, by twice the keep-alive (within which a
// dead link is noticed) plus OperationTimeout.
func (c *Client) settleWhenAnswered(tok mqttclient.Token, fss []*filterSubs) {
	if tok == nil || len(fss) == 0 || tokenDone(tok) {
		return
	}
	c.subs.hold(fss)
	go func() {
		defer c.subs.release(fss...)
		bound := time.NewTimer(2*c.cfg.KeepAlive + c.cfg.OperationTimeout)
		defer bound.Stop()
		select {
		case <-tok.Done():
		case <-bound.C:
			return // settled on the next connection
		}
		if tok.Error() != nil || !c.IsConnected() {
			return // the link was lost: settled on the next connection
		}
		outs := c.settle(context.Background(), fss, settleMode{})
		c.reportSettled(fss, outs, "settle")
		if made, unmade := tally(outs); made > 0 || unmade > 0 {
			c.log.Info("mqtt: subscriptions settled", "client_id", c.cfg.ClientID, "subscribed", made, "unsubscribed", unmade)
		}
	}()
}

func tokenDone(tok mqttclient.Token) bool {
	select {
	case <-tok.Done():
		return true
	default:
		return false
	}
}

// resumeSubscriptions runs on every new connection, before the client is
// ready. When the broker kept no session, every filter some handler wants
// is subscribed again (with ResumeSubs), once, at the highest QoS its
// handlers ask for. When it kept the session, the filters whose state is
// unknown or differs from what the handlers want (a Subscribe that timed
// out, an Unsubscribe that failed or was made while disconnected) are
// settled: unsubscribed if nobody wants them, subscribed (and routed) if
// someone does. Failures go to the async error handler per filter; the
// wants stay for the next connection.
func (c *Client) resumeSubscriptions(sessionPresent bool) {
	fss := c.subs.newConnection()
	defer c.subs.release(fss...)
	made, unmade := 0, 0
	for i := 0; i < len(fss); i += resubscribeBatch {
		batch := fss[i:min(i+resubscribeBatch, len(fss))]
		outs := c.settle(context.Background(), batch, settleMode{resuming: true, sessionLost: !sessionPresent})
		c.reportSettled(batch, outs, "resubscribe")
		m, u := tally(outs)
		made, unmade = made+m, unmade+u
	}
	if made > 0 || unmade > 0 {
		c.log.Info("mqtt: subscriptions resumed", "client_id", c.cfg.ClientID, "count", made, "unsubscribed", unmade)
	}
}

// tally counts the filters subscribed and unsubscribed.
func tally(outs []outcome) (made, unmade int) {
	for _, o := range outs {
		switch {
		case o.failed():
		case o.op == opSubscribe:
			made++
		case o.op == opUnsubscribe:
			unmade++
		}
	}
	return made, unmade
}

// resubscribeBatch bounds the filters per SUBSCRIBE when resuming.
const resubscribeBatch = 100

// reportSettled sends each failed outcome of a background settle to the
// async error handler.
func (c *Client) reportSettled(fss []*filterSubs, outs []outcome, what string) {
	for i, o := range outs {
		f := fss[i].filter
		switch {
		case o.refused:
			c.asyncErr(f, fmt.Errorf("%w: %s %q: refused by the broker (SUBACK 0x80)", ErrSubscribeFailed, what, clip(f)))
		case o.err != nil && o.op == opUnsubscribe:
			c.asyncErr(f, fmt.Errorf("%w: %s %q: %w", ErrUnsubscribeFailed, what, clip(f), o.err))
		case o.err != nil:
			c.asyncErr(f, fmt.Errorf("%w: %s %q: %w", ErrSubscribeFailed, what, clip(f), o.err))
		}
	}
}
