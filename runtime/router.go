package runtime

import (
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
}

// add routes filter to h, replacing the handler of an equal filter. A nil h
// removes the route.
func (r *router) add(filter string, h MessageHandler) {
	if h == nil {
		r.remove(filter)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.routes {
		if r.routes[i].filter == filter {
			r.routes[i].handler = h
			return
		}
	}
	r.routes = append(r.routes, route{filter: filter, match: routeFilter(filter), handler: h})
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

func (r *router) has(filter string) (MessageHandler, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, rt := range r.routes {
		if rt.filter == filter {
			return rt.handler, true
		}
	}
	return nil, false
}

func (r *router) setDefault(h MessageHandler) {
	r.mu.Lock()
	r.def = h
	r.mu.Unlock()
}

// handlersFor returns the handler of every route matching topic (so
// overlapping filters each get the message), or the default handler when
// none matches, or nothing.
func (r *router) handlersFor(topic string) []MessageHandler {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var hs []MessageHandler
	for _, rt := range r.routes {
		if MatchTopic(rt.match, topic) {
			hs = append(hs, rt.handler)
		}
	}
	if len(hs) == 0 && r.def != nil {
		hs = append(hs, r.def)
	}
	return hs
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
// dispatcher's goroutines.
func (c *Client) onMessage(_ mqttclient.Client, m mqttclient.Message) {
	c.stats.messageReceived()
	if max := c.cfg.MaxPayloadSize; max > 0 && len(m.Payload()) > max {
		c.RecordRejected(m.Topic(), payloadTooLarge(len(m.Payload()), max))
		return
	}
	hs := c.router.handlersFor(m.Topic())
	if len(hs) == 0 {
		c.stats.unrouted.Add(1)
		c.log.Debug("mqtt: message without handler", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos())
		return
	}
	if !c.dispatch.enqueue(delivery{msg: m, handlers: hs}) {
		c.stats.unrouted.Add(1)
		c.log.Warn("mqtt: message received while disconnecting, not delivered", "client_id", c.cfg.ClientID, "topic", m.Topic(), "qos", m.Qos())
	}
}

// RecordRejected counts a received message refused before reaching a
// handler (too large, undecodable, invalid) and logs why at Warn.
func (c *Client) RecordRejected(topic string, err error) {
	c.stats.rejected.Add(1)
	c.log.Warn("mqtt: message rejected", "client_id", c.cfg.ClientID, "topic", topic, "err", err)
}
