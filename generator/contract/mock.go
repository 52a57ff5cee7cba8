package contract

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// MockConfig says what a Mock plays.
type MockConfig struct {
	// Role is the side played: the mock publishes the operations this
	// role sends (RoleClient: the app's receive operations, the usual
	// choice to exercise the app; RoleApp: its send operations; RoleBoth:
	// all).
	Role generator.Role
	// Operations, when set, keeps only these operations (by their key:
	// the 3.0 operation key or the 2.x operationId).
	Operations []string
}

// Mock publishes messages made from a document. Every message is
// prepared, and checked, when the Mock is made: its topic is made from
// parameter values that pass the topic checks and reads back to the same
// values, and its payload validates against the message's schema. What
// cannot be made valid is never sent; Skipped says why.
type Mock struct {
	items   []*mockItem
	skipped []Skip
}

// mockItem is one message of one operation, ready to send.
type mockItem struct {
	op       *model.Operation
	msg      *model.Message
	topics   []mockTopic
	payloads []mockPayload
	qos      *int
	retain   bool
	rejected []string
}

type mockTopic struct {
	topic  string
	params map[string]string
}

type mockPayload struct {
	data   []byte
	source string
}

// Planned describes one message a Mock sends.
type Planned struct {
	Operation string
	Channel   string
	Message   string
	// Topics are the topics it cycles through (one per set of parameter
	// values), Sources where each payload it cycles through came from
	// ("message example 1", "schema default", "generated from the
	// schema"...).
	Topics  []string
	Sources []string
	// QoS is the operation binding's QoS; nil: the client's default.
	QoS    *int
	Retain bool
	// Rejected lists the candidates that broke the schema, and why.
	Rejected []string
}

// Skip is a message a Mock cannot send, and why.
type Skip struct {
	Operation string
	Message   string // "" when the whole operation is skipped
	Reason    string
}

// maxTopics bounds the topics a mock message cycles through.
const maxTopics = 4

// NewMock prepares the messages of cfg.Role's send operations in doc.
// The error wraps runtime.ErrInvalidConfig when cfg.Operations names an
// operation the document lacks or the role does not send, or the role
// sends nothing.
func NewMock(doc *model.Document, cfg MockConfig) (*Mock, error) {
	ops, err := mockOperations(doc, cfg)
	if err != nil {
		return nil, err
	}
	m := &Mock{}
	cache := &schemaCache{}
	for _, op := range ops {
		topics, why := mockTopics(op.Channel, cache)
		if why != "" {
			m.skipped = append(m.skipped, Skip{Operation: op.Key, Reason: why})
			continue
		}
		if len(op.Messages) == 0 {
			m.skipped = append(m.skipped, Skip{Operation: op.Key, Reason: "the operation declares no message"})
			continue
		}
		for _, msg := range op.Messages {
			item := &mockItem{op: op, msg: msg, topics: topics}
			if op.Binding != nil {
				item.qos = op.Binding.QoS
				item.retain = op.Binding.Retain != nil && *op.Binding.Retain
			}
			var why string
			item.payloads, item.rejected, why = mockPayloads(msg, cache)
			if len(item.payloads) == 0 {
				m.skipped = append(m.skipped, Skip{Operation: op.Key, Message: messageName(msg), Reason: why})
				continue
			}
			m.items = append(m.items, item)
		}
	}
	return m, nil
}

// mockOperations picks the operations the role sends, narrowed to
// cfg.Operations.
func mockOperations(doc *model.Document, cfg MockConfig) ([]*model.Operation, error) {
	var ops []*model.Operation
	for _, op := range doc.Operations {
		if sends(cfg.Role, op) {
			ops = append(ops, op)
		}
	}
	if len(ops) == 0 {
		return nil, fmt.Errorf("%w: role %s sends nothing in this document", mqttrt.ErrInvalidConfig, cfg.Role)
	}
	if len(cfg.Operations) == 0 {
		return ops, nil
	}
	var keys []string
	for _, op := range ops {
		keys = append(keys, op.Key)
	}
	var picked []*model.Operation
	for _, name := range cfg.Operations {
		i := slices.IndexFunc(ops, func(op *model.Operation) bool { return op.Key == name })
		if i < 0 {
			if slices.ContainsFunc(doc.Operations, func(op *model.Operation) bool { return op.Key == name }) {
				return nil, fmt.Errorf("%w: role %s does not send operation %q; it sends %s", mqttrt.ErrInvalidConfig, cfg.Role, name, strings.Join(keys, ", "))
			}
			return nil, fmt.Errorf("%w: no operation %q in the document; role %s sends %s", mqttrt.ErrInvalidConfig, name, cfg.Role, strings.Join(keys, ", "))
		}
		if !slices.Contains(picked, ops[i]) {
			picked = append(picked, ops[i])
		}
	}
	return picked, nil
}

// mockTopics makes up to maxTopics topics of ch from parameter values
// that pass the parameters' checks, keeping those that read back to the
// same values (a value holding a level's separator would not) and do not
// start with $. why says why there is none.
func mockTopics(ch *model.Channel, cache *schemaCache) (topics []mockTopic, why string) {
	addr, err := parseAddress(ch)
	if err != nil {
		return nil, err.Error()
	}
	checks := map[string]*paramCheck{}
	values := map[string][]string{}
	rounds := 1
	for _, p := range ch.Parameters {
		checks[p.Name] = newParamCheck(p, cache)
		values[p.Name] = checks[p.Name].values()
		if len(values[p.Name]) == 0 {
			return nil, fmt.Sprintf("no value of parameter %s passes its checks", p.Name)
		}
		rounds = max(rounds, len(values[p.Name]))
	}
	why = "no topic made from the parameters' values reads back to the same values"
	for j := range min(rounds, maxTopics) {
		params := map[string]string{}
		for name, vs := range values {
			params[name] = vs[j%len(vs)]
		}
		topic, err := addr.topic(params)
		if err != nil {
			why = err.Error()
			continue
		}
		if strings.HasPrefix(topic, "$") {
			// Brokers keep $ topics ($SYS...) to themselves, and a filter
			// starting with a wildcard does not match them [MQTT-4.7.2-1]:
			// a watcher of the channel would never see the message.
			why = fmt.Sprintf("topic %q starts with $, which is the broker's", topic)
			continue
		}
		back, ok := addr.match(topic)
		if !ok || !maps.Equal(back, params) || slices.ContainsFunc(topics, func(t mockTopic) bool { return t.topic == topic }) {
			continue
		}
		topics = append(topics, mockTopic{topic: topic, params: params})
	}
	if len(topics) == 0 {
		return nil, why
	}
	return topics, ""
}

// mockPayloads makes the payloads of msg: its examples that validate;
// when none does, a value generated from its schema (the schema's
// examples, default, const or enum first). rejected lists the examples
// that did not validate; why says why there is no payload at all.
func mockPayloads(msg *model.Message, cache *schemaCache) (payloads []mockPayload, rejected []string, why string) {
	pc := newPayloadCheck(msg, cache)
	if pc.kind == kindForeign {
		return nil, nil, "its payload cannot be checked: " + pc.why
	}
	add := func(v any, source string) error {
		data, err := encodePayload(pc.kind, v)
		if err == nil {
			err = pc.validate(data)
		}
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(payloads, func(p mockPayload) bool { return bytes.Equal(p.data, data) }) {
			payloads = append(payloads, mockPayload{data: data, source: source})
		}
		return nil
	}
	for i, ex := range msg.Examples {
		if ex.Payload == nil {
			continue
		}
		source := fmt.Sprintf("message example %d", i+1)
		if ex.Name != "" {
			source += " (" + ex.Name + ")"
		}
		if err := add(ex.Payload, source); err != nil {
			rejected = append(rejected, fmt.Sprintf("%s: %v", source, err))
		}
	}
	if len(payloads) > 0 {
		return payloads, rejected, ""
	}
	if pc.kind == kindAny {
		// No payload is declared: anything is valid.
		placeholder := any(map[string]any{})
		if ct := strings.ToLower(msg.ContentType); ct != "" && !strings.Contains(ct, "json") {
			placeholder = "mqttgen mock"
		}
		if err := add(placeholder, "placeholder (the message declares no payload)"); err != nil {
			return nil, rejected, err.Error()
		}
		return payloads, rejected, ""
	}
	v, source, err := generate(msg.Payload, func(v any) error {
		data, err := encodePayload(pc.kind, v)
		if err != nil {
			return err
		}
		return pc.validate(data)
	})
	if err == nil {
		err = add(v, source)
	}
	if err != nil {
		return nil, rejected, err.Error()
	}
	return payloads, rejected, ""
}

// encodePayload is the bytes a value travels as: JSON, the string itself
// for text, and for bytes a string's bytes or else its JSON.
func encodePayload(kind payloadKind, v any) ([]byte, error) {
	switch kind {
	case kindText:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%w: a text payload must be a string, not a JSON %s", mqttrt.ErrValidation, jsonType(v))
		}
		return []byte(s), nil
	case kindBinary:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	}
	data, err := marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", mqttrt.ErrValidation, err)
	}
	return data, nil
}

// Plan lists the messages the mock sends, in the order it sends them.
func (m *Mock) Plan() []Planned {
	out := make([]Planned, len(m.items))
	for i, it := range m.items {
		p := Planned{Operation: it.op.Key, Channel: it.op.Channel.Key, Message: messageName(it.msg),
			QoS: it.qos, Retain: it.retain, Rejected: slices.Clone(it.rejected)}
		for _, t := range it.topics {
			p.Topics = append(p.Topics, t.topic)
		}
		for _, pl := range it.payloads {
			p.Sources = append(p.Sources, pl.source)
		}
		out[i] = p
	}
	return out
}

// Skipped lists what the mock cannot send, and why.
func (m *Mock) Skipped() []Skip { return slices.Clone(m.skipped) }
