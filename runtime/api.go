package runtime

import (
	"context"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// SupportPackageIsVersion1 is referenced by generated code. A generated
// package that names a version this runtime does not define fails to build,
// which tells the user to regenerate (or upgrade the runtime) instead of
// failing at run time.
const SupportPackageIsVersion1 = true

// MessageHandler receives a message; it has paho's shape so existing paho
// handlers plug in unchanged.
type MessageHandler = func(mqttclient.Client, mqttclient.Message)

// ConnectHandler is called after every successful connection, including
// automatic reconnections.
type ConnectHandler = func(mqttclient.Client)

// ConnectionLostHandler is called when an established connection drops.
type ConnectionLostHandler = func(mqttclient.Client, error)

// ReconnectingHandler is called before each automatic reconnection attempt.
type ReconnectingHandler = func(mqttclient.Client, *mqttclient.ClientOptions)

// MQTT is the full client surface: connection lifecycle, publish and
// subscribe, routing, lifecycle callbacks and introspection. *Client
// implements it; tests and wrappers may substitute their own.
type MQTT interface {
	Connect(ctx context.Context) error
	Disconnect(ctx context.Context) error
	IsConnected() bool
	Reconnect() error
	Publish(topic string, qos byte, retained bool, payload interface{}) error
	PublishAsync(topic string, qos byte, retained bool, payload interface{}) error
	Subscribe(topic string, qos byte, handler MessageHandler) error
	SubscribeMultiple(filters map[string]byte, handler MessageHandler) error
	Unsubscribe(topics ...string) error
	AddRoute(topic string, handler MessageHandler)
	SetDefaultHandler(handler MessageHandler)
	SetOnConnectHandler(handler ConnectHandler)
	SetConnectionLostHandler(handler ConnectionLostHandler)
	SetReconnectingHandler(handler ReconnectingHandler)
	GetClient() mqttclient.Client
	GetStats() ClientStats
	GetSubscriptions() []SubscriptionInfo
	Ping(ctx context.Context) error
}

// Subscription is one handler's subscription, returned by SubscribeContext.
// Several handlers of a client may subscribe the same filter: the broker
// holds one subscription for all of them, at the highest QoS any of them
// asked for, and each message is handed to each of them once.
type Subscription interface {
	// Filter is the filter subscribed, as given ($share/... included).
	Filter() string
	// Unsubscribe removes exactly this handler; the broker is told
	// (UNSUBSCRIBE) only when no other handler of the client still wants
	// the filter, or subscribed again when the highest QoS they ask for
	// drops. The handler is removed even when that fails (the error wraps
	// ErrUnsubscribeFailed): the broker is then set right after the next
	// reconnection. Once it returns the handler is not called again, not
	// even for messages already queued for it (a call already running
	// finishes). Calling it again is a no-op returning nil.
	Unsubscribe(ctx context.Context) error
}

// PubSub is the small, context-aware surface that generated code calls.
// *Client implements it; so can a fake in a unit test.
type PubSub interface {
	// PublishContext sends payload and waits for the acknowledgement its QoS
	// implies, bounded by ctx and by the client's operation timeout.
	PublishContext(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
	// SubscribeContext adds handler to filter and waits, bounded by ctx,
	// for the SUBACK when the broker has to be told; the subscription is
	// tracked and resumed after reconnects. handler also gets payloads
	// over the client's maximum size and must refuse them itself (and
	// call RecordRejected). The Subscription ends exactly this handler.
	SubscribeContext(ctx context.Context, filter string, qos byte, handler MessageHandler) (Subscription, error)
	// DefaultQoS is the QoS used when the document names none.
	DefaultQoS() byte
	// RecordRejected counts a received message that was refused before
	// reaching a handler (too large, not decodable, invalid) and logs why.
	RecordRejected(topic string, err error)
}

var (
	_ MQTT         = (*Client)(nil)
	_ PubSub       = (*Client)(nil)
	_ Subscription = (*handle)(nil)
)
