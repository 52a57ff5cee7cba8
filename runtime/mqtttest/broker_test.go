package mqtttest

import (
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// brokerKinds runs a test against Mosquitto and against the embedded
// broker, so both paths stay honest.
func brokerKinds(t *testing.T, test func(t *testing.T, opts ...Option)) {
	t.Run("mosquitto", func(t *testing.T) { test(t) })
	t.Run("embedded", func(t *testing.T) { test(t, WithEmbedded()) })
}

func TestBrokerRoundTrip(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, opts...)
		if b.Embedded() != (len(opts) > 0) {
			t.Fatalf("Embedded() = %v with %d options", b.Embedded(), len(opts))
		}
		if want := "tcp://" + b.Addr(); b.URL() != want {
			t.Fatalf("URL() = %q, want %q", b.URL(), want)
		}
		if _, port, _ := net.SplitHostPort(b.Addr()); port == "" || b.Port() == 0 || !strings.HasSuffix(b.Addr(), ":"+port) {
			t.Fatalf("Addr() = %q, Port() = %d", b.Addr(), b.Port())
		}
		c := connect(t, clientOpts(b.URL()))
		roundTrip(t, c, "mqtttest/roundtrip")
	})
}

func TestBrokerRestartSamePort(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, opts...)
		url, port := b.URL(), b.Port()
		lost := make(chan error, 1)
		c := connect(t, clientOpts(url).SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err }))

		b.Stop()
		select {
		case <-lost:
		case <-time.After(waitTimeout):
			t.Fatal("client did not notice the broker stopping")
		}
		if dialable(b.Addr()) {
			t.Fatal("stopped broker still accepts connections")
		}
		if b.PID() != 0 {
			t.Fatalf("PID() = %d after Stop", b.PID())
		}
		b.Stop() // stopping twice is harmless

		b.Start()
		if b.Port() != port || b.URL() != url {
			t.Fatalf("restarted on %s, want %s", b.URL(), url)
		}
		if err := wait(c.Connect()); err != nil {
			t.Fatalf("reconnect after restart: %v", err)
		}
		roundTrip(t, c, "mqtttest/restart")
	})
}

func TestBrokerKill(t *testing.T) {
	b := NewBroker(t)
	if b.Embedded() {
		t.Fatal("mosquitto is installed on every machine that runs these tests, yet the embedded broker was chosen")
	}
	pid := b.PID()
	if pid <= 0 {
		t.Fatalf("PID() = %d", pid)
	}
	b.Kill()
	// The process is reaped: signal 0 to its PID fails.
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("process %d still exists after Kill", pid)
	}
	b.Start()
	if b.PID() == pid || b.PID() == 0 {
		t.Fatalf("PID() = %d after restart (was %d)", b.PID(), pid)
	}
	roundTrip(t, connect(t, clientOpts(b.URL())), "mqtttest/kill")
}

func TestBrokerStopsAtCleanup(t *testing.T) {
	var pid int
	var addr, dir string
	t.Run("inner", func(t *testing.T) {
		b := NewBroker(t)
		pid, addr, dir = b.PID(), b.Addr(), b.Dir()
	})
	if err := syscall.Kill(pid, 0); err == nil {
		t.Fatalf("mosquitto %d still running after its test ended", pid)
	}
	if dialable(addr) {
		t.Fatalf("%s still accepts connections after the test ended", addr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("temp dir %s left behind: %v", dir, err)
	}
}
