package mqtttest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a certificate authority made for a test (ECDSA P-256). Make one
// with NewCA to sign certificates a broker must reject ("wrong CA").
type CA struct {
	Cert     *x509.Certificate
	Key      *ecdsa.PrivateKey
	CertFile string // the CA certificate, PEM
	dir      string
}

// NewCA makes a self-signed CA valid from an hour ago for a day, and writes
// its certificate to a file in t.TempDir().
func NewCA(t testing.TB, commonName string) *CA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"mqttgen mqtttest"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("mqtttest: make CA: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("mqtttest: parse CA: %v", err)
	}
	ca := &CA{Cert: cert, Key: key, dir: t.TempDir()}
	ca.CertFile = writePEM(t, ca.dir, "ca-*.pem", "CERTIFICATE", der)
	return ca
}

// Pool returns a certificate pool holding only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// CertOptions describes a certificate for CA.MakeCert.
type CertOptions struct {
	CommonName string
	// Hosts are the DNS names and IP addresses a server certificate is
	// valid for; leave empty for a client certificate.
	Hosts []string
	// Client makes a client-authentication certificate instead of a
	// server one.
	Client bool
	// NotBefore and NotAfter bound validity; zero means from an hour ago
	// to a day ahead. Set both in the past for an expired certificate.
	NotBefore, NotAfter time.Time
}

// KeyPair names the PEM files of a certificate and its private key.
type KeyPair struct {
	CertFile, KeyFile string
}

// TLSCertificate loads the pair for a tls.Config; it fails the test on error.
func (kp KeyPair) TLSCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(kp.CertFile, kp.KeyFile)
	if err != nil {
		t.Fatalf("mqtttest: load key pair: %v", err)
	}
	return c
}

// MakeCert signs a new certificate with the CA and writes it and its key
// (ECDSA P-256) to files in t.TempDir().
func (ca *CA) MakeCert(t testing.TB, opts CertOptions) KeyPair {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: opts.CommonName},
		NotBefore:    opts.NotBefore,
		NotAfter:     opts.NotAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
	}
	if tmpl.NotAfter.IsZero() {
		tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	}
	if opts.Client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	for _, h := range opts.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatalf("mqtttest: make certificate: %v", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("mqtttest: encode key: %v", err)
	}
	dir := t.TempDir()
	return KeyPair{
		CertFile: writePEM(t, dir, "cert-*.pem", "CERTIFICATE", der),
		KeyFile:  writePEM(t, dir, "key-*.pem", "EC PRIVATE KEY", keyDER),
	}
}

// TLSFiles names the PEM files of a broker made WithTLS.
type TLSFiles struct {
	CAFile     string // the CA that signed the server and client certificates
	ServerCert string // valid for 127.0.0.1 and localhost
	ServerKey  string
	ClientCert string // a valid client certificate, for WithClientCerts
	ClientKey  string
}

// makeTLSFiles makes the broker's CA, its server certificate and a client
// certificate.
func (b *Broker) makeTLSFiles() {
	b.t.Helper()
	b.ca = NewCA(b.t, "mqtttest CA")
	server := b.ca.MakeCert(b.t, CertOptions{CommonName: "127.0.0.1", Hosts: []string{"127.0.0.1", "localhost"}})
	client := b.ca.MakeCert(b.t, CertOptions{CommonName: "mqtttest-client", Client: true})
	b.files = TLSFiles{
		CAFile:     b.ca.CertFile,
		ServerCert: server.CertFile,
		ServerKey:  server.KeyFile,
		ClientCert: client.CertFile,
		ClientKey:  client.KeyFile,
	}
	b.clientCert = client.TLSCertificate(b.t)
}

// TLSFiles returns the broker's certificate files; all empty without
// WithTLS.
func (b *Broker) TLSFiles() TLSFiles { return b.files }

// CA returns the CA that signed the broker's certificates, to make more
// (expired, wrong host) for negative tests; nil without WithTLS.
func (b *Broker) CA() *CA { return b.ca }

// ClientTLSConfig returns a client configuration that trusts the broker's
// CA and presents the client certificate from TLSFiles; nil without
// WithTLS.
func (b *Broker) ClientTLSConfig() *tls.Config {
	if b.ca == nil {
		return nil
	}
	return &tls.Config{RootCAs: b.ca.Pool(), Certificates: []tls.Certificate{b.clientCert}, MinVersion: tls.VersionTLS12}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("mqtttest: generate key: %v", err)
	}
	return key
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("mqtttest: serial number: %v", err)
	}
	return n
}

func writePEM(t testing.TB, dir, pattern, blockType string, der []byte) string {
	t.Helper()
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		t.Fatalf("mqtttest: create %s: %v", pattern, err)
	}
	defer f.Close()
	if err := pem.Encode(f, &pem.Block{Type: blockType, Bytes: der}); err != nil {
		t.Fatalf("mqtttest: write %s: %v", f.Name(), err)
	}
	if err := f.Chmod(0o600); err != nil {
		t.Fatalf("mqtttest: chmod %s: %v", f.Name(), err)
	}
	return filepath.Clean(f.Name())
}
