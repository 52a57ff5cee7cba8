package runtime_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Security of issue 6, TLS. Complements TestTLS and TestMutualTLS
// (verification on by default, unknown CA, skip-verify warning, mutual TLS
// with and without a client certificate): here the server presents a
// certificate that is expired, for another host, or from another CA, and
// the client presents one the broker must refuse. Each failure must say why.

// tlsServer accepts TLS connections with cert and completes handshakes
// (nothing more: the client fails before MQTT starts). It is closed when
// the test ends.
func tlsServer(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				_ = conn.(*tls.Conn).Handshake()
			})
		}
	})
	return "ssl://" + ln.Addr().String()
}

func TestSecurityServerCertificateRefused(t *testing.T) {
	ca := mqtttest.NewCA(t, "h6 test CA")
	other := mqtttest.NewCA(t, "h6 other CA")
	past := time.Now().Add(-48 * time.Hour)
	cases := []struct {
		name    string
		cert    mqtttest.KeyPair
		mention string
	}{
		{"expired", ca.MakeCert(t, mqtttest.CertOptions{CommonName: "broker", Hosts: []string{"127.0.0.1"},
			NotBefore: past, NotAfter: past.Add(time.Hour)}), "expired"},
		{"wrong host", ca.MakeCert(t, mqtttest.CertOptions{CommonName: "broker", Hosts: []string{"broker.example.com"}}), "127.0.0.1"},
		{"another CA", other.MakeCert(t, mqtttest.CertOptions{CommonName: "broker", Hosts: []string{"127.0.0.1"}}), "unknown authority"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := tlsServer(t, tc.cert.TLSCertificate(t))
			c := newClient(t, runtime.WithBroker(url), runtime.WithTLS("", "", ca.CertFile), runtime.WithAutoReconnect(false))
			start := time.Now()
			err := c.Connect(context.Background())
			t.Logf("%s: refused in %v: %v", tc.name, time.Since(start).Round(time.Millisecond), err)
			if !errors.Is(err, runtime.ErrConnectionFailed) || !strings.Contains(err.Error(), "certificate") ||
				!strings.Contains(err.Error(), tc.mention) {
				t.Errorf("err = %v, want ErrConnectionFailed naming the certificate problem (%q)", err, tc.mention)
			}
			if c.IsConnected() {
				t.Error("connected to a server with a bad certificate")
			}
		})
	}
	// The same certificate problems pass only with the explicit option.
	url := tlsServer(t, cases[0].cert.TLSCertificate(t))
	c := newClient(t, runtime.WithBroker(url), runtime.WithTLSSkipVerify(true), runtime.WithConnectTimeout(500*time.Millisecond))
	// The server speaks no MQTT, so the connection still fails, but past
	// the certificate check.
	if err := c.Connect(context.Background()); err == nil || strings.Contains(err.Error(), "certificate") {
		t.Errorf("skip-verify: %v, want a failure that is not about the certificate", err)
	}
}

// Mosquitto with require_certificate refuses client certificates from
// another CA and expired ones from its own CA.
func TestSecurityClientCertificateRefused(t *testing.T) {
	b := mqtttest.NewBroker(t, mqtttest.WithClientCerts())
	files := b.TLSFiles()
	other := mqtttest.NewCA(t, "h6 rogue CA")
	past := time.Now().Add(-48 * time.Hour)
	cases := map[string]mqtttest.KeyPair{
		"another CA": other.MakeCert(t, mqtttest.CertOptions{CommonName: "rogue", Client: true}),
		"expired": b.CA().MakeCert(t, mqtttest.CertOptions{CommonName: "old", Client: true,
			NotBefore: past, NotAfter: past.Add(time.Hour)}),
	}
	for name, kp := range cases {
		t.Run(name, func(t *testing.T) {
			c := newClient(t, runtime.WithBroker(b.URL()), runtime.WithTLS(kp.CertFile, kp.KeyFile, files.CAFile),
				runtime.WithAutoReconnect(false))
			err := c.Connect(context.Background())
			t.Logf("%s client certificate: %v", name, err)
			if !errors.Is(err, runtime.ErrConnectionFailed) {
				t.Errorf("err = %v, want ErrConnectionFailed", err)
			}
			if c.IsConnected() {
				t.Error("the broker accepted a bad client certificate")
			}
		})
	}
	good := connected(t, runtime.WithBroker(b.URL()), runtime.WithTLS(files.ClientCert, files.ClientKey, files.CAFile))
	if err := good.Ping(context.Background()); err != nil {
		t.Errorf("valid client certificate: %v", err)
	}
}
