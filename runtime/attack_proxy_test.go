package runtime_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/proxy"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// With all_proxy set, a TLS broker is dialled through the proxy settings
// and the handshake is made by hand (as paho does). That handshake had no
// server name, so every TLS connection failed ("either ServerName or
// InsecureSkipVerify must be specified"), and no deadline, so a broker
// that accepted TCP and never answered held paho's connection attempt
// forever. It now verifies the broker's name and ends with ConnectTimeout.
//
// golang.org/x/net/proxy reads the environment once per process: the test
// reads it (empty) first, so its all_proxy reaches only the runtime's own
// check and the dial goes direct, through the branch under test.
func TestAttackTLSWithAllProxySet(t *testing.T) {
	_ = proxy.FromEnvironment()
	b := mqtttest.NewBroker(t, mqtttest.WithTLS())
	t.Setenv("all_proxy", "socks5://127.0.0.1:1")

	c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithTLS("", "", b.TLSFiles().CAFile))
	require.NoError(t, c.Connect(context.Background()))
	require.NoError(t, c.Ping(context.Background()))

	// Another CA: the name and chain are still checked.
	other := mqtttest.NewCA(t, "other")
	bad := newClient(t, runtime.WithBroker(b.URL()), runtime.WithTLSConfig(&tls.Config{RootCAs: other.Pool(), MinVersion: tls.VersionTLS12}))
	require.ErrorIs(t, bad.Connect(context.Background()), runtime.ErrConnectionFailed)

	silent := newClient(t, runtime.WithBroker("ssl://"+silentListener(t)), runtime.WithTLS("", "", b.TLSFiles().CAFile),
		runtime.WithConnectTimeout(300*time.Millisecond))
	for i := range 2 { // the second attempt is not blocked by the first
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		start := time.Now()
		err := silent.Connect(ctx)
		cancel()
		t.Logf("silent broker, attempt %d: %v after %v", i+1, err, time.Since(start))
		require.ErrorIs(t, err, runtime.ErrConnectionFailed)
		assert.ErrorIs(t, err, runtime.ErrTimeout)
		assert.Less(t, time.Since(start), 2*time.Second)
	}
}

// SetReconnectingHandler promises that the options the handler receives
// are a copy, changing which has no effect. Their TLSConfig was paho's own
// *tls.Config: a handler that changed a field of it (here, the roots)
// changed how the client verified the broker from then on.
func TestAttackReconnectingHandlerCannotChangeTLS(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithTLS())
	p := mqtttest.NewProxy(t, b.URL())
	c := connected(t, runtime.WithBroker(p.URL()), runtime.WithTLS("", "", b.TLSFiles().CAFile),
		runtime.WithMaxReconnectDelay(100*time.Millisecond))
	var once sync.Once
	c.SetReconnectingHandler(func(_ mqttclient.Client, opts *mqttclient.ClientOptions) {
		once.Do(func() { opts.TLSConfig.RootCAs = x509.NewCertPool() }) // trusts nothing
	})
	p.Drop()
	waitFor(t, 5*time.Second, "the reconnection", func() bool { return c.GetStats().Reconnects == 1 && c.IsConnected() })
}
