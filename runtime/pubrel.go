package runtime

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"net"
	"net/url"
	"os"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
	"golang.org/x/net/proxy"
)

// Paho (v1.5.1) breaks QoS 2's exactly-once sending across a reconnection
// in two ways, both of which made a subscriber receive one message twice
// after a broker restart (TestFaultBrokerRestartMidStream):
//
//  1. It keeps the PUBLISH in its store until the PUBCOMP and, when it
//     resumes the session, sends that PUBLISH again even when the broker
//     had answered with PUBREC and been sent the PUBREL; after a PUBREC
//     the sender must send only the PUBREL [MQTT-4.3.3-3]. A broker that
//     had already released the message takes the PUBLISH for a new one.
//  2. A PUBLISH handed to paho while the link was going down waits in its
//     queue and is written on the new connection as well as resent from
//     the store; when the resend's flow has completed first, the broker
//     takes the late copy for a new message.
//
// Paho tells its store about neither, so the runtime watches what is
// written to the connection: a PUBREL replaces the stored PUBLISH of its
// packet ID (paho then resumes with the PUBREL, as it does for a PUBREL it
// finds in the store), and a QoS 2 PUBLISH that is no longer the one the
// store holds for its packet ID is not written.

// pubrelConn is a broker connection that keeps paho's QoS 2 sending
// exactly-once (see above).
type pubrelConn struct {
	net.Conn
	guard *qos2Guard
	// persistent: the session outlives the connection, so a packet ID the
	// store no longer holds had its flow completed (a clean session empties
	// the store and resends nothing).
	persistent bool
}

// Write checks the packet before writing it, so that the store holds a
// PUBREL before the broker's PUBCOMP can remove it. Paho writes each packet
// in one call.
func (c *pubrelConn) Write(b []byte) (int, error) {
	switch {
	case len(b) == 4 && b[0] == 0x62 && b[1] == 2: // PUBREL: 0x62, remaining length 2, packet ID
		c.guard.pubrelSent(binary.BigEndian.Uint16(b[2:]))
	case len(b) > 0 && b[0]&0xF6 == 0x34: // PUBLISH (type 3) at QoS 2, any DUP and RETAIN flags
		if id, topic, payload, ok := parseQoS2Publish(b); ok && !c.guard.publishable(id, topic, payload, c.persistent) {
			return len(b), nil // a late copy whose flow has moved on: see above
		}
	}
	return c.Conn.Write(b)
}

// parseQoS2Publish reads the packet ID, topic and payload of one whole QoS 2
// PUBLISH packet.
func parseQoS2Publish(b []byte) (id uint16, topic, payload []byte, ok bool) {
	i, length, shift := 1, 0, 0
	for {
		if i >= len(b) || i > 4 {
			return 0, nil, nil, false
		}
		d := b[i]
		i++
		length |= int(d&0x7f) << shift
		if d&0x80 == 0 {
			break
		}
		shift += 7
	}
	if len(b)-i != length || length < 4 {
		return 0, nil, nil, false
	}
	n := int(binary.BigEndian.Uint16(b[i:]))
	i += 2
	if i+n+2 > len(b) {
		return 0, nil, nil, false
	}
	topic = b[i : i+n]
	i += n
	return binary.BigEndian.Uint16(b[i:]), topic, b[i+2:], true
}

// openConnection opens the network connection to a broker as paho does
// (proxy settings from the environment included) and wraps it in a
// pubrelConn, reading through a buffer (bufferedConn).
func (c *Client) openConnection(uri *url.URL, o mqttclient.ClientOptions) (net.Conn, error) {
	conn, err := dialBroker(uri, o)
	if err != nil {
		return nil, err
	}
	return &pubrelConn{Conn: newBufferedConn(conn), guard: c.guard, persistent: !*c.cfg.CleanSession}, nil
}

// dialBroker is paho's openConnection for the schemes the runtime accepts
// (see brokerSchemes).
func dialBroker(uri *url.URL, o mqttclient.ClientOptions) (net.Conn, error) {
	dialer := o.Dialer
	if dialer == nil {
		dialer = &net.Dialer{Timeout: o.ConnectTimeout}
	}
	switch uri.Scheme {
	case "ws", "wss":
		u := *uri // the websocket dialer refuses URLs with user info
		u.User = nil
		var tlsCfg *tls.Config
		if uri.Scheme == "wss" {
			tlsCfg = o.TLSConfig
		}
		return mqttclient.NewWebsocket(u.String(), tlsCfg, o.ConnectTimeout, o.HTTPHeaders, o.WebsocketOptions)
	case "ssl", "tls", "mqtts":
		if os.Getenv("all_proxy") == "" {
			return tls.DialWithDialer(dialer, "tcp", uri.Host, o.TLSConfig)
		}
		// Through a proxy the handshake is made here. Paho's own version of
		// this gave it no server name (every handshake failed unless
		// verification was off) and no deadline (a silent broker held the
		// connection attempt, hence paho, forever).
		conn, err := proxy.FromEnvironmentUsing(dialer).Dial("tcp", uri.Host)
		if err != nil {
			return nil, err
		}
		cfg := o.TLSConfig.Clone()
		if cfg == nil {
			cfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if cfg.ServerName == "" {
			cfg.ServerName = uri.Hostname()
		}
		ctx, cancel := context.WithTimeout(context.Background(), o.ConnectTimeout)
		defer cancel()
		tlsConn := tls.Client(conn, cfg)
		if err := tlsConn.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tlsConn, nil
	}
	return proxy.FromEnvironmentUsing(dialer).Dial("tcp", uri.Host)
}
