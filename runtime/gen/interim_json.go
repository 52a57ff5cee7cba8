package gen

// Interim JSON and text codecs on encoding/json and jsonschema/v5, until
// the table-driven codec lands (same API).

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

type Schemas struct {
	bundle string
	once   sync.Once
	c      *jsonschema.Compiler
	err    error
}

func NewSchemas(bundle string) *Schemas { return &Schemas{bundle: bundle} }

func (s *Schemas) compile(ptr string) (*jsonschema.Schema, error) {
	s.once.Do(func() {
		s.c = jsonschema.NewCompiler()
		s.c.Draft = jsonschema.Draft7
		s.c.AssertFormat = true
		s.c.LoadURL = func(u string) (io.ReadCloser, error) { return nil, fmt.Errorf("no %s", u) }
		s.err = s.c.AddResource("mqttgen:///bundle.json", strings.NewReader(s.bundle))
	})
	if s.err != nil {
		return nil, s.err
	}
	return s.c.Compile("mqttgen:///bundle.json#" + ptr)
}

type JSON[T any] struct {
	s      *Schemas
	ptr    string
	once   sync.Once
	schema *jsonschema.Schema
	err    error
}

func NewJSON[T any](s *Schemas, pointer string) *JSON[T] { return &JSON[T]{s: s, ptr: pointer} }

func (c *JSON[T]) compiled() (*jsonschema.Schema, error) {
	c.once.Do(func() { c.schema, c.err = c.s.compile(c.ptr) })
	return c.schema, c.err
}

func (c *JSON[T]) validate(data []byte) error {
	sch, err := c.compiled()
	if err != nil {
		return err
	}
	v, err := mqttrt.DecodeValue(data)
	if err != nil {
		return err
	}
	if err := sch.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return &mqttrt.ValidationError{Rule: "schema", Message: ve.Error(), Violations: []mqttrt.Violation{{Rule: "schema", Message: ve.Error()}}}
		}
		return err
	}
	return nil
}

func (c *JSON[T]) Encode(v *T, validate bool) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	if validate {
		if err := c.validate(data); err != nil {
			return nil, err
		}
	}
	return data, nil
}

func (c *JSON[T]) Decode(data []byte, validate bool) (T, error) {
	var v T
	if !utf8.Valid(data) {
		return v, fmt.Errorf("%w: invalid UTF-8", mqttrt.ErrDecode)
	}
	if validate {
		if err := c.validate(data); err != nil {
			return v, err
		}
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("%w: %v", mqttrt.ErrDecode, err)
	}
	return v, nil
}

func (c *JSON[T]) Marshal(v *T) ([]byte, error) { return c.Encode(v, false) }
func (c *JSON[T]) Unmarshal(data []byte, v *T) error {
	out, err := c.Decode(data, false)
	*v = out
	return err
}

type Text[T ~string] struct{ j *JSON[string] }

func NewText[T ~string](s *Schemas, pointer string) *Text[T] {
	return &Text[T]{NewJSON[string](s, pointer)}
}

func (c *Text[T]) Encode(v *T, validate bool) ([]byte, error) {
	if validate {
		q, _ := json.Marshal(string(*v))
		if err := c.j.validate(q); err != nil {
			return nil, err
		}
	}
	return []byte(*v), nil
}

func (c *Text[T]) Decode(data []byte, validate bool) (T, error) {
	if !utf8.Valid(data) {
		return "", fmt.Errorf("%w: text is not valid UTF-8", mqttrt.ErrDecode)
	}
	if validate {
		q, _ := json.Marshal(string(data))
		if err := c.j.validate(q); err != nil {
			return "", err
		}
	}
	return T(data), nil
}
