package gen

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Messages is the codec of an operation that carries several messages: T
// is a struct with one field per message, in the document's order, each a
// pointer to (or a nil-able) payload type, exactly one of them set.
type Messages[T any] struct {
	variants []oneMessage
	names    []string
}

// oneMessage is one message of a Messages codec.
type oneMessage interface {
	decode(data []byte, field reflect.Value) error
	encode(field reflect.Value, validate bool) ([]byte, error)
}

// Variant wraps the codec of one message for NewMessages.
func Variant[V any](c Codec[V]) oneMessage { return messageVariant[V]{c} }

type messageVariant[V any] struct{ c Codec[V] }

// decode always validates: the schemas tell the messages apart.
func (m messageVariant[V]) decode(data []byte, field reflect.Value) error {
	v, err := m.c.Decode(data, true)
	if err != nil {
		return err
	}
	if field.Kind() == reflect.Pointer && field.Type().Elem() == reflect.TypeFor[V]() {
		field.Set(reflect.ValueOf(&v))
	} else {
		field.Set(reflect.ValueOf(v))
	}
	return nil
}

func (m messageVariant[V]) encode(field reflect.Value, validate bool) ([]byte, error) {
	if field.Kind() == reflect.Pointer && field.Type().Elem() == reflect.TypeFor[V]() {
		return m.c.Encode(*field.Interface().(*V), validate)
	}
	return m.c.Encode(field.Interface().(V), validate)
}

// NewMessages makes the codec of T from its messages' codecs, one per field
// of T in order. It panics when they do not match T's fields (a generator
// bug).
func NewMessages[T any](variants ...oneMessage) *Messages[T] {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct || t.NumField() != len(variants) {
		panic(fmt.Sprintf("mqttgen: %s does not hold %d messages", t, len(variants)))
	}
	names := make([]string, t.NumField())
	for i := range names {
		names[i] = t.Field(i).Name
	}
	return &Messages[T]{variants: variants, names: names}
}

// Decode returns data as the first message, in the document's order,
// whose codec accepts it (schemas included, whatever validate says). When
// none does, the error says why for each; it wraps mqttrt.ErrDecode when
// no message's codec could read data at all, else mqttrt.ErrValidation.
func (m *Messages[T]) Decode(data []byte, _ bool) (T, error) {
	var out T
	rv := reflect.ValueOf(&out).Elem()
	var reasons []string
	decodable := false
	for i, v := range m.variants {
		err := v.decode(data, rv.Field(i))
		if err == nil {
			return out, nil
		}
		if !errors.Is(err, mqttrt.ErrDecode) {
			decodable = true
		}
		reasons = append(reasons, m.names[i]+": "+err.Error())
	}
	why := "matches none of the messages (" + strings.Join(reasons, "; ") + ")"
	if !decodable {
		return out, fmt.Errorf("%w: %s", mqttrt.ErrDecode, why)
	}
	return out, &mqttrt.ValidationError{Rule: "message", Message: why,
		Violations: []mqttrt.Violation{{Rule: "message", Message: why}}}
}

// Encode writes the one message set in v.
func (m *Messages[T]) Encode(v T, validate bool) ([]byte, error) {
	rv := reflect.ValueOf(&v).Elem()
	set := -1
	for i := range m.variants {
		if !rv.Field(i).IsNil() {
			if set >= 0 {
				return nil, m.notOne(fmt.Sprintf("both %s and %s are set", m.names[set], m.names[i]))
			}
			set = i
		}
	}
	if set < 0 {
		return nil, m.notOne("none is set")
	}
	return m.variants[set].encode(rv.Field(set), validate)
}

func (m *Messages[T]) notOne(why string) error {
	msg := fmt.Sprintf("exactly one of %s must be set: %s", strings.Join(m.names, ", "), why)
	return &mqttrt.ValidationError{Rule: "message", Message: msg, Violations: []mqttrt.Violation{{Rule: "message", Message: msg}}}
}

// Marshal and Unmarshal serve the type's MarshalJSON and UnmarshalJSON.
func (m *Messages[T]) Marshal(v *T) ([]byte, error) { return m.Encode(*v, false) }

func (m *Messages[T]) Unmarshal(data []byte, v *T) error {
	out, err := m.Decode(data, false)
	if err != nil {
		return err
	}
	*v = out
	return nil
}

// Bytes is the codec of a raw payload: the bytes as they are, unchecked.
type Bytes struct{}

// Encode returns v.
func (Bytes) Encode(v []byte, _ bool) ([]byte, error) { return v, nil }

// Decode returns a copy of data, which the handler may keep.
func (Bytes) Decode(data []byte, _ bool) ([]byte, error) { return append([]byte{}, data...), nil }
