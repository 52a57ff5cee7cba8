package gen

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unsafe"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// NewMessages returns the codec of an operation that carries several
// messages: T is a struct with one field per message, in the document's
// order, each a pointer to (or a nil-able) payload type, exactly one of
// them set; variants are the messages' codecs in the same order. It
// panics when they do not match T's fields (a generator bug).
//
// Decoding takes the first message, in the document's order, whose codec
// accepts the payload (schemas included, whatever validate says: they tell
// the messages apart). When none does, the error says why for each; it
// wraps mqttrt.ErrDecode when no message's codec could read the payload
// at all, else mqttrt.ErrValidation. Encoding writes the one message set.
func NewMessages[T any](variants ...*Codec) *Codec {
	return newMessages(reflect.TypeOf((*T)(nil)).Elem(), variants)
}

func newMessages(t reflect.Type, variants []*Codec) *Codec {
	if t.Kind() != reflect.Struct || t.NumField() != len(variants) {
		panic(fmt.Sprintf("mqttgen: %s does not hold %d messages", t, len(variants)))
	}
	m := &messages{t: t, variants: variants, names: make([]string, len(variants)), byPointer: make([]bool, len(variants))}
	for i, v := range variants {
		f := t.Field(i)
		if !f.IsExported() {
			panic(fmt.Sprintf("mqttgen: field %s of %s is not exported", f.Name, t))
		}
		m.names[i] = f.Name
		switch k := f.Type.Kind(); {
		case f.Type == v.t && (k == reflect.Slice || k == reflect.Map || k == reflect.Pointer || k == reflect.Interface):
			// A payload type that can be nil already (a nullable
			// object's *T, a slice, RawMessage) is the field's type.
		case k == reflect.Pointer && f.Type.Elem() == v.t:
			m.byPointer[i] = true
		default:
			panic(fmt.Sprintf("mqttgen: field %s of %s cannot hold a %s", f.Name, t, v.t))
		}
	}
	return newCodec(t, m)
}

// messages is the codecImpl of NewMessages.
type messages struct {
	t         reflect.Type
	variants  []*Codec
	names     []string
	byPointer []bool // the field is a *V, not a V that can be nil itself
}

func (m *messages) decode(data []byte, p unsafe.Pointer, _ bool) error {
	out := reflect.NewAt(m.t, p).Elem()
	var reasons []string
	decodable := false
	for i, v := range m.variants {
		val := reflect.New(v.t)
		err := v.impl.decode(data, val.UnsafePointer(), true)
		if err == nil && !m.byPointer[i] && val.Elem().IsNil() {
			// A null this message's schema allows decodes to a nil field,
			// which would read as no message at all: the message cannot
			// carry it, and a later one may.
			decodable = true
			reasons = append(reasons, m.names[i]+": null cannot be told apart from no message")
			continue
		}
		if err == nil {
			if m.byPointer[i] {
				out.Field(i).Set(val)
			} else {
				out.Field(i).Set(val.Elem())
			}
			return nil
		}
		if !errors.Is(err, mqttrt.ErrDecode) {
			decodable = true
		}
		reasons = append(reasons, m.names[i]+": "+err.Error())
	}
	why := "matches none of the messages (" + strings.Join(reasons, "; ") + ")"
	if !decodable {
		return fmt.Errorf("%w: %s", mqttrt.ErrDecode, why)
	}
	return &mqttrt.ValidationError{Rule: "message", Message: why,
		Violations: []mqttrt.Violation{{Rule: "message", Message: why}}}
}

func (m *messages) encode(p unsafe.Pointer, validate bool) ([]byte, error) {
	v := reflect.NewAt(m.t, p).Elem()
	set := -1
	for i := range m.variants {
		if !v.Field(i).IsNil() {
			if set >= 0 {
				return nil, m.notOne(fmt.Sprintf("both %s and %s are set", m.names[set], m.names[i]))
			}
			set = i
		}
	}
	if set < 0 {
		return nil, m.notOne("none is set")
	}
	f := v.Field(set)
	if m.byPointer[set] {
		return m.variants[set].impl.encode(f.UnsafePointer(), validate)
	}
	return m.variants[set].impl.encode(f.Addr().UnsafePointer(), validate)
}

func (m *messages) notOne(why string) error {
	msg := fmt.Sprintf("exactly one of %s must be set: %s", strings.Join(m.names, ", "), why)
	return &mqttrt.ValidationError{Rule: "message", Message: msg, Violations: []mqttrt.Violation{{Rule: "message", Message: msg}}}
}
