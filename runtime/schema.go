package runtime

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
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

// SchemaOf wraps a schema compiled elsewhere with jsonschema/v5, so that
// its failures are reported as *ValidationError like CompileSchema's:
// runtime/gen compiles each generated package's schema bundle once and
// takes every payload's subschema from it.
func SchemaOf(name string, compiled *jsonschema.Schema) *Schema {
	return &Schema{name: name, compiled: func() *jsonschema.Schema { return compiled }}
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
	return newValidationError([]Violation{{Rule: "type", Message: err.Error()}})
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
			return newValidationError([]Violation{{Field: at, Rule: inner.Rule, Message: fmt.Sprintf(
				"key %q is decoded as property %q (decoding matches names regardless of case), and the decoded value breaks the schema at %q: %s",
				key, prop, inner.Field, inner.Message)}})
		}
	}
	return newValidationError([]Violation{{Field: inner.Field, Rule: inner.Rule,
		Message: "the decoded value breaks the schema although the payload satisfies it: " + inner.Message}})
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

// MaxViolations caps the violations a ValidationError lists: a payload
// that is wrong everywhere gets a readable error, not one line per member.
const MaxViolations = 10

// Violation is one rule a payload breaks.
type Violation struct {
	// Field is the JSON pointer of the failing value, e.g.
	// "/reading/celsius"; "" is the whole payload.
	Field string
	// Rule is the JSON Schema keyword that failed: required, minimum,
	// type, enum, pattern, format, oneOf...
	Rule string
	// Message is the validator's explanation. For a oneOf or anyOf that no
	// variant matches it says, per variant, the first reason it did not.
	Message string
}

// String renders e.g.
// `field "/reading/celsius": minimum: must be >= -50 but found -80`.
func (v Violation) String() string {
	if v.Field == "" {
		return fmt.Sprintf("%s: %s", v.Rule, v.Message)
	}
	return fmt.Sprintf("field %q: %s: %s", v.Field, v.Rule, v.Message)
}

// ValidationError says which values broke which rules of the payload
// schema. It wraps ErrValidation.
type ValidationError struct {
	// Field, Rule and Message are the first violation, by JSON pointer.
	Field   string
	Rule    string
	Message string
	// Violations lists every violation found, the first one included, at
	// most MaxViolations of them; Omitted counts those left out.
	Violations []Violation
	Omitted    int
}

// newValidationError makes the error of the violations found, which must
// not be empty; past MaxViolations they are counted, not kept.
func newValidationError(found []Violation) *ValidationError {
	e := &ValidationError{Field: found[0].Field, Rule: found[0].Rule, Message: found[0].Message}
	if len(found) > MaxViolations {
		e.Omitted = len(found) - MaxViolations
		found = found[:MaxViolations]
	}
	e.Violations = found
	return e
}

// Error renders one violation as
// `payload field "/reading/celsius": minimum: must be >= -50 but found -80`
// and several as `payload: 2 violations: field "/a": ...; field "/b": ...`.
func (e *ValidationError) Error() string {
	if len(e.Violations) <= 1 && e.Omitted == 0 {
		if e.Field == "" {
			return "payload: " + e.first().String()
		}
		return "payload " + e.first().String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "payload: %d violations: ", len(e.Violations)+e.Omitted)
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	if e.Omitted > 0 {
		fmt.Fprintf(&b, "; and %d more", e.Omitted)
	}
	return b.String()
}

// first is the violation Field, Rule and Message describe.
func (e *ValidationError) first() Violation {
	return Violation{Field: e.Field, Rule: e.Rule, Message: e.Message}
}

// Unwrap returns ErrValidation, so errors.Is(err, ErrValidation) holds.
func (e *ValidationError) Unwrap() error { return ErrValidation }

// toValidationError lists the failures the validator found. It nests
// causes from the root keyword down to the ones that actually failed; each
// leaf is a violation, except under a oneOf or anyOf that nothing matched,
// which is one violation naming each variant's first failure.
func toValidationError(ve *jsonschema.ValidationError) *ValidationError {
	var found []Violation
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		rule := ruleOf(e)
		switch {
		case len(e.Causes) == 0:
			found = append(found, Violation{Field: e.InstanceLocation, Rule: rule, Message: e.Message})
		case rule == "oneOf" || rule == "anyOf":
			found = append(found, Violation{Field: e.InstanceLocation, Rule: rule, Message: variantReasons(e)})
		default:
			for _, c := range e.Causes {
				walk(c)
			}
		}
	}
	walk(ve)
	// The validator visits an object's properties in map order: sort by
	// pointer, then rule, so that the same payload always gives the same
	// error, whose first violation is the one nearest the root.
	slices.SortStableFunc(found, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
	return newValidationError(found)
}

// variantReasons explains a oneOf or anyOf that matched no variant: for
// each variant, the first leaf failure under it.
func variantReasons(e *jsonschema.ValidationError) string {
	var b strings.Builder
	b.WriteString("matches no variant")
	for _, c := range e.Causes {
		leaf := c
		for len(leaf.Causes) > 0 {
			leaf = leaf.Causes[0]
		}
		variant, _, _ := strings.Cut(strings.TrimPrefix(c.KeywordLocation, e.KeywordLocation+"/"), "/")
		v := Violation{Field: leaf.InstanceLocation, Rule: ruleOf(leaf), Message: leaf.Message}
		fmt.Fprintf(&b, "; variant %s: %s", variant, v)
	}
	return b.String()
}

// ruleOf is the keyword a validator error is about: the last element of
// its keyword location ("schema" for the root).
func ruleOf(e *jsonschema.ValidationError) string {
	rule := e.KeywordLocation
	if i := strings.LastIndexByte(rule, '/'); i >= 0 {
		rule = rule[i+1:]
	}
	if rule == "" {
		rule = "schema"
	}
	return rule
}
