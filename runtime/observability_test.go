package runtime_test

import (
	"bufio"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// jsonLog collects slog records as JSON objects.
type jsonLog struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *jsonLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(lockedWriter{&l.mu, &l.buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// find returns the first record with message msg.
func (l *jsonLog) find(msg string) map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := bufio.NewScanner(strings.NewReader(l.buf.String()))
	sc.Buffer(nil, 1<<20) // stack traces make long lines
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			return rec
		}
	}
	return nil
}

// The log records an operator needs when something goes wrong with
// messages carry the client ID, the topic and, where known, the QoS.
func TestLogAttributes(t *testing.T) {
	b := mqtttest.NewBroker(t)
	var log jsonLog
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID("obs-1"),
		runtime.WithMaxPayloadSize(10), runtime.WithLogger(log.logger()))
	for _, f := range []string{"obs/panic", "obs/big", "obs/unrouted"} {
		if err := c.Subscribe(f, 1, func(mqttclient.Client, mqttclient.Message) { panic("boom") }); err != nil {
			t.Fatal(err)
		}
	}
	c.AddRoute("obs/unrouted", nil) // subscribed, but no route: unrouted
	c.AddRoute("obs/+/#/bad", func(mqttclient.Client, mqttclient.Message) {})

	pub := connected(t, runtime.WithBroker(b.URL()))
	for topic, payload := range map[string]string{"obs/panic": "x", "obs/big": "more than ten bytes", "obs/unrouted": "x"} {
		if err := pub.Publish(topic, 1, false, payload); err != nil {
			t.Fatal(err)
		}
	}
	// The counters move before the records are written (a panic's record
	// carries a stack trace), so wait for both.
	waitFor(t, 5*time.Second, "the three messages and their records", func() bool {
		s := c.GetStats()
		return s.HandlerPanics == 1 && s.MessagesRejected == 1 && s.MessagesUnrouted == 1 &&
			log.find("mqtt: handler panicked") != nil && log.find("mqtt: message rejected") != nil &&
			log.find("mqtt: message without handler") != nil
	})

	cases := []struct {
		msg  string
		want map[string]any
	}{
		{"mqtt: connected", map[string]any{"client_id": "obs-1", "broker": b.URL(), "reconnect": false}},
		{"mqtt: handler panicked", map[string]any{"client_id": "obs-1", "topic": "obs/panic", "qos": 1.0, "panic": "boom"}},
		{"mqtt: message rejected", map[string]any{"client_id": "obs-1", "topic": "obs/big"}},
		{"mqtt: message without handler", map[string]any{"client_id": "obs-1", "topic": "obs/unrouted", "qos": 1.0}},
		{"mqtt: route not added", map[string]any{"client_id": "obs-1", "filter": "obs/+/#/bad"}},
	}
	for _, tc := range cases {
		rec := log.find(tc.msg)
		if rec == nil {
			t.Errorf("no %q record", tc.msg)
			continue
		}
		for k, v := range tc.want {
			if rec[k] != v {
				t.Errorf("%q: %s = %v (%T), want %v", tc.msg, k, rec[k], rec[k], v)
			}
		}
	}
}
