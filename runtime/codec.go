package runtime

import (
	"encoding/json"
	"fmt"
)

// Codec encodes the payloads that are not already bytes: Publish passes
// []byte, string and json.RawMessage as they are and everything else
// through the client's Codec.
type Codec interface {
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// JSONCodec is the default Codec, on encoding/json.
type JSONCodec struct{}

// Marshal encodes v as JSON.
func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

// Unmarshal decodes JSON data into v.
func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// encodePayload turns a Publish payload into bytes. nil is an empty payload
// (which, retained, clears a topic's retained message).
func (c *Client) encodePayload(topic string, payload any) ([]byte, error) {
	switch p := payload.(type) {
	case nil:
		return nil, nil
	case []byte:
		return p, nil
	case string:
		return []byte(p), nil
	case json.RawMessage:
		return p, nil
	}
	b, err := c.codec.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("%w: topic %q: encode %T: %w", ErrPublishFailed, topic, payload, err)
	}
	return b, nil
}
