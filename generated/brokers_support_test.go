package generated_test

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/require"
)

// tally counts the payloads a subscription receives.
type tally struct {
	mu   sync.Mutex
	seen map[string]int
}

func (t *tally) handler(_ mqttclient.Client, m mqttclient.Message) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.seen == nil {
		t.seen = map[string]int{}
	}
	t.seen[string(m.Payload())]++
}

// total returns how many messages arrived, duplicates included.
func (t *tally) total() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, k := range t.seen {
		n += k
	}
	return n
}

// union returns the payloads t and o received, with their counts added.
func (t *tally) union(o *tally) map[string]int {
	t.mu.Lock()
	all := maps.Clone(t.seen)
	t.mu.Unlock()
	if all == nil {
		all = map[string]int{}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, v := range o.seen {
		all[k] += v
	}
	return all
}

// rawQoS2Answer connects to url with a bare socket, sends one QoS 2
// PUBLISH and names the broker's answer: "PUBREC" (the protocol's),
// "PUBACK", "connection closed" or "no answer". The runtime (paho) cannot
// tell a PUBACK from a PUBREC, so this reads the wire.
func rawQoS2Answer(t *testing.T, url string) string {
	t.Helper()
	addr := strings.TrimPrefix(url, "tcp://")
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))

	id := "compat-raw-qos2"
	connect := append([]byte{0x10, byte(12 + len(id)), 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 30, 0, byte(len(id))}, id...)
	_, err = conn.Write(connect)
	require.NoError(t, err)
	connack := make([]byte, 4)
	_, err = io.ReadFull(conn, connack)
	require.NoError(t, err)
	require.Equal(t, []byte{0x20, 2, 0, 0}, connack, "CONNACK")

	topic, payload := "compat/qos2/raw", "x"
	// PUBLISH, QoS 2 (flags 0x04): topic, packet identifier 1, payload.
	body := append([]byte{0, byte(len(topic))}, topic...)
	body = append(body, 0, 1)
	body = append(body, payload...)
	_, err = conn.Write(append([]byte{0x34, byte(len(body))}, body...))
	require.NoError(t, err)
	answer := make([]byte, 4)
	_, err = io.ReadFull(conn, answer)
	var nerr net.Error
	switch {
	case err == nil && bytes.Equal(answer, []byte{0x50, 2, 0, 1}):
		return "PUBREC"
	case err == nil && bytes.Equal(answer, []byte{0x40, 2, 0, 1}):
		return "PUBACK"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "no answer"
	case err != nil:
		return "connection closed"
	}
	t.Fatalf("unexpected answer to a QoS 2 PUBLISH: % x", answer)
	return ""
}

// TestBrokerCompatTableInREADME: the README shows the rows that the
// TestBrokerCompat* tests check against each broker.
func TestBrokerCompatTableInREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	for _, w := range compatWant {
		require.Contains(t, string(readme), "\n"+w.row.String()+"\n", "the README's compatibility table lacks this row")
	}
}
