package mqtttest

import (
	"crypto/tls"
	"errors"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Bounds on every wait, so a broker that misbehaves fails the test instead
// of hanging it.
const (
	readyTimeout = 10 * time.Second // from launch until the port accepts
	stopTimeout  = 5 * time.Second  // from SIGTERM until SIGKILL, and after
	bindAttempts = 5                // fresh ports tried by NewBroker
	logTailLines = 40               // lines of broker log shown on failure
)

// errAddrInUse reports that the broker could not bind its port.
var errAddrInUse = errors.New("address already in use")

// engine runs a broker: a mosquitto process or an embedded mochi-mqtt
// server. Broker serialises calls to it.
type engine interface {
	start(port int) error // returns once the port accepts connections
	stop(kill bool) error // returns once the broker has stopped
	close()               // frees what start/stop kept between runs
	pid() int
}

// Broker is an MQTT broker started for one test on a free loopback port.
// It is stopped when the test ends. Its methods that may fail the test
// (Start, Stop, Kill) must be called from the test's goroutine.
type Broker struct {
	t        testing.TB
	cfg      brokerConfig
	dir      string
	logPath  string
	log      *slog.Logger
	embedded bool
	ca       *CA
	files    TLSFiles
	// clientCert is TLSFiles' client pair, loaded once for ClientTLSConfig.
	clientCert tls.Certificate
	eng        engine

	mu      sync.Mutex
	port    int
	running bool
}

// NewBroker starts a broker for the test t and registers its shutdown with
// t.Cleanup. It runs Mosquitto when the mosquitto binary is on PATH, and an
// embedded mochi-mqtt broker otherwise (or with WithEmbedded). If the
// embedded fallback cannot honour an option, the test is skipped with the
// reason. When the test fails, the last lines of the broker's log are
// printed.
func NewBroker(t testing.TB, opts ...Option) *Broker {
	t.Helper()
	var cfg brokerConfig
	for _, o := range opts {
		o(&cfg)
	}
	b := &Broker{t: t, cfg: cfg, dir: t.TempDir(), log: cfg.logger}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	bin, lookErr := exec.LookPath("mosquitto")
	b.embedded = cfg.embedded || lookErr != nil
	if b.embedded {
		if reason := embeddedUnsupported(cfg); reason != "" {
			if cfg.embedded {
				t.Fatalf("mqtttest: the embedded broker %s", reason)
			}
			t.Skipf("mqtttest: mosquitto not found (%v) and the embedded broker %s", lookErr, reason)
		}
	}
	if cfg.tls {
		b.makeTLSFiles()
	}
	var err error
	if b.embedded {
		b.logPath = filepath.Join(b.dir, "mochi.log")
		b.eng, err = newEmbedded(b)
	} else {
		b.logPath = filepath.Join(b.dir, "mosquitto.log")
		b.eng, err = newMosquitto(b, bin)
	}
	if err != nil {
		t.Fatalf("mqtttest: %v", err)
	}
	t.Cleanup(b.cleanup)
	b.startOnFreePort()
	return b
}

// startOnFreePort picks a port and starts the broker, retrying with
// another port when someone else took the first one meanwhile.
func (b *Broker) startOnFreePort() {
	b.t.Helper()
	var err error
	for range bindAttempts {
		var port int
		if port, err = freePort(); err != nil {
			break
		}
		if err = b.eng.start(port); err == nil {
			b.mu.Lock()
			b.port, b.running = port, true
			b.mu.Unlock()
			b.log.Info("mqtttest broker started", "url", b.URL(), "embedded", b.embedded, "pid", b.eng.pid())
			return
		}
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	b.t.Fatalf("mqtttest: start broker: %v", err)
}

// Start starts a stopped broker again on the same port, waiting (bounded)
// until it accepts connections. Starting a running broker fails the test.
func (b *Broker) Start() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.running {
		b.t.Fatalf("mqtttest: Start: broker %s is already running", b.addrLocked())
	}
	// The port was ours a moment ago; if a client's reconnect storm or the
	// old process still holds it, give it a bounded moment.
	deadline := time.Now().Add(stopTimeout)
	for {
		err := b.eng.start(b.port)
		if err == nil {
			break
		}
		if !errors.Is(err, errAddrInUse) || time.Now().After(deadline) {
			b.t.Fatalf("mqtttest: restart broker on port %d: %v", b.port, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.running = true
	b.log.Info("mqtttest broker restarted", "url", b.urlLocked(), "pid", b.eng.pid())
}

// Stop stops the broker gracefully (SIGTERM for Mosquitto, which then
// saves its persistence database) and waits until it has exited. Clients
// see their connection closed. Stopping a stopped broker does nothing.
func (b *Broker) Stop() {
	b.t.Helper()
	b.halt(false)
}

// Kill stops the broker abruptly (SIGKILL for Mosquitto: nothing is saved,
// no socket is closed cleanly by the broker).
func (b *Broker) Kill() {
	b.t.Helper()
	b.halt(true)
}

func (b *Broker) halt(kill bool) {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		return
	}
	b.running = false
	if err := b.eng.stop(kill); err != nil {
		b.t.Errorf("mqtttest: stop broker: %v", err)
	}
	b.log.Info("mqtttest broker stopped", "addr", b.addrLocked(), "killed", kill)
}

// cleanup stops the broker at the end of the test and, if the test failed,
// shows the end of the broker's log.
func (b *Broker) cleanup() {
	b.halt(false)
	b.eng.close()
	if b.t.Failed() {
		b.t.Logf("mqtttest: last lines of %s:\n%s", b.logPath, tailLines(b.logPath, logTailLines))
	}
}

// URL returns the broker's address as tcp://127.0.0.1:PORT, or
// ssl://127.0.0.1:PORT with WithTLS.
func (b *Broker) URL() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.urlLocked()
}

func (b *Broker) urlLocked() string {
	scheme := "tcp"
	if b.cfg.tls {
		scheme = "ssl"
	}
	return scheme + "://" + b.addrLocked()
}

// Addr returns the broker's host:port.
func (b *Broker) Addr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addrLocked()
}

func (b *Broker) addrLocked() string {
	return "127.0.0.1:" + strconv.Itoa(b.port)
}

// Port returns the broker's TCP port; it stays the same across Stop/Start.
func (b *Broker) Port() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.port
}

// Embedded reports whether the broker is the embedded mochi-mqtt one rather
// than a Mosquitto process.
func (b *Broker) Embedded() bool { return b.embedded }

// PID returns the Mosquitto process id, or 0 when the broker is stopped or
// embedded.
func (b *Broker) PID() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.running {
		return 0
	}
	return b.eng.pid()
}

// LogFile returns the path of the broker's log file.
func (b *Broker) LogFile() string { return b.logPath }

// Dir returns the broker's private temporary directory (configuration,
// certificates, password file, persistence database, log).
func (b *Broker) Dir() string { return b.dir }

// embeddedUnsupported names the first option the embedded broker cannot
// honour, or returns "".
func embeddedUnsupported(cfg brokerConfig) string {
	if cfg.extraConf != "" {
		return "cannot apply raw mosquitto configuration lines (WithConfig)"
	}
	return ""
}
