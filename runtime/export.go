package runtime

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// MetricKind tells a metrics system how to treat a Metric.
type MetricKind int

const (
	// Counter only grows (until the process restarts).
	Counter MetricKind = iota
	// Gauge goes up and down.
	Gauge
)

// String returns "counter" or "gauge", as the Prometheus text format
// spells them.
func (k MetricKind) String() string {
	if k == Counter {
		return "counter"
	}
	return "gauge"
}

// Metric is one value of a ClientStats snapshot, named and described for
// a metrics system. Names follow the Prometheus conventions (mqtt_ prefix,
// snake case, counters end in _total, times are Unix seconds), so a
// Prometheus collector, an OpenTelemetry callback or a statsd loop can
// export every field without knowing them one by one.
type Metric struct {
	Name  string // e.g. "mqtt_messages_received_total"
	Help  string // one line
	Kind  MetricKind
	Value float64
}

// Metrics returns every field of s as a Metric, in a fixed order. Booleans
// are 0 or 1; a zero time is 0.
func (s ClientStats) Metrics() []Metric {
	return []Metric{
		{"mqtt_connected", "1 when the client is connected to a broker", Gauge, boolValue(s.Connected)},
		{"mqtt_connect_time_seconds", "when the current (or last) connection was made, Unix seconds", Gauge, unixSeconds(s.ConnectTime)},
		{"mqtt_last_message_time_seconds", "when the last message was received, Unix seconds", Gauge, unixSeconds(s.LastMessageTime)},
		{"mqtt_messages_received_total", "messages received from the broker", Counter, float64(s.MessagesReceived)},
		{"mqtt_messages_rejected_total", "received messages refused before a handler (too large, undecodable, invalid)", Counter, float64(s.MessagesRejected)},
		{"mqtt_messages_unrouted_total", "received messages with no matching route and no default handler", Counter, float64(s.MessagesUnrouted)},
		{"mqtt_messages_overflowed_total", "QoS 0 messages discarded because the handler queue was full", Counter, float64(s.MessagesOverflowed)},
		{"mqtt_duplicates_suppressed_total", "QoS 2 messages received again before their PUBREL and not delivered twice", Counter, float64(s.DuplicatesSuppressed)},
		{"mqtt_handler_panics_total", "handler calls that panicked (recovered) or called runtime.Goexit", Counter, float64(s.HandlerPanics)},
		{"mqtt_messages_sent_total", "publishes handed to the broker connection", Counter, float64(s.MessagesSent)},
		{"mqtt_publish_acked_total", "publishes acknowledged (QoS 1/2) or written (QoS 0)", Counter, float64(s.PublishAcked)},
		{"mqtt_publish_errors_total", "publishes that failed or timed out", Counter, float64(s.PublishErrors)},
		{"mqtt_messages_dropped_total", "publishes refused because the client was not connected", Counter, float64(s.MessagesDropped)},
		{"mqtt_store_errors_total", "writes and removals the file message store could not make", Counter, float64(s.StoreErrors)},
		{"mqtt_subscriptions", "tracked subscriptions", Gauge, float64(s.Subscriptions)},
		{"mqtt_reconnects_total", "successful reconnections", Counter, float64(s.Reconnects)},
		{"mqtt_reconnect_attempts_total", "reconnection attempts, successful or not", Counter, float64(s.ReconnectAttempts)},
		{"mqtt_connection_losses_total", "connections that dropped without Disconnect", Counter, float64(s.ConnectionLosses)},
		{"mqtt_reconnect_gave_up", "1 when reconnection stopped after MaxReconnectAttempts", Gauge, boolValue(s.ReconnectGaveUp)},
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unixSeconds(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

// WritePrometheus writes the statistics of clients in the Prometheus text
// exposition format (version 0.0.4), one sample per client labelled
// client_id, so a /metrics endpoint needs no Prometheus library:
//
//	http.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
//		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
//		runtime.WritePrometheus(w, c)
//	})
//
// Each metric's HELP and TYPE lines appear once, however many clients are
// given; samples follow the order of clients. A nil client is an error and
// nothing is written. Users of the Prometheus client library can instead
// wrap ClientStats.Metrics in a Collector.
func WritePrometheus(w io.Writer, clients ...*Client) error {
	type sample struct {
		clientID string
		metrics  []Metric
	}
	samples := make([]sample, len(clients))
	for i, c := range clients {
		if c == nil {
			return fmt.Errorf("mqtt: WritePrometheus: client %d is nil", i)
		}
		samples[i] = sample{c.ClientID(), c.GetStats().Metrics()}
	}
	bw := bufio.NewWriter(w)
	for m, meta := range (ClientStats{}).Metrics() {
		bw.WriteString("# HELP " + meta.Name + " " + escapeHelp(meta.Help) + "\n")
		bw.WriteString("# TYPE " + meta.Name + " " + meta.Kind.String() + "\n")
		for _, s := range samples {
			bw.WriteString(meta.Name + `{client_id="` + escapeLabel(s.clientID) + `"} ` +
				strconv.FormatFloat(s.metrics[m].Value, 'g', -1, 64) + "\n")
		}
	}
	return bw.Flush()
}

// The escapers apply the text format's escapes: a client ID
// may hold any character, and an unescaped quote or newline would corrupt
// every line after it.
var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	labelEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
func escapeLabel(s string) string { return labelEscaper.Replace(s) }
