package runtime

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// router maps received topics to handlers. It replaces paho's router: paho
// sees a single default handler (Client.onMessage), so that handlers never
// run on paho's goroutine and the default handler is not a "#" route that
// would fire for every message.
//
// Routing runs on paho's reader goroutine for every message, so filters
// without wildcards (one per channel of a typical document) are found in a
// map and wildcard filters (one per channel with parameters) in a trie of
// their levels: a linear scan cost 35–72 µs per message with 1,000 routes
// (BENCHMARKS.md).
type router struct {
	mu       sync.RWMutex
	byFilter map[string]*route   // every route, one per filter
	exact    map[string][]*route // wildcard-free routes by the topic they match
	wild     routeTrie           // the others
	seq      uint64              // insertion counter, orders the matches
	def      []MessageHandler    // the default handler as a delivery's list, or nil
}

// route is one filter and the handlers its messages go to. The lists are
// replaced, never modified, since deliveries in flight hold them.
type route struct {
	filter string // as given, possibly $share/<group>/<filter>
	match  string // the filter messages arrive under
	seq    uint64 // insertion order
	// handlers are the filter's handlers in the order they were added,
	// handed to the dispatcher as they are when the route is the only
	// match.
	handlers []MessageHandler
	// sized are those of handlers that refuse payloads over MaxPayloadSize
	// themselves and report them (generated code, through
	// SubscribeContext): an oversized message goes to them only.
	sized []MessageHandler
}

// target is a handler a message goes to.
type target struct {
	handler MessageHandler
	// limitsSize: the handler refuses oversized payloads itself (see
	// route.sized), so the runtime hands it them instead of refusing them.
	limitsSize bool
}

// isExact says whether a route's match filter matches only the topic
// spelled the same (MatchTopic then is string equality).
func isExact(match string) bool {
	return !strings.ContainsAny(match, "+#") && !strings.HasPrefix(match, sharePrefix)
}

// set routes filter to the handlers of targets, in their order, replacing
// the filter's earlier ones; no targets removes the route.
func (r *router) set(filter string, targets []target) {
	if len(targets) == 0 {
		r.remove(filter)
		return
	}
	handlers := make([]MessageHandler, 0, len(targets))
	var sized []MessageHandler
	for _, t := range targets {
		handlers = append(handlers, t.handler)
		if t.limitsSize {
			sized = append(sized, t.handler)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rt := r.byFilter[filter]; rt != nil {
		rt.handlers, rt.sized = handlers, sized
		return
	}
	r.seq++
	rt := &route{filter: filter, match: routeFilter(filter), seq: r.seq, handlers: handlers, sized: sized}
	if r.byFilter == nil {
		r.byFilter = map[string]*route{}
	}
	r.byFilter[filter] = rt
	if isExact(rt.match) {
		if r.exact == nil {
			r.exact = map[string][]*route{}
		}
		r.exact[rt.match] = append(r.exact[rt.match], rt)
	} else {
		r.wild.insert(rt)
	}
}

func (r *router) remove(filter string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rt := r.byFilter[filter]
	if rt == nil {
		return
	}
	delete(r.byFilter, filter)
	if isExact(rt.match) {
		rest := slices.DeleteFunc(r.exact[rt.match], func(o *route) bool { return o == rt })
		if len(rest) == 0 {
			delete(r.exact, rt.match)
		} else {
			r.exact[rt.match] = rest
		}
	} else {
		r.wild.remove(rt)
	}
}

func (r *router) setDefault(h MessageHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.def = nil
	if h != nil {
		r.def = []MessageHandler{h}
	}
}

// routed is what the router found for a message.
type routed struct {
	// handlers get the message, in the order their routes were added;
	// the caller must not modify the list (it may be a route's own).
	handlers []MessageHandler
	matched  bool // some route matched, or there is a default handler
	refused  bool // a matching handler was left out: the payload is oversized
}

// handlersFor finds the handlers of every route matching topic (so
// overlapping filters each get the message, and each handler of a filter
// gets it once), or the default handler when none matches. When
// oversized, handlers that do not limit sizes themselves are left out.
// The single-route case allocates nothing.
func (r *router) handlersFor(topic string, oversized bool) routed {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var m matches
	for _, rt := range r.exact[topic] {
		m.add(rt)
	}
	if !r.wild.empty() {
		r.wild.match(topic, true, &m)
	}
	first, many := m.first, m.many
	if first == nil {
		switch {
		case r.def == nil:
			return routed{}
		case oversized: // the default handler does not limit sizes
			return routed{matched: true, refused: true}
		}
		return routed{handlers: r.def, matched: true}
	}
	if many == nil {
		if oversized {
			return routed{handlers: first.sized, matched: true, refused: len(first.sized) < len(first.handlers)}
		}
		return routed{handlers: first.handlers, matched: true}
	}
	slices.SortFunc(many, func(a, b *route) int { return cmp.Compare(a.seq, b.seq) })
	n := 0
	for _, rt := range many {
		n += len(rt.handlers)
	}
	res := routed{matched: true, handlers: make([]MessageHandler, 0, n)}
	for _, rt := range many {
		hs := rt.handlers
		if oversized {
			hs = rt.sized
			res.refused = res.refused || len(rt.sized) < len(rt.handlers)
		}
		res.handlers = append(res.handlers, hs...)
	}
	return res
}

// AddRoute sends messages whose topic matches filter to handler, without
// subscribing (use it for messages of a persistent session that arrive
// before Subscribe is called again). It sets the same handler as Subscribe
// does: a filter Subscribe or AddRoute gave a handler gets the new one,
// and handlers added by SubscribeContext are left alone. A nil handler
// removes it (the broker subscription, if Subscribe made one, stays). An
// invalid filter is logged and ignored, since AddRoute returns no error.
func (c *Client) AddRoute(filter string, handler MessageHandler) {
	if err := ValidateFilter(filter); err != nil {
		c.log.Error("mqtt: route not added", "client_id", c.cfg.ClientID, "filter", filter, "err", err)
		return
	}
	c.subs.route(filter, handler)
}

// SetDefaultHandler receives the messages no route matches (for example
// those of a persistent session before Subscribe is called again). nil
// drops them, counted in ClientStats.MessagesUnrouted.
func (c *Client) SetDefaultHandler(handler MessageHandler) {
	c.router.setDefault(handler)
}

// onMessage is paho's only handler. It runs on paho's router goroutine, so
// it only checks the message and queues it; handlers run on the
// dispatcher's goroutines, and a QoS 1/2 message is acknowledged once they
// have run (or here, when it goes to no handler).
func (c *Client) onMessage(_ mqttclient.Client, m mqttclient.Message) {
	c.stats.messageReceived()
	if m.Qos() == 2 && !c.guard.firstDelivery(m) {
		c.stats.duplicates.Add(1)
		c.log.Debug("mqtt: QoS 2 message received again before its PUBREL, not delivered twice", "client_id", c.cfg.ClientID, "topic", m.Topic())
		return
	}
	oversized := c.cfg.MaxPayloadSize > 0 && len(m.Payload()) > c.cfg.MaxPayloadSize
	rd := c.router.handlersFor(m.Topic(), oversized)
	if rd.refused {
		err := fmt.Errorf("%w: received on topic %q", payloadTooLarge(len(m.Payload()), c.cfg.MaxPayloadSize), m.Topic())
		c.RecordRejected(m.Topic(), err)
		c.asyncErr(m.Topic(), err)
	}
	hs := rd.handlers
	if len(hs) == 0 {
		if !rd.matched {
			c.stats.unrouted.Add(1)
			c.log.Debug("mqtt: message without handler", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos())
		}
		c.ack(m)
		return
	}
	switch c.dispatch.enqueue(delivery{msg: m, handlers: hs}) {
	case discarded:
		c.stats.overflowed.Add(1)
		c.log.Warn("mqtt: QoS 0 message discarded: the handler queue is full", "client_id", c.cfg.ClientID, "topic", m.Topic(), "queue", c.cfg.HandlerQueueSize)
	case stopped:
		// Not acknowledged: a broker keeping the session delivers it again.
		c.stats.unrouted.Add(1)
		c.log.Warn("mqtt: message received while disconnecting, not delivered", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos())
	}
}

// ack acknowledges a QoS 1/2 message (PUBACK or PUBREC; nothing for QoS
// 0). Paho drops an acknowledgement whose connection has died; the broker
// then sends the message again.
func (c *Client) ack(m mqttclient.Message) {
	m.Ack()
	if m.Qos() == 2 {
		c.guard.handled(m)
	}
}

// RecordRejected counts a received message refused before reaching a
// handler (too large, undecodable, invalid) and logs why at Warn.
func (c *Client) RecordRejected(topic string, err error) {
	c.stats.rejected.Add(1)
	c.log.Warn("mqtt: message rejected", "client_id", c.cfg.ClientID, "topic", topic, "err", err)
}
