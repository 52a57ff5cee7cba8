package mqtttest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Bounds for a private RabbitMQ node: it boots in 10–20 s on a loaded
// machine, and stops gracefully in a few seconds.
const (
	rabbitReadyTimeout = 60 * time.Second
	rabbitStopGrace    = 20 * time.Second
)

// debianRabbitMQServer is where Debian and Ubuntu keep the real start
// script; /usr/sbin/rabbitmq-server is a wrapper that switches to the
// rabbitmq user and logs to /var/log/rabbitmq, which a test cannot use.
const debianRabbitMQServer = "/usr/lib/rabbitmq/bin/rabbitmq-server"

// RabbitMQ is a private RabbitMQ node with its MQTT plugin, started for one
// test on free loopback ports (MQTT, AMQP, Erlang distribution and an epmd
// of its own), with its database, logs and Erlang cookie in the test's
// temporary directory. A RabbitMQ already running on the machine is not
// touched. The node is stopped when the test ends. It takes 10–20 s to
// boot: start it once and run every RabbitMQ scenario as a subtest.
type RabbitMQ struct {
	t        testing.TB
	dir      string
	node     string
	mqttPort int
	version  string
	epmd     *process
	proc     *process
}

// NewRabbitMQ starts a RabbitMQ node with the rabbitmq_mqtt plugin and
// waits, bounded, until it accepts MQTT connections. The test is skipped,
// with the reason, when RabbitMQ, its MQTT plugin or Erlang's epmd is not
// installed.
func NewRabbitMQ(t testing.TB) *RabbitMQ {
	t.Helper()
	script, version, reason := findRabbitMQ()
	if reason != "" {
		t.Skipf("mqtttest: %s", reason)
	}
	epmd, err := exec.LookPath("epmd")
	if err != nil {
		t.Skipf("mqtttest: RabbitMQ needs Erlang's epmd on PATH: %v", err)
	}
	r := &RabbitMQ{t: t, dir: t.TempDir(), version: version}
	t.Cleanup(r.cleanup)
	startRetrying(t, "RabbitMQ", func(attempt int) error { return r.start(script, epmd, attempt) }, r.stop)
	return r
}

// findRabbitMQ returns the start script and the version of the installed
// RabbitMQ, or why it cannot be used.
func findRabbitMQ() (script, version, reason string) {
	script = debianRabbitMQServer
	if _, err := os.Stat(script); err != nil {
		found, err := exec.LookPath("rabbitmq-server")
		if err != nil {
			return "", "", fmt.Sprintf("rabbitmq-server not found (%v); RabbitMQ tests need RabbitMQ with its rabbitmq_mqtt plugin", err)
		}
		script = found
	}
	real, err := filepath.EvalSymlinks(script)
	if err != nil {
		return "", "", fmt.Sprintf("rabbitmq-server: %v", err)
	}
	plugins, _ := filepath.Glob(filepath.Join(filepath.Dir(real), "..", "plugins", "rabbitmq_mqtt-*"))
	if len(plugins) == 0 {
		return "", "", fmt.Sprintf("RabbitMQ's rabbitmq_mqtt plugin is not installed beside %s", real)
	}
	return script, strings.TrimPrefix(filepath.Base(plugins[0]), "rabbitmq_mqtt-"), ""
}

// start runs epmd and the node on fresh ports and waits for MQTT.
func (r *RabbitMQ) start(script, epmdBin string, attempt int) error {
	var ports [4]int // epmd, AMQP, distribution, MQTT
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return err
		}
		ports[i] = p
	}
	epmdPort, amqpPort, distPort := ports[0], ports[1], ports[2]
	r.mqttPort = ports[3]
	dir := filepath.Join(r.dir, fmt.Sprintf("attempt%d", attempt))
	r.node = fmt.Sprintf("mqtttest-%d-%d@localhost", os.Getpid(), attempt)
	env, err := r.prepare(dir, amqpPort, distPort, epmdPort)
	if err != nil {
		return err
	}

	// An epmd of its own: the node registers its name there, and nothing
	// is left behind (an epmd the Erlang VM starts itself runs on as a
	// daemon).
	r.epmd, err = startProcess("epmd", dir, filepath.Join(dir, "epmd.out"), nil,
		epmdBin, "-port", strconv.Itoa(epmdPort), "-address", "127.0.0.1")
	if err != nil {
		return err
	}
	if err := r.waitEpmd(epmdPort); err != nil {
		return err
	}

	out := filepath.Join(dir, "rabbitmq.out")
	if r.proc, err = startProcess("rabbitmq-server", dir, out, env, script); err != nil {
		return err
	}
	if err := waitMQTTReady(r.proc, r.addr(), rabbitReadyTimeout); err != nil {
		log := tailLines(out, logTailLines)
		if strings.Contains(log, "eaddrinuse") {
			return fmt.Errorf("rabbitmq-server: %w", errAddrInUse)
		}
		return fmt.Errorf("%w\n%s", err, log)
	}
	return nil
}

// waitEpmd waits until epmd listens on port. epmd exits quietly, with
// status 0, when the port is taken, so the port answering is not enough:
// it must still be running a moment later.
func (r *RabbitMQ) waitEpmd(port int) error {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(readyTimeout)
	for !dialable(addr) {
		if r.epmd.hasExited() {
			return fmt.Errorf("epmd on %s: %w", addr, errAddrInUse)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("epmd did not listen on %s within %v", addr, readyTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if r.epmd.hasExited() {
		return fmt.Errorf("epmd on %s: %w", addr, errAddrInUse)
	}
	return nil
}

// prepare writes the node's configuration, enabled plugins, environment
// file and Erlang cookie under dir and returns the environment that points
// RabbitMQ at them.
func (r *RabbitMQ) prepare(dir string, amqpPort, distPort, epmdPort int) ([]string, error) {
	home := filepath.Join(dir, "home")
	for _, d := range []string{home, filepath.Join(dir, "mnesia"), filepath.Join(dir, "log")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("make %s: %w", d, err)
		}
	}
	cookie := make([]byte, 16)
	_, _ = rand.Read(cookie)
	conf := fmt.Sprintf("# generated by mqttgen runtime/mqtttest\n"+
		"mqtt.listeners.tcp.default = 127.0.0.1:%d\n"+
		"mqtt.allow_anonymous = true\n"+
		"log.console = false\n"+
		"log.file.level = info\n", r.mqttPort)
	files := []struct {
		path, text string
		mode       os.FileMode
	}{
		{filepath.Join(home, ".erlang.cookie"), strings.ToUpper(hex.EncodeToString(cookie)), 0o400},
		{filepath.Join(dir, "rabbitmq.conf"), conf, 0o600},
		{filepath.Join(dir, "enabled_plugins"), "[rabbitmq_mqtt].\n", 0o600},
		// Empty: the system's /etc/rabbitmq/rabbitmq-env.conf would set the
		// node name of the RabbitMQ that may already run here.
		{filepath.Join(dir, "rabbitmq-env.conf"), "", 0o600},
	}
	for _, f := range files {
		if err := os.WriteFile(f.path, []byte(f.text), f.mode); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return []string{
		"HOME=" + home, // the Erlang cookie; never the user's own
		"RABBITMQ_CONF_ENV_FILE=" + filepath.Join(dir, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE=" + filepath.Join(dir, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE=" + filepath.Join(dir, "enabled_plugins"),
		"RABBITMQ_MNESIA_BASE=" + filepath.Join(dir, "mnesia"),
		"RABBITMQ_LOG_BASE=" + filepath.Join(dir, "log"),
		"RABBITMQ_NODENAME=" + r.node,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT=" + strconv.Itoa(amqpPort),
		"RABBITMQ_DIST_PORT=" + strconv.Itoa(distPort),
		"ERL_EPMD_PORT=" + strconv.Itoa(epmdPort),
		"ERL_EPMD_ADDRESS=127.0.0.1",
		"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false",
	}, nil
}

// URL returns the node's MQTT address as tcp://127.0.0.1:PORT.
func (r *RabbitMQ) URL() string { return "tcp://" + r.addr() }

func (r *RabbitMQ) addr() string { return "127.0.0.1:" + strconv.Itoa(r.mqttPort) }

// PID returns the process id of the node's start script, the leader of
// the process group that holds its Erlang VM, or 0 once stopped.
func (r *RabbitMQ) PID() int {
	if r.proc == nil || r.proc.hasExited() {
		return 0
	}
	return r.proc.pid()
}

// Version returns the RabbitMQ version of the MQTT plugin, such as 3.10.8.
func (r *RabbitMQ) Version() string { return r.version }

// stop stops the node (SIGTERM to its start script, which stops the VM
// gracefully; SIGKILL to its process group after rabbitStopGrace) and
// then its epmd.
func (r *RabbitMQ) stop() {
	if r.proc != nil {
		if err := r.proc.stop(false, rabbitStopGrace); err != nil {
			r.t.Errorf("mqtttest: stop RabbitMQ: %v", err)
		}
		r.proc = nil
	}
	if r.epmd != nil {
		if err := r.epmd.stop(false, stopTimeout); err != nil {
			r.t.Errorf("mqtttest: stop epmd: %v", err)
		}
		r.epmd = nil
	}
}

// cleanup stops the node at the end of the test and, if the test failed,
// shows the end of its log.
func (r *RabbitMQ) cleanup() {
	r.stop()
	if r.t.Failed() {
		logs, _ := filepath.Glob(filepath.Join(r.dir, "*", "log", "*.log"))
		for _, l := range logs {
			r.t.Logf("mqtttest: last lines of %s:\n%s", l, tailLines(l, logTailLines))
		}
	}
}
