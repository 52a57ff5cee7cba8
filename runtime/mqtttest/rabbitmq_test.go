package mqtttest

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rabbitMQTest is what a test against RabbitMQ's MQTT plugin looks like.
// (TestRabbitMQ runs it.) The node takes 10–20 s to boot: a test binary
// should start one and run its RabbitMQ scenarios as subtests.
func rabbitMQTest(t *testing.T) *RabbitMQ {
	r := NewRabbitMQ(t) // skipped without RabbitMQ; stopped when t ends
	c := connect(t, clientOpts(r.URL()))
	got := subscribe(t, c, "rooms/+/temperature", 1)
	publish(t, c, "rooms/kitchen/temperature", 1, "21.5")
	expect(t, got, "21.5")
	return r
}

// ExampleNewRabbitMQ shows a test against a private RabbitMQ node; see
// rabbitMQTest above, which go test runs as part of TestRabbitMQ.
func ExampleNewRabbitMQ() {
	_ = rabbitMQTest
}

// TestRabbitMQ: a private node takes MQTT connections on its own port
// (rabbitMQTest), and when the test ends nothing it started is left: not
// its Erlang VM, not its helpers, not its epmd.
func TestRabbitMQ(t *testing.T) {
	var pids []int
	t.Run("node", func(t *testing.T) {
		r := rabbitMQTest(t)
		t.Logf("RabbitMQ %s at %s, pid %d", r.Version(), r.URL(), r.PID())
		require.NotZero(t, r.PID())
		pids = append(pids, r.PID(), r.epmd.pid())
		pids = append(pids, groupMembers(t, r.PID())...)
		assert.Greater(t, len(pids), 2, "the node's process group holds no Erlang VM")
	})
	for _, pid := range pids {
		assert.False(t, alive(pid), "pid %d outlived its test", pid)
	}
}

// groupMembers lists the processes of the process group pgid other than
// its leader.
func groupMembers(t *testing.T, pgid int) []int {
	t.Helper()
	out, err := exec.Command("ps", "-e", "-o", "pid=,pgid=").Output()
	require.NoError(t, err)
	var pids []int
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 2 && f[1] == strconv.Itoa(pgid) && f[0] != f[1] {
			pid, err := strconv.Atoi(f[0])
			require.NoError(t, err)
			pids = append(pids, pid)
		}
	}
	return pids
}
