package main

import (
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// A topic is the publisher's to choose: a line break in it must not forge
// a line of watch's output, nor an escape sequence reach the terminal.
// Mosquitto refuses control characters in topics; the -serve broker
// (mochi-mqtt), like others, passes them on.
func TestWatchTextOutputCannotBeForged(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	addr := freeAddr(t)
	w := start("watch", "-i", spec, "-serve", addr, "-unknown", "-count", "2", "-for", "20s")
	w.waitStderr(t, "mqttgen watch: watching # on tcp://"+addr+" ")
	// The runtime refuses to publish such topics, so the attacker here is
	// a plain paho client.
	p := rawPublisher(t, "tcp://"+addr)
	forged := "sensors/kitchen/temperature channel=temperature room=kitchen message=temperatureReading ok"
	rawPublish(t, p, "sensors/a\x1b[2J\n/temperature", "{\"sensorId\":\"\\u001b[31m\",\"celsius\":150}")
	rawPublish(t, p, "x\n"+forged+"\r", "{}")
	require.Equal(t, 1, w.exit(t), "stderr:\n%s", w.stderr.String())

	out := w.stdout.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, "one line per message:\n%s", out)
	assert.NotContains(t, out, "\x1b")
	assert.NotContains(t, out, "\r")
	assert.Equal(t, `sensors/a\x1b[2J\n/temperature channel=temperature room=a\x1b[2J\n message=none invalid: parameter room "" topic: mqtt: invalid topic: parameter room = "a\x1b[2J\n": must not contain U+001B, a control character or non-character a broker may close the connection on (MQTT 3.1.1, 1.5.3); temperatureReading /celsius maximum: must be <= 100 but found 150`, lines[0])
	assert.Equal(t, `x\n`+forged+`\r channel=none message=none unknown: "" channel: no channel of the document matches this topic`, lines[1])
}

// Mock prints what it sends; a text example holding an escape sequence
// (here one that sets the terminal's title) is printed quoted.
func TestMockPrintsHostileExamplesQuoted(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	doc := `asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  c:
    address: c
    messages:
      m:
        contentType: text/plain
        payload: {type: string}
        examples: [{payload: "\e]0;owned\ahello"}]
operations:
  receive: {action: receive, channel: {$ref: '#/channels/c'}}
`
	code, out, errs := runCLI(doc, "mock", "-i", "-", "-serve", freeAddr(t), "-count", "1")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, `sent c message=m qos=0 retained=false "\x1b]0;owned\ahello"`+"\n", out)
}

// SIGTERM (timeout(1), systemd, docker stop) ends watch as Ctrl-C does:
// with the summary, and the exit status of what was seen.
func TestWatchStopsOnSIGTERMWithItsSummary(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	addr := freeAddr(t)
	p := startProcess(t, "watch", "-i", spec, "-serve", addr)
	p.waitStderr(t, "mqttgen watch: watching ")
	publish(t, publisher(t, "tcp://"+addr), "sensors/hall/humidity", `{"sensorId":"h","percent":101}`)
	waitFor(t, p.stdout, "sensors/hall/humidity")
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGTERM))
	state := p.wait(t)
	assert.Equal(t, 1, state.ExitCode(), "stderr:\n%s", p.stderr.String())
	assert.Regexp(t, `humidity\s+1\s+1\s+0\s+0`, p.stderr.String())
}

// -rate NaN is a usage error: NaN is not negative, and it made the
// interval between messages undefined (as fast as possible here).
func TestMockRefusesRateNaN(t *testing.T) {
	code, out, errs := runCLI("", "mock", "-i", spec, "-broker", "tcp://127.0.0.1:1", "-rate", "NaN", "-count", "1")
	assert.Equal(t, 2, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, "-rate NaN")
}

// A password in a -broker URL stays off the terminal, as the runtime
// keeps it out of its errors.
func TestWatchHidesThePasswordOfABrokerURL(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	addr := freeAddr(t)
	code, out, errs := runCLI("", "watch", "-i", spec, "-serve", addr, "-broker", "tcp://alice:s3cret@"+addr, "-for", "2s")
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, "mqttgen watch: watching ")
	assert.Contains(t, errs, " on tcp://alice:xxxxx@"+addr+" ")
	assert.NotContains(t, errs, "s3cret")
}

// Ctrl-C twice: the first starts winding down, which waits for a broker
// that stopped answering (the unsubscribe, then the goodbye, bounded at
// 5 s each); the second ends the process at once, as Ctrl-C does.
func TestSecondInterruptEndsWatchAtOnce(t *testing.T) {
	b := mqtttest.NewBroker(t)
	proxy := mqtttest.NewProxy(t, b.URL())
	p := startProcess(t, "watch", "-i", spec, "-broker", proxy.URL())
	p.waitStderr(t, "mqttgen watch: watching ")
	proxy.Stall()
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	time.Sleep(300 * time.Millisecond) // the first one is being handled
	require.NoError(t, p.cmd.Process.Signal(os.Interrupt))
	state := p.wait(t)
	status, ok := state.Sys().(syscall.WaitStatus)
	require.True(t, ok)
	assert.True(t, status.Signaled() && status.Signal() == syscall.SIGINT, "ended by the second Ctrl-C, not after winding down: %v\n%s", state, p.stderr.String())
}

// rawPublisher is a paho client with none of the runtime's checks, to
// publish what a hostile client would.
func rawPublisher(t *testing.T, url string) paho.Client {
	t.Helper()
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("hostile").SetAutoReconnect(false))
	tok := c.Connect()
	require.True(t, tok.WaitTimeout(10*time.Second), "connect timed out")
	require.NoError(t, tok.Error())
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func rawPublish(t *testing.T, c paho.Client, topic, payload string) {
	t.Helper()
	tok := c.Publish(topic, 1, false, payload)
	require.True(t, tok.WaitTimeout(10*time.Second), "publish timed out")
	require.NoError(t, tok.Error())
}
