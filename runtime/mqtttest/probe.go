package mqtttest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// probeTimeout bounds one CONNECT/CONNACK exchange of mqttProbe.
const probeTimeout = 2 * time.Second

// mqttProbe sends an MQTT 3.1.1 CONNECT (clean session, client ID
// clientID) to addr and reads the CONNACK. It returns nil only for
// "connection accepted": an open port is not a ready broker (NATS answers
// CONNECT only once JetStream has its streams; RabbitMQ opens the port
// before its MQTT plugin can take sessions).
func mqttProbe(addr, clientID string) error {
	conn, err := net.DialTimeout("tcp", addr, probeTimeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(probeTimeout))

	// Variable header: protocol name "MQTT", level 4, flags (clean
	// session), keep-alive 10 s; payload: the client ID.
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 10, byte(len(clientID) >> 8), byte(len(clientID))}
	body = append(body, clientID...)
	packet := append([]byte{0x10, byte(len(body))}, body...)
	if _, err := conn.Write(packet); err != nil {
		return fmt.Errorf("send CONNECT: %w", err)
	}
	ack := make([]byte, 4)
	if _, err := io.ReadFull(conn, ack); err != nil {
		return fmt.Errorf("read CONNACK: %w", err)
	}
	if !bytes.Equal(ack[:2], []byte{0x20, 0x02}) {
		return fmt.Errorf("not a CONNACK: % x", ack)
	}
	if ack[3] != 0 {
		return fmt.Errorf("CONNACK refused the connection (return code %d)", ack[3])
	}
	_, _ = conn.Write([]byte{0xe0, 0}) // DISCONNECT, so no will and no session is kept
	return nil
}

// waitMQTTReady probes addr until it accepts an MQTT connection, p exits,
// or timeout passes. Each broker gets a client ID of its own: NATS nodes of
// one cluster share sessions, and one client ID probing two nodes at once
// would take its own session over.
func waitMQTTReady(p *process, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if p.hasExited() {
			return fmt.Errorf("%s exited before accepting MQTT connections on %s", p.name, addr)
		}
		if err = mqttProbe(addr, "mqtttest-probe-"+strings.NewReplacer(".", "-", ":", "-").Replace(addr)); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not accept MQTT connections on %s within %v: %w", p.name, addr, timeout, err)
}
