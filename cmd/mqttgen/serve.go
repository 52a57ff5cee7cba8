package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// devBroker is the broker -serve runs inside the mqttgen process
// (mochi-mqtt): for development and tests, so that watch and mock, and
// the devices under test, need no broker installed. It accepts every
// client and topic; it is no production broker (see the README, "Scaling
// out").
type devBroker struct {
	srv  *mqtt.Server
	addr string
	logs *gatedWriter
}

// gatedWriter passes writes on until it is shut. mochi logs the end of
// each client's connection from a goroutine Close does not wait for: a
// "use of closed network connection" warning would reach stderr after
// the command's last line, or after the command returned.
type gatedWriter struct {
	mu   sync.Mutex
	w    io.Writer
	shut bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shut {
		return len(p), nil
	}
	return g.w.Write(p)
}

// close drops every later write.
func (g *gatedWriter) close() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.shut = true
}

// serveBroker listens on addr (host:port; port 0 picks a free one) and
// serves MQTT 3.1.1 and 5 until close.
func serveBroker(addr string, logOut io.Writer) (*devBroker, error) {
	// Listen first to learn the port, then hand the address to mochi.
	probe, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-serve %s: %w", addr, err)
	}
	addr = probe.Addr().String()
	if err := probe.Close(); err != nil {
		return nil, fmt.Errorf("-serve %s: %w", addr, err)
	}
	logs := &gatedWriter{w: logOut}
	caps := mqtt.NewDefaultServerCapabilities()
	// MQTT 3.1.1 knows only 0x80 as a SUBACK failure [MQTT-3.9.3-2].
	caps.Compatibilities.ObscureNotAuthorized = true
	srv := mqtt.New(&mqtt.Options{Capabilities: caps,
		Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return nil, fmt.Errorf("-serve: %w", err)
	}
	if err := srv.AddListener(listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "serve", Address: addr})); err != nil {
		return nil, fmt.Errorf("-serve %s: %w", addr, err)
	}
	if err := srv.Serve(); err != nil {
		return nil, errors.Join(fmt.Errorf("-serve %s: %w", addr, err), srv.Close())
	}
	return &devBroker{srv: srv, addr: addr, logs: logs}, nil
}

// URL is the broker's address for a client.
func (b *devBroker) URL() string { return "tcp://" + b.addr }

// close stops listening and ends every client's connection; the broker
// logs nothing after it.
func (b *devBroker) close() {
	b.logs.close()
	_ = b.srv.Close()
}
