package ir

import "github.com/mqttgen/mqttgen/generator/model"

// TypeKind is the shape of a named Go type.
type TypeKind int

const (
	// TypeStruct is an object with properties: one field per property,
	// plus maps for extra and pattern-matched members.
	TypeStruct TypeKind = iota + 1
	// TypeSum is a oneOf/anyOf: one pointer field per variant, exactly one
	// set.
	TypeSum
	// TypeEnum is a string or integer type with one constant per value.
	TypeEnum
	// TypeSlice and TypeMap are a named []Elem or map[string]Elem, named
	// because the schema contains itself (type Tree []Tree).
	TypeSlice
	TypeMap
	// TypeMessages holds one of an operation's several messages: one
	// pointer field per message, exactly one set.
	TypeMessages
	// TypeText is a named string type for a text payload without enum.
	TypeText
)

// Type is a named Go type the package declares.
type Type struct {
	Name string
	Kind TypeKind
	// Schema is the schema it maps (nil for TypeMessages); Owner names what
	// it is for, in docs ("the payload of message alert").
	Schema *model.Schema
	Owner  string
	// Fields of a struct, sum or messages type, in declaration order.
	Fields []*Field
	// Enum values and the underlying type (string, int64 or int32).
	Enum     []EnumValue
	EnumBase *TypeRef
	// Elem is the element of a TypeSlice or TypeMap.
	Elem *TypeRef
	// JSONMethods: the type gets MarshalJSON and UnmarshalJSON that go
	// through Codec, because encoding/json cannot do its job (a property
	// name that cannot be a struct tag, a sum, a map of extra members).
	JSONMethods bool
	// Codec is the type's own codec, when it is a payload or has
	// JSONMethods; nil otherwise.
	Codec *Codec
	// Definition is the bundle definition of its schema ("" for
	// TypeMessages).
	Definition string
}

// FieldRole says what a struct field holds.
type FieldRole int

const (
	// FieldProperty is one property of the object.
	FieldProperty FieldRole = iota + 1
	// FieldExtra holds the members additionalProperties applies to.
	FieldExtra
	// FieldPatterns holds the members a patternProperties pattern matches.
	FieldPatterns
	// FieldVariant is one variant of a sum (or one message of a messages
	// type).
	FieldVariant
)

// Field is one field of a struct, sum or messages type.
type Field struct {
	Name string
	Role FieldRole
	// Wire is the property's name on the wire (FieldProperty).
	Wire string
	Type *TypeRef
	// Tag is the struct tag, key to value (jennifer renders it sorted).
	Tag map[string]string
	// Schema is the property's or variant's schema, for docs.
	Schema *model.Schema
	// Required: the property is in the object's required list.
	Required bool
	// Message is the message a TypeMessages field holds.
	Message *Message
}

// RefKind is the form of a Go type expression.
type RefKind int

const (
	// RefNamed is a type this package declares (Type).
	RefNamed RefKind = iota + 1
	// RefBuiltin is a predeclared type: bool, string, int32, int64,
	// float32, float64, byte.
	RefBuiltin
	// RefQual is a type of another package: Path.Name (time.Time,
	// encoding/json.RawMessage, an x-go-type).
	RefQual
	// RefSlice, RefMap and RefPointer wrap Elem: []Elem, map[string]Elem,
	// *Elem.
	RefSlice
	RefMap
	RefPointer
)

// TypeRef is a Go type expression.
type TypeRef struct {
	Kind RefKind
	Name string // RefNamed, RefBuiltin, RefQual
	Path string // RefQual
	Type *Type  // RefNamed
	Elem *TypeRef
}

// Nilable reports whether the type has nil of its own (slices, maps,
// json.RawMessage, pointers), so an optional or null value needs no
// pointer.
func (t *TypeRef) Nilable() bool {
	switch t.Kind {
	case RefSlice, RefMap, RefPointer:
		return true
	case RefQual:
		return t.Path == "encoding/json" && t.Name == "RawMessage"
	case RefNamed:
		return t.Type.Kind == TypeSlice || t.Type.Kind == TypeMap
	}
	return false
}

// String renders the type as Go source, for messages and tests.
func (t *TypeRef) String() string {
	switch t.Kind {
	case RefNamed, RefBuiltin:
		return t.Name
	case RefQual:
		return t.Path + "." + t.Name
	case RefSlice:
		return "[]" + t.Elem.String()
	case RefMap:
		return "map[string]" + t.Elem.String()
	case RefPointer:
		return "*" + t.Elem.String()
	}
	return "?"
}

// CodecKind is how a payload goes on the wire.
type CodecKind int

const (
	// CodecJSON: JSON, validated against its schema.
	CodecJSON CodecKind = iota + 1
	// CodecText: a text/* payload, a string validated as a JSON string.
	CodecText
	// CodecBytes: raw bytes, unvalidated.
	CodecBytes
	// CodecMessages: one of several messages, each with its own codec,
	// told apart by trying them in document order.
	CodecMessages
)

// Codec is a package-level codec variable.
type Codec struct {
	Var  string
	Kind CodecKind
	Type *TypeRef
	// Definition is the bundle definition it validates with (JSON, Text).
	Definition string
	// Variants are the messages' codecs, in order (CodecMessages).
	Variants []*Codec
}

// Pointer is the JSON pointer of the codec's schema in the bundle.
func (c *Codec) Pointer() string { return "/definitions/" + escapePointer(c.Definition) }
