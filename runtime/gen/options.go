package gen

import (
	"fmt"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// PublishOption overrides, for one call, how a message is delivered; the
// defaults come from the operation's MQTT binding.
type PublishOption func(publishOptions) publishOptions

// publishOptions is passed by value so that a publish without options
// allocates nothing for them.
type publishOptions struct {
	qos    byte
	retain bool
}

// WithQoS publishes with quality of service qos (0, 1 or 2) instead of the
// document's; another value is refused with mqttrt.ErrInvalidQoS.
func WithQoS(qos byte) PublishOption {
	return func(o publishOptions) publishOptions {
		o.qos = qos
		return o
	}
}

// WithRetain sets whether the broker keeps the message as the topic's
// retained message, instead of the document's choice.
func WithRetain(retain bool) PublishOption {
	return func(o publishOptions) publishOptions {
		o.retain = retain
		return o
	}
}

// SubscribeOption shares a subscription or sets its QoS.
type SubscribeOption func(*subscribeOptions)

type subscribeOptions struct {
	group  string
	qos    byte
	hasQoS bool
}

// WithShareGroup makes the subscription shared ($share/<group>/<filter>):
// the broker hands each message to one subscriber of the group, so several
// instances of a service split the load. group must not be empty nor
// contain /, + or #.
func WithShareGroup(group string) SubscribeOption {
	return func(o *subscribeOptions) { o.group = group }
}

// WithSubscribeQoS subscribes with quality of service qos (0, 1 or 2)
// instead of the document's, for example to receive a QoS 1 channel at
// QoS 2; the broker delivers each message at the lower of this and the QoS
// it was published with. Another value is refused with
// mqttrt.ErrInvalidQoS.
func WithSubscribeQoS(qos byte) SubscribeOption {
	return func(o *subscribeOptions) { o.qos, o.hasQoS = qos, true }
}

func checkQoS(qos byte) error {
	if qos > 2 {
		return fmt.Errorf("qos %d: %w", qos, mqttrt.ErrInvalidQoS)
	}
	return nil
}
