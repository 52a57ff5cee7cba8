package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// newStore makes the paho store that keeps unacknowledged QoS 1/2 messages.
// A file store lives in StoreDirectory/<client ID> so that two clients
// sharing a directory never resend each other's messages. The directory is
// made and probed here because paho's file store panics when it cannot
// create it.
func newStore(cfg Config) (mqttclient.Store, error) {
	if cfg.MessageStore == StoreMemory {
		return mqttclient.NewMemoryStore(), nil
	}
	dir := filepath.Join(cfg.StoreDirectory, storeDirName(cfg.ClientID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%w: StoreDirectory: %w", ErrInvalidConfig, err)
	}
	probe, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("%w: StoreDirectory: not writable: %w", ErrInvalidConfig, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	return mqttclient.NewFileStore(dir), nil
}

// storeDirName turns a client ID (any UTF-8) into one safe path element:
// bytes outside [A-Za-z0-9_-] become %XX, so distinct IDs stay distinct.
func storeDirName(clientID string) string {
	var b strings.Builder
	b.WriteString("client-") // never "", "." or ".."
	for i := 0; i < len(clientID); i++ {
		ch := clientID[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch >= '0' && ch <= '9', ch == '-', ch == '_':
			b.WriteByte(ch)
		default:
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}
