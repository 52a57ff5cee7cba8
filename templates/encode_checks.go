package templates

import (
	"math"
	"slices"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// The fast encoder validates as it writes: before appending a value it
// checks the value's own keywords on the Go value, so that a payload it
// returns true for certainly satisfies the schema and the publish path
// needs no second pass over the bytes. A keyword it cannot decide exactly
// on the Go value makes it return false, and the caller takes the usual
// path (json.Marshal, then the compiled schema), so a false costs time,
// never a different result. Exactness rests on three facts:
//
//   - the bytes are json.Marshal's (proven by the equivalence test), and
//     a float64 is written as its shortest round-trip decimal, which keeps
//     the order of float64 values; the schema's bounds are float64 values
//     written the same way (SchemaJSON), so comparing the Go values
//     compares what the validator compares;
//   - an integer bound b is compared as ceil(b) or floor(b), computed
//     here, against the int64 value;
//   - json.Marshal replaces each invalid UTF-8 byte by one U+FFFD, so rune
//     counts agree, while patterns, formats and enums are only decided on
//     valid UTF-8.

// encodeKeywords are the keywords encodeChecks decides; any other makes
// the value's check a plain false.
var encodeKeywords = map[string]bool{
	"type": true, "enum": true, "const": true, "format": true,
	"minLength": true, "maxLength": true, "pattern": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"items": true, "minItems": true, "maxItems": true,
	"properties": true, "required": true, "additionalProperties": true,
}

// encodeChecks emits the statements that return (dst, false) unless val, a
// Go value of schema s (not behind a pointer), certainly satisfies s's own
// keywords; items and properties are checked as they are appended. never
// is set when no value passes (a keyword left to the schema): the caller
// then emits a plain return instead of code that could not be reached.
func (e *fastEmitter) encodeChecks(s *model.Schema, val *jen.Statement) (code []jen.Code, never bool) {
	code = e.valueChecks(s, val)
	for _, c := range code {
		if c == refuse {
			return nil, true
		}
	}
	return code, false
}

// refuse stands in the checks for "no value passes"; encodeChecks turns
// it into never.
var refuse jen.Code = failEncode()

func (e *fastEmitter) valueChecks(s *model.Schema, val *jen.Statement) []jen.Code {
	for _, k := range keywordsOf(s) {
		if !encodeKeywords[k] {
			return []jen.Code{refuse}
		}
	}
	switch KindOf(s) {
	case KindString, KindEnum:
		return e.encodeStringChecks(s, jen.String().Parens(val))
	case KindBool:
		return e.encodeEnumChecks(s, val, func(v any) (any, bool) {
			b, ok := v.(bool)
			return b, ok
		})
	case KindInteger:
		return e.encodeIntegerChecks(s, jen.Int64().Parens(val))
	case KindNumber:
		return e.encodeNumberChecks(s, jen.Float64().Parens(val))
	case KindArray:
		var out []jen.Code
		if s.MinItems != nil {
			out = append(out, e.failEncodeIf(jen.Len(val.Clone()).Op("<").Lit(*s.MinItems)))
		}
		if s.MaxItems != nil {
			out = append(out, e.failEncodeIf(jen.Len(val.Clone()).Op(">").Lit(*s.MaxItems)))
		}
		return out
	case KindStruct:
		return nil // appendX checks its own object keywords
	}
	// time.Time and []byte: only the type, which the Go type ensures; a
	// format other than the kind's own, or any other keyword, is left to
	// the schema.
	if kw := keywordsOf(s); slices.ContainsFunc(kw, func(k string) bool { return k != "type" && k != "format" }) ||
		(s.Format != "" && s.Format != "date-time" && s.Format != "byte") {
		return []jen.Code{refuse}
	}
	return nil
}

// encodeTimeFormat checks the date-time format on b, time.Time's
// MarshalJSON output (quoted, nothing escaped), as the schema does on the
// string it decodes.
func (e *fastEmitter) encodeTimeFormat(s *model.Schema) []jen.Code {
	if s.Format != "date-time" || !knownFormat(s.Format) {
		return nil
	}
	return []jen.Code{e.failEncodeIf(jen.Op("!").Id(e.format(s.Format)).Call(jen.Id("b").Index(jen.Lit(1), jen.Len(jen.Id("b")).Op("-").Lit(1))))}
}

func (e *fastEmitter) encodeStringChecks(s *model.Schema, str *jen.Statement) []jen.Code {
	var out []jen.Code
	_, hasEnum := effectiveEnum(s)
	if hasEnum || s.Pattern != "" || s.Format != "" {
		// What the validator sees is the string json.Marshal wrote: the
		// same only when it is valid UTF-8.
		out = append(out, e.failEncodeIf(jen.Op("!").Qual("unicode/utf8", "ValidString").Call(str.Clone())))
	}
	out = append(out, e.encodeEnumChecks(s, str.Clone(), func(v any) (any, bool) {
		x, ok := v.(string)
		return x, ok
	})...)
	if s.MinLength != nil || s.MaxLength != nil {
		count := jen.Qual("unicode/utf8", "RuneCountInString").Call(str.Clone())
		switch {
		case s.MaxLength == nil:
			out = append(out, e.failEncodeIf(count.Op("<").Lit(*s.MinLength)))
		case s.MinLength == nil:
			out = append(out, e.failEncodeIf(count.Op(">").Lit(*s.MaxLength)))
		default:
			out = append(out, jen.If(jen.Id("n").Op(":=").Add(count), jen.Id("n").Op("<").Lit(*s.MinLength).Op("||").Id("n").Op(">").Lit(*s.MaxLength)).Block(failEncode()))
		}
	}
	if s.Pattern != "" {
		out = append(out, e.failEncodeIf(jen.Op("!").Id(e.pattern(s.Pattern)).Dot("MatchString").Call(str.Clone())))
	}
	if s.Format != "" && knownFormat(s.Format) {
		out = append(out, e.failEncodeIf(jen.Op("!").Id(e.format(s.Format)).Call(jen.Index().Byte().Parens(str.Clone()))))
	}
	return out
}

// encodeEnumChecks emits the enum (and const) check of a scalar: lit turns
// an enum value into a value of the Go value's type (emitted as a
// literal), or says the value cannot equal one.
func (e *fastEmitter) encodeEnumChecks(s *model.Schema, val *jen.Statement, lit func(any) (any, bool)) []jen.Code {
	enum, has := effectiveEnum(s)
	if !has {
		return nil
	}
	var lits []jen.Code
	seen := map[any]bool{} // a repeated case would not compile
	for _, v := range enum {
		if l, ok := lit(v); ok && !seen[l] {
			seen[l] = true
			lits = append(lits, jen.Lit(l))
		}
	}
	if len(lits) == 0 {
		return []jen.Code{refuse}
	}
	return []jen.Code{jen.Switch(val).Block(jen.Case(lits...), jen.Default().Block(failEncode()))}
}

// int64Range is the float64 range that converts to int64 exactly.
const int64Range = 1 << 63

func (e *fastEmitter) encodeIntegerChecks(s *model.Schema, v *jen.Statement) []jen.Code {
	out := e.encodeEnumChecks(s, v.Clone(), func(x any) (any, bool) {
		n, ok := asInt(x)
		return n, ok
	})
	// v >= lo, with lo integral; a bound no int64 reaches refuses all.
	atLeast := func(lo float64) {
		switch {
		case lo <= -int64Range:
		case lo >= int64Range:
			out = append(out, refuse)
		default:
			out = append(out, e.failEncodeIf(v.Clone().Op("<").Lit(int64(lo))))
		}
	}
	atMost := func(hi float64) {
		switch {
		case hi >= int64Range:
		case hi < -int64Range:
			out = append(out, refuse)
		default:
			out = append(out, e.failEncodeIf(v.Clone().Op(">").Lit(int64(hi))))
		}
	}
	if b := s.Minimum; b != nil {
		atLeast(math.Ceil(*b))
	}
	if b := s.ExclusiveMinimum; b != nil {
		atLeast(math.Floor(*b) + 1)
	}
	if b := s.Maximum; b != nil {
		atMost(math.Floor(*b))
	}
	if b := s.ExclusiveMaximum; b != nil {
		atMost(math.Ceil(*b) - 1)
	}
	if m := s.MultipleOf; m != nil {
		if *m >= 1 && *m < 1<<62 && *m == math.Trunc(*m) {
			out = append(out, e.failEncodeIf(v.Clone().Op("%").Lit(int64(*m)).Op("!=").Lit(0)))
		} else {
			out = append(out, refuse)
		}
	}
	return out
}

func (e *fastEmitter) encodeNumberChecks(s *model.Schema, v *jen.Statement) []jen.Code {
	numeric := s.Minimum != nil || s.Maximum != nil || s.ExclusiveMinimum != nil || s.ExclusiveMaximum != nil || s.MultipleOf != nil
	if _, has := effectiveEnum(s); s.Format == "float" && (numeric || has) {
		// A float32 is written as its own shortest decimal, which need
		// not order like the float64 it converts to.
		return []jen.Code{refuse}
	}
	if s.MultipleOf != nil {
		return []jen.Code{refuse}
	}
	out := e.encodeEnumChecks(s, v.Clone(), func(x any) (any, bool) {
		n, ok := asInt(x)
		if !ok || n > 1<<53 || n < -(1<<53) {
			return nil, false
		}
		return float64(n), true
	})
	if enum, has := effectiveEnum(s); has {
		for _, x := range enum {
			if n, ok := asInt(x); ok && (n > 1<<53 || n < -(1<<53)) {
				return []jen.Code{refuse} // not exactly a float64
			}
		}
	}
	bound := func(b *float64, fails string) {
		if b != nil {
			out = append(out, e.failEncodeIf(v.Clone().Op(fails).Lit(*b)))
		}
	}
	bound(s.Minimum, "<")
	bound(s.ExclusiveMinimum, "<=")
	bound(s.Maximum, ">")
	bound(s.ExclusiveMaximum, ">=")
	return out
}

// encodeObjectNever reports whether no value of struct s passes the
// encoder's object checks: a required property the struct does not
// declare, minProperties or maxProperties are left to the schema (members
// are written as the Go value has them). The declared required members
// are always written, and a nil one is refused where it is written.
func encodeObjectNever(s *model.Schema, obj *Object) bool {
	for _, k := range keywordsOf(s) {
		if !encodeKeywords[k] {
			return true
		}
	}
	declared := map[string]bool{}
	for _, p := range obj.Properties {
		declared[p.Name] = true
	}
	for name := range obj.Required {
		if !declared[name] {
			return true
		}
	}
	return false
}
