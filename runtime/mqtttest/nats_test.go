package mqtttest

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNATSCluster: three nodes form one MQTT broker (a message published on
// one node reaches a subscriber on another), Kill ends exactly the node
// killed, and nothing is left running after the test. (What clients see
// when a node dies is generated/brokers_nats_failover_test.go's subject.)
func TestNATSCluster(t *testing.T) {
	var pids []int
	t.Run("cluster", func(t *testing.T) {
		c := NewNATSCluster(t, 3)
		t.Logf("%s: %v", c.Version(), c.URLs())
		nodes := c.Nodes()
		require.Len(t, nodes, 3)
		for _, n := range nodes {
			require.NotZero(t, n.PID())
			pids = append(pids, n.PID())
		}

		sub := connect(t, clientOpts(nodes[2].URL()))
		got := subscribe(t, sub, "mqtttest/nats/+", 1)
		pub := connect(t, clientOpts(nodes[0].URL()))
		publish(t, pub, "mqtttest/nats/a", 1, "across the cluster")
		expect(t, got, "across the cluster")

		nodes[0].Kill()
		assert.Zero(t, nodes[0].PID())
		assert.False(t, dialable(nodes[0].addr()), "a killed node still accepts connections")
		assert.True(t, alive(pids[1]) && alive(pids[2]), "Kill stopped another node")
		nodes[0].Kill() // again: nothing to do
	})
	for _, pid := range pids {
		assert.False(t, alive(pid), "nats-server pid %d outlived its test", pid)
	}
}

// TestNATSSingleNode: size 1 is a plain server (no cluster block) that
// takes MQTT connections.
func TestNATSSingleNode(t *testing.T) {
	c := NewNATSCluster(t, 1)
	roundTrip(t, connect(t, clientOpts(c.URLs()[0])), "mqtttest/nats/single")
}

// alive reports whether a process with this pid exists (and is not a
// zombie waiting to be reaped, which signal 0 would still find).
func alive(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}
