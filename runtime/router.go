package runtime

import (
	"fmt"
	"sync"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// router maps received topics to handlers. It replaces paho's router: paho
// sees a single default handler (Client.onMessage), so that handlers never
// run on paho's goroutine and the default handler is not a "#" route that
// would fire for every message.
type router struct {
	mu     sync.RWMutex
	routes []route // in insertion order, one per filter
	def    MessageHandler
}

type route struct {
	filter  string // as given, possibly $share/<group>/<filter>
	match   string // the filter messages arrive under
	handler MessageHandler
	// limitsSize: the handler refuses payloads over MaxPayloadSize itself
	// and reports them (generated code, through SubscribeContext), so the
	// runtime hands it oversized messages instead of refusing them.
	limitsSize bool
}

// target is a handler a message goes to.
type target struct {
	handler    MessageHandler
	limitsSize bool
}

// add routes filter to h, replacing the handler of an equal filter. A nil h
// removes the route.
func (r *router) add(filter string, h MessageHandler) { r.addTarget(filter, h, false) }

// addTarget is add with the handler's limitsSize (see route).
func (r *router) addTarget(filter string, h MessageHandler, limitsSize bool) {
	if h == nil {
		r.remove(filter)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.routes {
		if r.routes[i].filter == filter {
			r.routes[i].handler, r.routes[i].limitsSize = h, limitsSize
			return
		}
	}
	r.routes = append(r.routes, route{filter: filter, match: routeFilter(filter), handler: h, limitsSize: limitsSize})
}

func (r *router) remove(filter string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.routes {
		if r.routes[i].filter == filter {
			r.routes = append(r.routes[:i], r.routes[i+1:]...)
			return
		}
	}
}

func (r *router) has(filter string) (target, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, rt := range r.routes {
		if rt.filter == filter {
			return target{rt.handler, rt.limitsSize}, true
		}
	}
	return target{}, false
}

func (r *router) setDefault(h MessageHandler) {
	r.mu.Lock()
	r.def = h
	r.mu.Unlock()
}

// handlersFor returns the handler of every route matching topic (so
// overlapping filters each get the message), or the default handler when
// none matches, or nothing.
func (r *router) handlersFor(topic string) []target {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var ts []target
	for _, rt := range r.routes {
		if MatchTopic(rt.match, topic) {
			ts = append(ts, target{rt.handler, rt.limitsSize})
		}
	}
	if len(ts) == 0 && r.def != nil {
		ts = append(ts, target{handler: r.def})
	}
	return ts
}

// AddRoute sends messages whose topic matches filter to handler, without
// subscribing (use it for messages of a persistent session that arrive
// before Subscribe is called again). A filter already routed gets the new
// handler; a nil handler removes the route. An invalid filter is logged
// and ignored, since AddRoute returns no error.
func (c *Client) AddRoute(filter string, handler MessageHandler) {
	if err := ValidateFilter(filter); err != nil {
		c.log.Error("mqtt: route not added", "client_id", c.cfg.ClientID, "filter", filter, "err", err)
		return
	}
	c.router.add(filter, handler)
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
	ts := c.router.handlersFor(m.Topic())
	hs := make([]MessageHandler, 0, len(ts))
	oversized := c.cfg.MaxPayloadSize > 0 && len(m.Payload()) > c.cfg.MaxPayloadSize
	refused := false
	for _, t := range ts {
		if oversized && !t.limitsSize {
			refused = true
			continue
		}
		hs = append(hs, t.handler)
	}
	if refused {
		err := fmt.Errorf("%w: received on topic %q", payloadTooLarge(len(m.Payload()), c.cfg.MaxPayloadSize), m.Topic())
		c.RecordRejected(m.Topic(), err)
		c.asyncErr(m.Topic(), err)
	}
	if len(hs) == 0 {
		if len(ts) == 0 {
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
