package runtime

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// subackFailure is the SUBACK return code for a refused filter [MQTT-3.9.3].
const subackFailure = 0x80

// resubscribeBatch bounds the filters per SUBSCRIBE when resuming.
const resubscribeBatch = 100

// Subscribe subscribes filter at qos and routes its messages to handler
// (nil: to the default handler), waiting for the SUBACK up to
// OperationTimeout. A refusal by the broker (SUBACK 0x80, e.g. an ACL) is
// ErrSubscribeFailed. The subscription is tracked: GetSubscriptions lists
// it and it is made again after a reconnect that lost the session. A
// $share/<group>/<filter> subscription routes by its filter.
func (c *Client) Subscribe(filter string, qos byte, handler MessageHandler) error {
	return c.subscribe(context.Background(), map[string]byte{filter: qos}, handler, false)
}

// SubscribeContext is Subscribe bounded by ctx as well, for generated code,
// with one difference: handler also receives payloads larger than
// MaxPayloadSize and must refuse them itself, as generated handlers do (they
// report them to their error handler and RecordRejected). Subscribe's
// handlers never see them: the client refuses them, counts them in
// MessagesRejected and reports them to the async error handler.
func (c *Client) SubscribeContext(ctx context.Context, filter string, qos byte, handler MessageHandler) (Subscription, error) {
	if err := c.subscribe(ctx, map[string]byte{filter: qos}, handler, true); err != nil {
		return nil, err
	}
	return &handle{c: c, filter: filter}, nil
}

// handle is the Subscription of one SubscribeContext call.
type handle struct {
	c      *Client
	filter string
	once   sync.Once
}

func (h *handle) Filter() string { return h.filter }

func (h *handle) Unsubscribe(ctx context.Context) error {
	err := error(nil)
	h.once.Do(func() { err = h.c.UnsubscribeContext(ctx, h.filter) })
	return err
}

// SubscribeMultiple subscribes every filter at its QoS in one SUBSCRIBE,
// all routed to handler. Filters the broker refuses are named in the
// error; the others stay subscribed.
func (c *Client) SubscribeMultiple(filters map[string]byte, handler MessageHandler) error {
	return c.subscribe(context.Background(), filters, handler, false)
}

// subscribe subscribes filters; limitsSize marks handlers that refuse
// oversized payloads themselves (see SubscribeContext).
func (c *Client) subscribe(ctx context.Context, filters map[string]byte, handler MessageHandler, limitsSize bool) error {
	if len(filters) == 0 {
		return fmt.Errorf("%w: no filter given", ErrSubscribeFailed)
	}
	names := slices.Sorted(maps.Keys(filters))
	for _, f := range names {
		if err := ValidateFilter(f); err != nil {
			return err
		}
		if err := checkQoS(filters[f]); err != nil {
			return fmt.Errorf("filter %q: %w", f, err)
		}
	}
	if !c.IsConnected() {
		return fmt.Errorf("%w: %w", ErrSubscribeFailed, ErrNotConnected)
	}
	// Route before subscribing: a retained message can arrive right after
	// the SUBACK, before this goroutine resumes.
	previous := make(map[string]target)
	if handler != nil {
		for _, f := range names {
			if t, ok := c.router.has(f); ok {
				previous[f] = t
			}
			c.router.addTarget(f, handler, limitsSize)
		}
	}
	granted, err := c.sendSubscribe(ctx, filters)
	var refused []string
	now := time.Now()
	for _, f := range names {
		code, ok := granted[f]
		if err == nil && ok && code != subackFailure {
			c.subs.put(SubscriptionInfo{Topic: f, QoS: filters[f], GrantedQoS: code, SubscribedAt: now})
			continue
		}
		refused = append(refused, f)
		if handler != nil {
			c.router.addTarget(f, previous[f].handler, previous[f].limitsSize) // nil removes the route
		}
	}
	switch {
	case err != nil:
		return fmt.Errorf("%w: %s: %w", ErrSubscribeFailed, quoteAll(names), err)
	case len(refused) > 0:
		return fmt.Errorf("%w: %s: refused by the broker (SUBACK 0x80: not authorised or not supported)",
			ErrSubscribeFailed, quoteAll(refused))
	}
	return nil
}

// sendSubscribe sends one SUBSCRIBE and returns the SUBACK codes by filter.
func (c *Client) sendSubscribe(ctx context.Context, filters map[string]byte) (map[string]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OperationTimeout)
	defer cancel()
	tok, err := startPaho(ctx, func() mqttclient.Token { return c.pc.SubscribeMultiple(filters, nil) })
	if err == nil {
		err = waitToken(ctx, tok)
	}
	if err != nil {
		return nil, err
	}
	return tok.(*mqttclient.SubscribeToken).Result(), nil
}

// Unsubscribe ends the subscriptions, waiting for the UNSUBACK up to
// OperationTimeout. Routes and tracking are removed first, even when the
// client is disconnected (then ErrNotConnected says the broker was not
// told).
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
	for _, f := range filters {
		c.router.remove(f)
		c.subs.remove(f)
	}
	if !c.IsConnected() {
		return fmt.Errorf("%w: %s: %w", ErrUnsubscribeFailed, quoteAll(filters), ErrNotConnected)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OperationTimeout)
	defer cancel()
	tok, err := startPaho(ctx, func() mqttclient.Token { return c.pc.Unsubscribe(filters...) })
	if err == nil {
		err = waitToken(ctx, tok)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrUnsubscribeFailed, quoteAll(filters), err)
	}
	return nil
}

// resubscribe makes every tracked subscription again after a connection on
// which the broker kept no session. Failures go to the async error handler
// per filter; the subscriptions stay tracked for the next reconnect.
func (c *Client) resubscribe() {
	all := c.subs.qos()
	names := slices.Sorted(maps.Keys(all))
	for batch := range slices.Chunk(names, resubscribeBatch) {
		filters := make(map[string]byte, len(batch))
		for _, f := range batch {
			filters[f] = all[f]
		}
		granted, err := c.sendSubscribe(context.Background(), filters)
		now := time.Now()
		for _, f := range batch {
			code, ok := granted[f]
			switch {
			case err != nil:
				c.asyncErr(f, fmt.Errorf("%w: resubscribe %q: %w", ErrSubscribeFailed, f, err))
			case !ok || code == subackFailure:
				c.asyncErr(f, fmt.Errorf("%w: resubscribe %q: refused by the broker (SUBACK 0x80)", ErrSubscribeFailed, f))
			default:
				c.subs.refresh(SubscriptionInfo{Topic: f, QoS: filters[f], GrantedQoS: code, SubscribedAt: now})
			}
		}
	}
	if len(names) > 0 {
		c.log.Info("mqtt: subscriptions resumed", "client_id", c.cfg.ClientID, "count", len(names))
	}
}

// GetSubscriptions returns the tracked subscriptions, sorted by filter.
func (c *Client) GetSubscriptions() []SubscriptionInfo { return c.subs.list() }

// subscriptions tracks what the broker has acknowledged.
type subscriptions struct {
	mu sync.Mutex
	m  map[string]SubscriptionInfo
}

func (s *subscriptions) put(info SubscriptionInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[string]SubscriptionInfo)
	}
	s.m[info.Topic] = info
}

// refresh updates a subscription unless Unsubscribe removed it meanwhile.
func (s *subscriptions) refresh(info SubscriptionInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[info.Topic]; ok {
		s.m[info.Topic] = info
	}
}

func (s *subscriptions) remove(filter string) {
	s.mu.Lock()
	delete(s.m, filter)
	s.mu.Unlock()
}

func (s *subscriptions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *subscriptions) list() []SubscriptionInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Collect(maps.Values(s.m))
	slices.SortFunc(out, func(a, b SubscriptionInfo) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

func (s *subscriptions) qos() map[string]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]byte, len(s.m))
	for f, info := range s.m {
		out[f] = info.QoS
	}
	return out
}

func quoteAll(filters []string) string {
	q := make([]string, len(filters))
	for i, f := range filters {
		q[i] = fmt.Sprintf("%q", clip(f))
	}
	return strings.Join(q, ", ")
}
