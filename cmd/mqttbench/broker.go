package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// broker is a Mosquitto started for one benchmark run on a free loopback
// port, with its configuration in a temporary directory.
type broker struct {
	url    string
	cmd    *exec.Cmd
	dir    string
	exited chan struct{}
}

// brokerReadyTimeout bounds the wait for Mosquitto to accept connections.
const brokerReadyTimeout = 10 * time.Second

// startBroker runs the mosquitto binary (bin) on a free port. The queue
// limit is raised so that a fast QoS 0 publisher measures the clients, not
// Mosquitto's default drop of the 1001st queued message; everything else
// is Mosquitto's default.
func startBroker(bin string) (*broker, error) {
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("mosquitto binary %q: %w", bin, err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "mqttbench-")
	if err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 1000000\nlog_dest stderr\nlog_type error\nlog_type warning\n", port)
	confPath := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := exec.Command(path, "-c", confPath)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start mosquitto: %w", err)
	}
	b := &broker{url: "tcp://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, dir: dir, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(b.exited) }()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(brokerReadyTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-b.exited:
			os.RemoveAll(dir)
			return nil, errors.New("mosquitto exited at start (see its output above)")
		default:
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return b, nil
		}
	}
	b.stop()
	return nil, fmt.Errorf("mosquitto did not accept connections on %s within %v", addr, brokerReadyTimeout)
}

// pid is Mosquitto's process ID, to read its CPU time.
func (b *broker) pid() int { return b.cmd.Process.Pid }

// stop ends Mosquitto (SIGTERM, then SIGKILL after 5 s) and removes its
// directory.
func (b *broker) stop() {
	_ = b.cmd.Process.Signal(os.Interrupt)
	select {
	case <-b.exited:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
	os.RemoveAll(b.dir)
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
