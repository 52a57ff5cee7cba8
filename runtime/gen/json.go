package gen

import (
	"fmt"
	"reflect"
	"sync"
	"unicode/utf8"
	"unsafe"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// JSON is the codec of the Go type T bound to the schema at a JSON pointer
// of a Schemas bundle ("/definitions/Reading", or deeper, such as
// "/definitions/Reading/properties/location"; "" is the whole document).
//
// On first use it compiles a plan: for T, field offsets and the reading and
// writing of each member, found once through reflect; for the schema, the
// draft-07 keywords precompiled into a validator that walks the payload's
// bytes. Validation is decided as jsonschema/v5 decides it (with format
// assertions on): the fast validator answers only where it decides
// exactly, and otherwise, and for every error, jsonschema/v5 does (the
// slow path), so an error lists every violation.
//
// Decoding never alters data: member names match exactly (case-sensitive,
// unlike encoding/json); a repeated member's last value wins, as the
// validator sees it; integers decode from any spelling of an integral
// value (1, 1.0, 1e1); invalid UTF-8 is refused. Sum types (structs of
// fields tagged mqttgen:"variant") take the one variant of a oneOf whose
// schema the value satisfies, or for an anyOf the first one in document
// order.
//
// NewJSON is cheap; a JSON is safe for concurrent use.
type JSON[T any] struct {
	load func() (*codec, error)
	// values holds *T scratch values: the plans reach values through
	// unsafe pointers, which escape analysis cannot follow, so Decode and
	// Encode work on a pooled copy rather than make the caller's value
	// escape to the heap (an allocation per message).
	values sync.Pool
}

// codec is what a JSON or Text compiles on first use.
type codec struct {
	b     *bundle
	plan  *plan  // nil for Text
	check *vnode // the fast validator
	slow  func() (*mqttrt.Schema, error)
}

// NewJSON returns the codec of T bound to the schema at pointer in s. The
// binding is checked on first use: a Go type that does not fit the schema
// (a generator bug) makes every Decode and Encode fail with an error that
// says what does not match.
func NewJSON[T any](s *Schemas, pointer string) *JSON[T] {
	return &JSON[T]{
		load: sync.OnceValues(func() (*codec, error) {
			return s.bind(reflect.TypeFor[T](), pointer)
		}),
		values: sync.Pool{New: func() any { return new(T) }},
	}
}

// bind compiles the codec of t (nil for text) at pointer.
func (s *Schemas) bind(t reflect.Type, pointer string) (*codec, error) {
	b, err := s.load()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.compileAt(pointer)
	if err != nil {
		return nil, err
	}
	c := &codec{b: b, check: n, slow: sync.OnceValues(func() (*mqttrt.Schema, error) {
		return b.slowSchema(pointer)
	})}
	if t != nil {
		if b.plans == nil {
			b.plans = map[planKey]*plan{}
		}
		p := planner{b: b, plans: b.plans}
		if c.plan, err = p.build(t, n); err != nil {
			return nil, err
		}
		markLocal(b.plans)
	}
	return c, nil
}

// validate checks data against the schema: the fast validator when it
// decides, else jsonschema/v5, which gives the verdict and the error.
func (c *codec) validate(data []byte) error {
	sc := newScanner(data)
	if c.check.check(&sc, 0) == valid && sc.end() {
		return nil
	}
	slow, err := c.slow()
	if err != nil {
		return err
	}
	return slowValidate(slow, data)
}

// Decode checks data (when validate is set) and decodes it. Data that is
// not JSON, holds invalid UTF-8 or trailing data, or holds a value that
// does not fit T returns an error wrapping mqttrt.ErrDecode (a
// *DecodeError); a schema violation returns a *mqttrt.ValidationError.
func (j *JSON[T]) Decode(data []byte, validate bool) (T, error) {
	var v T
	err := j.decode(data, &v, validate)
	return v, err
}

// decode decodes data into *v, which it replaces; on error *v is left alone.
func (j *JSON[T]) decode(data []byte, v *T, validate bool) error {
	c, err := j.load()
	if err != nil {
		return fmt.Errorf("%w: %w", mqttrt.ErrDecode, err)
	}
	tmp := j.values.Get().(*T)
	if validate {
		// One pass when the plan checks everything as it reads.
		d := decoder{sc: newScanner(data), b: c.b, check: true}
		if c.plan.local && d.value(c.plan, unsafe.Pointer(tmp), 0) && d.sc.end() {
			*v = *tmp
			var zero T
			*tmp = zero
			j.values.Put(tmp)
			return nil
		}
		var zero T
		*tmp = zero
		if err := c.validate(data); err != nil {
			j.values.Put(tmp)
			return err
		}
	}
	d := decoder{sc: newScanner(data), b: c.b}
	ok := d.value(c.plan, unsafe.Pointer(tmp), 0) && d.sc.end()
	if ok {
		*v = *tmp
	}
	var zero T
	*tmp = zero
	j.values.Put(tmp)
	if !ok {
		if d.err == nil {
			d.syntax()
		}
		return d.err
	}
	return nil
}

// Encode writes v as JSON and (when validate is set) checks it: a
// violation returns a *mqttrt.ValidationError and no data. A value JSON
// cannot hold (NaN, ±Inf, a string that is not UTF-8, a sum type with no
// or several variants set) returns an error wrapping mqttrt.ErrValidation
// too. Numbers, strings, base64 and times are written as json.Marshal
// writes them; a const property is written with the schema's value.
//
// v is taken by value: a pointer handed through the Codec interface would
// make every caller's value escape to the heap, one allocation per publish.
func (j *JSON[T]) Encode(v T, validate bool) ([]byte, error) {
	c, err := j.load()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", mqttrt.ErrValidation, err)
	}
	tmp := j.values.Get().(*T)
	*tmp = v
	e := encoder{buf: make([]byte, 0, 128), check: validate}
	ok := e.value(c.plan, unsafe.Pointer(tmp), 0)
	if !ok && e.unsure {
		// The fused checks were abandoned: write the value again without
		// them, then validate what was written.
		e = encoder{buf: e.buf[:0]}
		ok = e.value(c.plan, unsafe.Pointer(tmp), 0)
		if ok {
			if err := c.validate(e.buf); err != nil {
				ok, e.err = false, ""
				var zero T
				*tmp = zero
				j.values.Put(tmp)
				return nil, err
			}
		}
	}
	var zero T
	*tmp = zero
	j.values.Put(tmp)
	if !ok {
		return nil, encodeError(e.at, "%s", e.err)
	}
	return e.buf, nil
}

// Marshal is Encode without validation, for the MarshalJSON methods of
// generated types that encoding/json cannot handle:
//
//	func (v T) MarshalJSON() ([]byte, error) { return codecT.Marshal(&v) }
//
// It never calls encoding/json on T itself.
func (j *JSON[T]) Marshal(v *T) ([]byte, error) { return j.Encode(*v, false) }

// Unmarshal is Decode without validation into *v, which it replaces
// (leaving it alone on error), for the UnmarshalJSON methods of generated
// types.
func (j *JSON[T]) Unmarshal(data []byte, v *T) error {
	return j.decode(data, v, false)
}

// Text is the codec of a text/* payload: T is string or a named string
// type, the payload its UTF-8 bytes, validated as a JSON string against
// the schema at pointer.
type Text[T ~string] struct {
	load func() (*codec, error)
}

// NewText returns the codec of a text payload bound to the schema at
// pointer in s; like NewJSON it compiles on first use.
func NewText[T ~string](s *Schemas, pointer string) *Text[T] {
	return &Text[T]{load: sync.OnceValues(func() (*codec, error) { return s.bind(nil, pointer) })}
}

// Decode refuses data that is not UTF-8 (mqttrt.ErrDecode) and, when
// validate is set, checks it as a JSON string against the schema.
func (t *Text[T]) Decode(data []byte, validate bool) (T, error) {
	if !utf8.Valid(data) {
		return "", &DecodeError{Offset: invalidUTF8At(data), Reason: "invalid UTF-8 in a text payload"}
	}
	if validate {
		if err := t.validate(string(data)); err != nil {
			return "", err
		}
	}
	return T(data), nil
}

// Encode returns v's bytes, refusing a string that is not UTF-8
// (mqttrt.ErrValidation) and, when validate is set, one the schema
// refuses.
func (t *Text[T]) Encode(v T, validate bool) ([]byte, error) {
	if !utf8.ValidString(string(v)) {
		return nil, encodeError("", "text is not valid UTF-8")
	}
	if validate {
		if err := t.validate(string(v)); err != nil {
			return nil, err
		}
	}
	return []byte(v), nil
}

func (t *Text[T]) validate(s string) error {
	c, err := t.load()
	if err != nil {
		return fmt.Errorf("%w: %w", mqttrt.ErrValidation, err)
	}
	return c.validate(appendString(nil, s))
}
