package templates

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// Validation emits one compiled schema per distinct message payload:
//
//	// schemaReading validates payloads of message reading (...).
//	var schemaReading = mqttrt.CompileOnUse("Reading", "{...}")
//
// and, when the schema uses only keywords the fast path decides (see
// validate_emit.go) and the payload has no fast decoder, the one-pass
// check validReading(data []byte) bool (validReadingText(v string) bool
// for text payloads) that the codecs try first. Decoders and Encoders emit the fast codecs into files of their
// own, and CheckSchemas compiles every schema at generation time, so that
// a schema the validator refuses is a generation error, never a panic when
// the generated package loads; all of them run in parallel.
func Validation(f *jen.File, s *Spec) error {
	fast := newFastEmitter(f, "fast", "check")
	defer fast.decls()
	return eachPayloadSchema(s.Doc, true, func(name string, m *model.Message, js []byte) {
		label := strings.TrimPrefix(name, "schema")
		f.Comment(fmt.Sprintf("%s validates the payload of message %s, compiled on first use.", name, messageLabel(m)))
		f.Var().Id(name).Op("=").Qual(runtimePath, "CompileOnUse").Call(jen.Lit(label), jen.Lit(string(js)))
		f.Line()
		// A payload with a fast decoder gets no check of the bytes: the
		// decoder checks as it fills and the encoder as it writes (see
		// HasFastCheck).
		switch {
		case s.paths(m).check && isTextMessage(m):
			fast.text(name, m.Payload)
		case s.paths(m).check:
			fast.payload(name, m.Payload)
		}
	})
}

// Decoders emits, for each JSON payload struct the fast decoder covers
// (see codec_emit.go), fastDecodeX with the fillX functions of the structs
// it reaches; Encoders emits the appendX encoders of the same structs.
// Both check as they go, so a payload with a fast decoder has no validX.
// They are two files so that a large document's codecs are formatted on
// two cores.
func Decoders(f *jen.File, s *Spec) error {
	fast := newFastEmitter(f, "decoding", "decodingCheck")
	defer fast.decls()
	return eachPayloadSchema(s.Doc, false, func(name string, m *model.Message, _ []byte) {
		if !isTextMessage(m) && s.paths(m).decode {
			fast.fastDecode(name, m.Payload)
		}
	})
}

// Encoders emits the appendX encoders (see Decoders).
func Encoders(f *jen.File, s *Spec) error {
	fast := newFastEmitter(f, "encoding", "encodingCheck")
	defer fast.decls()
	return eachPayloadSchema(s.Doc, false, func(_ string, m *model.Message, _ []byte) {
		if !isTextMessage(m) && s.paths(m).decode {
			fast.fastEncode(m.Payload)
		}
	})
}

// CheckSchemas compiles each payload schema Validation emits, with the
// settings runtime.MustCompileSchema uses, and returns the first that does
// not compile. The schemas are compiled together first, each named schema
// once however many payloads nest it (checkBundle); only when that fails
// are the payloads compiled one by one, to name the one at fault. It reads
// the schemas and none of the Go names, so it may run while the naming
// stage writes them.
func CheckSchemas(doc *model.Document) error {
	var roots []*model.Schema
	var msgs []*model.Message
	seen := map[*model.Schema]bool{}
	for _, m := range doc.Messages {
		if hasSchema(m) && !seen[m.Payload] {
			seen[m.Payload] = true
			roots = append(roots, m.Payload)
			msgs = append(msgs, m)
		}
	}
	bundle, pointers, err := checkBundle(roots)
	if err != nil {
		return err
	}
	together := compileBundle(bundle, pointers)
	if together == nil {
		return nil
	}
	for _, m := range msgs {
		js, err := schemaJSON(m.Payload, true)
		if err != nil {
			return fmt.Errorf("%s: %w", m.Payload.Loc, err)
		}
		if err := checkCompiles(firstNonEmpty(m.Payload.Key, m.Name, m.Key, "payload"), js); err != nil {
			return fmt.Errorf("%s: %w", m.Payload.Loc, err)
		}
	}
	// Each payload compiles on its own, so the bundle should have too.
	return fmt.Errorf("the payload schemas do not compile together (a generator bug; please report it with the document): %w", together)
}

// eachPayloadSchema calls emit, in document order, once per distinct
// payload schema variable (SchemaVar), with the schema as JSON when
// withJSON (else nil).
func eachPayloadSchema(doc *model.Document, withJSON bool, emit func(name string, m *model.Message, js []byte)) error {
	emitted := map[string]*model.Schema{}
	for _, m := range doc.Messages {
		name := SchemaVar(m)
		if name == "" {
			continue
		}
		if prev, ok := emitted[name]; ok {
			if prev != m.Payload {
				return fmt.Errorf("%s: payload schema variable %s is already used by another schema", m.Loc, name)
			}
			continue
		}
		emitted[name] = m.Payload
		var js []byte
		if withJSON {
			var err error
			if js, err = SchemaJSON(m.Payload); err != nil {
				return fmt.Errorf("%s: %w", m.Payload.Loc, err)
			}
		}
		emit(name, m, js)
	}
	return nil
}

// HasFastCheck reports whether Validation emits a fast check for m's
// payload (validX, or validXText for a text payload): its schema uses only
// keywords the fast path decides, and it has no fast decoder, which checks
// as it fills (and the encoder as it writes) so that a check of the bytes
// alone would have nothing left to do.
func HasFastCheck(m *model.Message) bool { return fastPathsOf(m).check }

// HasFastDecode reports whether Validation emits a fast decoder for m's
// JSON payload (see codec_emit.go).
func HasFastDecode(m *model.Message) bool { return fastPathsOf(m).decode }

// fastPathsOf decides HasFastCheck and HasFastDecode in one walk of the
// payload schema: a fast decoder needs what a fast check needs
// (FastCovered) and a struct it fills as encoding/json does
// (fillableStruct).
func fastPathsOf(m *model.Message) fastPaths {
	if SchemaVar(m) == "" {
		return fastPaths{}
	}
	if isTextMessage(m) {
		return fastPaths{check: textCovered(m.Payload)}
	}
	covered := FastCovered(m.Payload)
	fillable := covered && fillableStruct(m.Payload, map[*model.Schema]bool{})
	return fastPaths{check: covered && !fillable, decode: fillable && codecOf(m) == codecJSON}
}

// FastDecodeName names the fast decoder HasFastDecode reports.
func FastDecodeName(m *model.Message) string { return fastDecodeFunc(SchemaVar(m)) }

// FastEncodeName names the encoder Validation emits with the fast decoder
// (HasFastDecode), appending a payload as json.Marshal writes it.
func FastEncodeName(m *model.Message) string { return fastEncodeFunc(m.Payload) }

// FastCheckName names the fast check HasFastCheck reports.
func FastCheckName(m *model.Message) string {
	if isTextMessage(m) {
		return fastTextFunc(SchemaVar(m))
	}
	return fastFunc(SchemaVar(m))
}

func messageLabel(m *model.Message) string {
	for _, s := range []string{m.Name, m.Key, m.GoName} {
		if s != "" {
			return s
		}
	}
	return "(unnamed)"
}

// SchemaVar names the package-level variable holding m's compiled payload
// schema: "schema" plus the payload's type name, else plus the message's
// name and "Payload". It is "" when m has no payload schema to check: no
// payload, a non-JSON-Schema format, a content type that is neither JSON
// nor text, or a text payload whose schema does not admit strings (see
// TextValidated).
func SchemaVar(m *model.Message) string {
	if !hasSchema(m) {
		return ""
	}
	if m.Payload.GoName != "" {
		return "schema" + m.Payload.GoName
	}
	for _, n := range []string{m.GoName, naming.Pascal(m.Name), naming.Pascal(m.Key)} {
		if n != "" {
			return "schema" + n + "Payload"
		}
	}
	return "schemaPayload"
}

// hasSchema reports whether m's payload is validated by a JSON Schema:
// JSON, or text that a string schema describes.
func hasSchema(m *model.Message) bool {
	if m == nil || m.Payload == nil || !isJSONSchemaFormat(m.SchemaFormat) {
		return false
	}
	return isJSONContent(m.ContentType) || isTextMessage(m) && TextValidated(m.Payload)
}

// isJSONSchemaFormat accepts the AsyncAPI and JSON Schema payload formats
// (empty means the AsyncAPI default); Avro, RAML, Protobuf are not ours.
func isJSONSchemaFormat(f string) bool {
	f = strings.ToLower(f)
	return f == "" || strings.HasPrefix(f, "application/vnd.aai.asyncapi") ||
		strings.HasPrefix(f, "application/schema+json") || strings.HasPrefix(f, "application/schema+yaml")
}

// isTextMessage reports a text/* payload, handled as a Go string.
func isTextMessage(m *model.Message) bool {
	ct := strings.ToLower(strings.TrimSpace(m.ContentType))
	return !isJSONContent(ct) && strings.HasPrefix(ct, "text/")
}

// isJSONContent accepts JSON content types (and an unset one, JSON by
// default).
func isJSONContent(ct string) bool {
	ct = strings.ToLower(ct)
	return ct == "" || strings.Contains(ct, "json")
}

// compileBundle compiles the definitions at pointers of the check bundle
// (see checkBundle) with one compiler, so each schema in it is checked
// against the meta-schema and compiled once.
func compileBundle(bundle []byte, pointers []string) error {
	c := newCompiler()
	const loc = "mqttgen:///payloads.json"
	if err := c.AddResource(loc, bytes.NewReader(bundle)); err != nil {
		return err
	}
	for _, p := range pointers {
		if _, err := c.Compile(loc + "#" + p); err != nil {
			return err
		}
	}
	return nil
}

// newCompiler has the settings runtime.CompileSchema uses (draft-07,
// formats asserted).
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	return c
}

// checkCompiles compiles js with the settings runtime.CompileSchema uses
// (draft-07, formats asserted). The runtime is not imported here so the
// generator does not link the MQTT client.
func checkCompiles(name string, js []byte) error {
	c := newCompiler()
	loc := "mqttgen:///" + url.PathEscape(name) + ".json"
	if err := c.AddResource(loc, strings.NewReader(string(js))); err != nil {
		return fmt.Errorf("schema %s: %w", name, err)
	}
	if _, err := c.Compile(loc); err != nil {
		return fmt.Errorf("schema %s does not compile: %w", name, err)
	}
	return nil
}
