package runtime

import (
	"fmt"
	"log/slog"
	"strings"
)

// masked replaces a secret in every printed form of a Config.
const masked = "*****"

// String prints the config with the password masked (and any password in a
// broker URL redacted), so %v and %+v of a Config are safe to log.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("{")
	for i, a := range c.attrs() {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%v", a.Key, a.Value)
	}
	b.WriteString("}")
	return b.String()
}

// GoString makes %#v print the same masked form as String.
func (c Config) GoString() string { return "runtime.Config" + c.String() }

// LogValue lets slog log a Config without its secrets.
func (c Config) LogValue() slog.Value { return slog.GroupValue(c.attrs()...) }

func (c Config) attrs() []slog.Attr {
	brokers := make([]string, len(c.Brokers))
	for i, b := range c.Brokers {
		brokers[i] = redactURL(b)
	}
	password := ""
	if c.Password != "" {
		password = masked
	}
	return []slog.Attr{
		slog.Any("Brokers", brokers),
		slog.String("ClientID", c.ClientID),
		slog.String("Username", c.Username),
		slog.String("Password", password),
		slog.String("CleanSession", boolString(c.CleanSession)),
		slog.Duration("KeepAlive", c.KeepAlive),
		slog.Duration("ConnectTimeout", c.ConnectTimeout),
		slog.Duration("OperationTimeout", c.OperationTimeout),
		slog.Int("DefaultQoS", int(c.DefaultQoS)),
		slog.String("AutoReconnect", boolString(c.AutoReconnect)),
		slog.Duration("MaxReconnectDelay", c.MaxReconnectDelay),
		slog.Int("MaxReconnectAttempts", c.MaxReconnectAttempts),
		slog.String("ResumeSubs", boolString(c.ResumeSubs)),
		slog.String("MessageStore", c.MessageStore),
		slog.String("StoreDirectory", c.StoreDirectory),
		slog.String("TLSCAFile", c.TLSCAFile),
		slog.String("TLSCertFile", c.TLSCertFile),
		slog.String("TLSKeyFile", c.TLSKeyFile),
		slog.Bool("TLSSkipVerify", c.TLSSkipVerify),
		slog.String("OrderMatters", boolString(c.OrderMatters)),
		slog.String("WillTopic", c.WillTopic),
		slog.Int("WillPayloadBytes", len(c.WillPayload)),
		slog.Int("WillQoS", int(c.WillQoS)),
		slog.Bool("WillRetained", c.WillRetained),
		slog.Int("MaxPayloadSize", c.MaxPayloadSize),
		slog.Int("HandlerWorkers", c.HandlerWorkers),
		slog.Int("HandlerQueueSize", c.HandlerQueueSize),
		slog.Int("MaxInFlight", c.MaxInFlight),
		slog.Int("PublishWindow", c.PublishWindow),
	}
}

// boolString prints an optional bool: "default" when unset.
func boolString(b *bool) string {
	if b == nil {
		return "default"
	}
	return fmt.Sprint(*b)
}
