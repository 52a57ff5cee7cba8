package gen

import (
	"fmt"
	"reflect"
	"sync"
	"unicode/utf8"
	"unsafe"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// NewJSON returns the codec of the Go type T bound to the schema at a
// JSON pointer of a Schemas bundle ("/definitions/Reading", or deeper,
// such as "/definitions/Reading/properties/location"; "" is the whole
// document).
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
// value (1, 1.0, 1e1); invalid UTF-8 is refused, as are trailing data and
// values that do not fit T (mqttrt.ErrDecode, a *DecodeError). Sum types
// (structs of fields tagged mqttgen:"variant") take the one variant of a
// oneOf whose schema the value satisfies, or for an anyOf the first one in
// document order.
//
// Encoding writes numbers, strings, base64 and times as json.Marshal
// writes them, and a const property with the schema's value. A value JSON
// cannot hold (NaN, ±Inf, a string that is not UTF-8, a sum type with no
// or several variants set) is refused with an error wrapping
// mqttrt.ErrValidation.
//
// The binding is checked on first use: a Go type that does not fit the
// schema (a generator bug) makes every Decode and Encode fail with an
// error that says what does not match.
func NewJSON[T any](s *Schemas, pointer string) *Codec {
	return newJSON(s, pointer, reflect.TypeOf((*T)(nil)).Elem())
}

// newJSON is NewJSON's body, kept out of line: inlined, its closures would
// be compiled again for every payload type of a generated package.
//
//go:noinline
func newJSON(s *Schemas, pointer string, t reflect.Type) *Codec {
	j := &jsonCodec{t: t}
	j.load = sync.OnceValues(func() (*codec, error) { return s.bind(t, pointer) })
	return newCodec(t, j)
}

// jsonCodec is the codecImpl of NewJSON.
type jsonCodec struct {
	t    reflect.Type
	load func() (*codec, error)
}

// codec is what a JSON or text codec compiles on first use.
type codec struct {
	b     *bundle
	plan  *plan  // nil for text
	check *vnode // the fast validator
	slow  func() (*mqttrt.Schema, error)
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

func (j *jsonCodec) decode(data []byte, p unsafe.Pointer, validate bool) error {
	c, err := j.load()
	if err != nil {
		return fmt.Errorf("%w: %w", mqttrt.ErrDecode, err)
	}
	if validate {
		// One pass when the plan checks everything as it reads.
		d := decoder{sc: newScanner(data), b: c.b, check: true}
		if c.plan.local && d.value(c.plan, p, 0) && d.sc.end() {
			return nil
		}
		zeroAt(j.t, p)
		if err := c.validate(data); err != nil {
			return err
		}
	}
	d := decoder{sc: newScanner(data), b: c.b}
	if d.value(c.plan, p, 0) && d.sc.end() {
		return nil
	}
	if d.err == nil {
		d.syntax()
	}
	return d.err
}

func (j *jsonCodec) encode(p unsafe.Pointer, validate bool) ([]byte, error) {
	c, err := j.load()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", mqttrt.ErrValidation, err)
	}
	e := encoder{buf: make([]byte, 0, 128), check: validate}
	ok := e.value(c.plan, p, 0)
	if !ok && e.unsure {
		// The fused checks were abandoned: write the value again without
		// them, then validate what was written.
		e = encoder{buf: e.buf[:0]}
		if ok = e.value(c.plan, p, 0); ok {
			if err := c.validate(e.buf); err != nil {
				return nil, err
			}
		}
	}
	if !ok {
		return nil, encodeError(e.at, "%s", e.err)
	}
	return e.buf, nil
}

// NewText returns the codec of a text/* payload bound to the schema at
// pointer in s: T is string or a named string type, the payload its UTF-8
// bytes, validated as a JSON string against the schema. Like NewJSON it
// compiles on first use. Data that is not UTF-8 is refused, decoding with
// mqttrt.ErrDecode and encoding with mqttrt.ErrValidation.
func NewText[T ~string](s *Schemas, pointer string) *Codec {
	return newText(s, pointer, reflect.TypeOf((*T)(nil)).Elem())
}

//go:noinline
func newText(s *Schemas, pointer string, t reflect.Type) *Codec {
	return newCodec(t, &textCodec{load: sync.OnceValues(func() (*codec, error) { return s.bind(nil, pointer) })})
}

// textCodec is the codecImpl of NewText; its values are strings.
type textCodec struct {
	load func() (*codec, error)
}

func (t *textCodec) decode(data []byte, p unsafe.Pointer, validate bool) error {
	if !utf8.Valid(data) {
		return &DecodeError{Offset: invalidUTF8At(data), Reason: "invalid UTF-8 in a text payload"}
	}
	if validate {
		if err := t.validate(string(data)); err != nil {
			return err
		}
	}
	*(*string)(p) = string(data)
	return nil
}

func (t *textCodec) encode(p unsafe.Pointer, validate bool) ([]byte, error) {
	v := *(*string)(p)
	if !utf8.ValidString(v) {
		return nil, encodeError("", "text is not valid UTF-8")
	}
	if validate {
		if err := t.validate(v); err != nil {
			return nil, err
		}
	}
	return []byte(v), nil
}

func (t *textCodec) validate(s string) error {
	c, err := t.load()
	if err != nil {
		return fmt.Errorf("%w: %w", mqttrt.ErrValidation, err)
	}
	return c.validate(appendString(nil, s))
}
