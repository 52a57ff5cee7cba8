package runtime_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

var metricName = regexp.MustCompile(`^mqtt_[a-z]+(_[a-z]+)*$`)

// Every ClientStats field is exported exactly once, under a well-formed,
// unique name. Each field gets a distinct value, so two metrics reading
// the same field (or one reading none) show up as a missing value.
func TestMetricsCoverEveryStatsField(t *testing.T) {
	var s runtime.ClientStats
	v := reflect.ValueOf(&s).Elem()
	var want []float64
	bools := 0
	for i := range v.NumField() {
		f := v.Field(i)
		n := uint64(100 + i)
		switch f.Kind() {
		case reflect.Bool:
			bools++
			continue // checked one at a time below: 0 and 1 are not distinct
		case reflect.Uint64:
			f.SetUint(n)
		case reflect.Int:
			f.SetInt(int64(n))
		case reflect.Struct: // time.Time
			f.Set(reflect.ValueOf(time.Unix(int64(n), 500_000_000)))
			want = append(want, float64(n)+0.5)
			continue
		default:
			t.Fatalf("ClientStats.%s has kind %s: teach Metrics and this test about it", v.Type().Field(i).Name, f.Kind())
		}
		want = append(want, float64(n))
	}
	ms := s.Metrics()
	if len(ms) != v.NumField() {
		t.Fatalf("%d metrics for %d ClientStats fields", len(ms), v.NumField())
	}
	var got []float64
	names := map[string]bool{}
	for _, m := range ms {
		if !metricName.MatchString(m.Name) || names[m.Name] {
			t.Errorf("metric name %q is malformed or repeated", m.Name)
		}
		names[m.Name] = true
		if m.Help == "" || strings.ContainsAny(m.Help, "\n") {
			t.Errorf("%s: help %q", m.Name, m.Help)
		}
		if (m.Kind == runtime.Counter) != strings.HasSuffix(m.Name, "_total") {
			t.Errorf("%s is a %s: counters, and only they, end in _total", m.Name, m.Kind)
		}
		if m.Value > 1 {
			got = append(got, m.Value)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("metric values %v, want the field values %v", got, want)
	}

	// Booleans: setting one turns exactly one metric to 1.
	for i := range v.NumField() {
		if v.Field(i).Kind() != reflect.Bool {
			continue
		}
		var b runtime.ClientStats
		reflect.ValueOf(&b).Elem().Field(i).SetBool(true)
		var ones []string
		for _, m := range b.Metrics() {
			if m.Value == 1 {
				ones = append(ones, m.Name)
			} else if m.Value != 0 {
				t.Errorf("zero stats give %s = %v", m.Name, m.Value)
			}
		}
		if len(ones) != 1 {
			t.Errorf("ClientStats.%s = true sets %v", v.Type().Field(i).Name, ones)
		}
	}
	if bools == 0 {
		t.Error("no boolean field checked")
	}
}

// promSample is one parsed sample line.
type promSample struct {
	clientID string
	value    float64
}

// parseProm reads the text exposition format strictly enough to catch
// corruption: HELP then TYPE once per metric, then its samples.
func parseProm(t *testing.T, text string) (types map[string]string, samples map[string][]promSample) {
	t.Helper()
	types, samples = map[string]string{}, map[string][]promSample{}
	helped := map[string]bool{}
	sampleLine := regexp.MustCompile(`^([a-z_]+)\{client_id="((?:[^"\\]|\\.)*)"\} (\S+)$`)
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# HELP "):
			name, _, _ := strings.Cut(strings.TrimPrefix(line, "# HELP "), " ")
			if helped[name] {
				t.Errorf("HELP for %s twice", name)
			}
			helped[name] = true
		case strings.HasPrefix(line, "# TYPE "):
			name, kind, _ := strings.Cut(strings.TrimPrefix(line, "# TYPE "), " ")
			if !helped[name] || types[name] != "" {
				t.Errorf("TYPE line out of place: %q", line)
			}
			types[name] = kind
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("malformed line %q", line)
			}
			if types[m[1]] == "" {
				t.Errorf("sample before TYPE: %q", line)
			}
			id := strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\"`, `"`).Replace(m[2])
			val, err := strconv.ParseFloat(m[3], 64)
			if err != nil {
				t.Errorf("value in %q: %v", line, err)
			}
			samples[m[1]] = append(samples[m[1]], promSample{id, val})
		}
	}
	return types, samples
}

// Live counters of a client that really talked to a broker come out in
// the Prometheus text format, one sample per client, with the client ID
// escaped so that odd characters cannot corrupt the output.
func TestWritePrometheusLiveClients(t *testing.T) {
	b := mqtttest.NewBroker(t)
	busy := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID("export-busy"))
	in := newInbox()
	if err := busy.Subscribe("export/#", 1, in.handler); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := busy.Publish("export/"+strconv.Itoa(i), 1, false, "x"); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		in.next(t, 5*time.Second)
	}
	// A quote and a backslash must be escaped; a newline would be too, but
	// a client ID cannot hold one (brokers refuse control characters).
	odd := `odd "id" \ with\n`
	idle := newClient(t, runtime.WithBroker(b.URL()), runtime.WithClientID(odd)) // never connected

	var buf bytes.Buffer
	if err := runtime.WritePrometheus(&buf, busy, idle); err != nil {
		t.Fatal(err)
	}
	types, samples := parseProm(t, buf.String())
	want := map[string][]runtime.Metric{"export-busy": busy.GetStats().Metrics(), odd: idle.GetStats().Metrics()}
	if len(types) != len(want["export-busy"]) {
		t.Errorf("%d metrics written, want %d", len(types), len(want["export-busy"]))
	}
	for _, m := range want["export-busy"] {
		if types[m.Name] != m.Kind.String() {
			t.Errorf("%s: TYPE %q, want %q", m.Name, types[m.Name], m.Kind)
		}
		got := samples[m.Name]
		if len(got) != 2 || got[0].clientID != "export-busy" || got[1].clientID != odd {
			t.Errorf("%s: samples %+v, want one per client in order", m.Name, got)
		}
	}
	for k, id := range []string{"export-busy", odd} {
		for _, m := range want[id] {
			// 'g' with precision -1 round-trips exactly, timestamps too.
			if got := samples[m.Name]; len(got) == 2 && got[k].value != m.Value {
				t.Errorf("%s{client_id=%q} = %v, want %v", m.Name, id, got[k].value, m.Value)
			}
		}
	}
	check := func(name, id string, want float64) {
		t.Helper()
		for _, s := range samples[name] {
			if s.clientID == id && s.value != want {
				t.Errorf("%s{client_id=%q} = %v, want %v", name, id, s.value, want)
			}
		}
	}
	check("mqtt_connected", "export-busy", 1)
	check("mqtt_connected", odd, 0)
	check("mqtt_messages_received_total", "export-busy", 3)
	check("mqtt_messages_sent_total", "export-busy", 3)
	check("mqtt_publish_acked_total", "export-busy", 3)
	check("mqtt_subscriptions", "export-busy", 1)
	if now := float64(time.Now().Unix()); samples["mqtt_connect_time_seconds"][0].value < now-60 {
		t.Errorf("connect time %v is not recent (now %v)", samples["mqtt_connect_time_seconds"][0].value, now)
	}

	if err := runtime.WritePrometheus(&buf, busy, nil); err == nil {
		t.Error("a nil client was accepted")
	}
	if err := runtime.WritePrometheus(failingWriter{}, busy); err == nil {
		t.Error("a write error was not returned")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// The snapshot works as an expvar.Func: published under a name, served as
// JSON at /debug/vars.
func TestStatsAsExpvar(t *testing.T) {
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()))
	if err := c.Publish("export/expvar", 1, false, "x"); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("mqtt-%s-%d", t.Name(), time.Now().UnixNano()) // unique even with -count
	expvar.Publish(name, expvar.Func(func() any { return c.GetStats() }))
	var got runtime.ClientStats
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Connected || got.MessagesSent != 1 || got.PublishAcked != 1 || got.ConnectTime.IsZero() {
		t.Errorf("expvar JSON decoded to %+v", got)
	}
}

// Serving /metrics without a Prometheus library: WritePrometheus in an
// HTTP handler, here written to stdout.
func ExampleWritePrometheus() {
	broker, stop := exampleBroker()
	defer stop()
	c, _ := runtime.New(runtime.WithBroker(broker), runtime.WithClientID("gateway-1"),
		runtime.WithLogger(slog.New(slog.DiscardHandler)))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer c.Disconnect(ctx)
	_ = c.Publish("gateway/gateway-1/status", 1, true, "online")

	// In a server:
	//	http.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
	//		runtime.WritePrometheus(w, c)
	//	})
	var out bytes.Buffer
	_ = runtime.WritePrometheus(&out, c)
	for line := range strings.Lines(out.String()) {
		if strings.Contains(line, "mqtt_messages_sent_total") || strings.HasPrefix(line, "mqtt_connected") {
			fmt.Print(line)
		}
	}
	// Output:
	// mqtt_connected{client_id="gateway-1"} 1
	// # HELP mqtt_messages_sent_total publishes handed to the broker connection
	// # TYPE mqtt_messages_sent_total counter
	// mqtt_messages_sent_total{client_id="gateway-1"} 1
}

// For expvar (JSON at /debug/vars), publish the snapshot as an expvar.Func:
//
//	expvar.Publish("mqtt", expvar.Func(func() any { return c.GetStats() }))
//
// For a Prometheus collector, OpenTelemetry or statsd, walk Metrics.
func ExampleClientStats_Metrics() {
	c, _ := runtime.New(runtime.WithBroker("tcp://127.0.0.1:1883"), runtime.WithClientID("gateway-1"))
	for _, m := range c.GetStats().Metrics()[:4] {
		fmt.Println(m.Kind, m.Name, m.Value)
	}
	// Output:
	// gauge mqtt_connected 0
	// gauge mqtt_connect_time_seconds 0
	// gauge mqtt_last_message_time_seconds 0
	// counter mqtt_messages_received_total 0
}
