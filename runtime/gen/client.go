package gen

import (
	"log/slog"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Client is what a generated Client wraps: the MQTT connection and the
// options every operation of the package shares.
type Client struct {
	mqtt       mqttrt.PubSub
	onError    func(topic string, err error)
	validate   bool
	maxPayload int
	// log receives handler errors when there is no error handler: the
	// runtime client's logger when m has one, so that they go where the
	// runtime's own lines go, else slog.Default().
	log *slog.Logger
}

// ClientOption configures NewClient.
type ClientOption func(*Client)

// NewClient returns the typed API's state over m, usually a connected
// *mqttrt.Client. The payload limit starts as m's MaxPayloadSize when m
// has one.
func NewClient(m mqttrt.PubSub, opts ...ClientOption) *Client {
	c := &Client{mqtt: m, validate: true, log: slog.Default()}
	if limited, ok := m.(interface{ MaxPayloadSize() int }); ok {
		c.maxPayload = limited.MaxPayloadSize()
	}
	if logs, ok := m.(interface{ Logger() *slog.Logger }); ok {
		c.log = logs.Logger()
	}
	if id, ok := m.(interface{ ClientID() string }); ok {
		c.log = c.log.With("client_id", id.ClientID())
	}
	for _, opt := range opts {
		opt(c)
	}
	return c
}

// WithErrorHandler sets the function that receives every received message
// that did not reach its handler, or that its handler refused: a payload
// too large (mqttrt.ErrPayloadTooLarge), not decodable (mqttrt.ErrDecode),
// not valid against its schema (mqttrt.ErrValidation), a topic that does
// not fit its channel (mqttrt.ErrInvalidTopic), or the handler's own
// error. It runs on the goroutine that delivered the message. Without one,
// handler errors are logged at Warn to the runtime client's logger
// (slog.Default() for another PubSub); refused messages are always counted
// and logged by the runtime.
func WithErrorHandler(h func(topic string, err error)) ClientOption {
	return func(c *Client) { c.onError = h }
}

// WithoutValidation turns off the JSON Schema checks of sent and received
// payloads. Decoding still refuses payloads that do not fit their Go type,
// and the messages of an operation with several are still told apart by
// their schemas.
func WithoutValidation() ClientOption {
	return func(c *Client) { c.validate = false }
}

// WithMaxPayloadSize refuses received payloads larger than n bytes before
// decoding them (0: no limit).
func WithMaxPayloadSize(n int) ClientOption {
	return func(c *Client) { c.maxPayload = n }
}

// reject counts a received message refused before its handler and passes
// it to the error handler.
func (c *Client) reject(topic string, err error) {
	c.mqtt.RecordRejected(topic, err)
	if c.onError != nil {
		c.onError(topic, err)
	}
}

// handlerFailed reports a handler's error to the error handler, or logs
// it when there is none.
func (c *Client) handlerFailed(topic string, err error) {
	if c.onError != nil {
		c.onError(topic, err)
		return
	}
	c.log.Warn("mqtt: handler failed", "topic", topic, "err", err)
}
