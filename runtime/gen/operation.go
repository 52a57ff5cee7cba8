package gen

import (
	"context"
	"fmt"

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

// Codec encodes and decodes the payloads of one message (or of one of
// several messages).
type Codec[T any] interface {
	// Encode writes v, checked against its schema when validate is set.
	// v is a value, not a pointer: through an interface a pointer would
	// make the caller's value escape to the heap.
	Encode(v T, validate bool) ([]byte, error)
	// Decode reads data, checked against its schema when validate is set.
	Decode(data []byte, validate bool) (T, error)
}

// Operation is one operation of the document: its channel's address, the
// QoS and retain flag of its MQTT binding and the codec of its payload.
type Operation[P Params, T any] struct {
	// Name names the operation in errors.
	Name  string
	Topic *Topic
	// QoS is the binding's, or -1 for the runtime's default.
	QoS    int
	Retain bool
	Codec  Codec[T]
	// Parse reads a received topic back into P; nil for a fixed address.
	Parse func(topic string) (P, error)
}

// Publish sends msg to the topic params build: the topic and the payload
// are checked before anything is sent, and the call waits for the
// acknowledgement its QoS implies, bounded by ctx.
func (op *Operation[P, T]) Publish(ctx context.Context, c *Client, params P, msg T, opts []PublishOption) error {
	topic := op.Topic.address
	if len(op.Topic.params) > 0 {
		var err error
		if topic, err = params.Topic(); err != nil {
			return fmt.Errorf("publish %s: %w", op.Name, err)
		}
	}
	payload, err := op.Codec.Encode(msg, c.validate)
	if err != nil {
		return fmt.Errorf("publish %s: %w", op.Name, err)
	}
	o := publishOptions{qos: op.qos(c), retain: op.Retain}
	for _, opt := range opts {
		o = opt(o)
	}
	if err := checkQoS(o.qos); err != nil {
		return fmt.Errorf("publish %s: %w", op.Name, err)
	}
	if err := c.mqtt.PublishContext(ctx, topic, o.qos, o.retain, payload); err != nil {
		return fmt.Errorf("publish %s: %w", op.Name, err)
	}
	return nil
}

func (op *Operation[P, T]) qos(c *Client) byte {
	if op.QoS < 0 {
		return c.mqtt.DefaultQoS()
	}
	return byte(op.QoS)
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

// Subscribe subscribes to the channel's topics that filter selects (its
// empty fields are wildcards; every topic of a fixed address) and calls
// handler with each message that fits the channel and its schema. The
// handler gets a context with ctx's values but not its cancellation,
// which only bounds the wait for the broker's acknowledgement. The
// returned Subscription removes exactly this handler.
func (op *Operation[P, T]) Subscribe(ctx context.Context, c *Client, filter P, handler func(context.Context, Received[P, T]) error, opts []SubscribeOption) (mqttrt.Subscription, error) {
	if handler == nil {
		return nil, fmt.Errorf("subscribe %s: nil handler: %w", op.Name, mqttrt.ErrInvalidConfig)
	}
	f := op.Topic.address
	if len(op.Topic.params) > 0 {
		var err error
		if f, err = filter.Filter(); err != nil {
			return nil, fmt.Errorf("subscribe %s: %w", op.Name, err)
		}
	}
	var o subscribeOptions
	for _, opt := range opts {
		opt(&o)
	}
	qos := op.qos(c)
	if o.hasQoS {
		if err := checkQoS(o.qos); err != nil {
			return nil, fmt.Errorf("subscribe %s: %w", op.Name, err)
		}
		qos = o.qos
	}
	if o.group != "" {
		var err error
		if f, err = mqttrt.SharedFilter(o.group, f); err != nil {
			return nil, fmt.Errorf("subscribe %s: %w", op.Name, err)
		}
	}
	hctx := context.WithoutCancel(ctx)
	what := "receive " + op.Name
	sub, err := c.mqtt.SubscribeContext(ctx, f, qos, func(_ paho.Client, m paho.Message) {
		msg, ok := op.receive(c, m, what)
		if !ok {
			return
		}
		if err := handler(hctx, msg); err != nil {
			c.handlerFailed(msg.Topic, err)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", op.Name, err)
	}
	return sub, nil
}

// receive checks and decodes m; a payload over the client's limit, a
// topic that does not fit, or a payload the codec refuses is rejected
// (counted and passed to the error handler) and ok is false.
func (op *Operation[P, T]) receive(c *Client, m paho.Message, what string) (msg Received[P, T], ok bool) {
	msg.Topic = m.Topic()
	data := m.Payload()
	if c.maxPayload > 0 && len(data) > c.maxPayload {
		c.reject(msg.Topic, fmt.Errorf("%s: %d bytes, limit %d: %w", what, len(data), c.maxPayload, mqttrt.ErrPayloadTooLarge))
		return msg, false
	}
	var err error
	if op.Parse != nil {
		if msg.Params, err = op.Parse(msg.Topic); err != nil {
			c.reject(msg.Topic, fmt.Errorf("%s: %w", what, err))
			return msg, false
		}
	} else if msg.Topic != op.Topic.address && !mqttrt.MatchTopic(op.Topic.address, msg.Topic) {
		c.reject(msg.Topic, fmt.Errorf("%s: %w", what, op.Topic.mismatch(msg.Topic)))
		return msg, false
	}
	if msg.Payload, err = op.Codec.Decode(data, c.validate); err != nil {
		c.reject(msg.Topic, fmt.Errorf("%s: %w", what, err))
		return msg, false
	}
	msg.QoS, msg.Retained, msg.Duplicate = m.Qos(), m.Retained(), m.Duplicate()
	return msg, true
}
