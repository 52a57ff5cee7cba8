package runtime

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Schema is a compiled JSON Schema for one payload. Generated code keeps
// each schema in a package-level variable, compiled once (on first use,
// see CompileOnUse) and reused for every message; a Schema is safe for
// concurrent use.
type Schema struct {
	name string
	// compiled returns the compiled schema: the one CompileSchema made, or
	// CompileOnUse's, compiled by the first call.
	compiled func() *jsonschema.Schema
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
	return &Schema{name: name, compiled: func() *jsonschema.Schema { return compiled }}, nil
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

// CompileOnUse is MustCompileSchema, compiling the schema when it is first
// used rather than when the generated package loads: a package with a
// thousand payloads would otherwise spend a quarter of a second compiling
// at every program start, most of it for payloads the program never sees.
// A schema that does not compile panics on its first use (a generator bug:
// the generator compiles every schema it writes).
func CompileOnUse(name, schemaJSON string) *Schema {
	return &Schema{name: name, compiled: sync.OnceValue(func() *jsonschema.Schema {
		return MustCompileSchema(name, schemaJSON).compiled()
	})}
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
	err := s.compiled().Validate(v)
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

// ValidateDecoded checks v, the Go value data was decoded into after data
// passed the schema, by encoding v again and validating that. It closes a
// gap between the two readers: encoding/json fills a struct field from a
// key that differs from its name only in case, so in
// {"celsius":21,"CELSIUS":500} the schema validates celsius (21) and lets
// CELSIUS pass as an extra property, while the decoded field holds 500.
// The error wraps ErrValidation and names such a key when there is one.
// Generated decoders call it whenever the fast check did not vouch for
// data (the fast check itself refuses keys that fold to a property name).
func (s *Schema) ValidateDecoded(data []byte, v any) error {
	again, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("%w: %s: encoding the decoded value again: %v", ErrValidation, s.name, err)
	}
	decoded, err := DecodeValue(again)
	if err != nil {
		return fmt.Errorf("%w: %s: the decoded value encodes to bad JSON: %v", ErrValidation, s.name, err)
	}
	verr := s.Validate(decoded)
	if verr == nil {
		return nil
	}
	inner, ok := verr.(*ValidationError)
	if !ok {
		return verr
	}
	if original, err := DecodeValue(data); err == nil {
		if at, key, prop, found := caseVariant(original, decoded, ""); found {
			return &ValidationError{Field: at, Rule: inner.Rule, Message: fmt.Sprintf(
				"key %q is decoded as property %q (decoding matches names regardless of case), and the decoded value breaks the schema at %q: %s",
				key, prop, inner.Field, inner.Message)}
		}
	}
	return &ValidationError{Field: inner.Field, Rule: inner.Rule,
		Message: "the decoded value breaks the schema although the payload satisfies it: " + inner.Message}
}

// caseVariant walks the decoded value beside the original one and finds a
// member of an original object whose name is not the name it has in the
// decoded value but folds to it: a key decoding read under another name.
// It returns the key's JSON pointer in the original, the key and that
// name. Keys are visited in sorted order so the answer is deterministic.
func caseVariant(original, decoded any, ptr string) (at, key, prop string, found bool) {
	switch d := decoded.(type) {
	case map[string]any:
		o, ok := original.(map[string]any)
		if !ok {
			return "", "", "", false
		}
		// A key the decoded value lacks was certainly read under another
		// name; one it also has (kept in a map of extras) may have been.
		for _, lacking := range []bool{true, false} {
			for _, name := range sortedNames(d) {
				for _, k := range sortedNames(o) {
					if _, kept := d[k]; k != name && kept != lacking && foldEqual([]byte(k), name) {
						return ptr + "/" + escapePointer(k), k, name, true
					}
				}
			}
		}
		for _, name := range sortedNames(d) {
			if ov, ok := o[name]; ok {
				if at, key, prop, found = caseVariant(ov, d[name], ptr+"/"+escapePointer(name)); found {
					return at, key, prop, true
				}
			}
		}
	case []any:
		o, ok := original.([]any)
		if !ok {
			return "", "", "", false
		}
		for i := range min(len(o), len(d)) {
			if at, key, prop, found = caseVariant(o[i], d[i], fmt.Sprintf("%s/%d", ptr, i)); found {
				return at, key, prop, true
			}
		}
	}
	return "", "", "", false
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// escapePointer escapes a name for a JSON pointer (RFC 6901).
func escapePointer(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
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
