package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Schema is a compiled JSON Schema for one payload. Generated code compiles
// each schema once, in a package-level variable, and reuses it for every
// message; a Schema is safe for concurrent use.
type Schema struct {
	name     string
	compiled *jsonschema.Schema
}

// CompileSchema compiles schemaJSON, a standalone JSON Schema document
// (draft-07 unless it names another draft in $schema). name only labels
// errors. Formats such as date-time, email and uuid are asserted.
func CompileSchema(name, schemaJSON string) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	// Generated schemas are self-contained: refusing to load anything keeps
	// validation free of file or network access.
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema %q: external reference %q is not allowed", name, s)
	}
	url := "mqttgen:///" + name + ".json"
	if err := c.AddResource(url, strings.NewReader(schemaJSON)); err != nil {
		return nil, fmt.Errorf("schema %q: %w", name, err)
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema %q: %w", name, err)
	}
	return &Schema{name: name, compiled: compiled}, nil
}

// MustCompileSchema is CompileSchema for schemas written by the generator,
// which compiles them while generating; a panic here means a generator bug.
func MustCompileSchema(name, schemaJSON string) *Schema {
	s, err := CompileSchema(name, schemaJSON)
	if err != nil {
		panic("mqttgen: generated schema does not compile: " + err.Error())
	}
	return s
}

// Name is the label the schema was compiled with.
func (s *Schema) Name() string { return s.name }

// ValidateJSON decodes data, keeping numbers exact, and validates it.
// A payload that is not JSON returns an error wrapping ErrDecode; one that
// breaks the schema returns a *ValidationError.
func (s *Schema) ValidateJSON(data []byte) error {
	v, err := DecodeValue(data)
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// DecodeValue decodes one JSON value the way Validate expects it, with
// numbers kept as json.Number so large integers stay exact. Generated sum
// types use it to try each variant's schema. Errors wrap ErrDecode.
func DecodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON value", ErrDecode)
	}
	return v, nil
}

// Validate checks v, a decoded JSON value (nil, bool, json.Number or
// float64, string, []any, map[string]any), against the schema.
func (s *Schema) Validate(v any) error {
	err := s.compiled.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		return toValidationError(ve)
	}
	// Not a JSON value (a Go type the validator does not know).
	return &ValidationError{Rule: "type", Message: err.Error()}
}

// ValidationError says which value broke which rule of the payload schema.
// It wraps ErrValidation.
type ValidationError struct {
	// Field is the JSON pointer of the failing value, e.g.
	// "/reading/celsius"; "" is the whole payload.
	Field string
	// Rule is the JSON Schema keyword that failed: required, minimum,
	// type, enum, pattern, format...
	Rule string
	// Message is the validator's explanation.
	Message string
}

// Error renders e.g.
// `payload field "/reading/celsius": minimum: must be >= -50 but found -80`.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("payload: %s: %s", e.Rule, e.Message)
	}
	return fmt.Sprintf("payload field %q: %s: %s", e.Field, e.Rule, e.Message)
}

// Unwrap returns ErrValidation, so errors.Is(err, ErrValidation) holds.
func (e *ValidationError) Unwrap() error { return ErrValidation }

// toValidationError reports the most specific failure: the validator nests
// causes from the root keyword down to the one that actually failed.
func toValidationError(ve *jsonschema.ValidationError) *ValidationError {
	leaf := ve
	for len(leaf.Causes) > 0 {
		leaf = leaf.Causes[0]
	}
	rule := leaf.KeywordLocation
	if i := strings.LastIndexByte(rule, '/'); i >= 0 {
		rule = rule[i+1:]
	}
	if rule == "" {
		rule = "schema"
	}
	return &ValidationError{Field: leaf.InstanceLocation, Rule: rule, Message: leaf.Message}
}
