package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"time"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// contractCommand is what watch and mock share: -i, -role and the
// connection flags, and their checks.
type contractCommand struct {
	name, usage string
	fs          *flag.FlagSet
	spec, role  *string
	broker      brokerFlags
}

func newContractCommand(name, usage, defaultRole string, stderr io.Writer) *contractCommand {
	c := &contractCommand{name: name, usage: usage, fs: flag.NewFlagSet(name, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	c.fs.Usage = func() {} // printed by parse: -h to stdout, mistakes to stderr
	c.spec = c.fs.String("i", "", "")
	c.role = c.fs.String("role", defaultRole, "")
	c.broker.register(c.fs)
	return c
}

// parse parses args, checks them (check adds the command's own checks:
// a usage error's message, or ""), reads the connection settings and
// loads the document. code is -1 to go on, else the exit code: 0 after
// -h, 2 for a usage error or settings that cannot be read, 1 when the
// document is bad.
func (c *contractCommand) parse(args []string, stdin io.Reader, stdout, stderr io.Writer, check func() string) (doc *model.Document, role generator.Role, cfg mqttrt.Config, code int) {
	if err := c.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, c.usage)
			return nil, 0, cfg, 0
		}
		fmt.Fprintf(stderr, "run \"mqttgen %s -h\" for the flags and examples\n", c.name)
		return nil, 0, cfg, 2
	}
	role, err := generator.ParseRole(*c.role)
	switch {
	case c.fs.NArg() > 0:
		return nil, 0, cfg, c.usageErr(stderr, "unexpected argument %q; the document is given with -i", c.fs.Arg(0))
	case *c.spec == "":
		return nil, 0, cfg, c.usageErr(stderr, "-i SPEC is required: the AsyncAPI document's path, or - for stdin")
	case err != nil:
		return nil, 0, cfg, c.usageErr(stderr, "-role %q: use app, client or both", *c.role)
	}
	if msg := check(); msg != "" {
		return nil, 0, cfg, c.usageErr(stderr, "%s", msg)
	}
	cfg, err = c.broker.config()
	if err != nil {
		// No broker, or an MQTT_* variable that cannot be read.
		return nil, 0, cfg, c.usageErr(stderr, "%v", err)
	}
	if doc, err = loadSpecArg(*c.spec, stdin); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 0, cfg, 1
	}
	return doc, role, cfg, -1
}

// duration registers -for: a time.Duration whose parse error says what
// is wanted (the flag package's own says "parse error" for "-for 5").
func (c *contractCommand) duration() *time.Duration {
	d := new(time.Duration)
	c.fs.Func("for", "", func(s string) error {
		v, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("want a duration with its unit, such as 30s, 5m or 1h30m")
		}
		*d = v
		return nil
	})
	return d
}

// usageErr prints a usage error and returns its exit code, 2.
func (c *contractCommand) usageErr(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "mqttgen %s: "+format+"\nrun \"mqttgen %s -h\" for the flags and examples\n", append(append([]any{c.name}, a...), c.name)...)
	return 2
}

// brokerFlagsHelp documents the connection flags of watch and mock.
const brokerFlagsHelp = `Connection (the runtime's MQTT_* variables apply first, these flags over them):
  -broker URL      the broker, e.g. tcp://localhost:1883 (ssl://, ws://, wss://
                   too); default: MQTT_BROKERS, else the -serve broker
  -serve ADDR      run a broker inside mqttgen on ADDR (host:port) for as long
                   as the command runs, for development: devices and other
                   tools connect to it; it accepts every client and topic
  -client-id ID    default: MQTT_CLIENT_ID, else a random mqttgen-<hex>
  -username NAME   default: MQTT_USERNAME; the password is read from
                   MQTT_PASSWORD only, so it stays out of the process list
  -ca FILE         CA certificate to verify the broker (MQTT_TLS_CA_FILE)
  -cert FILE       client certificate (MQTT_TLS_CERT_FILE), with -key FILE
  -insecure        accept any broker certificate (MQTT_TLS_SKIP_VERIFY)
`

// brokerFlags are the connection flags of watch and mock.
type brokerFlags struct {
	broker, clientID, username, ca, cert, key, serve string
	insecure                                         bool
}

func (b *brokerFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.broker, "broker", "", "")
	fs.StringVar(&b.serve, "serve", "", "")
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
// ConfigFromEnv validates the variables on their own, so MQTT_PASSWORD
// without MQTT_USERNAME is refused even when -username completes it: its
// filled config is kept through such an error, and runtime.New validates
// the whole once the flags are applied. A variable that cannot be read
// (a duration without a unit...) leaves no config, and is the error.
func (b *brokerFlags) config() (mqttrt.Config, error) {
	cfg, err := mqttrt.ConfigFromEnv()
	if err != nil && reflect.ValueOf(cfg).IsZero() {
		return cfg, err
	}
	if b.broker != "" {
		cfg.Brokers = []string{b.broker}
	}
	if len(cfg.Brokers) == 0 && b.serve == "" {
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

// connect makes a runtime client from cfg, logging its warnings to
// stderr (each message a few times at most), and connects it (bounded by the client's connect timeout per
// broker) with a context that ends on Ctrl-C or SIGTERM, and after d
// when d > 0. With -serve and no other broker, cfg.Brokers becomes the
// served broker's URL. done disconnects and releases the context; on an
// error, which connect prints (see exitCode), there is nothing to
// release.
func (c *contractCommand) connect(cfg *mqttrt.Config, d time.Duration, stderr io.Writer) (ctx context.Context, client *mqttrt.Client, done func(), err error) {
	var served *devBroker
	if c.broker.serve != "" {
		if served, err = serveBroker(c.broker.serve, stderr); err != nil {
			fmt.Fprintf(stderr, "mqttgen %s: %v\n", c.name, err)
			return nil, nil, nil, err
		}
		fmt.Fprintf(stderr, "mqttgen %s: serving MQTT on %s\n", c.name, served.URL())
		if len(cfg.Brokers) == 0 {
			cfg.Brokers = []string{served.URL()}
		}
	}
	closeServed := func() {
		if served != nil {
			served.close()
		}
	}
	ctx, stop := runContext(d)
	logs := newRepeatLimiter(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, err = mqttrt.New(mqttrt.WithConfig(*cfg), mqttrt.WithLogger(slog.New(logs)))
	if err == nil {
		err = client.Connect(ctx)
	}
	if err != nil {
		stop()
		closeServed()
		if errors.Is(err, mqttrt.ErrInvalidConfig) {
			c.usageErr(stderr, "%v", err)
		} else {
			fmt.Fprintf(stderr, "mqttgen %s: %v\n", c.name, err)
		}
		return nil, nil, nil, err
	}
	return ctx, client, func() { disconnect(client); stop(); closeServed(); logs.flush(stderr, c.name) }, nil
}

// exitCode is the exit status after connect failed: 2 for settings the
// runtime refuses (a -broker URL without a known scheme, a -ca file that
// cannot be read...), 1 when the broker could not be reached.
func exitCode(err error) int {
	if errors.Is(err, mqttrt.ErrInvalidConfig) {
		return 2
	}
	return 1
}

// shownBrokers lists broker URLs for the terminal, a password in one
// (tcp://user:secret@host) hidden as the runtime hides it in its errors.
func shownBrokers(brokers []string) string {
	shown := make([]string, len(brokers))
	for i, b := range brokers {
		shown[i] = b
		if u, err := url.Parse(b); err == nil {
			shown[i] = u.Redacted()
		}
	}
	return strings.Join(shown, ",")
}

// disconnectTimeout bounds the goodbye at the end of watch and mock.
const disconnectTimeout = 5 * time.Second

func disconnect(c *mqttrt.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), disconnectTimeout)
	defer cancel()
	_ = c.Disconnect(ctx) // the command is done either way
}

// runContext ends on Ctrl-C or SIGTERM (what timeout(1), systemd,
// Docker and Kubernetes stop a process with), and after d when d > 0:
// either way the command ends as after -for, with its summary. A second
// signal ends the process at once: winding down (unsubscribing from and
// saying goodbye to a broker that stopped answering) can take seconds.
func runContext(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop) // the next signal gets the default action
	if d <= 0 {
		return ctx, stop
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, func() { cancel(); stop() }
}
