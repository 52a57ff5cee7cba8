package contract

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Publisher is what a Mock publishes with; *runtime.Client implements it,
// and so can a fake that records what it is given.
type Publisher interface {
	PublishContext(ctx context.Context, topic string, qos byte, retained bool, payload []byte) error
	// DefaultQoS is used when the operation's binding names no QoS.
	DefaultQoS() byte
}

// MockRun says how much a Mock sends, and how fast.
type MockRun struct {
	// Rate is messages per second (0: as fast as the publisher takes them).
	Rate float64
	// Count is how many messages to send (0: until the context ends).
	Count int
}

// Sent is one message a Mock published.
type Sent struct {
	Operation string
	Channel   string
	Message   string
	Topic     string
	Params    map[string]string
	Payload   []byte
	Source    string // where the payload came from (see Planned.Sources)
	QoS       byte
	Retained  bool
}

// Run publishes the planned messages in turn (each message of each
// operation, then again with the next payload and topic of each) until
// Count messages were sent or ctx ends, and calls sent after each
// publish. It returns how many it sent. An error wraps
// runtime.ErrInvalidConfig for a negative (or NaN) rate or count,
// runtime.ErrValidation when nothing can be sent, or is the publisher's.
func (m *Mock) Run(ctx context.Context, pub Publisher, run MockRun, sent func(Sent)) (int, error) {
	if math.IsNaN(run.Rate) || run.Rate < 0 || run.Count < 0 {
		return 0, fmt.Errorf("%w: rate %v and count %d must not be negative", mqttrt.ErrInvalidConfig, run.Rate, run.Count)
	}
	if len(m.items) == 0 {
		return 0, fmt.Errorf("%w: no message of the operations can be made valid (see Skipped)", mqttrt.ErrValidation)
	}
	var tick <-chan time.Time
	if run.Rate > 0 {
		// A rate so slow that its interval overflows a Duration waits
		// the longest one (292 years), not none at all.
		every := time.Duration(math.MaxInt64)
		if d := float64(time.Second) / run.Rate; d < math.MaxInt64 {
			every = time.Duration(d)
		}
		if every > 0 {
			t := time.NewTicker(every)
			defer t.Stop()
			tick = t.C
		}
	}
	n := 0
	for k := 0; run.Count == 0 || k < run.Count; k++ {
		if k > 0 && tick != nil {
			select {
			case <-ctx.Done():
				return n, nil
			case <-tick:
			}
		}
		if ctx.Err() != nil {
			return n, nil
		}
		it := m.items[k%len(m.items)]
		round := k / len(m.items)
		p := it.payloads[round%len(it.payloads)]
		t := it.topics[round%len(it.topics)]
		qos := pub.DefaultQoS()
		if it.qos != nil {
			qos = byte(*it.qos)
		}
		if err := pub.PublishContext(ctx, t.topic, qos, it.retain, p.data); err != nil {
			if ctx.Err() != nil {
				return n, nil
			}
			return n, fmt.Errorf("publishing %s of operation %s on %s: %w", messageName(it.msg), it.op.Key, t.topic, err)
		}
		n++
		if sent != nil {
			sent(Sent{Operation: it.op.Key, Channel: it.op.Channel.Key, Message: messageName(it.msg), Topic: t.topic,
				Params: maps.Clone(t.params), Payload: slices.Clone(p.data), Source: p.source, QoS: qos, Retained: it.retain})
		}
	}
	return n, nil
}
