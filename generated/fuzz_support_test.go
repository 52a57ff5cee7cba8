package generated_test

import (
	"context"
	"slices"
	"sync"

	paho "github.com/eclipse/paho.mqtt.golang"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// capturePubSub is an mqttrt.PubSub without a broker: it keeps the handlers
// of every subscription so a test can feed the generated receive path any
// message it likes, and records what the generated code reports. Like the
// runtime, it keeps several handlers per filter, and a Subscription removes
// exactly its own.
type capturePubSub struct {
	maxPayload int

	mu        sync.Mutex
	handlers  map[string][]*captureSubscription
	published []capturedPublish
	rejected  []error
}

type capturedPublish struct {
	topic   string
	qos     byte
	retain  bool
	payload []byte
}

var _ mqttrt.PubSub = (*capturePubSub)(nil)

func newCapturePubSub(maxPayload int) *capturePubSub {
	return &capturePubSub{maxPayload: maxPayload, handlers: map[string][]*captureSubscription{}}
}

func (p *capturePubSub) PublishContext(_ context.Context, topic string, qos byte, retained bool, payload []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.published = append(p.published, capturedPublish{topic, qos, retained, append([]byte(nil), payload...)})
	return nil
}

func (p *capturePubSub) SubscribeContext(_ context.Context, filter string, _ byte, handler mqttrt.MessageHandler) (mqttrt.Subscription, error) {
	if err := mqttrt.ValidateFilter(filter); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := &captureSubscription{p: p, filter: filter, handler: handler}
	p.handlers[filter] = append(p.handlers[filter], s)
	return s, nil
}

// captureSubscription is one handler of a capturePubSub.
type captureSubscription struct {
	p       *capturePubSub
	filter  string
	handler mqttrt.MessageHandler
}

func (s *captureSubscription) Filter() string { return s.filter }

func (s *captureSubscription) Unsubscribe(context.Context) error {
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	s.p.handlers[s.filter] = slices.DeleteFunc(s.p.handlers[s.filter], func(h *captureSubscription) bool { return h == s })
	return nil
}

func (p *capturePubSub) DefaultQoS() byte { return 0 }

func (p *capturePubSub) RecordRejected(_ string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rejected = append(p.rejected, err)
}

// MaxPayloadSize is picked up by the generated NewClient, as from a
// runtime client.
func (p *capturePubSub) MaxPayloadSize() int { return p.maxPayload }

// deliver hands m to every handler of filter, as the runtime's router
// would, and reports whether there was one.
func (p *capturePubSub) deliver(filter string, m paho.Message) bool {
	p.mu.Lock()
	subs := slices.Clone(p.handlers[filter])
	p.mu.Unlock()
	for _, s := range subs {
		s.handler(nil, m)
	}
	return len(subs) > 0
}

// fakeMessage is a received message made by a test.
type fakeMessage struct {
	topic               string
	payload             []byte
	qos                 byte
	duplicate, retained bool
}

func (m fakeMessage) Duplicate() bool   { return m.duplicate }
func (m fakeMessage) Qos() byte         { return m.qos }
func (m fakeMessage) Retained() bool    { return m.retained }
func (m fakeMessage) Topic() string     { return m.topic }
func (m fakeMessage) MessageID() uint16 { return 1 }
func (m fakeMessage) Payload() []byte   { return m.payload }
func (m fakeMessage) Ack()              {}
