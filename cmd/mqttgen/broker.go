package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// brokerFlagsHelp documents the connection flags of watch and mock.
const brokerFlagsHelp = `Connection (the runtime's MQTT_* variables apply first, these flags over them):
  -broker URL      the broker, e.g. tcp://localhost:1883 (ssl://, ws://, wss://
                   too); default: MQTT_BROKERS
  -client-id ID    default: MQTT_CLIENT_ID, else a random mqttgen-<hex>
  -username NAME   default: MQTT_USERNAME; the password is read from
                   MQTT_PASSWORD only, so it stays out of the process list
  -ca FILE         CA certificate to verify the broker (MQTT_TLS_CA_FILE)
  -cert FILE       client certificate (MQTT_TLS_CERT_FILE), with -key FILE
  -insecure        accept any broker certificate (MQTT_TLS_SKIP_VERIFY)
`

// brokerFlags are the connection flags of watch and mock.
type brokerFlags struct {
	broker, clientID, username, ca, cert, key string
	insecure                                  bool
}

func (b *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.broker, "broker", "", "")
	fs.StringVar(&b.clientID, "client-id", "", "")
	fs.StringVar(&b.username, "username", "", "")
	fs.StringVar(&b.ca, "ca", "", "")
	fs.StringVar(&b.cert, "cert", "", "")
	fs.StringVar(&b.key, "key", "", "")
	fs.BoolVar(&b.insecure, "insecure", false, "")
}

// errNoBroker is a usage error: neither -broker nor MQTT_BROKERS.
var errNoBroker = errors.New("-broker URL is required (or set MQTT_BROKERS)")

// config is MQTT_* over the defaults, then the flags over that.
func (b *brokerFlags) config() (mqttrt.Config, error) {
	cfg, err := mqttrt.ConfigFromEnv()
	if err != nil {
		return cfg, err
	}
	if b.broker != "" {
		cfg.Brokers = []string{b.broker}
	}
	if len(cfg.Brokers) == 0 {
		return cfg, errNoBroker
	}
	for field, v := range map[*string]string{&cfg.ClientID: b.clientID, &cfg.Username: b.username,
		&cfg.TLSCAFile: b.ca, &cfg.TLSCertFile: b.cert, &cfg.TLSKeyFile: b.key} {
		if v != "" {
			*field = v
		}
	}
	if b.insecure {
		cfg.TLSSkipVerify = true
	}
	return cfg, nil
}

// connect makes a runtime client from cfg, logging warnings to stderr,
// and connects it (bounded by the client's connect timeout per broker).
func connect(ctx context.Context, cfg mqttrt.Config, stderr io.Writer) (*mqttrt.Client, error) {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := mqttrt.New(mqttrt.WithConfig(cfg), mqttrt.WithLogger(log))
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// disconnectTimeout bounds the goodbye at the end of watch and mock.
const disconnectTimeout = 5 * time.Second

func disconnect(c *mqttrt.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), disconnectTimeout)
	defer cancel()
	_ = c.Disconnect(ctx) // the command is done either way
}

// runContext ends on Ctrl-C, and after d when d > 0.
func runContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	if d <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}
