package mqtttest

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

func TestWithConfig(t *testing.T) {
	strict := NewBroker(t, WithConfig("allow_zero_length_clientid false"))
	if _, err := tryConnect(clientOpts(strict.URL()).SetClientID("")); err == nil {
		t.Fatal("empty client ID accepted although WithConfig forbade it")
	}
	lenient := NewBroker(t)
	roundTrip(t, connect(t, clientOpts(lenient.URL()).SetClientID("")), "mqtttest/config")
}

// recordingTB stands in for a test to observe Fatalf and Skipf, which end
// the goroutine as the real ones do.
type recordingTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recordingTB) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func newBrokerRecorded(t *testing.T, opts ...Option) (*Broker, *recordingTB) {
	r := &recordingTB{TB: t}
	var b *Broker
	done := make(chan struct{})
	go func() {
		defer close(done)
		b = NewBroker(r, opts...)
	}()
	<-done
	return b, r
}

func TestEmbeddedFallback(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no mosquitto to be found
	b, r := newBrokerRecorded(t)
	if r.fatal != "" || r.skip != "" || b == nil || !b.Embedded() {
		t.Fatalf("fallback broker: fatal %q, skip %q", r.fatal, r.skip)
	}
	roundTrip(t, connect(t, clientOpts(b.URL())), "mqtttest/fallback")

	_, r = newBrokerRecorded(t, WithConfig("max_keepalive 10"))
	if !strings.Contains(r.skip, "mosquitto not found") || !strings.Contains(r.skip, "WithConfig") || r.fatal != "" {
		t.Fatalf("fallback with WithConfig: skip %q, fatal %q; want a skip naming the reason", r.skip, r.fatal)
	}
}

func TestEmbeddedRefusesRawConfig(t *testing.T) {
	_, r := newBrokerRecorded(t, WithEmbedded(), WithConfig("max_keepalive 10"))
	if !strings.Contains(r.fatal, "WithConfig") || r.skip != "" {
		t.Fatalf("WithEmbedded with WithConfig: fatal %q, skip %q; want a failure", r.fatal, r.skip)
	}
}
