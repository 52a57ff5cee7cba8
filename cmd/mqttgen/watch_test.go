package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// syncBuffer is a bytes.Buffer that a running command and the test may
// use at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a command started in the background.
type running struct {
	code           chan int
	stdout, stderr *syncBuffer
}

// start runs mqttgen in-process on its own goroutine.
func start(args ...string) *running {
	r := &running{code: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() { r.code <- run(args, strings.NewReader(""), r.stdout, r.stderr) }()
	return r
}

// waitStderr waits, bounded, until the command's stderr holds want.
func (r *running) waitStderr(t *testing.T, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(r.stderr.String(), want) {
		select {
		case code := <-r.code:
			t.Fatalf("exited %d before printing %q:\n%s", code, want, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q on stderr in time:\n%s", want, r.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exit waits, bounded, for the command's exit code.
func (r *running) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-r.code:
		return code
	case <-time.After(20 * time.Second):
		t.Fatalf("still running:\nstdout:\n%s\nstderr:\n%s", r.stdout.String(), r.stderr.String())
		return -1
	}
}

// publisher connects a runtime client to url for the test's messages.
func publisher(t *testing.T, url string) *mqttrt.Client {
	t.Helper()
	c, err := mqttrt.New(mqttrt.WithBroker(url))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = c.Disconnect(ctx)
	})
	return c
}

func publish(t *testing.T, c *mqttrt.Client, topic, payload string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, c.PublishContext(ctx, topic, 1, false, []byte(payload)))
}

// jsonReport is what watch -json prints per message.
type jsonReport struct {
	Topic   string            `json:"topic"`
	Channel string            `json:"channel"`
	Params  map[string]string `json:"params"`
	Message string            `json:"message"`
	Valid   bool              `json:"valid"`
	Status  string            `json:"status"`
	Errors  []struct {
		Against, Pointer, Rule, Message string
	} `json:"errors"`
}

func reports(t *testing.T, stdout string) []jsonReport {
	t.Helper()
	var out []jsonReport
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r jsonReport
		require.NoError(t, json.Unmarshal([]byte(line), &r), "line %q", line)
		out = append(out, r)
	}
	return out
}

func TestWatchReportsViolationsWithPointersAndExitsOne(t *testing.T) {
	b := mqtttest.NewBroker(t)
	w := start("watch", "-i", spec, "-broker", b.URL(), "-json", "-count", "3")
	w.waitStderr(t, "mqttgen watch: watching ")
	p := publisher(t, b.URL())
	publish(t, p, "sensors/kitchen/temperature", `{"sensorId":"t-1","celsius":21.5}`)
	publish(t, p, "sensors/kitchen/temperature", `{"sensorId":"t-1","celsius":150}`)
	publish(t, p, "sensors/hall/temperature", `celsius=21`)
	require.Equal(t, 1, w.exit(t), "stderr:\n%s", w.stderr.String())

	rs := reports(t, w.stdout.String())
	require.Len(t, rs, 3)
	assert.True(t, rs[0].Valid)
	assert.Equal(t, "ok", rs[0].Status)
	assert.Equal(t, "temperature", rs[0].Channel)
	assert.Equal(t, "temperatureReading", rs[0].Message)
	assert.Equal(t, map[string]string{"room": "kitchen"}, rs[0].Params)
	assert.Empty(t, rs[0].Errors)

	assert.False(t, rs[1].Valid)
	assert.Equal(t, "invalid", rs[1].Status)
	assert.Equal(t, "", rs[1].Message)
	require.Len(t, rs[1].Errors, 1)
	assert.Equal(t, "/celsius", rs[1].Errors[0].Pointer)
	assert.Equal(t, "maximum", rs[1].Errors[0].Rule)
	assert.Equal(t, "temperatureReading", rs[1].Errors[0].Against)
	assert.Contains(t, w.stdout.String(), `"must be <= 100 but found 150"`)

	assert.False(t, rs[2].Valid)
	assert.Equal(t, "undecodable", rs[2].Status)
	assert.Equal(t, map[string]string{"room": "hall"}, rs[2].Params)
	require.Len(t, rs[2].Errors, 1)
	assert.Equal(t, "decode", rs[2].Errors[0].Rule)

	errs := w.stderr.String()
	assert.Regexp(t, `temperature\s+3\s+1\s+1\s+0`, errs, "the summary counts per channel")
	assert.Regexp(t, `total\s+3\s+1\s+1\s+0`, errs)
}

func TestWatchExitsZeroWhenEveryMessageConforms(t *testing.T) {
	b := mqtttest.NewBroker(t)
	w := start("watch", "-i", spec, "-broker", b.URL(), "-count", "2")
	w.waitStderr(t, "mqttgen watch: watching ")
	p := publisher(t, b.URL())
	publish(t, p, "gateway/gw-1/status", "online")
	publish(t, p, "alerts/critical", `{"code":"TEMP-001","message":"too hot","room":"kitchen"}`)
	require.Equal(t, 0, w.exit(t), "stderr:\n%s", w.stderr.String())
	assert.Equal(t, "gateway/gw-1/status channel=status gatewayId=gw-1 message=gatewayStatus ok\n"+
		"alerts/critical channel=alerts severity=critical message=alert ok\n", w.stdout.String())
}

func TestWatchForADurationAndUnknownTopics(t *testing.T) {
	b := mqtttest.NewBroker(t)
	quiet := start("watch", "-i", spec, "-broker", b.URL(), "-for", "300ms")
	require.Equal(t, 0, quiet.exit(t), "no message: nothing broke the document")
	assert.Empty(t, quiet.stdout.String())
	assert.Regexp(t, `total\s+0\s+0\s+0\s+0`, quiet.stderr.String())

	w := start("watch", "-i", spec, "-broker", b.URL(), "-unknown", "-count", "1", "-json")
	w.waitStderr(t, "mqttgen watch: watching # ")
	publish(t, publisher(t, b.URL()), "lobby/music", `{}`)
	require.Equal(t, 1, w.exit(t))
	rs := reports(t, w.stdout.String())
	require.Len(t, rs, 1)
	assert.Equal(t, "unknown", rs[0].Status)
	assert.Equal(t, "", rs[0].Channel)
	assert.Contains(t, w.stderr.String(), "(no channel)")
}

// mock plays the sensors of the sensor gateway; watch, on the app's
// receive side, accepts all it sends.
func TestMockProducesMessagesWatchAccepts(t *testing.T) {
	b := mqtttest.NewBroker(t)
	w := start("watch", "-i", spec, "-broker", b.URL(), "-role", "app", "-json", "-count", "5")
	w.waitStderr(t, "mqttgen watch: watching sensors/+/humidity sensors/+/temperature ")
	code, out, errs := runCLI("", "mock", "-i", spec, "-broker", b.URL(), "-count", "5", "-rate", "0")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, 5, strings.Count(out, "sent "), out)
	assert.Contains(t, out, "sent sensors/kitchen/temperature message=temperatureReading qos=1 retained=false {")
	assert.Contains(t, errs, "mqttgen mock: receiveTemperature sends temperatureReading on sensors/kitchen/temperature, sensors/office/temperature, sensors/room-1/temperature (qos 1")
	assert.Contains(t, errs, "mqttgen mock: sent 5 message(s)")

	require.Equal(t, 0, w.exit(t), "stdout:\n%s\nstderr:\n%s", w.stdout.String(), w.stderr.String())
	rs := reports(t, w.stdout.String())
	require.Len(t, rs, 5)
	for _, r := range rs {
		assert.True(t, r.Valid, "%+v", r)
	}
}

func TestWatchAndMockUsageAndConnectionErrors(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"watch", "-broker", "tcp://127.0.0.1:1"}, 2, "-i SPEC is required"},
		{[]string{"watch", "-i", spec}, 2, "-broker URL is required (or set MQTT_BROKERS)"},
		{[]string{"watch", "-i", spec, "-broker", "tcp://x:1", "-role", "server"}, 2, "use app, client or both"},
		{[]string{"watch", "-i", spec, "-broker", "tcp://x:1", "-count", "-1"}, 2, "must not be negative"},
		{[]string{"watch", "-i", spec, "-broker", "tcp://x:1", "-share", "a/b"}, 2, "share group"},
		{[]string{"watch", "-i", spec, "-broker", "tcp://x:1", "extra"}, 2, "unexpected argument"},
		{[]string{"watch", "-nope"}, 2, "mqttgen watch -h"},
		{[]string{"watch", "-i", spec, "-for", "5"}, 2, `invalid value "5" for flag -for: want a duration with its unit, such as 30s`},
		{[]string{"mock", "-i", spec, "-for", "1 minute"}, 2, "want a duration with its unit"},
		{[]string{"watch", "-i", "no-such.yaml", "-broker", "tcp://x:1"}, 1, "no-such.yaml"},
		{[]string{"watch", "-i", spec, "-broker", "bogus://x:1"}, 2, "scheme must be one of"},
		{[]string{"watch", "-i", spec, "-broker", "tcp://127.0.0.1:1"}, 1, "connection failed"},
		{[]string{"mock", "-i", spec}, 2, "-broker URL is required"},
		{[]string{"mock", "-i", spec, "-broker", "ssl://127.0.0.1:1", "-ca", "no-such-ca.pem", "-count", "1", "-q"}, 2, "TLSCAFile: open no-such-ca.pem"},
		{[]string{"mock", "-i", spec, "-broker", "tcp://x:1", "-rate", "-1"}, 2, "must not be negative"},
		{[]string{"mock", "-i", spec, "-broker", "tcp://x:1", "-operations", "receiveTemperature,bogus"}, 2, `no operation "bogus" in the document; role client sends receiveTemperature, receiveHumidity`},
		{[]string{"mock", "-i", spec, "-broker", "tcp://x:1", "-operations", "sendAlert"}, 2, `role client does not send operation "sendAlert"`},
		{[]string{"mock", "-i", spec, "-broker", "tcp://127.0.0.1:1", "-count", "1"}, 1, "connection failed"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI("", tc.args...)
		assert.Equal(t, tc.code, code, "%v: stderr %s", tc.args, errs)
		assert.Contains(t, errs, tc.want, "%v", tc.args)
		assert.Empty(t, out, "%v printed to stdout", tc.args)
	}
}

func TestMockSaysWhatItCannotSend(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	avro := `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {schemaFormat: application/vnd.apache.avro;version=1.9.0, schema: {type: record, name: R, fields: []}}}
operations:
  receive: {action: receive, channel: {$ref: '#/channels/c'}}
`
	b := mqtttest.NewBroker(t)
	code, out, errs := runCLI(avro, "mock", "-i", "-", "-broker", b.URL(), "-count", "1")
	assert.Equal(t, 1, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, "mqttgen mock: cannot send receive m: its payload cannot be checked: its schema format application/vnd.apache.avro")
	assert.Contains(t, errs, "mqttgen mock: sent 0 message(s)")
	assert.Contains(t, errs, "no message of the operations can be made valid")
}

// The connection flags reach the runtime: mutual TLS with -ca, -cert and
// -key, a login with -username and MQTT_PASSWORD.
func TestConnectionFlags(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithClientCerts(), mqtttest.WithUser("alice", "secret"))
	files := b.TLSFiles()
	args := []string{"mock", "-i", spec, "-broker", b.URL(), "-count", "1", "-rate", "0", "-q"}
	tls := []string{"-ca", files.CAFile, "-cert", files.ClientCert, "-key", files.ClientKey}

	t.Setenv("MQTT_PASSWORD", "secret")
	code, _, errs := runCLI("", append(append(args, tls...), "-username", "alice")...)
	assert.Equal(t, 0, code, errs)
	assert.Contains(t, errs, "mqttgen mock: sent 1 message(s)")

	code, _, errs = runCLI("", append(args, "-username", "alice")...)
	assert.Equal(t, 1, code, "without the CA the broker's certificate is unknown")
	assert.Contains(t, errs, "connection failed")

	t.Setenv("MQTT_PASSWORD", "wrong")
	code, _, errs = runCLI("", append(append(args, tls...), "-username", "alice")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "connection failed")

	t.Setenv("MQTT_KEEP_ALIVE", "30") // no unit: the variable cannot be read
	code, _, errs = runCLI("", append(append(args, tls...), "-username", "alice")...)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "MQTT_KEEP_ALIVE")
}

// Ctrl-C ends watch like -for does: the summary is printed and the exit
// status says whether what was seen conformed. The signal is sent once
// watch is subscribed, so its handler is in place.
func TestWatchStopsOnInterrupt(t *testing.T) {
	b := mqtttest.NewBroker(t)
	w := start("watch", "-i", spec, "-broker", b.URL())
	w.waitStderr(t, "mqttgen watch: watching ")
	publish(t, publisher(t, b.URL()), "sensors/hall/humidity", `{"sensorId":"h","percent":101}`)
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(w.stdout.String(), "sensors/hall/humidity") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	assert.Equal(t, 1, w.exit(t))
	assert.Contains(t, w.stdout.String(), "humidityReading /percent maximum")
	assert.Regexp(t, `humidity\s+1\s+1\s+0\s+0`, w.stderr.String())
}

// TestServeRunsABrokerForDevices: watch -serve runs a broker in mqttgen;
// mock publishes to it (as a device would) and watch checks what arrives.
func TestServeRunsABrokerForDevices(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	addr := freeAddr(t)
	w := start("watch", "-i", spec, "-serve", addr, "-role", "app", "-count", "5", "-for", "20s", "-json")
	// Mock plays the sensors once watch's broker is up and subscribed.
	w.waitStderr(t, "mqttgen watch: watching sensors/+/humidity sensors/+/temperature on tcp://"+addr+" ")
	code, _, errs := runCLI("", "mock", "-i", spec, "-broker", "tcp://"+addr, "-count", "5", "-rate", "50")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, 0, w.exit(t), w.stderr.String())
	assert.Contains(t, w.stderr.String(), "serving MQTT on tcp://"+addr)
	assert.Equal(t, 5, strings.Count(w.stdout.String(), `"valid":true`), w.stdout.String())
}
