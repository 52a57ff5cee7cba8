package runtime

import (
	"context"
	"fmt"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// pingFilterPrefix starts the filter Ping unsubscribes from. No
// subscription uses it, so the UNSUBSCRIBE changes nothing at the broker.
const pingFilterPrefix = "mqttgen-ping/"

// Ping makes a real round trip to the broker, bounded by ctx and
// OperationTimeout: it sends an UNSUBSCRIBE for a filter private to this
// client ("mqttgen-ping/<client ID>", never subscribed) and waits for the
// UNSUBACK, which the broker must send even when nothing was unsubscribed
// [MQTT-3.10.4-5]. Unlike a PINGREQ (which paho does not expose) or a
// publish, it needs no ACL permission and leaves no trace. A stalled link
// gives ErrTimeout; a closed one ErrNotConnected.
func (c *Client) Ping(ctx context.Context) error {
	if !c.IsConnected() {
		return fmt.Errorf("mqtt: ping: %w", ErrNotConnected)
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.OperationTimeout)
	defer cancel()
	filter := pingFilterPrefix + c.cfg.ClientID
	if ValidateFilter(filter) != nil { // a client ID holding + or #
		filter = pingFilterPrefix + storeDirName(c.cfg.ClientID)
	}
	tok, err := startPaho(ctx, func() mqttclient.Token { return c.pc.Unsubscribe(filter) })
	if err != nil {
		return fmt.Errorf("mqtt: ping: %w", err)
	}
	if err := waitToken(ctx, tok); err != nil {
		if ctx.Err() == nil {
			// Paho failed the UNSUBSCRIBE: the link was lost or closed.
			return fmt.Errorf("mqtt: ping: %w: %w", ErrNotConnected, err)
		}
		return fmt.Errorf("mqtt: ping: %w", err)
	}
	return nil
}
