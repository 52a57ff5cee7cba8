package model

import "strconv"

// Schema is one resolved JSON Schema. $refs are replaced by pointers to the
// target Schema, so the same target reached by several refs is one value and
// a recursive schema is a cycle of pointers: walkers must track what they
// have visited.
//
// Values (Enum, Const, Default, Examples, Extra) are decoded JSON:
// nil, bool, float64/int64, string, []any, map[string]any.
type Schema struct {
	Loc
	// Ref is the $ref (as written, resolved to an absolute "file#/pointer")
	// through which this schema was first reached; empty for inline schemas.
	Ref string
	// Key is the components/schemas key when the schema is a named
	// component; empty otherwise.
	Key string

	// Bool is set for the boolean schemas `true` and `false`; every other
	// field is then empty.
	Bool *bool

	Type        []string // "object", "string", ... ; ["string","null"] for a union
	Format      string
	Title       string
	Description string
	Nullable    bool // 2.x/OpenAPI nullable: true
	Deprecated  bool
	ReadOnly    bool
	WriteOnly   bool

	Enum       []any
	HasConst   bool
	Const      any
	HasDefault bool
	Default    any
	Examples   []any

	// Object keywords.
	Properties           []*Property // in document order
	Required             []string
	AdditionalProperties *Schema     // nil when absent; a Bool schema for true/false
	PatternProperties    []*Property // Name holds the pattern
	PropertyNames        *Schema
	Discriminator        string // property name (AsyncAPI 2.x string, or OpenAPI-style propertyName)

	// Array keywords.
	Items       *Schema   // single-schema items
	PrefixItems []*Schema // 2020-12 prefixItems, or draft-07 array-form items
	// AdditionalItems is the schema of the items after PrefixItems:
	// draft-07 additionalItems, or 2020-12 items beside prefixItems.
	AdditionalItems *Schema
	Contains        *Schema

	// Dependencies is draft-07 dependencies (and 2019-09 dependentRequired
	// and dependentSchemas, which say the same): when the object has
	// member Name, it must also have Required, or satisfy Schema.
	Dependencies []*Dependency

	// Composition.
	AllOf []*Schema
	OneOf []*Schema
	AnyOf []*Schema
	Not   *Schema
	If    *Schema
	Then  *Schema
	Else  *Schema

	// Numeric and string constraints (nil when absent).
	Minimum          *float64
	Maximum          *float64
	ExclusiveMinimum *float64
	ExclusiveMaximum *float64
	MultipleOf       *float64
	MinLength        *int
	MaxLength        *int
	Pattern          string
	MinItems         *int
	MaxItems         *int
	UniqueItems      bool
	MinProperties    *int
	MaxProperties    *int
	// ExactNumbers holds, for the keywords above (minimum, maximum,
	// exclusiveMinimum, exclusiveMaximum, multipleOf) whose float64 value
	// is not the number written (an integer beyond 2^53, say), the number
	// as written; Number returns it.
	ExactNumbers map[string]string

	// Extensions holds x-* keys (x-go-name, x-go-type, x-go-type-import...).
	Extensions map[string]any
	// Extra holds every other keyword, verbatim, so validation loses
	// nothing the model does not name.
	Extra map[string]any

	// GoName is the Go type name for schemas that become named types, set
	// by the naming stage; empty for schemas rendered inline.
	GoName string
}

// Dependency is one entry of dependencies.
type Dependency struct {
	Name     string
	Required []string // property dependency ("a" needs "b", "c"); nil for a schema dependency
	Schema   *Schema  // schema dependency; nil for a property dependency
}

// Property is one entry of properties (or patternProperties).
type Property struct {
	Loc
	Name   string
	Schema *Schema

	GoName string // Go field name, set by the naming stage
}

// HasType reports whether t is one of the schema's types.
func (s *Schema) HasType(t string) bool {
	for _, x := range s.Type {
		if x == t {
			return true
		}
	}
	return false
}

// IsRequired reports whether property name is in Required.
func (s *Schema) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// Extension returns the string value of an x-* extension, or "".
func (s *Schema) Extension(key string) string {
	v, _ := s.Extensions[key].(string)
	return v
}

// Number renders the value v of numeric keyword key as JSON number text:
// as written when ExactNumbers holds it, else v's shortest form.
func (s *Schema) Number(key string, v float64) string {
	if text, ok := s.ExactNumbers[key]; ok {
		return text
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
