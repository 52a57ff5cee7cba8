package runtime

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config is the whole client configuration. Load it with LoadConfig (YAML
// plus MQTT_* environment variables) or ConfigFromEnv, or write it as a
// literal; pass it with WithConfig.
//
// Zero values mean "the default", so a literal only needs the fields it
// changes: a zero duration or count takes the value from DefaultConfig, and
// the fields whose default is true (CleanSession, AutoReconnect, ResumeSubs,
// OrderMatters) are *bool so that leaving them out cannot switch them off;
// set them with new(false) or new(true).
type Config struct {
	// Brokers are tried in order on every (re)connection; the first that
	// accepts wins. Schemes: tcp, mqtt, ssl, tls, mqtts, ws, wss.
	Brokers []string `yaml:"brokers"`
	// ClientID identifies the session; empty means a random
	// "mqttgen-<hex>" (which cannot resume a persistent session).
	ClientID string `yaml:"client_id"`
	// Username and Password are sent on connect.
	Username string `yaml:"username"`
	// Password is never printed: Config's String, GoString and LogValue
	// mask it.
	Password string `yaml:"password"`
	// CleanSession asks the broker to drop the session on connect
	// (default true). Set it to false, with a fixed ClientID, to keep
	// subscriptions and queued messages across disconnections.
	CleanSession *bool `yaml:"clean_session"`
	// KeepAlive bounds how long a silent link goes unnoticed (default 30s,
	// at least 1s): the client pings after KeepAlive/2 without traffic and
	// drops the link when the reply takes longer than KeepAlive/4, so a
	// stalled link is detected within about KeepAlive (at most 1.75s for
	// a KeepAlive under 2s, as paho counts whole seconds). The keep-alive
	// sent to the broker is therefore KeepAlive/2 (at least 1s): the broker
	// notices a vanished client, and publishes its will, within 1.5 × that.
	KeepAlive time.Duration `yaml:"keep_alive"`
	// ConnectTimeout bounds one connection attempt to one broker
	// (default 10s).
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// OperationTimeout bounds every wait for an acknowledgement: publish,
	// subscribe, unsubscribe, ping (default 10s).
	OperationTimeout time.Duration `yaml:"operation_timeout"`
	// DefaultQoS is the QoS generated code uses when the document names
	// none (default 0).
	DefaultQoS byte `yaml:"default_qos"`
	// AutoReconnect reconnects after a lost connection (default true).
	AutoReconnect *bool `yaml:"auto_reconnect"`
	// MaxReconnectDelay caps the exponential backoff between reconnection
	// attempts (default 1m). The backoff starts at 250ms, and again after
	// a link that lived at least twice the wait that made it; a link
	// dropped sooner (the broker accepts and then drops the client) makes
	// the next run start from twice that wait.
	MaxReconnectDelay time.Duration `yaml:"max_reconnect_delay"`
	// MaxReconnectAttempts stops reconnecting after that many failed
	// attempts in a row (0 = never stop).
	MaxReconnectAttempts int `yaml:"max_reconnect_attempts"`
	// ResumeSubs re-makes every tracked subscription after a connection on
	// which the broker kept no session (default true).
	ResumeSubs *bool `yaml:"resume_subs"`
	// MessageStore keeps unacknowledged QoS 1/2 messages: "memory"
	// (default) or "file" (in StoreDirectory, one directory per client ID,
	// survives a crash when CleanSession is false).
	MessageStore   string `yaml:"message_store"`
	StoreDirectory string `yaml:"store_directory"`
	// TLSCAFile verifies the broker; TLSCertFile and TLSKeyFile (both or
	// neither) authenticate the client. Any of them turns TLS on, as do the
	// ssl/tls/mqtts/wss schemes (then with the system roots).
	TLSCAFile   string `yaml:"tls_ca_file"`
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// TLSSkipVerify accepts any broker certificate. It is insecure, off by
	// default and logged as a warning when on.
	TLSSkipVerify bool `yaml:"tls_skip_verify"`
	// OrderMatters delivers messages to handlers one at a time in arrival
	// order (default true); false runs them on HandlerWorkers goroutines.
	OrderMatters *bool `yaml:"order_matters"`
	// WillTopic, when set, makes the broker publish WillPayload there if the
	// connection ends without a DISCONNECT.
	WillTopic    string `yaml:"will_topic"`
	WillPayload  string `yaml:"will_payload"`
	WillQoS      byte   `yaml:"will_qos"`
	WillRetained bool   `yaml:"will_retained"`
	// MaxPayloadSize refuses larger payloads, sent or received, in bytes
	// (0 = no limit). A received one is counted in MessagesRejected and
	// reported to the async error handler instead of reaching a handler,
	// except handlers subscribed with SubscribeContext (generated code),
	// which refuse it themselves and report it to their own error handler.
	MaxPayloadSize int `yaml:"max_payload_size"`
	// HandlerWorkers is the number of goroutines running handlers when
	// OrderMatters is false (default 8).
	HandlerWorkers int `yaml:"handler_workers"`
	// HandlerQueueSize is how many received messages may wait for a
	// handler (default 1024). When the queue is full, reading from the
	// broker pauses (back-pressure), but never long enough to miss a
	// keep-alive reply (at most KeepAlive/8, at least 125ms): after that,
	// QoS 0 messages are discarded (ClientStats.MessagesOverflowed) and
	// QoS 1/2 messages queue beyond the bound. These are bounded by the
	// broker, which sends no more than its in-flight window (Mosquitto:
	// max_inflight_messages, default 20) of messages not yet acknowledged,
	// and the client acknowledges a message only after its handlers ran.
	HandlerQueueSize int `yaml:"handler_queue_size"`
	// MaxInFlight bounds the PublishAsync calls not yet acknowledged
	// (default 256); further calls wait for a free slot.
	MaxInFlight int `yaml:"max_in_flight"`
	// PublishWindow bounds the QoS 1 and 2 publishes sent and not yet
	// acknowledged, Publish and PublishAsync together (default 20, at most
	// 65535); further publishes wait for a place, within OperationTimeout.
	// Keep it at or below the number the broker accepts unacknowledged
	// from one client (Mosquitto: max_inflight_messages, default 20; MQTT 5
	// calls it Receive Maximum): MQTT 3.1.1 gives the broker no way to
	// refuse a publish, and Mosquitto acknowledges one beyond its limit as
	// usual and discards it.
	PublishWindow int `yaml:"publish_window"`
}

// Message store kinds for Config.MessageStore.
const (
	StoreMemory = "memory"
	StoreFile   = "file"
)

// DefaultConfig returns the defaults. It has no broker: one must be given.
func DefaultConfig() Config {
	return Config{
		CleanSession:      new(true),
		KeepAlive:         30 * time.Second,
		ConnectTimeout:    10 * time.Second,
		OperationTimeout:  10 * time.Second,
		AutoReconnect:     new(true),
		MaxReconnectDelay: time.Minute,
		ResumeSubs:        new(true),
		MessageStore:      StoreMemory,
		OrderMatters:      new(true),
		HandlerWorkers:    8,
		HandlerQueueSize:  1024,
		MaxInFlight:       256,
		PublishWindow:     20,
	}
}

// withDefaults fills every zero field that has a default.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.Brokers = append([]string(nil), c.Brokers...)
	fillBool(&c.CleanSession, d.CleanSession)
	fillBool(&c.AutoReconnect, d.AutoReconnect)
	fillBool(&c.ResumeSubs, d.ResumeSubs)
	fillBool(&c.OrderMatters, d.OrderMatters)
	fill(&c.KeepAlive, d.KeepAlive)
	fill(&c.ConnectTimeout, d.ConnectTimeout)
	fill(&c.OperationTimeout, d.OperationTimeout)
	fill(&c.MaxReconnectDelay, d.MaxReconnectDelay)
	fill(&c.MessageStore, d.MessageStore)
	fill(&c.HandlerWorkers, d.HandlerWorkers)
	fill(&c.HandlerQueueSize, d.HandlerQueueSize)
	fill(&c.MaxInFlight, d.MaxInFlight)
	fill(&c.PublishWindow, d.PublishWindow)
	if c.ClientID == "" {
		c.ClientID = randomClientID()
	}
	return c
}

func fill[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

func fillBool(field **bool, def *bool) {
	if *field == nil {
		*field = new(*def)
	}
}

func randomClientID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "mqttgen-" + hex.EncodeToString(b)
}

// validate checks a config after withDefaults; the error names the field.
// A loaded config may still lack a broker that an option will add.
func (c Config) validate(requireBroker bool) error {
	if requireBroker && len(c.Brokers) == 0 {
		return configError("Brokers", "at least one broker URL is required")
	}
	for i, b := range c.Brokers {
		if err := checkBrokerURL(b); err != nil {
			return configError(fmt.Sprintf("Brokers[%d]", i), err.Error())
		}
	}
	// The CONNECT packet carries each of these behind a two-byte length
	// [MQTT-1.5.3]: paho cuts a longer one at 65535 bytes without a word
	// (a will arrived truncated, a password was refused), and a broker
	// closes the connection on a string that is not UTF-8 [MQTT-1.5.3-1].
	if reason := checkMQTTString(c.ClientID); reason != "" {
		return configError("ClientID", reason+" [MQTT-3.1.3-4]")
	}
	if reason := checkMQTTString(c.Username); reason != "" {
		return configError("Username", reason+" [MQTT-3.1.3-11]")
	}
	if len(c.Password) > maxTopicBytes {
		return configError("Password", fmt.Sprintf("is %d bytes long, the limit is %d (MQTT 3.1.1, 3.1.3.5)", len(c.Password), maxTopicBytes))
	}
	if len(c.WillPayload) > maxTopicBytes {
		return configError("WillPayload", fmt.Sprintf("is %d bytes long, the limit is %d (MQTT 3.1.1, 3.1.3.3)", len(c.WillPayload), maxTopicBytes))
	}
	if c.Password != "" && c.Username == "" {
		return configError("Password", "is set without Username [MQTT-3.1.2-22]")
	}
	checks := []struct {
		field string
		bad   bool
		why   string
	}{
		{"KeepAlive", c.KeepAlive < time.Second || c.KeepAlive > 65535*time.Second,
			fmt.Sprintf("must be between 1s and 65535s, got %v", c.KeepAlive)},
		{"ConnectTimeout", c.ConnectTimeout < time.Millisecond, fmt.Sprintf("must be at least 1ms, got %v", c.ConnectTimeout)},
		{"OperationTimeout", c.OperationTimeout < time.Millisecond, fmt.Sprintf("must be at least 1ms, got %v", c.OperationTimeout)},
		{"MaxReconnectDelay", c.MaxReconnectDelay < time.Millisecond, fmt.Sprintf("must be at least 1ms, got %v", c.MaxReconnectDelay)},
		{"DefaultQoS", c.DefaultQoS > 2, fmt.Sprintf("must be 0, 1 or 2, got %d", c.DefaultQoS)},
		{"WillQoS", c.WillQoS > 2, fmt.Sprintf("must be 0, 1 or 2, got %d", c.WillQoS)},
		{"MaxReconnectAttempts", c.MaxReconnectAttempts < 0, fmt.Sprintf("must not be negative, got %d", c.MaxReconnectAttempts)},
		{"MaxPayloadSize", c.MaxPayloadSize < 0, fmt.Sprintf("must not be negative, got %d", c.MaxPayloadSize)},
		{"HandlerWorkers", c.HandlerWorkers < 0, fmt.Sprintf("must not be negative, got %d", c.HandlerWorkers)},
		{"HandlerQueueSize", c.HandlerQueueSize < 0, fmt.Sprintf("must not be negative, got %d", c.HandlerQueueSize)},
		{"MaxInFlight", c.MaxInFlight < 0, fmt.Sprintf("must not be negative, got %d", c.MaxInFlight)},
		{"PublishWindow", c.PublishWindow < 0 || c.PublishWindow > maxPacketIDs,
			fmt.Sprintf("must be between 1 and %d (packet IDs), got %d", maxPacketIDs, c.PublishWindow)},
		{"MessageStore", c.MessageStore != StoreMemory && c.MessageStore != StoreFile,
			fmt.Sprintf("must be %q or %q, got %q", StoreMemory, StoreFile, c.MessageStore)},
		{"StoreDirectory", c.MessageStore == StoreFile && c.StoreDirectory == "", `is required when MessageStore is "file"`},
		{"TLSKeyFile", c.TLSCertFile != "" && c.TLSKeyFile == "", "is required when TLSCertFile is set"},
		{"TLSCertFile", c.TLSKeyFile != "" && c.TLSCertFile == "", "is required when TLSKeyFile is set"},
		{"WillPayload", c.WillTopic == "" && (c.WillPayload != "" || c.WillRetained || c.WillQoS != 0), "a will needs WillTopic"},
	}
	for _, ch := range checks {
		if ch.bad {
			return configError(ch.field, ch.why)
		}
	}
	if c.WillTopic != "" {
		if err := ValidateTopic(c.WillTopic); err != nil {
			return fmt.Errorf("%w: WillTopic: %w", ErrInvalidConfig, err)
		}
	}
	return nil
}

func configError(field, why string) error {
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, field, why)
}

// brokerSchemes are the URL schemes paho can dial.
var brokerSchemes = map[string]bool{
	"tcp": true, "mqtt": true, "ssl": true, "tls": true, "mqtts": true, "ws": true, "wss": true,
}

// tlsSchemes are the schemes that dial TLS.
var tlsSchemes = map[string]bool{"ssl": true, "tls": true, "mqtts": true, "wss": true}

func checkBrokerURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		// url's error quotes the whole URL, which may hold a password.
		return fmt.Errorf("%q is not a URL", redactURL(raw))
	}
	if !brokerSchemes[u.Scheme] {
		return fmt.Errorf("%q: scheme must be one of tcp, mqtt, ssl, tls, mqtts, ws, wss", redactURL(raw))
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%q: no host", redactURL(raw))
	}
	return nil
}

// redactURL hides a password carried in a broker URL's user info.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			return "xxxxx" + raw[i:]
		}
		return raw
	}
	return u.Redacted()
}

// usesTLS reports whether any broker is dialled over TLS.
func (c Config) usesTLS() bool {
	for _, b := range c.Brokers {
		if u, err := url.Parse(b); err == nil && tlsSchemes[u.Scheme] {
			return true
		}
	}
	return false
}
