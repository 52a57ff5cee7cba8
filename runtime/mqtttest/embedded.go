package mqtttest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"syscall"
	"time"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// embeddedListenerID names the one listener of an embedded broker.
const embeddedListenerID = "mqtttest"

// errKilled is the stop cause of clients cut by Broker.Kill.
var errKilled = errors.New("mqtttest: broker killed")

// embedded runs a mochi-mqtt server inside the test process. Without
// persistence each start makes a fresh server, as a restarted Mosquitto
// without a database would be; with persistence one server lives for the
// whole test and only its listener is closed and reopened, so sessions
// and queued messages survive (in memory) as they do in Mosquitto's
// database.
type embedded struct {
	b       *Broker
	logFile *os.File
	logger  *slog.Logger
	hook    *accessHook
	tlsConf *tls.Config

	srv    *mqtt.Server
	served bool // srv.Serve has run; later starts only add a listener
}

func newEmbedded(b *Broker) (*embedded, error) {
	f, err := os.OpenFile(b.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open embedded broker log: %w", err)
	}
	e := &embedded{
		b:       b,
		logFile: f,
		logger:  slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if e.hook, err = newAccessHook(b.cfg.users, b.cfg.acl); err != nil {
		_ = f.Close()
		return nil, err
	}
	if b.cfg.tls {
		cert, err := tls.LoadX509KeyPair(b.files.ServerCert, b.files.ServerKey)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("embedded broker: load server certificate: %w", err)
		}
		e.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if b.cfg.clientCerts {
			pool := x509.NewCertPool()
			pool.AddCert(b.ca.Cert)
			e.tlsConf.ClientCAs = pool
			e.tlsConf.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	return e, nil
}

func (e *embedded) newServer() (*mqtt.Server, error) {
	caps := mqtt.NewDefaultServerCapabilities()
	// MQTT 3.1.1 knows only 0x80 as a SUBACK failure [MQTT-3.9.3-2]; mochi
	// would send 5.0's 0x87 "not authorized" unless obscured.
	caps.Compatibilities.ObscureNotAuthorized = true
	srv := mqtt.New(&mqtt.Options{Logger: e.logger, Capabilities: caps})
	if err := srv.AddHook(e.hook, nil); err != nil {
		return nil, fmt.Errorf("embedded broker: add access hook: %w", err)
	}
	return srv, nil
}

func (e *embedded) start(port int) error {
	if e.srv == nil {
		srv, err := e.newServer()
		if err != nil {
			return err
		}
		e.srv, e.served = srv, false
	}
	l := listeners.NewTCP(listeners.Config{
		Type:      listeners.TypeTCP,
		ID:        embeddedListenerID,
		Address:   fmt.Sprintf("127.0.0.1:%d", port),
		TLSConfig: e.tlsConf,
	})
	if err := e.srv.AddListener(l); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("embedded broker on port %d: %w", port, errAddrInUse)
		}
		return fmt.Errorf("embedded broker: listen on port %d: %w", port, err)
	}
	if !e.served {
		if err := e.srv.Serve(); err != nil {
			return fmt.Errorf("embedded broker: serve: %w", err)
		}
		e.served = true
	} else {
		e.srv.Listeners.Serve(embeddedListenerID, e.srv.EstablishConnection)
	}
	return nil
}

// stop closes the listener and every client connection. Stop sends MQTT 5
// clients a DISCONNECT first; Kill only closes the sockets.
func (e *embedded) stop(kill bool) error {
	if e.srv == nil {
		return nil
	}
	srv := e.srv
	srv.Listeners.Close(embeddedListenerID, func(id string) {
		for _, cl := range srv.Clients.GetByListener(id) {
			if kill {
				cl.Stop(errKilled)
			} else {
				_ = srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
			}
		}
	})
	srv.Listeners.Delete(embeddedListenerID)
	if !e.b.cfg.persistence {
		e.closeServer()
	}
	return waitGroupTimeout(&srv.Listeners.ClientsWg, stopTimeout)
}

func (e *embedded) closeServer() {
	if e.srv != nil {
		_ = e.srv.Close() // always returns nil
		e.srv = nil
	}
}

func (e *embedded) close() {
	e.closeServer()
	_ = e.logFile.Close()
}

// pid is 0: the embedded broker is no separate process.
func (e *embedded) pid() int { return 0 }

// waitGroupTimeout waits for wg, at most d.
func waitGroupTimeout(wg *sync.WaitGroup, d time.Duration) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(d):
		return fmt.Errorf("embedded broker: client connections still open after %v", d)
	}
}
