package runtime

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// Client is an MQTT 3.1.1 client over paho with bounded waits, its own
// reconnection (MaxReconnectAttempts, ResumeSubs), its own message routing
// (handlers off paho's goroutine) and statistics. Make it with New; it is
// safe for concurrent use.
type Client struct {
	cfg      Config
	log      *slog.Logger
	codec    Codec
	pc       mqttclient.Client
	pahoOpts mqttclient.ClientOptions // a copy, handed to the ReconnectingHandler

	router   router
	dispatch dispatcher
	subs     subRegistry
	stats    stats
	inFlight chan struct{}  // PublishAsync slots
	window   *publishWindow // QoS 1/2 publishes unacknowledged (PublishWindow)
	guard    *qos2Guard     // wraps paho's store: exactly-once receipt, outbound releases
	files    *fileStore     // the store when MessageStore is "file", else nil

	asyncErr        func(topic string, err error)
	reconnectFailed func(err error)

	hooksMu        sync.RWMutex
	onConnect      ConnectHandler
	onLost         ConnectionLostHandler
	onReconnecting ReconnectingHandler

	// broker is the URL of the last connection attempt (redacted), so the
	// "connected" log line says which of several brokers was reached.
	broker atomic.Pointer[string]

	// ready is set once a connection is fully established (subscriptions
	// resumed, waiting publishers released) and cleared when it is lost or
	// closed: IsConnected reads it on every publish, without the lock.
	ready atomic.Bool

	// mu guards the lifecycle fields below. It is never held across a
	// network wait or a callback.
	mu         sync.Mutex
	state      connState
	loop       *reconnectLoop // the running reconnection, if any
	outage     *outage        // set while a reconnection is expected
	lostInDial bool           // the link dropped before dial finished
	dialing    chan struct{}  // closed when the pending paho connect settles
	// linkSince is when the current (or last) link was established and
	// lastWait the backoff wait that preceded it (0 after Connect or
	// Reconnect), for firstWaitLocked.
	linkSince time.Time
	lastWait  time.Duration
	// reconnectCall is the Reconnect in progress, if any.
	reconnectCall *reconnectCall
}

// connState is the client's lifecycle state.
type connState int

const (
	stateDisconnected connState = iota // never connected, Disconnect called, or reconnection gave up
	stateConnecting                    // Connect in progress
	stateConnected
	stateReconnecting // the link dropped; reconnecting (or Reconnect in progress)
	stateDisconnecting
)

// New builds a client from the options (see Option for precedence). It
// does not connect. An invalid configuration is an error wrapping
// ErrInvalidConfig that names the field.
func New(opts ...Option) (*Client, error) {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	cfg := DefaultConfig()
	if s.base != nil {
		cfg = *s.base
	}
	for _, e := range s.edits {
		e(&cfg)
	}
	generatedID := cfg.ClientID == ""
	cfg = cfg.withDefaults()
	if err := cfg.validate(true); err != nil {
		return nil, err
	}
	if err := checkTLSSchemes(cfg, s.tlsConfig); err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(cfg, s.tlsConfig)
	if err != nil {
		return nil, err
	}
	store, err := newStore(cfg)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:             cfg,
		log:             s.logger,
		codec:           s.codec,
		inFlight:        make(chan struct{}, cfg.MaxInFlight),
		asyncErr:        s.asyncErr,
		reconnectFailed: s.reconnectFailed,
	}
	c.subs.router = &c.router
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.codec == nil {
		c.codec = JSONCodec{}
	}
	if c.asyncErr == nil {
		c.asyncErr = func(topic string, err error) {
			c.log.Warn("mqtt: asynchronous operation failed", "client_id", cfg.ClientID, "topic", topic, "err", err)
		}
	}
	c.dispatch = dispatcher{run: c.runDelivery, workers: 1, size: cfg.HandlerQueueSize, pause: readerPause(cfg.KeepAlive)}
	if !*cfg.OrderMatters {
		c.dispatch.workers = cfg.HandlerWorkers
	}
	if fs, ok := store.(*fileStore); ok {
		c.files = fs
		fs.report = c.storeReport
	}
	c.window = newPublishWindow(cfg.PublishWindow)
	c.guard = newQoS2Guard(store, c.window)
	store = c.guard
	po := c.pahoOptions(tlsCfg, store)
	c.pc = mqttclient.NewClient(&po)
	// Built twice so that the ReconnectingHandler's copy shares no slices
	// with paho's, and with its own TLS settings: a handler changing a
	// field of the copy's TLSConfig would change paho's.
	c.pahoOpts = c.pahoOptions(tlsCfg.Clone(), store)
	if cfg.TLSSkipVerify {
		c.log.Warn("mqtt: TLS certificate verification is off; the broker is not authenticated", "client_id", cfg.ClientID)
	}
	if cfg.MessageStore == StoreFile && *cfg.CleanSession {
		c.log.Warn("mqtt: file store with CleanSession true: stored messages are discarded on connect", "client_id", cfg.ClientID)
	}
	if generatedID && (!*cfg.CleanSession || cfg.MessageStore == StoreFile) {
		// The next process gets another ID: it neither resumes this
		// session nor resends what this one's file store holds, and the
		// broker keeps every abandoned session with its queued messages.
		c.log.Warn("mqtt: CleanSession false or a file store with a generated client ID: nothing is resumed by the next process; set ClientID",
			"client_id", cfg.ClientID)
	}
	return c, nil
}

// pahoOptions maps the config onto paho. Paho's own reconnection, retry and
// subscription resumption are off: the client does them itself (paho's
// auto-reconnect ignores a maximum number of attempts, hides whether the
// session was kept, and reports QoS 0 publishes made meanwhile as sent).
func (c *Client) pahoOptions(tlsCfg *tls.Config, store mqttclient.Store) mqttclient.ClientOptions {
	cfg := c.cfg
	o := mqttclient.NewClientOptions()
	for _, b := range cfg.Brokers {
		o.AddBroker(b)
	}
	o.SetClientID(cfg.ClientID)
	o.SetUsername(cfg.Username)
	o.SetPassword(cfg.Password)
	o.SetCleanSession(*cfg.CleanSession)
	o.SetKeepAlive(pahoKeepAlive(cfg.KeepAlive))
	o.SetPingTimeout(pingTimeout(cfg.KeepAlive))
	o.SetConnectTimeout(cfg.ConnectTimeout)
	o.SetWriteTimeout(cfg.OperationTimeout)
	o.SetProtocolVersion(4) // MQTT 3.1.1, no silent fallback to 3.1
	o.SetAutoReconnect(false)
	o.SetConnectRetry(false)
	o.SetResumeSubs(false)
	o.SetOrderMatters(true) // onMessage only queues; order is kept by the dispatcher
	// A QoS 1/2 message is acknowledged once its handlers have run (see
	// runDelivery), not when paho hands it over: a crash in between gets it
	// redelivered, and the broker's in-flight window, not paho's reader,
	// bounds what a slow handler leaves waiting.
	o.SetAutoAckDisabled(true)
	o.SetStore(store)
	o.SetDefaultPublishHandler(c.onMessage)
	o.SetConnectionLostHandler(c.connectionLost)
	o.SetConnectionAttemptHandler(func(broker *url.URL, tlsCfg *tls.Config) *tls.Config {
		b := broker.Redacted()
		c.broker.Store(&b)
		return tlsCfg
	})
	if tlsCfg != nil {
		o.SetTLSConfig(tlsCfg)
	}
	o.SetCustomOpenConnectionFn(c.openConnection)
	if cfg.WillTopic != "" {
		o.SetBinaryWill(cfg.WillTopic, []byte(cfg.WillPayload), cfg.WillQoS, cfg.WillRetained)
	}
	return *o
}

// pahoKeepAlive is the keep-alive given to paho (and sent to the broker).
// Paho pings only after a full keep-alive of silence, checks every quarter
// interval and needs one more check after the ping timeout, so with
// (KeepAlive, KeepAlive/2) a silent link was noticed only after up to
// 2 × KeepAlive. Pinging after half the interval, with a quarter-interval
// timeout, bounds detection by about KeepAlive (paho counts whole seconds,
// hence the 1s floor; see Config.KeepAlive).
func pahoKeepAlive(keepAlive time.Duration) time.Duration {
	return max(keepAlive/2, time.Second)
}

// pingTimeout is how long paho waits for a PINGRESP before it drops the link.
func pingTimeout(keepAlive time.Duration) time.Duration {
	return max(keepAlive/4, 250*time.Millisecond)
}

// readerPause is how long paho's reader may wait for room in a full handler
// queue: well below the ping timeout, so a PINGRESP behind the waiting
// message is still read in time and a slow handler never costs the link.
func readerPause(keepAlive time.Duration) time.Duration {
	return pingTimeout(keepAlive) / 2
}

// String describes the client without its credentials (client ID, brokers
// with any URL password redacted, state). fmt prints unexported fields
// without calling their String methods, so without it %v of a *Client
// would show the password.
func (c *Client) String() string {
	return fmt.Sprintf("runtime.Client{ClientID:%q Brokers:[%s] Connected:%v}", c.cfg.ClientID, c.brokerList(), c.IsConnected())
}

// GoString makes %#v print the same as String, without credentials.
func (c *Client) GoString() string { return c.String() }

// GetClient returns the underlying paho client. Calls made on it bypass
// this client's validation, routing, tracking and statistics.
func (c *Client) GetClient() mqttclient.Client { return c.pc }

// Logger returns the logger the client writes to (WithLogger, else
// slog.Default()), so that code built on the client, such as generated
// packages logging a handler's error, writes where the client does.
func (c *Client) Logger() *slog.Logger { return c.log }

// ClientID returns the client ID in use (generated when none was set).
func (c *Client) ClientID() string { return c.cfg.ClientID }

// DefaultQoS is the QoS used when the document names none.
func (c *Client) DefaultQoS() byte { return c.cfg.DefaultQoS }

// MaxPayloadSize returns the largest payload accepted, in bytes (0 = no
// limit), so generated code can refuse a huge payload before decoding it.
func (c *Client) MaxPayloadSize() int { return c.cfg.MaxPayloadSize }

// SetOnConnectHandler sets the handler called after every successful
// connection, including reconnections, once subscriptions are resumed. It
// runs on its own goroutine.
func (c *Client) SetOnConnectHandler(handler ConnectHandler) {
	c.hooksMu.Lock()
	c.onConnect = handler
	c.hooksMu.Unlock()
}

// SetConnectionLostHandler sets the handler called when an established
// connection drops (not on Disconnect).
func (c *Client) SetConnectionLostHandler(handler ConnectionLostHandler) {
	c.hooksMu.Lock()
	c.onLost = handler
	c.hooksMu.Unlock()
}

// SetReconnectingHandler sets the handler called before each automatic
// reconnection attempt. The options it receives are a copy: changing them
// has no effect.
func (c *Client) SetReconnectingHandler(handler ReconnectingHandler) {
	c.hooksMu.Lock()
	c.onReconnecting = handler
	c.hooksMu.Unlock()
}

// connectedBroker is the broker of the last connection attempt, for logs.
func (c *Client) connectedBroker() string {
	if b := c.broker.Load(); b != nil {
		return *b
	}
	return ""
}

func (c *Client) hooks() (ConnectHandler, ConnectionLostHandler, ReconnectingHandler) {
	c.hooksMu.RLock()
	defer c.hooksMu.RUnlock()
	return c.onConnect, c.onLost, c.onReconnecting
}
