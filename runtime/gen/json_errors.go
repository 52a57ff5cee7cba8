package gen

import (
	"fmt"
	"strings"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// DecodeError says where and why a payload cannot be decoded: it is not
// JSON, holds invalid UTF-8 or trailing data, or holds a value its Go type
// cannot take. It wraps mqttrt.ErrDecode.
type DecodeError struct {
	// Pointer is the JSON pointer of the value that failed, when known
	// ("" is the whole payload).
	Pointer string
	// Offset is the byte offset in the payload where reading stopped, or
	// -1 when unknown.
	Offset int
	// Reason says what is wrong, e.g. "number 1.5 is not an integer".
	Reason string
}

// Error renders e.g. `mqtt: payload cannot be decoded: "/battery" (offset
// 40): number 1.5 is not an integer`.
func (e *DecodeError) Error() string {
	var b strings.Builder
	b.WriteString(mqttrt.ErrDecode.Error())
	b.WriteString(": ")
	if e.Pointer != "" {
		fmt.Fprintf(&b, "%q ", e.Pointer)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(&b, "(offset %d): ", e.Offset)
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns mqttrt.ErrDecode, so errors.Is(err, mqttrt.ErrDecode)
// holds.
func (e *DecodeError) Unwrap() error { return mqttrt.ErrDecode }

// decodeError describes the scanner's syntax error.
func (s *scanner) decodeError(pointer string) *DecodeError {
	return &DecodeError{Pointer: pointer, Offset: s.at, Reason: s.why}
}

// BindError says that a Go type does not fit the schema a codec binds it
// to: a generator bug, reported by the first use of the codec (wrapped in
// the error of that use).
type BindError struct {
	// Type is the Go type, Pointer the schema node's JSON pointer.
	Type    string
	Pointer string
	Reason  string
}

func (e *BindError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("schema %q: %s", e.Pointer, e.Reason)
	}
	return fmt.Sprintf("go type %s does not fit schema %q: %s", e.Type, e.Pointer, e.Reason)
}

// encodeError is a value JSON cannot hold (NaN, a string that is not
// UTF-8, a sum type with no variant set...); it wraps mqttrt.ErrValidation
// as the contract of Encode says.
func encodeError(pointer, format string, args ...any) error {
	at := ""
	if pointer != "" {
		at = fmt.Sprintf(" %q", pointer)
	}
	return fmt.Errorf("%w: cannot encode%s: %s", mqttrt.ErrValidation, at, fmt.Sprintf(format, args...))
}
