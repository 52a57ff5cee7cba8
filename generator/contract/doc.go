// Package contract holds an AsyncAPI document to the traffic of a live
// MQTT system, with no generated code: it is what "mqttgen watch" and
// "mqttgen mock" run.
//
// A Watcher subscribes to the channels of a document (parameters as +)
// and checks each message received: the topic against the channels'
// addresses and parameters (non-empty, one level, in the enum, valid
// against a 2.x parameter schema), the payload against the messages the
// channel carries, with the runtime's JSON Schema validator. JSON
// payloads are validated as JSON, text/* payloads as a JSON string,
// application/octet-stream (and other) payloads not at all; payloads whose
// schema is not JSON Schema (Avro...) are reported as not checked. Each
// verdict is a Report: ok, or every violation with its JSON pointer and
// rule.
//
// A Mock plays a side of the document: it publishes the messages of the
// operations that side sends, made from the document — the message's
// examples, else the schema's examples, default, const or enum, else a
// value generated from the schema (types, bounds, lengths, patterns,
// formats, required properties, items, allOf/oneOf/anyOf, recursion) —
// on topics made from the parameters' examples, enum or default, else a
// placeholder. Every payload is validated before it is sent; what cannot
// be made valid is reported by Skipped and never sent.
//
// Roles are generator.Role values, with generate's meaning: the app is
// the application the document describes, the client its counterpart.
package contract
