package runtime_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// forbiddenInTopics are code points MQTT 3.1.1 lets a receiver close the
// connection on (section 1.5.3: control characters and Unicode
// non-characters), and Mosquitto does, for any topic or filter holding one.
var forbiddenInTopics = []string{"\n", "\t", "\x01", "\x1f", "\x7f", "\u0080", "\u0085", "\u009f", "\ufdd0", "\ufdef", "\ufffe", "\uffff", "\U0001fffe", "\U0010ffff"}

// A topic holding one of them passed ValidateTopic (and a parameter value
// holding one, CheckTopicParam: a device ID read with its trailing
// newline, say). Mosquitto then closed the connection: a QoS 0 publish
// returned nil and was lost, the client's other work failed with it, and
// a QoS 1/2 message of a persistent session was resent on every
// reconnection, closing each new connection in turn. They are refused with
// ErrInvalidTopic before anything is sent.
func TestAttackControlCharactersInTopicsRefused(t *testing.T) {
	for _, bad := range forbiddenInTopics {
		topic := "a/b" + bad + "c"
		require.ErrorIs(t, runtime.ValidateTopic(topic), runtime.ErrInvalidTopic, "topic %q", topic)
		require.ErrorIs(t, runtime.ValidateFilter(topic), runtime.ErrInvalidTopic, "filter %q", topic)
		require.ErrorIs(t, runtime.CheckTopicParam("id", "dev"+bad), runtime.ErrInvalidTopic, "value %q", bad)
		_, err := runtime.SharedFilter("g"+bad, "a/b")
		require.ErrorIs(t, err, runtime.ErrInvalidTopic, "group %q", bad)
	}
	// What a broker takes is still accepted: other format characters, and
	// every other plane's ordinary code points.
	for _, ok := range []string{"\u00a0", "\u200b", "\ufeff", "\ufdcf", "\ufdf0", "\ufffd", "\U0001f600", "é"} {
		require.NoError(t, runtime.ValidateTopic("a/"+ok), "%q", ok)
		require.NoError(t, runtime.CheckTopicParam("id", ok), "%q", ok)
	}
	_, err := runtime.New(runtime.WithBroker("tcp://127.0.0.1:1"), runtime.WithClientID("id\n"))
	require.ErrorIs(t, err, runtime.ErrInvalidConfig)

	// Against Mosquitto: refused before sending, and the link stays up.
	b := mqtttest.NewBroker(t)
	c := connected(t, runtime.WithBroker(b.URL()), runtime.WithClientID("ctl"), runtime.WithCleanSession(false))
	in := newInbox()
	require.NoError(t, c.Subscribe("a/#", 1, in.handler))
	for _, qos := range []byte{0, 1, 2} {
		err := c.Publish("a/dev\n/cmd", qos, false, "x")
		require.ErrorIs(t, err, runtime.ErrInvalidTopic, "QoS %d", qos)
		t.Logf("QoS %d: %v", qos, err)
	}
	require.ErrorIs(t, c.Subscribe("a/\x01", 1, nil), runtime.ErrInvalidTopic)
	require.NoError(t, c.Publish("a/ok", 1, false, "x"))
	assert.Equal(t, "a/ok", in.next(t, 3*time.Second).topic)
	time.Sleep(200 * time.Millisecond)
	assert.True(t, c.IsConnected())
	assert.Zero(t, c.GetStats().ConnectionLosses, fmt.Sprintf("%+v", c.GetStats()))
}
