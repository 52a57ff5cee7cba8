package gen

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Codec encodes and decodes the payloads of one Go type: JSON bound to a
// schema (NewJSON), text (NewText), one of several messages
// (NewMessages) or raw bytes (Bytes). A Codec is safe for concurrent use.
//
// A Codec is not generic: it works on the value through a pointer and
// the Go type it was made for, so each payload type of a generated package
// costs one variable, not a copy of the codec's code. The typed side is
// Decode and Encode (and Publish and Subscribe, which call them).
type Codec struct {
	t    reflect.Type
	impl codecImpl
	// values holds pointers to scratch values of type t: codecs reach
	// values through unsafe pointers, which escape analysis cannot follow,
	// so Decode and Encode work on a pooled copy rather than make the
	// caller's value escape to the heap (an allocation per message).
	values sync.Pool
}

// codecImpl is one kind of codec, working on a value of the codec's type.
type codecImpl interface {
	// encode writes the value at p.
	encode(p unsafe.Pointer, validate bool) ([]byte, error)
	// decode reads data into the zero value at p. On error p may hold part
	// of the value; the caller clears it.
	decode(data []byte, p unsafe.Pointer, validate bool) error
}

func newCodec(t reflect.Type, impl codecImpl) *Codec {
	c := &Codec{t: t, impl: impl}
	c.values.New = func() any { return reflect.New(t).UnsafePointer() }
	return c
}

// Type is the Go type the codec reads and writes.
func (c *Codec) Type() reflect.Type { return c.t }

// Decode checks data (when validate is set) and decodes it as a T, which
// must be c's type. Data that cannot be read as T returns an error
// wrapping mqttrt.ErrDecode; a schema violation returns a
// *mqttrt.ValidationError.
func Decode[T any](c *Codec, data []byte, validate bool) (T, error) {
	var v T
	if err := c.check(reflect.TypeOf((*T)(nil)).Elem()); err != nil {
		return v, err
	}
	p, err := c.decode(data, validate)
	if err == nil {
		v = *(*T)(p)
		c.release(p)
	}
	return v, err
}

// Encode writes v, which must be of c's type, checked against its schema
// when validate is set: a violation returns a *mqttrt.ValidationError and
// no data, as does a value the payload cannot hold.
func Encode[T any](c *Codec, v *T, validate bool) ([]byte, error) {
	if err := c.check(reflect.TypeOf((*T)(nil)).Elem()); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: nil *%s to encode", mqttrt.ErrInvalidConfig, c.t)
	}
	p := c.values.Get().(unsafe.Pointer)
	*(*T)(p) = *v
	return c.encode(p, validate)
}

// decode decodes data into a pooled value, which the caller copies and
// hands back with release; on error there is no value.
//
// The typed callers (Decode, Encode, Subscribe, Publish) only copy values
// in and out; everything else is here, compiled once rather than for
// every payload type of a generated package.
func (c *Codec) decode(data []byte, validate bool) (unsafe.Pointer, error) {
	p := c.values.Get().(unsafe.Pointer)
	if err := c.impl.decode(data, p, validate); err != nil {
		c.release(p)
		return nil, err
	}
	return p, nil
}

// encode writes the pooled value p, which it releases.
func (c *Codec) encode(p unsafe.Pointer, validate bool) ([]byte, error) {
	defer c.release(p)
	return c.impl.encode(p, validate)
}

// release clears a pooled value (it must hold nothing of a payload) and
// pools it.
func (c *Codec) release(p unsafe.Pointer) {
	zeroAt(c.t, p)
	c.values.Put(p)
}

// check guards the unsafe conversions of Decode and Encode: they are
// only sound for the codec's own type.
func (c *Codec) check(t reflect.Type) error {
	if t != c.t {
		return fmt.Errorf("%w: codec of %s used for %s", mqttrt.ErrInvalidConfig, c.t, t)
	}
	return nil
}

// Marshal writes *v without validation, for the MarshalJSON methods of
// generated types that encoding/json cannot handle:
//
//	func (v T) MarshalJSON() ([]byte, error) { return codecT.Marshal(&v) }
//
// v must be a pointer to a value of c's type.
func (c *Codec) Marshal(v any) ([]byte, error) {
	p, err := c.pointer(v)
	if err != nil {
		return nil, err
	}
	return c.impl.encode(p, false)
}

// Unmarshal reads data without validation into *v, which it replaces
// (leaving it alone on error), for the UnmarshalJSON methods of generated
// types. v must be a pointer to a value of c's type.
func (c *Codec) Unmarshal(data []byte, v any) error {
	dst, err := c.pointer(v)
	if err != nil {
		return err
	}
	p, err := c.decode(data, false)
	if err != nil {
		return err
	}
	reflect.NewAt(c.t, dst).Elem().Set(reflect.NewAt(c.t, p).Elem())
	c.release(p)
	return nil
}

// pointer returns the address v, a non-nil *T for c's type T, holds.
func (c *Codec) pointer(v any) (unsafe.Pointer, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Type().Elem() != c.t || rv.IsNil() {
		return nil, fmt.Errorf("%w: codec of %s used for %T", mqttrt.ErrInvalidConfig, c.t, v)
	}
	return rv.UnsafePointer(), nil
}

// zeroAt zeroes the value of type t at p.
func zeroAt(t reflect.Type, p unsafe.Pointer) { reflect.NewAt(t, p).Elem().SetZero() }

// Bytes returns the codec of a raw payload, T []byte: the bytes as they
// are, unchecked. A decoded payload is a copy, which the handler may keep;
// encoding returns the caller's slice itself, as publishing only reads it.
func Bytes() *Codec { return bytesCodec }

var bytesCodec = newCodec(reflect.TypeFor[[]byte](), rawBytes{})

type rawBytes struct{}

func (rawBytes) encode(p unsafe.Pointer, _ bool) ([]byte, error) { return *(*[]byte)(p), nil }

func (rawBytes) decode(data []byte, p unsafe.Pointer, _ bool) error {
	*(*[]byte)(p) = append([]byte{}, data...)
	return nil
}
