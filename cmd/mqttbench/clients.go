package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// The variants compared, each on both sides (publisher and subscriber).
const (
	// variantPaho is hand-written paho: prebuilt bytes out, a handler that
	// only counts in.
	variantPaho = "paho"
	// variantRuntime is mqttgen's runtime client with the same bytes and a
	// counting handler: the runtime's own cost, without generated code.
	variantRuntime = "runtime"
	// variantTyped is the generated client with validation: every message
	// is encoded and validated on one side, validated and decoded on the
	// other, and reaches a typed handler.
	variantTyped = "typed"
	// variantTypedNoValidation is the generated client made
	// WithoutValidation.
	variantTypedNoValidation = "typed-noval"
)

var allVariants = []string{variantPaho, variantRuntime, variantTyped, variantTypedNoValidation}

// opTimeout bounds every connect, publish and subscribe.
const opTimeout = 10 * time.Second

// conn is one connected client of one variant.
type conn struct {
	variant string
	pc      paho.Client           // variantPaho
	rt      *mqttrt.Client        // the others
	sg      *sensorgateway.Client // the typed variants
}

func dial(variant, url, clientID string) (*conn, error) {
	c := &conn{variant: variant}
	if variant == variantPaho {
		o := paho.NewClientOptions().AddBroker(url).SetClientID(clientID).
			SetAutoReconnect(false).SetConnectTimeout(opTimeout).SetWriteTimeout(opTimeout)
		c.pc = paho.NewClient(o)
		tok := c.pc.Connect()
		if !tok.WaitTimeout(opTimeout) {
			return nil, fmt.Errorf("%s: connect: timeout", variant)
		}
		if err := tok.Error(); err != nil {
			return nil, fmt.Errorf("%s: connect: %w", variant, err)
		}
		return c, nil
	}
	rt, err := mqttrt.New(mqttrt.WithBroker(url), mqttrt.WithClientID(clientID),
		mqttrt.WithAutoReconnect(false), mqttrt.WithOperationTimeout(opTimeout),
		mqttrt.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	if err := rt.Connect(ctx); err != nil {
		return nil, fmt.Errorf("%s: connect: %w", variant, err)
	}
	c.rt = rt
	switch variant {
	case variantTyped:
		c.sg = sensorgateway.NewClient(rt)
	case variantTypedNoValidation:
		c.sg = sensorgateway.NewClient(rt, sensorgateway.WithoutValidation())
	case variantRuntime:
	default:
		c.close()
		return nil, fmt.Errorf("unknown variant %q", variant)
	}
	return c, nil
}

// publish sends one message of ch at qos and waits for the acknowledgement
// the QoS implies, as every variant's synchronous publish does.
func (c *conn) publish(ctx context.Context, ch channel, qos byte) error {
	switch {
	case c.pc != nil:
		tok := c.pc.Publish(ch.topic, qos, false, ch.payload)
		if !tok.WaitTimeout(opTimeout) {
			return fmt.Errorf("paho publish: timeout")
		}
		return tok.Error()
	case c.sg != nil:
		return ch.publish(ctx, c.sg, qos)
	default:
		return c.rt.PublishContext(ctx, ch.topic, qos, false, ch.payload)
	}
}

// publishFromHandler is publish for code running in a message handler:
// raw paho must not wait there (its handlers run on its router goroutine),
// so it only starts the publish; the runtime runs handlers on its own
// goroutines, where waiting is allowed.
func (c *conn) publishFromHandler(ctx context.Context, ch channel, qos byte) error {
	if c.pc != nil {
		c.pc.Publish(ch.topic, qos, false, ch.payload)
		return nil
	}
	return c.publish(ctx, ch, qos)
}

// subscribe calls got for every message of ch; the typed variants decode
// (and validate) it first, and count refused messages with rejected.
func (c *conn) subscribe(ctx context.Context, ch channel, got func(), rejected func()) error {
	switch {
	case c.pc != nil:
		tok := c.pc.Subscribe(ch.filter, ch.subQoS, func(paho.Client, paho.Message) { got() })
		if !tok.WaitTimeout(opTimeout) {
			return fmt.Errorf("paho subscribe: timeout")
		}
		return tok.Error()
	case c.sg != nil:
		// The error handler is set per subscription: NewClient has none,
		// and a refused message must be counted, not only logged.
		opts := []sensorgateway.ClientOption{sensorgateway.WithErrorHandler(func(string, error) { rejected() })}
		if c.variant == variantTypedNoValidation {
			opts = append(opts, sensorgateway.WithoutValidation())
		}
		c.sg = sensorgateway.NewClient(c.rt, opts...)
		return ch.onTyped(ctx, c.sg, got)
	default:
		_, err := c.rt.SubscribeContext(ctx, ch.filter, ch.subQoS, func(paho.Client, paho.Message) { got() })
		return err
	}
}

func (c *conn) close() {
	if c.pc != nil {
		c.pc.Disconnect(250)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	_ = c.rt.Disconnect(ctx)
}
