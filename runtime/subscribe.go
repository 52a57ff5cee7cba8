package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Subscribe subscribes filter at qos and routes its messages to handler,
// waiting for the SUBACK up to OperationTimeout. As in paho, it replaces
// the handler an earlier Subscribe, SubscribeMultiple or AddRoute gave the
// filter (nil keeps that one, or leaves the messages to the default
// handler); handlers added by SubscribeContext stay. The broker holds one
// subscription per filter for all its handlers, at the highest QoS they
// ask for: no SUBSCRIBE is sent when it already holds the filter at that
// QoS. A refusal by the broker (SUBACK 0x80, e.g. an ACL) is
// ErrSubscribeFailed, and the earlier handler is put back. The
// subscription is tracked: GetSubscriptions lists it and it is made again
// after a reconnect that lost the session. A $share/<group>/<filter>
// subscription routes by its filter.
func (c *Client) Subscribe(filter string, qos byte, handler MessageHandler) error {
	return c.subscribeLegacy(map[string]byte{filter: qos}, handler)
}

// SubscribeMultiple subscribes every filter at its QoS in one SUBSCRIBE,
// all routed to handler, with Subscribe's meaning for each. Filters the
// broker refuses are named in the error; the others stay subscribed.
func (c *Client) SubscribeMultiple(filters map[string]byte, handler MessageHandler) error {
	return c.subscribeLegacy(filters, handler)
}

// SubscribeContext adds handler to filter, bounded by ctx as well as
// OperationTimeout, for generated code. Unlike Subscribe it replaces no
// other handler: each call adds one, which the returned Subscription ends,
// and a message on the filter goes to each handler once. The broker is
// sent a SUBSCRIBE only when it does not yet hold the filter at the
// highest QoS its handlers ask for (when it already does, a retained
// message is not sent again, so a handler added later does not get it).
// A nil handler holds the broker subscription without routing anything.
//
// One more difference: handler also receives payloads larger than
// MaxPayloadSize and must refuse them itself, as generated handlers do
// (they report them to their error handler and RecordRejected).
// Subscribe's handlers never see them: the client refuses them, counts
// them in MessagesRejected and reports them to the async error handler.
func (c *Client) SubscribeContext(ctx context.Context, filter string, qos byte, handler MessageHandler) (Subscription, error) {
	if _, err := checkFilters(map[string]byte{filter: qos}); err != nil {
		return nil, err
	}
	if !c.IsConnected() {
		return nil, fmt.Errorf("%w: %w", ErrSubscribeFailed, ErrNotConnected)
	}
	c.subs.mu.Lock()
	fs := c.subs.acquireLocked(filter)
	h := &handle{c: c, fs: fs, w: c.subs.newWantLocked(handler, true, qos, true)}
	fs.handles = append(fs.handles, h)
	c.subs.rerouteLocked(fs) // before the SUBACK: a retained message may follow it at once
	c.subs.mu.Unlock()
	defer c.subs.release(fs)
	outs := c.settle(ctx, []*filterSubs{fs}, settleMode{undo: func(int) { c.subs.removeHandleLocked(h) }})
	if err := subscribeError([]string{filter}, outs); err != nil {
		return nil, err
	}
	return h, nil
}

// subscribeLegacy is Subscribe and SubscribeMultiple: handler becomes the
// legacy handler of each filter, and the earlier one comes back if the
// filter's SUBSCRIBE fails.
func (c *Client) subscribeLegacy(filters map[string]byte, handler MessageHandler) error {
	names, err := checkFilters(filters)
	if err != nil {
		return err
	}
	if !c.IsConnected() {
		return fmt.Errorf("%w: %w", ErrSubscribeFailed, ErrNotConnected)
	}
	fss := make([]*filterSubs, len(names))
	mine := make([]*want, len(names))
	previous := make([]*want, len(names))
	c.subs.mu.Lock()
	for i, f := range names {
		fs := c.subs.acquireLocked(f)
		w := c.subs.newWantLocked(handler, false, filters[f], true)
		if old := fs.legacy; old != nil {
			w.seq = old.seq // replaced in place, as paho does
			if handler == nil {
				w.handler = old.handler
			}
		}
		fss[i], mine[i], previous[i] = fs, &w, fs.legacy
		c.subs.setLegacyLocked(fs, &w) // before the SUBACK, see SubscribeContext
	}
	c.subs.mu.Unlock()
	defer c.subs.release(fss...)
	outs := c.settle(context.Background(), fss, settleMode{undo: func(i int) {
		if fss[i].legacy == mine[i] { // not replaced meanwhile
			c.subs.setLegacyLocked(fss[i], previous[i])
		}
	}})
	return subscribeError(names, outs)
}

// checkFilters validates filters and their QoS and returns them sorted.
func checkFilters(filters map[string]byte) ([]string, error) {
	if len(filters) == 0 {
		return nil, fmt.Errorf("%w: no filter given", ErrSubscribeFailed)
	}
	names := slices.Sorted(maps.Keys(filters))
	for _, f := range names {
		if err := ValidateFilter(f); err != nil {
			return nil, err
		}
		if err := checkQoS(filters[f]); err != nil {
			return nil, fmt.Errorf("filter %q: %w", f, err)
		}
	}
	return names, nil
}

// subscribeError names the filters whose subscription failed, and why.
func subscribeError(names []string, outs []outcome) error {
	var failed, refused []string
	var cause error
	for i, o := range outs {
		switch {
		case o.err != nil:
			failed = append(failed, names[i])
			if cause == nil {
				cause = o.err
			}
		case o.refused:
			refused = append(refused, names[i])
		}
	}
	refusal := fmt.Sprintf("%s: refused by the broker (SUBACK 0x80: not authorised or not supported)", quoteAll(refused))
	switch {
	case len(failed) > 0 && len(refused) > 0:
		return fmt.Errorf("%w: %s: %w; %s", ErrSubscribeFailed, quoteAll(failed), cause, refusal)
	case len(failed) > 0:
		return fmt.Errorf("%w: %s: %w", ErrSubscribeFailed, quoteAll(failed), cause)
	case len(refused) > 0:
		return fmt.Errorf("%w: %s", ErrSubscribeFailed, refusal)
	}
	return nil
}

// Unsubscribe removes every handler of the filters (those of Subscribe,
// SubscribeMultiple, AddRoute and SubscribeContext: a Subscription's
// Unsubscribe is then a no-op) and ends their broker subscriptions,
// waiting for the UNSUBACK up to OperationTimeout. Handlers are removed
// first, even when the client is disconnected (then ErrNotConnected says
// the broker was not told; with a session kept, it is told after the next
// reconnection), and are not called again, not even for messages already
// queued for them.
func (c *Client) Unsubscribe(filters ...string) error {
	return c.UnsubscribeContext(context.Background(), filters...)
}

// UnsubscribeContext is Unsubscribe bounded by ctx as well.
func (c *Client) UnsubscribeContext(ctx context.Context, filters ...string) error {
	if len(filters) == 0 {
		return fmt.Errorf("%w: no filter given", ErrUnsubscribeFailed)
	}
	for _, f := range filters {
		if err := ValidateFilter(f); err != nil {
			return err
		}
	}
	names := slices.Compact(slices.Sorted(slices.Values(filters)))
	fss := make([]*filterSubs, len(names))
	c.subs.mu.Lock()
	for i, f := range names {
		fss[i] = c.subs.acquireLocked(f)
		c.subs.clearLocked(fss[i])
	}
	c.subs.mu.Unlock()
	defer c.subs.release(fss...)
	outs := c.settle(ctx, fss, settleMode{force: true})
	return unsubscribeError(names, outs)
}

// unsubscribeError names the filters whose broker subscription could not
// be set right, and why.
func unsubscribeError(names []string, outs []outcome) error {
	var failed []string
	var cause error
	for i, o := range outs {
		if o.failed() {
			failed = append(failed, names[i])
			if cause == nil {
				cause = o.err
			}
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case cause == nil: // refused: the SUBSCRIBE lowering the QoS for the remaining handlers
		return fmt.Errorf("%w: %s: the broker refused the SUBSCRIBE at the QoS the remaining handlers ask for", ErrUnsubscribeFailed, quoteAll(failed))
	}
	return fmt.Errorf("%w: %s: %w", ErrUnsubscribeFailed, quoteAll(failed), cause)
}

// Filter is the filter subscribed, as given.
func (h *handle) Filter() string { return h.fs.filter }

// Unsubscribe removes this handler, then tells the broker what the
// filter's remaining handlers need (see Subscription), bounded by ctx and
// OperationTimeout.
func (h *handle) Unsubscribe(ctx context.Context) error {
	c := h.c
	c.subs.mu.Lock()
	if !c.subs.removeHandleLocked(h) {
		c.subs.mu.Unlock()
		return nil
	}
	h.fs.pending++
	c.subs.mu.Unlock()
	defer c.subs.release(h.fs)
	return unsubscribeError([]string{h.fs.filter}, c.settle(ctx, []*filterSubs{h.fs}, settleMode{}))
}

// GetSubscriptions returns one entry per filter the broker is asked to
// hold for some handler, with its last SUBACK, sorted by filter.
func (c *Client) GetSubscriptions() []SubscriptionInfo { return c.subs.list() }

func quoteAll(filters []string) string {
	q := make([]string, len(filters))
	for i, f := range filters {
		q[i] = fmt.Sprintf("%q", clip(f))
	}
	return strings.Join(q, ", ")
}
