package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// wireCodec is how a message's payload travels on the wire.
type wireCodec int

const (
	codecJSON   wireCodec = iota // encoding/json of the payload type, validated by its schema
	codecRaw                     // JSON without a usable JSON Schema: json.RawMessage
	codecText                    // text/*: string
	codecBinary                  // application/octet-stream and anything else: []byte
)

// codecOf picks the codec from the message's content type (already
// defaulted to the document's) and schema format, agreeing with
// SchemaVar on which payloads are JSON with a JSON Schema.
func codecOf(m *model.Message) wireCodec {
	ct := strings.ToLower(strings.TrimSpace(m.ContentType))
	switch {
	case isJSONContent(ct):
		if SchemaVar(m) == "" {
			return codecRaw
		}
		return codecJSON
	case strings.HasPrefix(ct, "text/"):
		return codecText
	}
	return codecBinary
}

// messageType is the Go type a message's payload is handled as.
func messageType(m *model.Message) *jen.Statement {
	switch codecOf(m) {
	case codecJSON:
		return TypeOf(m.Payload)
	case codecRaw:
		return jen.Qual("encoding/json", "RawMessage")
	case codecText:
		if n := textEnum(m); n != "" {
			return jen.Id(n)
		}
		return jen.String()
	}
	return jen.Index().Byte()
}

// textEnum is the named enum type of a text payload whose schema is a
// string enum (so PublishStatus takes a GatewayStatus, not any string);
// "" otherwise.
func textEnum(m *model.Message) string {
	core, nullable := Unwrap(m.Payload)
	if core == nil || nullable || core.GoName == "" || KindOf(core) != KindEnum || primaryType(core) != "string" {
		return ""
	}
	return core.GoName
}

// validated reports whether the message's payload is checked against a
// compiled schema, and by which variable.
func payloadSchemaVar(m *model.Message) (string, bool) {
	c := codecOf(m)
	if c != codecJSON && c != codecText {
		return "", false
	}
	v := SchemaVar(m)
	return v, v != ""
}

// payload is what an operation sends or receives: one message, a sum over
// several, or (when the document names none) raw bytes.
type opPayload struct {
	msg *model.Message // the only message, or nil
	sum *payloadSum    // set when there are several
}

// payloadSum is a struct with one pointer field per message; exactly one is
// set. It is named after the channel when it covers all of the channel's
// messages, else after the operation.
type payloadSum struct {
	name     string
	doc      string
	messages []*model.Message
}

// SumTypeName is the name of the type Messages emits for op's payload
// when op has several messages, "" otherwise. Its codec is named like a
// message's (encode<Name>), so the naming stage keeps messages off it.
func SumTypeName(op *model.Operation) string {
	if op.Channel == nil {
		return "" // no method, so no payload type
	}
	if p := payloadOf(op); p.sum != nil {
		return p.sum.name
	}
	return ""
}

// payloadOf is the payload of op.
func payloadOf(op *model.Operation) opPayload {
	switch len(op.Messages) {
	case 0:
		return opPayload{}
	case 1:
		return opPayload{msg: op.Messages[0]}
	}
	name := op.GoName + "Payload"
	what := "operation " + op.Key
	if sameMessages(op.Messages, op.Channel.Messages) {
		name = op.Channel.GoName + "Payload"
		what = "channel " + op.Channel.Key
	}
	return opPayload{sum: &payloadSum{name: name, doc: what, messages: op.Messages}}
}

func sameMessages(a, b []*model.Message) bool {
	if len(a) != len(b) {
		return false
	}
	in := map[*model.Message]bool{}
	for _, m := range b {
		in[m] = true
	}
	for _, m := range a {
		if !in[m] {
			return false
		}
	}
	return true
}

// goType is the Go type of the payload.
func (p opPayload) goType() *jen.Statement {
	switch {
	case p.sum != nil:
		return jen.Id(p.sum.name)
	case p.msg != nil:
		return messageType(p.msg)
	}
	return jen.Index().Byte()
}

// encodeFunc and decodeFunc name the generated helpers for the payload.
func (p opPayload) encodeFunc() string {
	switch {
	case p.sum != nil:
		return "encode" + p.sum.name
	case p.msg != nil:
		return "encode" + p.msg.GoName
	}
	return rawEncode
}

func (p opPayload) decodeFunc() string {
	switch {
	case p.sum != nil:
		return "decode" + p.sum.name
	case p.msg != nil:
		return "decode" + p.msg.GoName
	}
	return rawDecode
}

// describePayload names the payload for godoc.
func (p opPayload) describe() string {
	switch {
	case p.sum != nil:
		names := make([]string, len(p.sum.messages))
		for i, m := range p.sum.messages {
			names[i] = m.GoName
		}
		return fmt.Sprintf("one of the messages %s, as a %s", strings.Join(names, ", "), p.sum.name)
	case p.msg != nil:
		return "message " + firstNonEmpty(p.msg.Name, p.msg.Key, p.msg.GoName) + codecNote(p.msg)
	}
	return "a payload the document does not describe, as bytes"
}

func codecNote(m *model.Message) string {
	switch codecOf(m) {
	case codecRaw:
		return " (raw JSON: the document gives no JSON Schema for it)"
	case codecText:
		return " (" + m.ContentType + ", as a string)"
	case codecBinary:
		return " (" + firstNonEmpty(m.ContentType, "binary") + ", as bytes)"
	}
	return ""
}

// Messages emits the payload codecs the operations of s use:
//
//	func encodeReading(msg Reading, validate bool) ([]byte, error)
//	func decodeReading(data []byte, validate bool) (Reading, error)
//
// and, for operations with several messages, the sum type
//
//	type LightingPayload struct{ TurnOn *TurnOn; TurnOff *TurnOff }
//
// whose decoder picks the one message whose schema the payload matches.
func Messages(f *jen.File, s *Spec) error {
	done := map[string]bool{}
	var msgs []*model.Message
	var sums []*payloadSum
	raw := false
	for _, op := range s.operations() {
		p := payloadOf(op)
		switch {
		case p.sum != nil:
			if !done[p.sum.name] {
				done[p.sum.name] = true
				sums = append(sums, p.sum)
				msgs = append(msgs, p.sum.messages...)
			}
		case p.msg != nil:
			msgs = append(msgs, p.msg)
		default:
			raw = true
		}
	}
	seen := map[*model.Message]bool{}
	jsonCodecs := false
	for _, m := range msgs {
		if seen[m] {
			continue
		}
		seen[m] = true
		if codecOf(m) == codecJSON && !jsonCodecs {
			jsonCodecs = true
			emitJSONCodecs(f)
		}
		emitMessageCodec(f, m, s.paths(m))
	}
	for _, st := range sums {
		if err := emitPayloadSum(f, s, st); err != nil {
			return err
		}
	}
	if raw {
		emitRawCodec(f)
	}
	return nil
}

// operations is every operation of s, publish side first, without repeats.
func (s *Spec) operations() []*model.Operation {
	seen := map[*model.Operation]bool{}
	var out []*model.Operation
	for _, op := range append(append([]*model.Operation{}, s.Publish...), s.Subscribe...) {
		if !seen[op] {
			seen[op] = true
			out = append(out, op)
		}
	}
	return out
}

// validateStmt checks a payload before it is sent or after it arrived:
//
//	if validate && !validX(data) { // the fast path, when the schema allows one
//		if err := schemaX.ValidateJSON(data); err != nil {
//			return zero, err
//		}
//	}
//
// The compiled schema is asked whenever the fast check does not say
// "valid", so it alone decides refusals and words their errors.
func validateStmt(m *model.Message, fast fastPaths, value jen.Code, zero jen.Code) jen.Code {
	v, ok := payloadSchemaVar(m)
	if !ok {
		return jen.Null()
	}
	method := "ValidateJSON"
	if codecOf(m) == codecText {
		method = "Validate"
	}
	cond := jen.Id("validate")
	if fast.check {
		cond = cond.Op("&&").Op("!").Id(FastCheckName(m)).Call(value)
	}
	return jen.If(cond).Block(
		jen.If(jen.Err().Op(":=").Id(v).Dot(method).Call(value), jen.Err().Op("!=").Nil()).Block(
			jen.Return(zero, jen.Err()),
		),
	)
}

// jsonCodecBodies are the encoder and decoder bodies of a JSON payload
// with a schema. The fast paths, when the schema allows them, are direct
// calls (so the value does not escape to the heap); everything else is in
// marshalJSON and unmarshalJSON, emitted once per package:
//
//	if data, ok := appendReading(make([]byte, 0, 128), &msg); ok { // with a fast codec
//		return data, nil
//	}
//	return marshalJSON(msg, validate, "Reading", validReading, schemaReading) // validReading: the fast check, or nil
//
//	var msg Reading
//	if fastDecodeReading(data, &msg) { // with a fast codec
//		return msg, nil
//	}
//	return unmarshalJSON[Reading](data, validate, "Reading", validReading, schemaReading)
func jsonCodecBodies(m *model.Message, fast fastPaths, typ *jen.Statement, schema string) (enc, dec []jen.Code) {
	check := jen.Nil()
	if fast.check {
		check = jen.Id(FastCheckName(m))
	}
	if fast.decode {
		enc = append(enc, jen.If(jen.List(jen.Id("data"), jen.Id("ok")).Op(":=").Id(FastEncodeName(m)).Call(
			jen.Make(jen.Index().Byte(), jen.Lit(0), jen.Lit(encodeBufSize)), jen.Op("&").Id("msg")), jen.Id("ok")).Block(
			jen.Return(jen.Id("data"), jen.Nil())))
		dec = append(dec,
			jen.Var().Id("msg").Add(typ.Clone()),
			jen.If(jen.Id(FastDecodeName(m)).Call(jen.Id("data"), jen.Op("&").Id("msg"))).Block(jen.Return(jen.Id("msg"), jen.Nil())))
	}
	enc = append(enc, jen.Return(jen.Id("marshalJSON").Call(jen.Id("msg"), jen.Id("validate"), jen.Lit(m.GoName), check, jen.Id(schema))))
	dec = append(dec, jen.Return(jen.Id("unmarshalJSON").Types(typ.Clone()).Call(jen.Id("data"), jen.Id("validate"), jen.Lit(m.GoName), check.Clone(), jen.Id(schema))))
	return enc, dec
}

// emitJSONCodecs emits the slow paths every JSON payload with a schema
// shares. Decoding checks the decoded value again because encoding/json
// fills a field from a key that differs from its name only in case, which
// the schema took for another property; the fast check refuses such keys
// itself.
func emitJSONCodecs(f *jen.File) {
	schema := jen.Op("*").Add(rt("Schema"))
	checkType := jen.Func().Params(jen.Index().Byte()).Bool()
	f.Add(godoc("marshalJSON encodes msg with encoding/json and, when validate is set, checks it against schema unless check (the fast check, or nil) vouches for it. Errors name the message."))
	f.Func().Id("marshalJSON").Types(jen.Id("T").Any()).Params(
		jen.Id("msg").Id("T"), jen.Id("validate").Bool(), jen.Id("name").String(), jen.Id("check").Add(checkType.Clone()), jen.Id("schema").Add(schema.Clone()),
	).Params(jen.Index().Byte(), jen.Error()).Block(
		jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("msg")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(jen.Lit("encode %s: %w"), jen.Id("name"), jen.Err()))),
		jen.If(jen.Id("validate").Op("&&").Parens(jen.Id("check").Op("==").Nil().Op("||").Op("!").Id("check").Call(jen.Id("data")))).Block(
			jen.If(jen.Err().Op(":=").Id("schema").Dot("ValidateJSON").Call(jen.Id("data")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err()))),
		jen.Return(jen.Id("data"), jen.Nil()),
	)
	f.Line()
	f.Add(godoc("unmarshalJSON checks data against schema, when validate is set and check (the fast check, or nil) does not vouch for it, and decodes it with encoding/json. Failures wrap mqttrt.ErrValidation or mqttrt.ErrDecode."))
	f.Func().Id("unmarshalJSON").Types(jen.Id("T").Any()).Params(
		jen.Id("data").Index().Byte(), jen.Id("validate").Bool(), jen.Id("name").String(), jen.Id("check").Add(checkType.Clone()), jen.Id("schema").Add(schema.Clone()),
	).Params(jen.Id("T"), jen.Error()).Block(
		jen.Var().Id("msg").Id("T"),
		jen.Id("slow").Op(":=").Id("validate").Op("&&").Parens(jen.Id("check").Op("==").Nil().Op("||").Op("!").Id("check").Call(jen.Id("data"))),
		jen.If(jen.Id("slow")).Block(
			jen.If(jen.Err().Op(":=").Id("schema").Dot("ValidateJSON").Call(jen.Id("data")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Id("msg"), jen.Err()))),
		jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("msg")), jen.Err().Op("!=").Nil()).Block(
			jen.Return(jen.Id("msg"), jen.Qual("fmt", "Errorf").Call(jen.Lit("%w: %s: %v"), rt("ErrDecode"), jen.Id("name"), jen.Err()))),
		jen.If(jen.Id("slow")).Block(
			jen.If(jen.Err().Op(":=").Id("schema").Dot("ValidateDecoded").Call(jen.Id("data"), jen.Id("msg")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Op("*").New(jen.Id("T")), jen.Err()))),
		jen.Return(jen.Id("msg"), jen.Nil()),
	)
	f.Line()
}

// validEnumStmt checks a text payload with a string enum by its Valid
// method when no compiled schema covers it.
func validEnumStmt(m *model.Message, value *jen.Statement, zero jen.Code) jen.Code {
	if _, ok := payloadSchemaVar(m); ok || textEnum(m) == "" {
		return jen.Null()
	}
	return jen.If(jen.Id("validate").Op("&&").Op("!").Add(value).Dot("Valid").Call()).Block(
		jen.Return(zero, jen.Op("&").Add(rt("ValidationError")).Values(jen.Dict{
			jen.Id("Rule"):    jen.Lit("enum"),
			jen.Id("Message"): jen.Qual("fmt", "Sprintf").Call(jen.Lit(fmt.Sprintf("%%q is not one of %s", strings.Join(quoteAll(enumStrings(m.Payload)), ", "))), value.Clone()),
		})),
	)
}

func enumStrings(s *model.Schema) []string {
	core, _ := Unwrap(s)
	var out []string
	for _, v := range core.Enum {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out
}

// encodeBufSize is the capacity the emitted encoder starts with: a small
// sensor reading fits, so one allocation is the usual cost.
const encodeBufSize = 128

func emitMessageCodec(f *jen.File, m *model.Message, fast fastPaths) {
	typ := messageType(m)
	enc := "encode" + m.GoName
	dec := "decode" + m.GoName
	var encBody, decBody []jen.Code
	switch codecOf(m) {
	case codecJSON:
		encBody, decBody = jsonCodecBodies(m, fast, typ, SchemaVar(m))
	case codecRaw:
		encBody = []jen.Code{
			jen.List(jen.Id("data"), jen.Err()).Op(":=").Qual("encoding/json", "Marshal").Call(jen.Id("msg")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(
				jen.Lit(fmt.Sprintf("encode %s: %%w", m.GoName)), jen.Err()))),
			jen.Return(jen.Id("data"), jen.Nil()),
		}
		decBody = []jen.Code{
			jen.Var().Id("msg").Add(typ.Clone()),
			jen.If(jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("data"), jen.Op("&").Id("msg")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Id("msg"), jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("%%w: %s: %%v", m.GoName)), rt("ErrDecode"), jen.Err()))),
			jen.Return(jen.Id("msg"), jen.Nil()),
		}
	case codecText:
		// The validator wants a plain string, not a named string type.
		encBody = []jen.Code{
			validateStmt(m, fast, jen.String().Parens(jen.Id("msg")), jen.Nil()),
			validEnumStmt(m, jen.Id("msg"), jen.Nil()),
			jen.Return(jen.Index().Byte().Parens(jen.Id("msg")), jen.Nil()),
		}
		decBody = []jen.Code{
			jen.If(jen.Op("!").Qual("unicode/utf8", "Valid").Call(jen.Id("data"))).Block(
				jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(jen.Lit(fmt.Sprintf("%%w: %s: text is not valid UTF-8", m.GoName)), rt("ErrDecode"))),
			),
			jen.Id("text").Op(":=").String().Parens(jen.Id("data")),
			validateStmt(m, fast, jen.Id("text"), jen.Lit("")),
			validEnumStmt(m, textValue(m), jen.Lit("")),
			jen.Return(textValue(m), jen.Nil()),
		}
	default:
		encBody = []jen.Code{jen.Return(jen.Id("msg"), jen.Nil())}
		decBody = []jen.Code{jen.Return(jen.Id("data"), jen.Nil())}
	}
	f.Add(godoc(fmt.Sprintf("%s turns a %s into its payload, checking it against the document's schema when validate is set.", enc, m.GoName)))
	f.Func().Id(enc).Params(jen.Id("msg").Add(typ.Clone()), jen.Id("validate").Bool()).Params(jen.Index().Byte(), jen.Error()).Block(encBody...)
	f.Line()
	f.Add(godoc(fmt.Sprintf("%s checks (when validate is set) and decodes a %s payload; failures wrap mqttrt.ErrValidation or mqttrt.ErrDecode.", dec, m.GoName)))
	f.Func().Id(dec).Params(jen.Id("data").Index().Byte(), jen.Id("validate").Bool()).Params(typ.Clone(), jen.Error()).Block(decBody...)
	f.Line()
}

// textValue converts the decoded text to the payload type.
func textValue(m *model.Message) *jen.Statement {
	if n := textEnum(m); n != "" {
		return jen.Id(n).Parens(jen.Id("text"))
	}
	return jen.Id("text")
}

// rawEncode and rawDecode are the codec of operations without a message.
// Their names must not start with encode or decode, which with a message's
// name make that message's codec (a message named bytes has encodeBytes).
const (
	rawEncode = "bytesAsPayload"
	rawDecode = "payloadAsBytes"
)

func emitRawCodec(f *jen.File) {
	f.Add(godoc(rawEncode + " sends bytes as they are: the document describes no message for the operation."))
	f.Func().Id(rawEncode).Params(jen.Id("msg").Index().Byte(), jen.Id("_").Bool()).Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Id("msg"), jen.Nil()))
	f.Line()
	f.Add(godoc(rawDecode + " hands received bytes over as they are."))
	f.Func().Id(rawDecode).Params(jen.Id("data").Index().Byte(), jen.Id("_").Bool()).Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Id("data"), jen.Nil()))
	f.Line()
}

// emitPayloadSum emits the sum type, its encoder and its decoder. A variant is
// recognised by its schema; variants with no schema (raw, binary) are a
// fallback taken only when no schema matched and only one such exists.
func emitPayloadSum(f *jen.File, s *Spec, st *payloadSum) error {
	names := make([]string, len(st.messages))
	fields := map[string]bool{}
	for i, m := range st.messages {
		if fields[m.GoName] {
			return fmt.Errorf("%s: message %s appears twice in %s", m.Loc, m.GoName, st.name)
		}
		fields[m.GoName] = true
		names[i] = m.GoName
	}
	list := strings.Join(names, ", ")
	f.Add(godoc(
		fmt.Sprintf("%s is one of the messages of %s: set exactly one field.", st.name, st.doc),
		fmt.Sprintf("A received payload is matched against the schema of each of %s; exactly one must match (this happens even with validation off, since it is how the message is recognised).", list),
	))
	f.Type().Id(st.name).StructFunc(func(g *jen.Group) {
		for _, m := range st.messages {
			g.Add(godoc(strings.Join(docParas(m.Title, m.Summary, m.Description), "\n\n")))
			g.Id(m.GoName).Op("*").Add(messageType(m))
		}
	})
	f.Line()

	// encode: count the set fields, encode the one.
	enc := []jen.Code{jen.Id("set").Op(":=").Lit(0)}
	for _, m := range st.messages {
		enc = append(enc, jen.If(jen.Id("msg").Dot(m.GoName).Op("!=").Nil()).Block(jen.Id("set").Op("++")))
	}
	enc = append(enc, jen.If(jen.Id("set").Op("!=").Lit(1)).Block(
		jen.Return(jen.Nil(), jen.Qual("fmt", "Errorf").Call(
			jen.Lit(fmt.Sprintf("%s: %%d of %s are set, want exactly one: %%w", st.name, list)), jen.Id("set"), rt("ErrValidation"))),
	))
	enc = append(enc, jen.Switch().BlockFunc(func(g *jen.Group) {
		for _, m := range st.messages {
			g.Case(jen.Id("msg").Dot(m.GoName).Op("!=").Nil()).Block(
				jen.Return(jen.Id("encode"+m.GoName).Call(jen.Op("*").Id("msg").Dot(m.GoName), jen.Id("validate"))),
			)
		}
	}))
	enc = append(enc, jen.Return(jen.Nil(), jen.Nil()))
	f.Add(godoc(fmt.Sprintf("encode%s encodes the one message set in msg.", st.name)))
	f.Func().Id("encode"+st.name).Params(jen.Id("msg").Id(st.name), jen.Id("validate").Bool()).Params(jen.Index().Byte(), jen.Error()).Block(enc...)
	f.Line()

	// decode: find the matching variant, then decode it without validating
	// again; a variant the schema (not the fast check) recognised has its
	// decoded value checked too (see decodeJSONBody).
	dec := []jen.Code{jen.List(jen.Id("match"), jen.Id("matches")).Op(":=").List(jen.Lit(-1), jen.Lit(0))}
	var fallbacks []int
	schemaMatched := map[int]string{}
	for i, m := range st.messages {
		v, ok := payloadSchemaVar(m)
		if !ok || codecOf(m) != codecJSON {
			fallbacks = append(fallbacks, i)
			continue
		}
		schemaMatched[i] = v
		found := func(fast bool) jen.Code {
			return jen.List(jen.Id("match"), jen.Id("matches"), jen.Id("fast")).Op("=").List(jen.Lit(i), jen.Id("matches").Op("+").Lit(1), jen.Lit(fast))
		}
		bySchema := jen.If(jen.Id(v).Dot("ValidateJSON").Call(jen.Id("data")).Op("==").Nil()).Block(found(false))
		switch fast := s.paths(m); {
		case fast.check:
			dec = append(dec, jen.If(jen.Id(FastCheckName(m)).Call(jen.Id("data"))).Block(found(true)).Else().Add(bySchema))
		case fast.decode:
			// The fast decoder vouches for the payload as a fast check
			// would; the value it fills is decoded again below.
			dec = append(dec, jen.If(jen.Id(FastDecodeName(m)).Call(jen.Id("data"), jen.New(messageType(m)))).Block(found(true)).Else().Add(bySchema))
		default:
			dec = append(dec, bySchema)
		}
	}
	if len(schemaMatched) > 0 {
		dec = append(dec[:1], append([]jen.Code{jen.Id("fast").Op(":=").False()}, dec[1:]...)...)
	}
	if len(fallbacks) == 1 {
		dec = append(dec, jen.If(jen.Id("matches").Op("==").Lit(0)).Block(
			jen.List(jen.Id("match"), jen.Id("matches")).Op("=").List(jen.Lit(fallbacks[0]), jen.Lit(1)),
		))
	}
	dec = append(dec,
		jen.Switch(jen.Id("matches")).Block(
			jen.Case(jen.Lit(0)).Block(jen.Return(jen.Id(st.name).Values(), jen.Qual("fmt", "Errorf").Call(
				jen.Lit(fmt.Sprintf("payload matches none of %s: %%w", list)), rt("ErrValidation")))),
			jen.Case(jen.Lit(1)).Block(),
			jen.Default().Block(jen.Return(jen.Id(st.name).Values(), jen.Qual("fmt", "Errorf").Call(
				jen.Lit(fmt.Sprintf("payload matches %%d of %s and cannot be told apart: %%w", list)), jen.Id("matches"), rt("ErrDecode")))),
		),
		jen.Var().Id("msg").Id(st.name),
		jen.Switch(jen.Id("match")).BlockFunc(func(g *jen.Group) {
			for i, m := range st.messages {
				body := []jen.Code{
					jen.List(jen.Id("v"), jen.Err()).Op(":=").Id("decode"+m.GoName).Call(jen.Id("data"), jen.False()),
					jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("msg"), jen.Err())),
				}
				if v, ok := schemaMatched[i]; ok {
					body = append(body, jen.If(jen.Op("!").Id("fast")).Block(
						jen.If(jen.Err().Op(":=").Id(v).Dot("ValidateDecoded").Call(jen.Id("data"), jen.Id("v")), jen.Err().Op("!=").Nil()).Block(
							jen.Return(jen.Id("msg"), jen.Err()),
						),
					))
				}
				body = append(body, jen.Id("msg").Dot(m.GoName).Op("=").Op("&").Id("v"))
				g.Case(jen.Lit(i)).Block(body...)
			}
		}),
		jen.Return(jen.Id("msg"), jen.Nil()),
	)
	f.Add(godoc(fmt.Sprintf("decode%s recognises which of %s data is and decodes it; validate is implied by the recognition.", st.name, list)))
	f.Func().Id("decode"+st.name).Params(jen.Id("data").Index().Byte(), jen.Id("_").Bool()).Params(jen.Id(st.name), jen.Error()).Block(dec...)
	f.Line()
	return nil
}
