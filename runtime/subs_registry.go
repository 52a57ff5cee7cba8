package runtime

import (
	"cmp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// subRegistry is, per filter, what the client's handlers want and what the
// broker is known to hold. Subscribe, SubscribeContext, Unsubscribe,
// AddRoute and the reconnection all go through it, so that several
// handlers can share one broker subscription (one SUBSCRIBE while any of
// them wants the filter, at the highest QoS any of them asked for) and so
// that an operation whose outcome is unknown (sent, never acknowledged) is
// remembered and settled later (settle).
type subRegistry struct {
	router *router // the routes follow the handlers (reroute)

	mu      sync.Mutex
	filters map[string]*filterSubs
	seq     uint64 // orders the wants, hence the handlers of a filter
	epoch   uint64 // connections made: an operation's outcome counts only on its own
}

// want is one handler's claim on a filter.
type want struct {
	seq        uint64         // when it was added: handlers run in this order
	handler    MessageHandler // nil: routes nothing (other routes or the default handler get the messages)
	limitsSize bool           // see target
	qos        byte
	subscribed bool // wants the broker subscription; false for a route of AddRoute alone
	// ended is set when the handler is removed (a Subscription's or a
	// filter's Unsubscribe, AddRoute(filter, nil)), not when another
	// handler replaces it: deliveries already queued for it are then
	// skipped (see rerouteLocked). Copies of a want share it.
	ended *atomic.Bool
}

// filterSubs is one filter's wants and broker state. Its fields are
// guarded by subRegistry.mu, except turn.
type filterSubs struct {
	filter string

	// turn is held (a value sent) by the one operation that plans, sends
	// and records a SUBSCRIBE or UNSUBSCRIBE of this filter, so that what
	// the broker last acknowledged is known. It is taken with a bounded
	// wait (the operation's context and OperationTimeout), only by
	// subscription calls and the reconnection, never by message routing,
	// and no callback runs while it is held.
	turn chan struct{}

	// legacy is the handler of Subscribe, SubscribeMultiple and AddRoute,
	// which replace each other's, as paho's do; nil if none.
	legacy *want
	// handles are SubscribeContext's subscriptions, each ended on its own.
	handles []*handle
	// pending counts the operations and watchers holding this value
	// outside mu: the registry keeps it while any does (release).
	pending int

	// What the broker holds. known is false after an operation whose
	// outcome is unknown; present and qos hold when known.
	known   bool
	present bool
	qos     byte             // asked for in the last acknowledged SUBSCRIBE
	info    SubscriptionInfo // that SUBACK; zero since an UNSUBACK
}

// handle is a Subscription: one want among the handles of a filter.
type handle struct {
	c       *Client
	fs      *filterSubs
	w       want
	removed bool // guarded by subRegistry.mu
}

// need is the QoS the broker subscription must have: the highest any want
// asks for; wanted is false when no want needs a broker subscription.
func (fs *filterSubs) need() (qos byte, wanted bool) {
	if w := fs.legacy; w != nil && w.subscribed {
		qos, wanted = w.qos, true
	}
	for _, h := range fs.handles {
		qos, wanted = max(qos, h.w.qos), true
	}
	return qos, wanted
}

// opKind is what the broker must be told about a filter.
type opKind int

const (
	opNone opKind = iota
	opSubscribe
	opUnsubscribe
)

// plan decides what to tell the broker so that it holds what the wants
// need. force sends an UNSUBSCRIBE for a filter nobody wants even when the
// broker is known not to hold it (Unsubscribe, as paho does); keepAbsent
// leaves a wanted filter the broker is known not to hold alone
// (reconnection with ResumeSubs off).
func (fs *filterSubs) plan(force, keepAbsent bool) (opKind, byte) {
	qos, wanted := fs.need()
	switch {
	case wanted && fs.known && fs.present && fs.qos == qos:
		return opNone, 0
	case wanted && keepAbsent && fs.known && !fs.present:
		return opNone, 0
	case wanted:
		return opSubscribe, qos
	case fs.known && !fs.present && !force:
		return opNone, 0
	}
	return opUnsubscribe, 0
}

// acquireLocked returns filter's state (getLocked) and counts the caller
// in pending: it must call release.
func (r *subRegistry) acquireLocked(filter string) *filterSubs {
	fs := r.getLocked(filter)
	fs.pending++
	return fs
}

// getLocked returns filter's state, made (known absent) if new.
func (r *subRegistry) getLocked(filter string) *filterSubs {
	fs := r.filters[filter]
	if fs == nil {
		fs = &filterSubs{filter: filter, turn: make(chan struct{}, 1), known: true}
		if r.filters == nil {
			r.filters = map[string]*filterSubs{}
		}
		r.filters[filter] = fs
	}
	return fs
}

// hold counts the caller in the pending of fss (see acquireLocked).
func (r *subRegistry) hold(fss []*filterSubs) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fs := range fss {
		fs.pending++
	}
}

// release ends what acquireLocked or hold began.
func (r *subRegistry) release(fss ...*filterSubs) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, fs := range fss {
		fs.pending--
		r.dropIfIdleLocked(fs)
	}
}

// dropIfIdleLocked forgets a filter nobody wants or routes, that the broker
// is known not to hold and that no operation holds.
func (r *subRegistry) dropIfIdleLocked(fs *filterSubs) {
	if fs.pending == 0 && fs.legacy == nil && len(fs.handles) == 0 && fs.known && !fs.present && r.filters[fs.filter] == fs {
		delete(r.filters, fs.filter)
	}
}

// newConnection starts a new epoch and acquires every filter, sorted, for
// resumeSubscriptions.
func (r *subRegistry) newConnection() []*filterSubs {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.epoch++
	out := make([]*filterSubs, 0, len(r.filters))
	for _, fs := range r.filters {
		fs.pending++
		out = append(out, fs)
	}
	slices.SortFunc(out, func(a, b *filterSubs) int { return strings.Compare(a.filter, b.filter) })
	return out
}

// newWantLocked is a want with the next seq.
func (r *subRegistry) newWantLocked(handler MessageHandler, limitsSize bool, qos byte, subscribed bool) want {
	r.seq++
	return want{seq: r.seq, handler: handler, limitsSize: limitsSize, qos: qos, subscribed: subscribed, ended: new(atomic.Bool)}
}

// rerouteLocked gives the router fs's handlers, in the order they were
// added; deliveries in flight keep the lists they hold.
func (r *subRegistry) rerouteLocked(fs *filterSubs) {
	ws := make([]*want, 0, 1+len(fs.handles))
	if fs.legacy != nil && fs.legacy.handler != nil {
		ws = append(ws, fs.legacy)
	}
	for _, h := range fs.handles {
		if h.w.handler != nil {
			ws = append(ws, &h.w)
		}
	}
	slices.SortFunc(ws, func(a, b *want) int { return cmp.Compare(a.seq, b.seq) })
	targets := make([]target, len(ws))
	for i, w := range ws {
		targets[i] = target{handler: skipOnceEnded(w.handler, w.ended), limitsSize: w.limitsSize}
	}
	r.router.set(fs.filter, targets)
}

// skipOnceEnded wraps a handler for the router so that deliveries queued
// before its removal do not reach it afterwards: once Unsubscribe returns,
// the handler is not called again (a call already running finishes).
func skipOnceEnded(h MessageHandler, ended *atomic.Bool) MessageHandler {
	return func(cl mqttclient.Client, m mqttclient.Message) {
		if !ended.Load() {
			h(cl, m)
		}
	}
}

// setLegacyLocked makes w fs's legacy want and reroutes.
func (r *subRegistry) setLegacyLocked(fs *filterSubs, w *want) {
	fs.legacy = w
	r.rerouteLocked(fs)
}

// removeHandleLocked takes h out of its filter; false if it was already.
func (r *subRegistry) removeHandleLocked(h *handle) bool {
	if h.removed {
		return false
	}
	h.removed = true
	h.w.ended.Store(true)
	fs := h.fs
	fs.handles = slices.DeleteFunc(fs.handles, func(o *handle) bool { return o == h })
	r.rerouteLocked(fs)
	return true
}

// clearLocked removes every handler of fs (Unsubscribe).
func (r *subRegistry) clearLocked(fs *filterSubs) {
	for _, h := range fs.handles {
		h.removed = true
		h.w.ended.Store(true)
	}
	if fs.legacy != nil {
		fs.legacy.ended.Store(true)
	}
	fs.legacy, fs.handles = nil, nil
	r.rerouteLocked(fs)
}

// route sets filter's legacy handler without changing what it wants of the
// broker (AddRoute).
func (r *subRegistry) route(filter string, h MessageHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.filters[filter] == nil && h == nil {
		return
	}
	fs := r.getLocked(filter)
	var w *want
	switch {
	case fs.legacy != nil:
		c := *fs.legacy // a new value: a Subscribe in flight restores its predecessor only if unchanged
		c.handler = h
		if h == nil {
			fs.legacy.ended.Store(true) // removed, not replaced
		}
		if h != nil || c.subscribed {
			w = &c
		}
	case h != nil:
		n := r.newWantLocked(h, false, 0, false)
		w = &n
	}
	r.setLegacyLocked(fs, w)
	r.dropIfIdleLocked(fs)
}

// subscribed records a SUBACK granting code for a SUBSCRIBE at qos.
func (fs *filterSubs) subscribed(qos, code byte, at time.Time) {
	fs.known, fs.present, fs.qos = true, true, qos
	fs.info = SubscriptionInfo{Topic: fs.filter, QoS: qos, GrantedQoS: code, SubscribedAt: at}
}

// unsubscribed records an UNSUBACK.
func (fs *filterSubs) unsubscribed() {
	fs.known, fs.present, fs.qos, fs.info = true, false, 0, SubscriptionInfo{}
}

// list returns, per filter some handler wants of the broker, its last
// SUBACK, sorted by filter.
func (r *subRegistry) list() []SubscriptionInfo {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []SubscriptionInfo
	for _, fs := range r.filters {
		if _, wanted := fs.need(); wanted && !fs.info.SubscribedAt.IsZero() {
			out = append(out, fs.info)
		}
	}
	slices.SortFunc(out, func(a, b SubscriptionInfo) int { return strings.Compare(a.Topic, b.Topic) })
	return out
}

// count is len(list()) without the copies.
func (r *subRegistry) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, fs := range r.filters {
		if _, wanted := fs.need(); wanted && !fs.info.SubscribedAt.IsZero() {
			n++
		}
	}
	return n
}
