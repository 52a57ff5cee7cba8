package runtime_test

import (
	"context"
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime"
)

// CONNECT carries the client ID, user name, password and will payload each
// behind a two-byte length. Paho cut a longer one at 65535 bytes without a
// word: a 70,000-byte will reached subscribers as 65,535 bytes, a long
// password was refused as wrong. New refuses them, naming the field, as it
// refuses a client ID or user name a broker would close the connection on.
func TestAttackConnectFieldsMQTTCannotCarry(t *testing.T) {
	long := strings.Repeat("x", 65536)
	cases := []struct {
		field string
		opt   runtime.Option
	}{
		{"WillPayload", runtime.WithWill("will/t", []byte(long), 1, false)},
		{"Password", runtime.WithCredentials("user", long)},
		{"Username", runtime.WithCredentials(long, "")},
		{"Username", runtime.WithCredentials("us\xffer", "")},
		{"Username", runtime.WithCredentials("us\x00er", "")},
		{"ClientID", runtime.WithClientID("id-\xc3")},
	}
	for _, tc := range cases {
		_, err := runtime.New(runtime.WithBroker("tcp://127.0.0.1:1883"), tc.opt)
		require.ErrorIs(t, err, runtime.ErrInvalidConfig, tc.field)
		assert.Contains(t, err.Error(), tc.field)
		t.Logf("%s: %v", tc.field, err)
	}
	// The largest of each is still accepted.
	_, err := runtime.New(runtime.WithBroker("tcp://127.0.0.1:1883"),
		runtime.WithWill("will/t", []byte(long[1:]), 1, false), runtime.WithCredentials(long[1:], long[1:]))
	require.NoError(t, err)
}

// A PUBLISH whose remaining length needs more than four bytes cannot be
// sent: paho encoded it with a fifth length byte, Mosquitto stopped
// reading and the client lost its connection on a write timeout (a QoS
// 1/2 message of a persistent session would be resent, and lose the link,
// on every reconnection). It is refused before anything is sent, with
// ErrPayloadTooLarge, even with no MaxPayloadSize set.
func TestAttackPayloadBeyondMQTTPacketLimit(t *testing.T) {
	c := newClient(t, runtime.WithBroker("tcp://127.0.0.1:1"))
	const maxRemaining = 268_435_455
	topic := "big/t"
	// One allocation, never written: the pages stay untouched.
	tooBig := make([]byte, maxRemaining-2-len(topic)+1)
	fits := tooBig[:len(tooBig)-1] // at QoS 0 only: QoS 1/2 add a packet ID
	require.NotErrorIs(t, c.Publish(topic, 0, false, fits), runtime.ErrPayloadTooLarge)
	for _, qos := range []byte{1, 2} {
		require.ErrorIs(t, c.Publish(topic, qos, false, fits), runtime.ErrPayloadTooLarge, "QoS %d", qos)
		require.ErrorIs(t, c.PublishAsync(topic, qos, false, fits), runtime.ErrPayloadTooLarge, "QoS %d", qos)
	}
	err := c.Publish(topic, 0, false, tooBig)
	require.ErrorIs(t, err, runtime.ErrPayloadTooLarge)
	t.Logf("%v", err)
	assert.Zero(t, c.GetStats().MessagesSent)
}

// silentListener is a loopback address that accepts connections and never
// answers on them, closed when the test ends.
func silentListener(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn) // held open, never answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// A broker that accepts TCP and never answers makes a connection attempt
// end after ConnectTimeout. The runtime promises that timeouts wrap
// ErrTimeout; the attempt's error did not (paho's "network Error : i/o
// timeout", or "context deadline exceeded" during the TLS handshake), so
// errors.Is could not tell a silent broker from a refused connection.
func TestAttackConnectTimeoutWrapsErrTimeout(t *testing.T) {
	addr := silentListener(t)
	for _, scheme := range []string{"tcp", "ssl"} {
		opts := []runtime.Option{runtime.WithBroker(scheme + "://" + addr), runtime.WithConnectTimeout(300 * time.Millisecond)}
		if scheme == "ssl" {
			opts = append(opts, runtime.WithTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12}))
		}
		c := newClient(t, opts...)
		start := time.Now()
		err := c.Connect(context.Background())
		t.Logf("%s: %v after %v", scheme, err, time.Since(start))
		require.ErrorIs(t, err, runtime.ErrConnectionFailed, scheme)
		assert.ErrorIs(t, err, runtime.ErrTimeout, scheme)
		assert.Less(t, time.Since(start), 2*time.Second)
	}
	// A refused connection is not a timeout.
	c := newClient(t, runtime.WithBroker("tcp://127.0.0.1:1"))
	err := c.Connect(context.Background())
	require.ErrorIs(t, err, runtime.ErrConnectionFailed)
	assert.NotErrorIs(t, err, runtime.ErrTimeout)
}

// yaml decodes null into false, so a config file with a boolean key left
// empty ("auto_reconnect:", or "~") switched off a default that is true:
// CleanSession, AutoReconnect, ResumeSubs and OrderMatters all became
// false without a word, although Config promises that leaving them out
// cannot switch them off. LoadConfig refuses such a key, naming it.
func TestAttackEmptyBooleanKeyIsAnError(t *testing.T) {
	for _, key := range []string{"clean_session", "auto_reconnect", "resume_subs", "order_matters"} {
		for _, empty := range []string{"", " ~", " null"} {
			path := filepath.Join(t.TempDir(), "mqtt.yaml")
			require.NoError(t, os.WriteFile(path, []byte("brokers: [tcp://a:1883]\n"+key+":"+empty+"\n"), 0o600))
			_, err := runtime.LoadConfig(path)
			require.ErrorIs(t, err, runtime.ErrInvalidConfig, "%s:%s", key, empty)
			assert.Contains(t, err.Error(), key)
			assert.Contains(t, err.Error(), ":2:")
		}
	}
	path := filepath.Join(t.TempDir(), "mqtt.yaml")
	require.NoError(t, os.WriteFile(path, []byte("brokers: [tcp://a:1883]\nauto_reconnect: false\n"), 0o600))
	cfg, err := runtime.LoadConfig(path)
	require.NoError(t, err)
	assert.False(t, *cfg.AutoReconnect)
	assert.True(t, *cfg.CleanSession)
}

// CleanSession false or a file store only work with a fixed client ID: with
// the generated one, the next process has another ID, so it resumes
// nothing, resends nothing its predecessor's file store held (that sits in
// another directory), and the broker keeps each abandoned session and its
// queued messages. New said nothing; it now warns, as it does for a file
// store with CleanSession true.
func TestAttackGeneratedClientIDWithPersistenceWarns(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []runtime.Option
		warn bool
	}{
		{"persistent session", []runtime.Option{runtime.WithCleanSession(false)}, true},
		{"file store", []runtime.Option{runtime.WithCleanSession(false), runtime.WithMessageStore(runtime.StoreFile, t.TempDir())}, true},
		{"fixed ID", []runtime.Option{runtime.WithCleanSession(false), runtime.WithClientID("fixed")}, false},
		{"clean session", nil, false},
	} {
		var mu sync.Mutex
		var logs strings.Builder
		opts := append([]runtime.Option{runtime.WithBroker("tcp://127.0.0.1:1"), runtime.WithLogger(slogTo(&mu, &logs))}, tc.opts...)
		_, err := runtime.New(opts...)
		require.NoError(t, err)
		mu.Lock()
		got := strings.Contains(logs.String(), "generated client ID")
		mu.Unlock()
		assert.Equal(t, tc.warn, got, "%s: %s", tc.name, logs.String())
	}
}
