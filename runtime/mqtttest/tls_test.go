package mqtttest

import (
	"crypto/tls"
	"crypto/x509"
	"strings"
	"testing"
	"time"
)

func TestTLS(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithTLS())...)
		if !strings.HasPrefix(b.URL(), "ssl://127.0.0.1:") {
			t.Fatalf("URL() = %q", b.URL())
		}
		f := b.TLSFiles()
		for _, path := range []string{f.CAFile, f.ServerCert, f.ServerKey, f.ClientCert, f.ClientKey} {
			if path == "" {
				t.Fatalf("TLSFiles() incomplete: %+v", f)
			}
		}
		roundTrip(t, connect(t, tlsOpts(b.URL(), b.ClientTLSConfig())), "mqtttest/tls")

		// Without the CA the server certificate is not trusted.
		_, err := tryConnect(tlsOpts(b.URL(), &tls.Config{MinVersion: tls.VersionTLS12}))
		var unknown x509.UnknownAuthorityError
		if !asError(err, &unknown) {
			t.Fatalf("connect without the CA: %v, want x509.UnknownAuthorityError", err)
		}
		// Another CA does not vouch for the server either.
		other := NewCA(t, "other CA")
		if _, err := tryConnect(tlsOpts(b.URL(), &tls.Config{RootCAs: other.Pool()})); err == nil {
			t.Fatal("connected trusting only an unrelated CA")
		}
		// The certificate is for 127.0.0.1 and localhost.
		local := strings.Replace(b.URL(), "127.0.0.1", "localhost", 1)
		roundTrip(t, connect(t, tlsOpts(local, b.ClientTLSConfig())), "mqtttest/tls/localhost")
	})
}

func TestTLSClientCerts(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithClientCerts())...)
		roundTrip(t, connect(t, tlsOpts(b.URL(), b.ClientTLSConfig())), "mqtttest/mtls")

		cases := map[string][]tls.Certificate{
			"no client certificate":       nil,
			"certificate from another CA": {NewCA(t, "other").MakeCert(t, CertOptions{CommonName: "intruder", Client: true}).TLSCertificate(t)},
			"expired certificate": {b.CA().MakeCert(t, CertOptions{
				CommonName: "late", Client: true,
				NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(-time.Hour),
			}).TLSCertificate(t)},
		}
		for name, certs := range cases {
			cfg := &tls.Config{RootCAs: b.CA().Pool(), MinVersion: tls.VersionTLS12,
				// Present the certificate even when the server's list of
				// acceptable CAs does not name its issuer.
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					if len(certs) == 0 {
						return &tls.Certificate{}, nil
					}
					return &certs[0], nil
				}}
			if c, err := tryConnect(tlsOpts(b.URL(), cfg)); err == nil {
				c.Disconnect(0)
				t.Errorf("%s: connected, want refusal", name)
			} else {
				t.Logf("%s: refused: %v", name, err)
			}
		}
	})
}

func TestMakeCert(t *testing.T) {
	ca := NewCA(t, "test CA")
	verify := func(kp KeyPair, host string, at time.Time) error {
		leaf, err := x509.ParseCertificate(kp.TLSCertificate(t).Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		_, err = leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: host, CurrentTime: at})
		return err
	}
	good := ca.MakeCert(t, CertOptions{CommonName: "good", Hosts: []string{"127.0.0.1", "localhost"}})
	if err := verify(good, "localhost", time.Now()); err != nil {
		t.Fatalf("good certificate: %v", err)
	}
	if err := verify(good, "127.0.0.1", time.Now()); err != nil {
		t.Fatalf("good certificate for the IP: %v", err)
	}
	wrongHost := ca.MakeCert(t, CertOptions{CommonName: "elsewhere", Hosts: []string{"elsewhere.example"}})
	var hostErr x509.HostnameError
	if err := verify(wrongHost, "localhost", time.Now()); err == nil || !asError(err, &hostErr) {
		t.Fatalf("wrong-host certificate: %v, want a HostnameError", err)
	}
	expired := ca.MakeCert(t, CertOptions{CommonName: "old", Hosts: []string{"localhost"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	var invalid x509.CertificateInvalidError
	if err := verify(expired, "localhost", time.Now()); err == nil || !asError(err, &invalid) || invalid.Reason != x509.Expired {
		t.Fatalf("expired certificate: %v, want x509.Expired", err)
	}
}
