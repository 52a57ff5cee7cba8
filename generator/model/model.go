// Package model is the version-independent, resolved view of an AsyncAPI
// document that the emitters walk. The loader builds it from AsyncAPI 2.x or
// 3.0; the naming stage fills the Go identities (GoName fields); emitters only
// read it. Every element keeps where it came from, for diagnostics and godoc.
package model

import "fmt"

// Pos is a position in a source file; Line and Col are 1-based.
type Pos struct {
	File string
	Line int
	Col  int
}

// Loc is where a model element was written: file position and the JSON
// pointer inside that file (e.g. "/channels/user~1signedup").
type Loc struct {
	Pos     Pos
	Pointer string
}

// String renders "file:line:col: /json/pointer".
func (l Loc) String() string {
	return fmt.Sprintf("%s:%d:%d: %s", l.Pos.File, l.Pos.Line, l.Pos.Col, l.Pointer)
}

// Document is one AsyncAPI document, with every $ref resolved and traits
// applied. Slices are in a deterministic order (document order for
// channels, operations and parameters; sorted by key for components).
type Document struct {
	Loc
	AsyncAPI    string // the asyncapi field, e.g. "2.6.0" or "3.0.0"
	Major       int    // 2 or 3
	ID          string // the id field, if any
	Title       string // info.title
	Version     string // info.version
	Description string // info.description
	ContentType string // defaultContentType

	Servers    []*Server
	Channels   []*Channel
	Operations []*Operation
	Messages   []*Message // every distinct message used by a channel or operation
	Schemas    []*Schema  // components/schemas, sorted by key
}

// Server is a broker the application can connect to.
type Server struct {
	Loc
	Name            string // key under servers
	URL             string // normalised for paho: tcp://, ssl://, ws://, wss:// (may contain {variables})
	Protocol        string // as written: mqtt, mqtts, ws, wss, secure-mqtt...
	ProtocolVersion string
	Title           string
	Summary         string
	Description     string
	Variables       []*ServerVariable // sorted by name
	Binding         *MQTTServerBinding
}

// ServerVariable is a {name} in a server URL.
type ServerVariable struct {
	Loc
	Name        string
	Default     string
	Enum        []string
	Description string
	Examples    []string
}

// MQTTServerBinding is bindings.mqtt on a server.
type MQTTServerBinding struct {
	Loc
	ClientID              string
	CleanSession          *bool
	KeepAlive             *int // seconds
	LastWill              *LastWill
	SessionExpiryInterval *int
	MaximumPacketSize     *int
}

// LastWill is the server binding's lastWill.
type LastWill struct {
	Topic   string
	QoS     int
	Message string
	Retain  bool
}

// Channel is a topic (address template) and the messages that travel on it.
type Channel struct {
	Loc
	Key         string // 3.0 channel key; 2.x the channel name (its address)
	Address     string // topic template, e.g. "sensors/{sensorId}/temperature"; may be empty in 3.0
	Title       string
	Summary     string
	Description string
	Parameters  []*Parameter // in the order they appear in Address
	Messages    []*Message   // in document order
	Servers     []string     // names of servers the channel is restricted to (empty = all)
	Extensions  map[string]any

	GoName string // PascalCase identity, set by the naming stage
}

// Parameter is a {name} in a channel address.
type Parameter struct {
	Loc
	Name        string
	Description string
	Schema      *Schema  // 2.x parameter schema; nil when none
	Enum        []string // 3.0 enum, or a string enum of the 2.x schema
	Default     string
	Examples    []string
	Location    string

	GoName string // field name in the <Channel>Params struct
}

// Action is what an operation does, from the described application's
// point of view.
type Action int

const (
	// Send: the application publishes (2.x "subscribe", 3.0 "send").
	Send Action = iota + 1
	// Receive: the application subscribes (2.x "publish", 3.0 "receive").
	Receive
)

func (a Action) String() string {
	switch a {
	case Send:
		return "send"
	case Receive:
		return "receive"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// Operation is one send or receive on one channel.
type Operation struct {
	Loc
	Key         string // 3.0 operation key; 2.x operationId, or "<action> <channel>" when absent
	OperationID string // 2.x operationId as written (empty when absent)
	Action      Action
	Channel     *Channel
	Messages    []*Message // the operation's messages; all of the channel's when it lists none
	Title       string
	Summary     string
	Description string
	Tags        []string
	Binding     *MQTTOperationBinding
	Reply       *Reply
	Extensions  map[string]any // x-* keys, e.g. x-go-name

	GoName string // <Op> in Publish<Op>/Subscribe<Op>, set by the naming stage
}

// MQTTOperationBinding is bindings.mqtt on an operation (or, in 2.x, the
// operation object inside a channel).
type MQTTOperationBinding struct {
	Loc
	QoS    *int
	Retain *bool
}

// Reply is a 3.0 operation reply.
type Reply struct {
	Loc
	Channel  *Channel // may be nil when only Address is given
	Address  string   // reply address location or template, when given
	Messages []*Message
}

// Message is one message definition.
type Message struct {
	Loc
	Key           string // components/messages key, or a key derived from where it was defined
	Name          string
	Title         string
	Summary       string
	Description   string
	ContentType   string // message contentType, else the document's default
	SchemaFormat  string // payload schema format (empty = AsyncAPI/JSON Schema)
	Payload       *Schema
	Headers       *Schema
	CorrelationID *CorrelationID
	Examples      []Example
	Binding       *MQTTMessageBinding
	Deprecated    bool
	Extensions    map[string]any

	GoName string // set by the naming stage
}

// CorrelationID says where a message's correlation ID lives.
type CorrelationID struct {
	Loc
	Description string
	Location    string
}

// Example is a message example; Payload and Headers are decoded JSON values.
type Example struct {
	Name    string
	Summary string
	Payload any
	Headers any
}

// MQTTMessageBinding is bindings.mqtt on a message.
type MQTTMessageBinding struct {
	Loc
	ContentType     string
	PayloadFormat   *int
	CorrelationData *Schema
	ResponseTopic   string
}
