package contract

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// WatchConfig says what a Watcher watches.
type WatchConfig struct {
	// Role picks the channels to watch: those whose operations the role
	// receives (RoleApp: the app's receive operations; RoleClient: the
	// app's send operations; RoleBoth: every channel of the document, with
	// operations or not).
	Role generator.Role
	// Unknown subscribes to # instead (and to the channels under $, which
	// # does not match) and reports messages on topics that no channel of
	// the document matches.
	Unknown bool
	// ShareGroup, when set, subscribes with $share/<group>/ so that
	// several watchers split the traffic.
	ShareGroup string
	// QoS is the subscription's maximum QoS. The broker delivers each
	// message at the lower of this and the QoS it was published with.
	QoS byte
	// OnSubscribed, when set, is called once every filter is subscribed.
	OnSubscribed func(filters []string)
}

// Watcher checks messages against an AsyncAPI document: the topic against
// the channels' addresses and parameters, the payload against the
// channel's messages. Check is a pure function of the document; Run
// subscribes and checks live traffic. A Watcher is safe for concurrent use.
type Watcher struct {
	cfg      WatchConfig
	channels []*channelCheck // every channel with a usable address, most specific first
	filters  []string
	notes    []string

	mu      sync.Mutex
	summary Summary
}

// channelCheck holds what checking one channel's messages needs.
type channelCheck struct {
	ch       *model.Channel
	addr     *address
	messages []*payloadCheck
	params   map[string]*paramCheck
	order    []string // parameter names in address order
	watched  bool
	index    int // in Summary.Channels when watched
}

// NewWatcher compiles the checks of every channel of doc and the filters
// for cfg. Channels that cannot be watched (no address, an address that
// could not be split into its parameters) and messages that cannot be
// checked are listed by Notes. The error wraps runtime.ErrInvalidConfig
// when the role watches no channel, runtime.ErrInvalidTopic for a bad
// share group.
func NewWatcher(doc *model.Document, cfg WatchConfig) (*Watcher, error) {
	w := &Watcher{cfg: cfg}
	watched := map[*model.Channel]bool{}
	for _, op := range doc.Operations {
		if receives(cfg.Role, op) {
			watched[op.Channel] = true
		}
	}
	cache := &schemaCache{}
	var filters []string
	for _, ch := range doc.Channels {
		isWatched := watched[ch] || cfg.Role == generator.RoleBoth
		addr, err := parseAddress(ch)
		if err != nil {
			if isWatched {
				w.notes = append(w.notes, fmt.Sprintf("channel %s is not watched: %v", ch.Key, err))
			}
			continue
		}
		c := &channelCheck{ch: ch, addr: addr, params: map[string]*paramCheck{}, watched: isWatched}
		for _, p := range ch.Parameters {
			c.params[p.Name] = newParamCheck(p, cache)
			c.order = append(c.order, p.Name)
			if why := c.params[p.Name].why; why != "" && isWatched {
				w.notes = append(w.notes, fmt.Sprintf("channel %s: %s; its values are checked without it", ch.Key, why))
			}
		}
		for _, m := range channelMessages(doc, ch) {
			pc := newPayloadCheck(m, cache)
			c.messages = append(c.messages, pc)
			if pc.kind == kindForeign && isWatched {
				w.notes = append(w.notes, fmt.Sprintf("channel %s: message %s is not checked: %s", ch.Key, messageName(m), pc.why))
			}
		}
		if isWatched {
			c.index = len(w.summary.Channels)
			w.summary.Channels = append(w.summary.Channels, ChannelSummary{Channel: ch.Key})
			filters = append(filters, addr.filter())
		}
		w.channels = append(w.channels, c)
	}
	if len(filters) == 0 {
		return nil, fmt.Errorf("%w: the document has no channel with an address that role %s receives from", mqttrt.ErrInvalidConfig, cfg.Role)
	}
	// Stable: among channels equally specific, document order decides.
	slices.SortStableFunc(w.channels, func(a, b *channelCheck) int { return b.addr.literals() - a.addr.literals() })
	if cfg.Unknown {
		filters = append([]string{"#"}, dollarFilters(filters)...)
	}
	for _, f := range disjointFilters(filters) {
		if cfg.ShareGroup != "" {
			shared, err := mqttrt.SharedFilter(cfg.ShareGroup, f)
			if err != nil {
				return nil, err
			}
			f = shared
		}
		w.filters = append(w.filters, f)
	}
	return w, nil
}

// Filters are the subscription filters Run uses: one per watched address
// (parameters as +), overlapping ones merged so that no message arrives
// twice, or # with Unknown (and the addresses under $); with ShareGroup,
// shared.
func (w *Watcher) Filters() []string { return slices.Clone(w.filters) }

// Notes lists what will not be checked, and why.
func (w *Watcher) Notes() []string { return slices.Clone(w.notes) }

// Check gives the document's verdict on one message, whatever the role:
// the most specific channel whose address matches the topic, the first of
// its messages that accepts the payload, and otherwise every violation,
// with its JSON pointer and rule, against each of the channel's messages.
// When several channels match, one that accepts the message wins.
func (w *Watcher) Check(topic string, payload []byte) Report {
	var first *Report
	for _, c := range w.channels {
		params, ok := c.addr.match(topic)
		if !ok {
			continue
		}
		r := c.check(topic, params, payload)
		if r.Status == StatusOK {
			return r
		}
		if first == nil || first.Status != StatusUnchecked && r.Status == StatusUnchecked {
			first = &r
		}
	}
	if first != nil {
		return *first
	}
	return Report{Time: time.Now(), Topic: topic, Status: StatusUnknown, Errors: []Violation{{
		Rule: "channel", Message: "no channel of the document matches this topic"}}}
}

// check checks one message against one channel whose address matched.
func (c *channelCheck) check(topic string, params map[string]string, payload []byte) Report {
	r := Report{Time: time.Now(), Topic: topic, Channel: c.ch.Key, Params: params, order: c.order, Errors: []Violation{}}
	var paramErrs []Violation
	for _, name := range c.order {
		paramErrs = append(paramErrs, c.params[name].check(params[name])...)
	}
	var payloadErrs []Violation
	decodable := false
	r.Status = StatusUndecodable
	if len(c.messages) == 0 {
		r.Status, r.Note = StatusOK, "the channel declares no message"
	}
	for _, m := range c.messages {
		out, vs := m.check(payload)
		if out == outcomeOK {
			r.Status, r.Message = StatusOK, messageName(m.msg)
			break
		}
		switch out {
		case outcomeUnchecked:
			if r.Status != StatusUnchecked {
				r.Status, r.Message, r.Note = StatusUnchecked, messageName(m.msg), "not checked: "+m.why
			}
		case outcomeInvalid:
			decodable = true
		}
		payloadErrs = append(payloadErrs, vs...)
	}
	switch {
	case r.Status == StatusOK || r.Status == StatusUnchecked:
	case decodable:
		r.Status, r.Errors = StatusInvalid, payloadErrs
	default:
		r.Errors = payloadErrs
	}
	if len(paramErrs) > 0 {
		r.Errors = append(paramErrs, r.Errors...)
		if r.Status == StatusOK || r.Status == StatusUnchecked {
			r.Status = StatusInvalid
		}
	}
	r.Valid = r.Status == StatusOK || r.Status == StatusUnchecked
	return r
}

// unsubscribeTimeout bounds the unsubscribe at the end of Run.
const unsubscribeTimeout = 5 * time.Second

// Run subscribes to Filters on ps and checks every message received until
// ctx ends or limit messages (0: no limit) were reported, passing each
// report to report (one at a time, never after Run returned). Messages on
// channels the role does not watch, and on unknown topics without
// Unknown, are counted in the summary, not reported. Run returns an error
// only when subscribing fails; it unsubscribes before returning.
func (w *Watcher) Run(ctx context.Context, ps mqttrt.PubSub, limit int, report func(Report)) error {
	parent := ctx
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	reported := 0
	// SubscribeContext hands over payloads larger than the client's
	// maximum too: they are not checked, and counted as rejected.
	maxSize := 0
	if limited, ok := ps.(interface{ MaxPayloadSize() int }); ok {
		maxSize = limited.MaxPayloadSize()
	}
	handle := func(_ mqttclient.Client, m mqttclient.Message) {
		var r Report
		if size := len(m.Payload()); maxSize > 0 && size > maxSize {
			r = w.oversized(m.Topic(), size, maxSize)
			ps.RecordRejected(m.Topic(), fmt.Errorf("%w: %d bytes, the limit is %d", mqttrt.ErrPayloadTooLarge, size, maxSize))
		} else {
			r = w.Check(m.Topic(), m.Payload())
		}
		r.QoS, r.Retained = m.Qos(), m.Retained()
		w.mu.Lock()
		defer w.mu.Unlock()
		if ctx.Err() != nil || !w.count(r) {
			return
		}
		reported++
		report(r)
		if limit > 0 && reported >= limit {
			stop()
		}
	}
	var subscribed []string
	var subs []mqttrt.Subscription
	var err error
	for _, f := range w.filters {
		var sub mqttrt.Subscription
		if sub, err = ps.SubscribeContext(ctx, f, w.cfg.QoS, handle); err != nil {
			break
		}
		subscribed = append(subscribed, f)
		subs = append(subs, sub)
	}
	if err == nil && w.cfg.OnSubscribed != nil {
		w.cfg.OnSubscribed(slices.Clone(subscribed))
	}
	if err == nil {
		<-ctx.Done()
	}
	if len(subs) > 0 {
		uctx, cancel := context.WithTimeout(context.Background(), unsubscribeTimeout)
		// A failure here (the link is down) leaves nothing to clean up
		// on a clean session; the caller disconnects next.
		for _, sub := range subs {
			_ = sub.Unsubscribe(uctx)
		}
		cancel()
	}
	stop()
	w.mu.Lock() // wait for a report in progress: none follows
	defer w.mu.Unlock()
	if err != nil && parent.Err() == nil {
		return fmt.Errorf("subscribing to %s: %w", w.filters[len(subscribed)], err)
	}
	return nil
}

// oversized is the report on a payload over the client's maximum size:
// on its channel, not checked.
func (w *Watcher) oversized(topic string, size, limit int) Report {
	r := Report{Time: time.Now(), Topic: topic, Status: StatusUnknown, Errors: []Violation{}}
	for _, c := range w.channels {
		if params, ok := c.addr.match(topic); ok {
			r.Channel, r.Params, r.order, r.Status, r.Valid = c.ch.Key, params, c.order, StatusUnchecked, true
			r.Note = fmt.Sprintf("not checked: %d bytes, over the client's maximum payload size of %d", size, limit)
			return r
		}
	}
	r.Errors = append(r.Errors, Violation{Rule: "channel", Message: "no channel of the document matches this topic"})
	return r
}

// count adds r to the summary and reports whether r is to be reported.
// The caller holds w.mu.
func (w *Watcher) count(r Report) bool {
	if r.Status == StatusUnknown {
		if !w.cfg.Unknown {
			w.summary.Ignored++
			return false
		}
		w.summary.Unknown++
		return true
	}
	i := slices.IndexFunc(w.channels, func(c *channelCheck) bool { return c.ch.Key == r.Channel })
	if i < 0 || !w.channels[i].watched {
		w.summary.Ignored++
		return false
	}
	s := &w.summary.Channels[w.channels[i].index]
	s.Messages++
	switch r.Status {
	case StatusInvalid:
		s.Invalid++
	case StatusUndecodable:
		s.Undecodable++
	case StatusUnchecked:
		s.Unchecked++
	}
	return true
}

// Summary returns the counts so far.
func (w *Watcher) Summary() Summary {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.summary
	s.Channels = slices.Clone(s.Channels)
	return s
}
