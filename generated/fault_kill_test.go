package generated_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Fault 2 of issue 6: the publishing process is killed (SIGKILL) while QoS
// 1 and 2 messages it published through generated code are unacknowledged;
// a new process with the same client ID and file store delivers them.
//
// The test binary plays both processes: with killChildEnv set, TestMain
// runs killChild instead of the tests.

const (
	killChildEnv  = "MQTTGEN_H6_KILL_CHILD" // "publish" or "resend"
	killClientID  = "h6-kill-publisher"
	killPerQoS    = 10 // temperature readings (QoS 1) and alerts (QoS 2) each
	killStoreGlob = "*/o.*.msg"
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(killChildEnv); mode != "" {
		os.Exit(killChild(mode, os.Getenv("H6_BROKER"), os.Getenv("H6_STORE")))
	}
	os.Exit(m.Run())
}

// killChild is the child process. "publish": connect, wait for "publish"
// on stdin, publish through the generated client (the parent has stalled
// the link, so nothing is acknowledged), say "stored" once paho has written
// every message to the file store, and wait to be killed. "resend":
// connect with the same client ID and store, say "empty" once the store
// has drained, and exit.
func killChild(mode, broker, store string) int {
	fail := func(err error) int { fmt.Println("error:", err); return 2 }
	rt, err := mqttrt.New(mqttrt.WithBroker(broker), mqttrt.WithClientID(killClientID), mqttrt.WithCleanSession(false),
		mqttrt.WithMessageStore(mqttrt.StoreFile, store), mqttrt.WithAutoReconnect(false),
		mqttrt.WithOperationTimeout(30*time.Second), mqttrt.WithLogger(slogDiscard()))
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := rt.Connect(ctx); err != nil {
		return fail(err)
	}
	fmt.Println("connected")
	stored := func() int { files, _ := filepath.Glob(filepath.Join(store, killStoreGlob)); return len(files) }
	waitUntil := func(cond func() bool) bool {
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if cond() {
				return true
			}
		}
		return false
	}
	if mode == "resend" {
		if !waitUntil(func() bool { return stored() == 0 }) {
			return fail(fmt.Errorf("%d messages still in the store", stored()))
		}
		fmt.Println("empty")
		_ = rt.Disconnect(ctx)
		return 0
	}
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() || in.Text() != "publish" {
		return 2
	}
	sg := sensorgateway.NewClient(rt)
	for i := range killPerQoS {
		go sg.PublishTemperature(context.Background(), sensorgateway.TemperatureParams{Room: "kill"},
			sensorgateway.TemperatureReading{SensorID: fmt.Sprintf("q1-%d", i), Celsius: 20})
		go sg.PublishAlert(context.Background(), sensorgateway.AlertsParams{Severity: sensorgateway.AlertsSeverityCritical},
			sensorgateway.Alert{Code: "KILL-1", Message: fmt.Sprintf("q2-%d", i)})
	}
	if !waitUntil(func() bool { return stored() == 2*killPerQoS }) {
		return fail(fmt.Errorf("%d of %d messages reached the file store", stored(), 2*killPerQoS))
	}
	fmt.Println("stored")
	time.Sleep(30 * time.Second) // the parent kills us long before
	return 0
}

// childProc is a running child process and the lines it prints.
type childProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

func startChild(t *testing.T, mode, broker, store string) *childProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), killChildEnv+"="+mode, "H6_BROKER="+broker, "H6_STORE="+store)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	c := &childProc{cmd: cmd, stdin: stdin, lines: make(chan string, 16)}
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			c.lines <- s.Text()
		}
		close(c.lines)
	}()
	return c
}

func (c *childProc) expect(t *testing.T, want string) {
	t.Helper()
	select {
	case line := <-c.lines:
		require.Equal(t, want, line, "what the child said")
	case <-time.After(15 * time.Second):
		require.FailNow(t, "child is silent", "it did not say %q within 15s", want)
	}
}

func TestFaultPublisherKilled(t *testing.T) {
	b := mqtttest.NewBroker(t)
	p := mqtttest.NewProxy(t, b.URL())
	store := t.TempDir()

	// The subscriber, through generated code, on the broker directly.
	sub := sensorgateway.NewClient(faultClient(t, b.URL(), fmt.Sprintf("kill-sub-%d", time.Now().UnixNano()), t.TempDir()))
	got := newSeenCounter()
	ctx := context.Background()
	_, err := sub.SubscribeTemperature(ctx, sensorgateway.TemperatureParams{}, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		got.add(m.Payload.SensorID, m.Duplicate)
		return nil
	})
	require.NoError(t, err)
	_, err = sub.SubscribeAlert(ctx, sensorgateway.AlertsParams{}, func(_ context.Context, m sensorgateway.AlertMessage) error {
		got.add(m.Payload.Message, m.Duplicate)
		return nil
	})
	require.NoError(t, err)

	child := startChild(t, "publish", p.URL(), store)
	child.expect(t, "connected")
	p.Stall() // nothing the child sends from now on is acknowledged
	fmt.Fprintln(child.stdin, "publish")
	child.expect(t, "stored")
	require.NoError(t, child.cmd.Process.Kill()) // SIGKILL: no flush, no DISCONNECT
	_ = child.cmd.Wait()
	p.Drop() // what the child wrote into the stalled link never reaches the broker
	p.Close()
	time.Sleep(300 * time.Millisecond)
	q1, q2 := messageIDs("q1", killPerQoS), messageIDs("q2", killPerQoS)
	r, _, _, _ := got.report(append(q1, q2...))
	require.Zero(t, r, "messages arrived before the restart: the stall did not hold them")
	files, _ := filepath.Glob(filepath.Join(store, killStoreGlob))

	// A new process with the same client ID and store.
	next := startChild(t, "resend", b.URL(), store)
	next.expect(t, "connected")
	next.expect(t, "empty")
	require.NoError(t, next.cmd.Wait(), "resending process")
	waitForG(t, 10*time.Second, "every message at the subscriber", func() bool { return got.distinct.Load() == 2*killPerQoS })
	time.Sleep(300 * time.Millisecond)
	r1, l1, d1, _ := got.report(q1)
	r2, l2, d2, flags := got.report(q2)
	t.Logf("killed with %d messages in its file store; new process delivered QoS 1: sent %d, received %d, lost %d, duplicated %d; "+
		"QoS 2: sent %d, received %d, lost %d, duplicated %d; DUP flag on %d deliveries",
		len(files), killPerQoS, r1, l1, d1, killPerQoS, r2, l2, d2, flags)
	assert.Zero(t, l1, "QoS 1 messages lost")
	assert.Zero(t, l2, "QoS 2 messages lost")
	assert.Zero(t, d2, "QoS 2 duplicates")
	assert.Len(t, files, 2*killPerQoS, "messages in the store at the kill")
}
