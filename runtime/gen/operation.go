package gen

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"

	paho "github.com/eclipse/paho.mqtt.golang"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Params is implemented by the Params type of a channel whose address has
// parameters: Topic builds the topic to publish to, Filter the
// subscription filter with the empty fields as wildcards.
type Params interface {
	Topic() (string, error)
	Filter() (string, error)
}

// NoParams is the Params of a channel whose address is fixed: its topic
// is the address.
type NoParams struct{}

// Topic and Filter are never called: an Operation on a fixed address uses
// the address itself.
func (NoParams) Topic() (string, error)  { return "", errNoParams }
func (NoParams) Filter() (string, error) { return "", errNoParams }

var errNoParams = fmt.Errorf("%w: a fixed address has no parameters", mqttrt.ErrInvalidTopic)

// Operation is one operation of the document: its channel's address, the
// QoS and retain flag of its MQTT binding and the codec of its payload.
type Operation[P Params, T any] struct {
	// Name names the operation in errors.
	Name  string
	Topic *Topic
	// QoS is the binding's, or -1 for the runtime's default.
	QoS    int
	Retain bool
	// Codec is the codec of T.
	Codec *Codec
	// Parse reads a received topic back into P; nil for a fixed address.
	Parse func(topic string) (P, error)
}

// Publish sends msg to the topic params build with operation op: the
// topic and the payload are checked before anything is sent, and the call
// waits for the acknowledgement its QoS implies, bounded by ctx.
//
// Publish and Subscribe do only what needs P and T and hand the rest to
// the Client, and they are functions, not methods of Operation (whose
// method set would be compiled for every instantiation, called or not):
// each operation of a generated package costs a few lines of compiled
// code, not the whole of publishing and receiving.
func Publish[P Params, T any](ctx context.Context, c *Client, op *Operation[P, T], params P, msg T, opts []PublishOption) error {
	topic := op.Topic.address
	var err error
	if len(op.Topic.params) > 0 {
		topic, err = params.Topic()
	}
	var payload []byte
	if err == nil {
		if err = op.Codec.check(reflect.TypeOf((*T)(nil)).Elem()); err == nil {
			// As in Encode, inlined here so that an operation instantiates
			// no more functions than Publish itself: copied to a pooled
			// value, as the caller's would escape to the heap.
			p := op.Codec.values.Get().(unsafe.Pointer)
			*(*T)(p) = msg
			payload, err = op.Codec.encode(p, c.validate)
		}
	}
	return c.publish(ctx, op.Name, op.QoS, op.Retain, topic, payload, err, opts)
}

// publish sends what an operation's Publish prepared, or returns the error
// that preparing it met.
func (c *Client) publish(ctx context.Context, name string, qos int, retain bool, topic string, payload []byte, err error, opts []PublishOption) error {
	if err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	o := publishOptions{qos: c.qos(qos), retain: retain}
	for _, opt := range opts {
		o = opt(o)
	}
	if err := checkQoS(o.qos); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	if err := c.mqtt.PublishContext(ctx, topic, o.qos, o.retain, payload); err != nil {
		return fmt.Errorf("publish %s: %w", name, err)
	}
	return nil
}

// qos is an operation's QoS: its binding's, or the client's default for -1.
func (c *Client) qos(qos int) byte {
	if qos < 0 {
		return c.mqtt.DefaultQoS()
	}
	return byte(qos)
}

// Received is a message a Subscribe method hands to its handler: the
// decoded payload of type T and the parameters P of its channel, parsed
// from its topic.
//
// A payload larger than the client's limit, one that cannot be decoded or
// does not match its schema, or a topic that does not fit the channel
// never reaches a handler: it is counted by the runtime and passed to the
// client's error handler, as is an error a handler returns.
type Received[P, T any] struct {
	// Payload is the decoded payload.
	Payload T
	// Params are the channel parameters parsed from Topic.
	Params P
	// Topic is the topic the message was published to.
	Topic string
	// QoS is the quality of service it was delivered with.
	QoS byte
	// Retained is set for a retained message sent on subscribing.
	Retained bool
	// Duplicate is set when the broker may have delivered it before.
	Duplicate bool
}

// Subscribe subscribes with operation op to the channel's topics that
// filter selects (its empty fields are wildcards; every topic of a fixed
// address) and calls handler with each message that fits the channel and
// its schema. The
// handler gets a context with ctx's values but not its cancellation,
// which only bounds the wait for the broker's acknowledgement. The
// returned Subscription removes exactly this handler.
func Subscribe[P Params, T any](ctx context.Context, c *Client, op *Operation[P, T], filter P, handler func(context.Context, Received[P, T]) error, opts []SubscribeOption) (mqttrt.Subscription, error) {
	f := op.Topic.address
	var err error
	if handler != nil && len(op.Topic.params) > 0 {
		f, err = filter.Filter()
	}
	hctx := context.WithoutCancel(ctx)
	deliver := func(m paho.Message) (handled bool, err error) {
		msg := Received[P, T]{Topic: m.Topic(), QoS: m.Qos(), Retained: m.Retained(), Duplicate: m.Duplicate()}
		if op.Parse != nil {
			if msg.Params, err = op.Parse(msg.Topic); err != nil {
				return false, err
			}
		}
		if err = op.Codec.check(reflect.TypeOf((*T)(nil)).Elem()); err != nil {
			return false, err
		}
		p, err := op.Codec.decode(m.Payload(), c.validate)
		if err != nil {
			return false, err
		}
		msg.Payload = *(*T)(p)
		op.Codec.release(p)
		return true, handler(hctx, msg)
	}
	return c.subscribe(ctx, op.Name, op.Topic, op.QoS, f, err, handler == nil, opts, deliver)
}

// subscribe subscribes to filter f for an operation's Subscribe, which
// made f (or met err making it). Each message that passes the checks that
// need no types (its size, and for a fixed address its topic) goes to
// deliver, which parses, decodes and hands it on: handled is false when
// it refused the message (err says why), else err is the handler's.
func (c *Client) subscribe(ctx context.Context, name string, t *Topic, qos int, f string, err error, nilHandler bool, opts []SubscribeOption, deliver func(m paho.Message) (handled bool, err error)) (mqttrt.Subscription, error) {
	if nilHandler {
		return nil, fmt.Errorf("subscribe %s: nil handler: %w", name, mqttrt.ErrInvalidConfig)
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", name, err)
	}
	var o subscribeOptions
	for _, opt := range opts {
		opt(&o)
	}
	q := c.qos(qos)
	if o.hasQoS {
		if err := checkQoS(o.qos); err != nil {
			return nil, fmt.Errorf("subscribe %s: %w", name, err)
		}
		q = o.qos
	}
	if o.group != "" {
		if f, err = mqttrt.SharedFilter(o.group, f); err != nil {
			return nil, fmt.Errorf("subscribe %s: %w", name, err)
		}
	}
	what := "receive " + name
	sub, err := c.mqtt.SubscribeContext(ctx, f, q, func(_ paho.Client, m paho.Message) {
		topic := m.Topic()
		if n := len(m.Payload()); c.maxPayload > 0 && n > c.maxPayload {
			c.reject(topic, fmt.Errorf("%s: %d bytes, limit %d: %w", what, n, c.maxPayload, mqttrt.ErrPayloadTooLarge))
			return
		}
		if len(t.params) == 0 && topic != t.address && !mqttrt.MatchTopic(t.address, topic) {
			c.reject(topic, fmt.Errorf("%s: %w", what, t.mismatch(topic)))
			return
		}
		if handled, err := deliver(m); !handled {
			c.reject(topic, fmt.Errorf("%s: %w", what, err))
		} else if err != nil {
			c.handlerFailed(topic, err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", name, err)
	}
	return sub, nil
}
