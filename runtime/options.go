package runtime

import (
	"crypto/tls"
	"log/slog"
	"time"
)

// Option configures a Client made by New.
//
// Precedence: DefaultConfig < the Config given by WithConfig (typically
// from LoadConfig or ConfigFromEnv) < every other option, whatever their
// order. The other options apply in the order given.
type Option func(*settings)

// settings collects the options before New builds the client.
type settings struct {
	base            *Config
	edits           []func(*Config)
	logger          *slog.Logger
	codec           Codec
	tlsConfig       *tls.Config
	asyncErr        func(topic string, err error)
	reconnectFailed func(err error)
}

func edit(f func(*Config)) Option {
	return func(s *settings) { s.edits = append(s.edits, f) }
}

// WithConfig starts from cfg instead of DefaultConfig. Its zero fields still
// take their defaults (see Config).
func WithConfig(cfg Config) Option {
	return func(s *settings) { s.base = &cfg }
}

// WithBroker adds a broker URL (tcp://, mqtt://, ssl://, tls://, mqtts://,
// ws://, wss://). Repeat it for failover: brokers are tried in order.
func WithBroker(url string) Option {
	return edit(func(c *Config) { c.Brokers = append(c.Brokers, url) })
}

// WithClientID sets the client ID; keep it fixed to resume a session.
func WithClientID(id string) Option {
	return edit(func(c *Config) { c.ClientID = id })
}

// WithCredentials sets the username and password sent on connect.
func WithCredentials(username, password string) Option {
	return edit(func(c *Config) { c.Username, c.Password = username, password })
}

// WithCleanSession sets Config.CleanSession.
func WithCleanSession(clean bool) Option {
	return edit(func(c *Config) { c.CleanSession = new(clean) })
}

// WithAutoReconnect sets Config.AutoReconnect.
func WithAutoReconnect(on bool) Option {
	return edit(func(c *Config) { c.AutoReconnect = new(on) })
}

// WithMaxReconnectAttempts sets Config.MaxReconnectAttempts (0 = unlimited).
func WithMaxReconnectAttempts(n int) Option {
	return edit(func(c *Config) { c.MaxReconnectAttempts = n })
}

// WithMaxReconnectDelay sets Config.MaxReconnectDelay.
func WithMaxReconnectDelay(d time.Duration) Option {
	return edit(func(c *Config) { c.MaxReconnectDelay = d })
}

// WithResumeSubs sets Config.ResumeSubs.
func WithResumeSubs(on bool) Option {
	return edit(func(c *Config) { c.ResumeSubs = new(on) })
}

// WithKeepAlive sets Config.KeepAlive.
func WithKeepAlive(d time.Duration) Option {
	return edit(func(c *Config) { c.KeepAlive = d })
}

// WithConnectTimeout sets Config.ConnectTimeout.
func WithConnectTimeout(d time.Duration) Option {
	return edit(func(c *Config) { c.ConnectTimeout = d })
}

// WithOperationTimeout sets Config.OperationTimeout.
func WithOperationTimeout(d time.Duration) Option {
	return edit(func(c *Config) { c.OperationTimeout = d })
}

// WithDefaultQoS sets Config.DefaultQoS.
func WithDefaultQoS(qos byte) Option {
	return edit(func(c *Config) { c.DefaultQoS = qos })
}

// WithWill sets the last will: the broker publishes payload to topic when
// the connection ends without a DISCONNECT (a crash, a cut link).
func WithWill(topic string, payload []byte, qos byte, retained bool) Option {
	return edit(func(c *Config) {
		c.WillTopic, c.WillPayload, c.WillQoS, c.WillRetained = topic, string(payload), qos, retained
	})
}

// WithTLS turns TLS on with PEM files: caFile verifies the broker (empty:
// the system roots), certFile and keyFile authenticate the client (both
// empty for CA-only TLS).
func WithTLS(certFile, keyFile, caFile string) Option {
	return edit(func(c *Config) { c.TLSCertFile, c.TLSKeyFile, c.TLSCAFile = certFile, keyFile, caFile })
}

// WithTLSSkipVerify accepts any broker certificate. Insecure: for tests
// only; New logs a warning when it is on.
func WithTLSSkipVerify(skip bool) Option {
	return edit(func(c *Config) { c.TLSSkipVerify = skip })
}

// WithTLSConfig uses cfg (cloned) for TLS, ignoring the TLS file fields.
// TLSSkipVerify still applies when set.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(s *settings) { s.tlsConfig = cfg.Clone() }
}

// WithMessageStore sets Config.MessageStore ("memory" or "file") and
// Config.StoreDirectory.
func WithMessageStore(kind, dir string) Option {
	return edit(func(c *Config) { c.MessageStore, c.StoreDirectory = kind, dir })
}

// WithOrderMatters sets Config.OrderMatters.
func WithOrderMatters(on bool) Option {
	return edit(func(c *Config) { c.OrderMatters = new(on) })
}

// WithMaxPayloadSize sets Config.MaxPayloadSize (0 = no limit).
func WithMaxPayloadSize(n int) Option {
	return edit(func(c *Config) { c.MaxPayloadSize = n })
}

// WithHandlerWorkers sets Config.HandlerWorkers.
func WithHandlerWorkers(n int) Option {
	return edit(func(c *Config) { c.HandlerWorkers = n })
}

// WithHandlerQueueSize sets Config.HandlerQueueSize.
func WithHandlerQueueSize(n int) Option {
	return edit(func(c *Config) { c.HandlerQueueSize = n })
}

// WithMaxInFlight sets Config.MaxInFlight.
func WithMaxInFlight(n int) Option {
	return edit(func(c *Config) { c.MaxInFlight = n })
}

// WithPublishWindow sets Config.PublishWindow: how many QoS 1/2 publishes
// may be unacknowledged at once. Raise it only as far as the broker's own
// limit (Mosquitto's max_inflight_messages).
func WithPublishWindow(n int) Option {
	return edit(func(c *Config) { c.PublishWindow = n })
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) { s.logger = l }
}

// WithCodec sets how payloads other than []byte, string and
// json.RawMessage are encoded (default JSONCodec).
func WithCodec(c Codec) Option {
	return func(s *settings) { s.codec = c }
}

// WithAsyncErrorHandler receives the errors no caller gets back: failures
// of PublishAsync, of re-subscribing after a reconnect (topic is then the
// filter), received messages refused for exceeding MaxPayloadSize
// (ErrPayloadTooLarge), and the first refused login of an automatic
// reconnection (ErrLoginRefused, topic ""; the client goes on trying). The default logs them at Warn. It runs on a client
// goroutine (for refused messages, paho's reader): do not block in it.
func WithAsyncErrorHandler(h func(topic string, err error)) Option {
	return func(s *settings) { s.asyncErr = h }
}

// WithReconnectFailedHandler is called once when automatic reconnection
// gives up after Config.MaxReconnectAttempts failed attempts; err wraps
// ErrConnectionFailed and the last cause. The client then stays
// disconnected until Connect or Reconnect is called.
func WithReconnectFailedHandler(h func(err error)) Option {
	return func(s *settings) { s.reconnectFailed = h }
}
