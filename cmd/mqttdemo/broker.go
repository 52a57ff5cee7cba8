package main

import (
	"fmt"
	"io"
	"log/slog"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// embeddedBroker starts an in-process MQTT broker on a free loopback port,
// so the demo runs with nothing installed. It returns the broker's URL and
// a function that stops it.
func embeddedBroker() (string, func(), error) {
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		return "", nil, err
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "demo", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		return "", nil, fmt.Errorf("embedded broker: %w", err)
	}
	if err := srv.Serve(); err != nil {
		return "", nil, fmt.Errorf("embedded broker: %w", err)
	}
	return "tcp://" + tcp.Address(), func() { srv.Close() }, nil
}
