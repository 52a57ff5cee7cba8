package ir

import (
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// Package is everything one generated Go package declares.
type Package struct {
	// Name is the Go package name; Source the document's file name, as the
	// header cites it (never a path, so output does not depend on where the
	// generator ran).
	Name   string
	Source string
	// Doc is the document itself, for the package comment.
	Doc  *model.Document
	Role Role

	// Channels are those a generated operation uses, in document order.
	Channels []*Channel
	// Operations are the operations the role publishes or subscribes to,
	// in document order.
	Operations []*Operation
	// Types are the named Go types, sorted by name.
	Types []*Type
	// Codecs are the payload codecs, sorted by variable name.
	Codecs []*Codec
	// Schemas is the JSON Schema bundle every codec validates with: its
	// definitions, sorted by name.
	Schemas []Definition
	// SchemasVar names the bundle's variable.
	SchemasVar string
	Servers    []*Server

	// Names lists every identifier the package declares at package level,
	// methods of Client as Client.Name, sorted: what the namespace handed
	// out, the fixed declarations included.
	Names []string

	// Warnings are what Build noticed and generated anyway (or left out),
	// each with the document position it is about.
	Warnings loader.Diagnostics
}

// Definition is one entry of the schema bundle's "definitions".
type Definition struct {
	Name string
	JSON []byte // compact, keys sorted
}

// Channel is a topic template and the Go declarations made for it.
type Channel struct {
	Model  *model.Channel
	GoName string
	// Params are the address's parameters in address order; none for a
	// channel whose address is fixed.
	Params []*Param
	// ParamsType is <Channel>Params, "" for a fixed address.
	ParamsType string
	// AddressConst is <Channel>Address, the address as a constant.
	AddressConst string
	// TopicVar is the unexported variable holding the compiled address.
	TopicVar string
	// ParseFunc is Parse<Channel>Topic, "" for a fixed address.
	ParseFunc string
}

// Param is one {parameter} of a channel address.
type Param struct {
	Model *model.Parameter
	// Field is its field in the channel's Params type.
	Field string
	// Enum is set when the document lists the parameter's values.
	Enum *EnumType
}

// EnumType is a named string type with one constant per value, for an
// enum parameter.
type EnumType struct {
	Name   string
	Values []EnumValue
}

// EnumValue is one constant of an enum.
type EnumValue struct {
	Const string
	Value any // string or int64
}

// Operation is one operation the role publishes or subscribes to.
type Operation struct {
	Model   *model.Operation
	GoName  string
	Channel *Channel
	// Publish and Subscribe say which methods the role gets: a send
	// operation of the app is published, a receive operation subscribed;
	// the client role swaps them; both gets both.
	Publish, Subscribe bool
	// PublishMethod, SubscribeMethod and MessageAlias (<Op>Message, the
	// handler's argument type) are "" when not generated.
	PublishMethod   string
	SubscribeMethod string
	MessageAlias    string
	// DescriptorVar is the unexported variable describing the operation
	// to the runtime (topic, QoS, retain, codec).
	DescriptorVar string
	// Payload is the Go type of the operation's payload; Codec encodes and
	// decodes it.
	Payload *TypeRef
	Codec   *Codec
	// QoS is the binding's QoS (of the operation, else of its only
	// message), nil when the document names none; Retain likewise.
	QoS    *int
	Retain bool
	// Messages are the operation's messages.
	Messages []*Message
}

// Message is one message an operation carries.
type Message struct {
	Model  *model.Message
	GoName string
	// Payload is the message's payload type; Codec its codec.
	Payload *TypeRef
	Codec   *Codec
}

// Server is one server of the document with its Go declarations.
type Server struct {
	Model *model.Server
	// URLConst is Server<Name>URL; OptionsFunc is Server<Name>Options.
	URLConst    string
	OptionsFunc string
}
