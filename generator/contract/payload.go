package contract

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// payloadKind is how a message's payload travels, decided as the
// generated code decides it (ir.PayloadKind): JSON, a string for text/*,
// bytes for anything else.
type payloadKind int

const (
	kindAny     payloadKind = iota // the message declares no payload: anything goes
	kindJSON                       // JSON, validated by its JSON Schema
	kindText                       // text/*, validated as a JSON string
	kindBinary                     // bytes: nothing to validate
	kindForeign                    // a schema that is not JSON Schema, or text no string schema describes
)

// payloadCheck checks the payloads of one message.
type payloadCheck struct {
	msg    *model.Message
	kind   payloadKind
	schema *mqttrt.Schema // for kindJSON and kindText
	// why says, for kindForeign or a schema that does not compile, why
	// payloads are not checked.
	why string
}

// schemaCache compiles each schema once, however many messages,
// parameters or mock candidates use it.
type schemaCache struct {
	mu sync.Mutex
	m  map[*model.Schema]compiled
}

type compiled struct {
	schema *mqttrt.Schema
	err    error
}

// compile renders s as a draft-07 document and compiles it.
func (c *schemaCache) compile(name string, s *model.Schema) (*mqttrt.Schema, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.m[s]; ok {
		return r.schema, r.err
	}
	// The name becomes part of a URL: escape what a message name may hold.
	schema, err := mqttrt.CompileSchema(url.PathEscape(name), string(ir.SchemaJSON(s)))
	if c.m == nil {
		c.m = map[*model.Schema]compiled{}
	}
	c.m[s] = compiled{schema, err}
	return schema, err
}

// newPayloadCheck decides how m's payloads are checked and compiles the
// schema that checks them.
func newPayloadCheck(m *model.Message, cache *schemaCache) *payloadCheck {
	c := &payloadCheck{msg: m}
	kind, checked := ir.PayloadKind(m)
	switch {
	case m.Payload == nil:
		c.kind = kindAny
		return c
	case kind == ir.CodecBytes:
		c.kind = kindBinary
		return c
	case !checked && kind == ir.CodecText:
		c.kind, c.why = kindForeign, fmt.Sprintf("it is %s text and its schema admits no string", m.ContentType)
		return c
	case !checked:
		c.kind, c.why = kindForeign, fmt.Sprintf("its schema format %s is not JSON Schema", m.SchemaFormat)
		return c
	case kind == ir.CodecText:
		c.kind = kindText
	default:
		c.kind = kindJSON
	}
	schema, err := cache.compile(messageName(m), m.Payload)
	if err != nil {
		c.kind, c.why = kindForeign, fmt.Sprintf("its payload schema does not compile: %v", err)
		return c
	}
	c.schema = schema
	return c
}

// outcome is what checking one payload against one message found.
type outcome int

const (
	outcomeOK outcome = iota
	outcomeInvalid
	outcomeUndecodable
	outcomeUnchecked
)

// errNotChecked is what validate returns for a payload it cannot check.
var errNotChecked = errors.New("not checked")

// validate checks payload: nil, an error wrapping runtime.ErrDecode for
// a payload that is not JSON (or not UTF-8 text), a
// *runtime.ValidationError, or errNotChecked.
func (c *payloadCheck) validate(payload []byte) error {
	switch c.kind {
	case kindAny, kindBinary:
		return nil
	case kindForeign:
		return errNotChecked
	case kindText:
		if !utf8.Valid(payload) {
			return fmt.Errorf("%w: a text payload must be valid UTF-8", mqttrt.ErrDecode)
		}
		return c.schema.Validate(string(payload))
	}
	if !utf8.Valid(payload) {
		// JSON is UTF-8 (RFC 8259, 8.1), and the generated decoders refuse
		// anything else; the schema validator would read such bytes as
		// U+FFFD and accept a payload the subscribers cannot decode.
		return fmt.Errorf("%w: invalid UTF-8 (JSON text must be UTF-8)", mqttrt.ErrDecode)
	}
	return c.schema.ValidateJSON(payload)
}

// check checks payload against the message. Violations name the message
// they were checked against.
func (c *payloadCheck) check(payload []byte) (outcome, []Violation) {
	name := messageName(c.msg)
	err := c.validate(payload)
	switch {
	case err == nil:
		return outcomeOK, nil
	case errors.Is(err, errNotChecked):
		return outcomeUnchecked, nil
	case errors.Is(err, mqttrt.ErrDecode):
		why := strings.TrimPrefix(err.Error(), mqttrt.ErrDecode.Error()+": ")
		if c.kind == kindJSON {
			why = "not JSON: " + why
		}
		return outcomeUndecodable, []Violation{{Against: name, Rule: "decode", Message: why}}
	}
	return outcomeInvalid, violationsOf(err, name, "")
}

// violationsOf turns a validation error into violations, sorted.
func violationsOf(err error, against, param string) []Violation {
	var ve *mqttrt.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Against: against, Parameter: param, Rule: "schema", Message: err.Error()}}
	}
	out := make([]Violation, 0, len(ve.Violations)+1)
	for _, v := range sortedViolations(ve) {
		out = append(out, Violation{Against: against, Parameter: param, Pointer: v.Field, Rule: v.Rule, Message: v.Message})
	}
	if ve.Omitted > 0 {
		out = append(out, Violation{Against: against, Parameter: param, Rule: "more", Message: fmt.Sprintf("%d more violations not listed", ve.Omitted)})
	}
	return out
}

// sortedViolations orders a validation error's violations by pointer,
// rule and message. The validator finds an object's violations in the
// order of a map walk, so from one run to the next the same payload would
// list them differently (and runtime's ValidationError.Field, "the
// first", would differ): sorted, reports and the instance search are
// deterministic.
func sortedViolations(ve *mqttrt.ValidationError) []mqttrt.Violation {
	vs := slices.Clone(ve.Violations)
	slices.SortFunc(vs, func(a, b mqttrt.Violation) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return vs
}

// messageName is how reports name a message: its name, else its key.
func messageName(m *model.Message) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Key
}
