package runtime

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
)

// tlsConfig builds the TLS settings, or nil when no broker needs TLS and
// none was asked for. The broker is verified unless TLSSkipVerify is set.
func tlsConfig(cfg Config, custom *tls.Config) (*tls.Config, error) {
	wanted := custom != nil || cfg.TLSCAFile != "" || cfg.TLSCertFile != "" || cfg.TLSSkipVerify || cfg.usesTLS()
	if !wanted {
		return nil, nil
	}
	t := custom
	if t == nil {
		t = &tls.Config{MinVersion: tls.VersionTLS12}
		if cfg.TLSCAFile != "" {
			pem, err := os.ReadFile(cfg.TLSCAFile)
			if err != nil {
				return nil, fmt.Errorf("%w: TLSCAFile: %w", ErrInvalidConfig, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("%w: TLSCAFile: %s holds no PEM certificate", ErrInvalidConfig, cfg.TLSCAFile)
			}
			t.RootCAs = pool
		}
		if cfg.TLSCertFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
			if err != nil {
				return nil, fmt.Errorf("%w: TLSCertFile/TLSKeyFile: %w", ErrInvalidConfig, err)
			}
			t.Certificates = []tls.Certificate{cert}
		}
	}
	if cfg.TLSSkipVerify {
		t.InsecureSkipVerify = true
	}
	return t, nil
}

// checkTLSSchemes refuses TLS settings next to a plain-text broker URL:
// paho would silently dial that broker without TLS.
func checkTLSSchemes(cfg Config, custom *tls.Config) error {
	if custom == nil && cfg.TLSCAFile == "" && cfg.TLSCertFile == "" && !cfg.TLSSkipVerify {
		return nil
	}
	for i, b := range cfg.Brokers {
		if u, err := url.Parse(b); err == nil && !tlsSchemes[u.Scheme] {
			return configError(fmt.Sprintf("Brokers[%d]", i),
				fmt.Sprintf("TLS is configured but %q is not a TLS URL (use ssl://, mqtts:// or wss://)", redactURL(b)))
		}
	}
	return nil
}
