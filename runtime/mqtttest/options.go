package mqtttest

import "log/slog"

// Option configures a Broker made by NewBroker.
type Option func(*brokerConfig)

// login is one user name and password accepted by the broker.
type login struct {
	name, password string
}

// brokerConfig collects what the options asked for; NewBroker turns it into
// a mosquitto.conf or into mochi-mqtt settings.
type brokerConfig struct {
	tls         bool
	clientCerts bool
	users       []login
	acl         string
	persistence bool
	embedded    bool
	extraConf   string
	logger      *slog.Logger
}

// WithTLS makes the broker listen with TLS (URL scheme ssl://). A CA and a
// server certificate for 127.0.0.1 and localhost are made for the test; see
// Broker.TLSFiles, Broker.CA and Broker.ClientTLSConfig.
func WithTLS() Option {
	return func(c *brokerConfig) { c.tls = true }
}

// WithClientCerts implies WithTLS and makes the broker require a client
// certificate signed by its CA (mutual TLS). A valid client certificate is
// made for the test and listed in Broker.TLSFiles.
func WithClientCerts() Option {
	return func(c *brokerConfig) { c.tls, c.clientCerts = true, true }
}

// WithUser adds a login; it may be repeated. As soon as one user exists,
// anonymous clients are refused.
func WithUser(name, password string) Option {
	return func(c *brokerConfig) { c.users = append(c.users, login{name, password}) }
}

// WithACL sets the broker's access control list, in Mosquitto's acl_file
// format ("user NAME", "topic [read|write|readwrite|deny] FILTER",
// "pattern [read|write|readwrite|deny] FILTER" with %c and %u). As in
// Mosquitto, anything the list does not grant is denied, and topic lines
// before the first user line apply to anonymous clients (of which there
// are none once WithUser is used).
//
// A SUBSCRIBE to a filter the list does not let the client read is refused
// with SUBACK 0x80. Mosquitto's own acl_file never refuses a SUBSCRIBE, so
// for Mosquitto the list is translated into a configuration of its dynamic
// security plugin, which does; there a %c pattern governs publishing only.
// A denied PUBLISH is dropped silently by Mosquitto (MQTT 3.1.1 has no way
// to say no), while the embedded broker disconnects a 3.1.1 client that
// publishes at QoS 1 or 2.
func WithACL(text string) Option {
	return func(c *brokerConfig) { c.acl = text }
}

// WithPersistence makes sessions and queued QoS 1/2 messages survive
// Broker.Stop followed by Broker.Start. Mosquitto saves its database when
// stopped with SIGTERM (Stop), not when killed (Kill), except what its
// autosave already wrote. The embedded broker keeps its state in memory
// across Stop/Start and Kill alike.
func WithPersistence() Option {
	return func(c *brokerConfig) { c.persistence = true }
}

// WithEmbedded forces the embedded mochi-mqtt broker even when the
// mosquitto binary is installed.
func WithEmbedded() Option {
	return func(c *brokerConfig) { c.embedded = true }
}

// WithConfig appends raw lines to the generated mosquitto.conf. The
// embedded broker cannot honour them: the test is skipped when it is the
// fallback, and fails when WithEmbedded asked for it.
func WithConfig(lines string) Option {
	return func(c *brokerConfig) { c.extraConf += lines + "\n" }
}

// WithLogger receives the broker's lifecycle events (start, stop, port).
// The broker's own log always goes to a file in the test's temp dir and
// is printed when the test fails.
func WithLogger(l *slog.Logger) Option {
	return func(c *brokerConfig) { c.logger = l }
}
