package contract

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu      sync.Mutex
	qos     byte
	fail    error
	records []Sent
}

func (r *recorder) PublishContext(_ context.Context, topic string, qos byte, retained bool, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.records = append(r.records, Sent{Topic: topic, QoS: qos, Retained: retained, Payload: payload})
	return nil
}

func (r *recorder) DefaultQoS() byte { return r.qos }

func mock(t *testing.T, text string, cfg MockConfig) *Mock {
	t.Helper()
	m, err := NewMock(loadText(t, text), cfg)
	require.NoError(t, err)
	return m
}

func TestMockPlansTheSensorGateway(t *testing.T) {
	m, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleClient})
	require.NoError(t, err)
	one, zero := 1, 0
	assert.Equal(t, []Planned{
		{Operation: "receiveTemperature", Channel: "temperature", Message: "temperatureReading",
			Topics:  []string{"sensors/kitchen/temperature", "sensors/office/temperature", "sensors/room-1/temperature"},
			Sources: []string{"generated from the schema"}, QoS: &one},
		{Operation: "receiveHumidity", Channel: "humidity", Message: "humidityReading",
			Topics:  []string{"sensors/kitchen/humidity", "sensors/office/humidity", "sensors/room-1/humidity"},
			Sources: []string{"generated from the schema"}, QoS: &zero},
	}, m.Plan())
	assert.Empty(t, m.Skipped())

	app, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleApp, Operations: []string{"sendStatus", "sendAlert"}})
	require.NoError(t, err)
	plan := app.Plan()
	require.Len(t, plan, 2)
	assert.Equal(t, "sendStatus", plan[0].Operation, "operations are sent in the order -operations names them")
	assert.True(t, plan[0].Retain)
	assert.Equal(t, []string{"gateway/gw-1/status", "gateway/gatewayId-1/status"}, plan[0].Topics)
	assert.Equal(t, []string{"schema enum value 1"}, plan[0].Sources)
	assert.Equal(t, []string{"alerts/info", "alerts/warning", "alerts/critical"}, plan[1].Topics)
}

func TestMockRunCyclesAndValidates(t *testing.T) {
	m, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleBoth})
	require.NoError(t, err)
	w := watcher(t, load(t, sensorGateway), WatchConfig{Role: generator.RoleBoth})
	rec := &recorder{qos: 0}
	var sent []Sent
	n, err := m.Run(context.Background(), rec, MockRun{Rate: 1000, Count: 14}, func(s Sent) { sent = append(sent, s) })
	require.NoError(t, err)
	assert.Equal(t, 14, n)
	require.Len(t, rec.records, 14)
	require.Len(t, sent, 14)
	// Six operations of one message each: the seventh message starts the
	// second round, on the next topic.
	assert.Equal(t, "sensors/kitchen/temperature", sent[0].Topic)
	assert.Equal(t, "sensors/office/temperature", sent[6].Topic)
	assert.Equal(t, "sensors/room-1/temperature", sent[12].Topic)
	assert.Equal(t, map[string]string{"room": "room-1"}, sent[12].Params)
	for i, s := range sent {
		assert.Equal(t, rec.records[i].Topic, s.Topic)
		assert.Equal(t, rec.records[i].Payload, s.Payload)
		r := w.Check(s.Topic, s.Payload)
		assert.Equal(t, StatusOK, r.Status, "%s", r)
		assert.Equal(t, s.Message, r.Message)
	}
	assert.Equal(t, byte(2), sent[2].QoS, "sendAlert's binding")
	assert.True(t, sent[4].Retained, "sendConfig's binding")
}

func TestMockRunStopsAndFails(t *testing.T) {
	m, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleClient})
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	n, err := m.Run(ctx, &recorder{}, MockRun{}, func(s Sent) {
		if s.Topic == "sensors/office/humidity" {
			cancel()
		}
	})
	require.NoError(t, err, "the end of the context is a normal stop")
	assert.Equal(t, 4, n)

	boom := errors.New("link down")
	n, err = m.Run(context.Background(), &recorder{fail: boom}, MockRun{Count: 3}, nil)
	assert.Equal(t, 0, n)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "publishing temperatureReading of operation receiveTemperature on sensors/kitchen/temperature")
}

const examplesDoc = `
asyncapi: 3.0.0
info: {title: t, version: '1'}
defaultContentType: application/json
channels:
  readings:
    address: 'r/{id}'
    parameters:
      id: {enum: [a/b, ok-1], default: nope}
    messages:
      reading:
        payload: {type: object, required: [v], properties: {v: {type: integer, maximum: 10}}}
        examples:
          - {name: fine, payload: {v: 3}}
          - {payload: {v: 4}}
  avro:
    address: avro
    messages:
      rec:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: {type: record, name: R, fields: []}
  impossible:
    address: impossible
    messages:
      never:
        payload: {type: object, required: [a], additionalProperties: false}
  unaddressed:
    messages:
      lost: {payload: {type: string}}
  text:
    address: text
    messages:
      note: {contentType: text/plain, payload: {type: integer}}
  raw:
    address: raw
    messages:
      blob: {contentType: application/octet-stream, payload: {type: string, minLength: 3}}
  empty:
    address: empty
    messages:
      nothing: {}
operations:
  sendReading: {action: send, channel: {$ref: '#/channels/readings'}}
  sendAvro: {action: send, channel: {$ref: '#/channels/avro'}}
  sendImpossible: {action: send, channel: {$ref: '#/channels/impossible'}}
  sendUnaddressed: {action: send, channel: {$ref: '#/channels/unaddressed'}}
  sendText: {action: send, channel: {$ref: '#/channels/text'}}
  sendRaw: {action: send, channel: {$ref: '#/channels/raw'}}
  sendEmpty: {action: send, channel: {$ref: '#/channels/empty'}}
  receiveReading: {action: receive, channel: {$ref: '#/channels/readings'}}
`

func TestMockUsesValidExamplesAndSaysWhatItCannotSend(t *testing.T) {
	m := mock(t, examplesDoc, MockConfig{Role: generator.RoleApp})
	plan := m.Plan()
	require.Len(t, plan, 3)
	assert.Equal(t, "sendReading", plan[0].Operation)
	assert.Equal(t, []string{"r/ok-1"}, plan[0].Topics, "a/b would add a level and nope is outside the enum")
	// The loader refuses a message example that breaks its schema, so
	// every message example is usable here.
	assert.Equal(t, []string{"message example 1 (fine)", "message example 2"}, plan[0].Sources)
	assert.Empty(t, plan[0].Rejected)
	assert.Equal(t, "sendRaw", plan[1].Operation)
	assert.Equal(t, "sendEmpty", plan[2].Operation)
	assert.Equal(t, []string{"placeholder (the message declares no payload)"}, plan[2].Sources)

	skipped := map[string]string{}
	for _, s := range m.Skipped() {
		skipped[s.Operation] = s.Reason
	}
	assert.Len(t, skipped, 4)
	assert.Contains(t, skipped["sendAvro"], "its payload cannot be checked: its schema format application/vnd.apache.avro")
	assert.Contains(t, skipped["sendImpossible"], `property "a" is required but additionalProperties forbids it`)
	assert.Contains(t, skipped["sendUnaddressed"], "channel unaddressed has no address")
	assert.Contains(t, skipped["sendText"], "text/plain text and its schema admits no string")

	rec := &recorder{qos: 1}
	_, err := m.Run(context.Background(), rec, MockRun{Count: 6}, nil)
	require.NoError(t, err)
	got := []string{}
	for _, r := range rec.records {
		got = append(got, r.Topic+" "+string(r.Payload))
		assert.Equal(t, byte(1), r.QoS, "no binding: the publisher's default QoS")
	}
	assert.Equal(t, []string{`r/ok-1 {"v":3}`, "raw example", "empty {}", `r/ok-1 {"v":4}`, "raw example", "empty {}"}, got)
}

func TestMockConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  MockConfig
		want string
	}{
		{MockConfig{Role: generator.RoleApp, Operations: []string{"nope"}}, `no operation "nope" in the document; role app sends sendReading, sendAvro`},
		{MockConfig{Role: generator.RoleApp, Operations: []string{"receiveReading"}}, `role app does not send operation "receiveReading"`},
	} {
		_, err := NewMock(loadText(t, examplesDoc), tc.cfg)
		require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)
		assert.Contains(t, err.Error(), tc.want)
	}
	onlyReceives := `
asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  in: {address: in, messages: {m: {payload: {type: string}}}}
operations:
  receive: {action: receive, channel: {$ref: '#/channels/in'}}
`
	_, err := NewMock(loadText(t, onlyReceives), MockConfig{Role: generator.RoleApp})
	require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "role app sends nothing in this document")

	nothing := mock(t, examplesDoc, MockConfig{Role: generator.RoleApp, Operations: []string{"sendAvro"}})
	n, err := nothing.Run(context.Background(), &recorder{}, MockRun{Count: 1}, nil)
	assert.Equal(t, 0, n)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
}
