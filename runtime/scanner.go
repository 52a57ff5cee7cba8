package runtime

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Scanner reads one JSON document token by token for the payload checks
// mqttgen emits next to each compiled Schema (the fast path). Generated
// code walks the document once, in step with its schema, without building
// a generic value and, for the usual payloads, without allocating.
//
// A check built on Scanner answers only "certainly valid": whenever it
// returns false (a broken rule, a syntax error, or a case it does not
// decide exactly, such as an integer written 1.0) the generated code asks
// the compiled Schema, which gives the verdict and the error. So the fast
// path can never accept a payload the Schema refuses.
//
// Syntax is checked as strictly as encoding/json does. The zero Scanner
// is empty; use NewScanner.
//
// Deprecated: the scanner moved to runtime/gen, whose table-driven codec
// replaces the emitted fast paths. This copy stays only until the
// templates stop emitting them: runtime/gen imports runtime for its error
// types, so runtime cannot alias runtime/gen's scanner without a cycle.
type Scanner struct {
	data []byte
	pos  int
	// open is set right after '{' or '[' so that NextKey and NextItem know
	// whether a ',' must come first.
	open bool
	// The last string read: its bytes between the quotes, and whether they
	// hold escapes or non-ASCII bytes (then Str decodes them).
	str        []byte
	strEscaped bool
	strHigh    bool
	// The last number read.
	num    []byte
	numInt bool // no fraction and no exponent
	// The last boolean read.
	boolean bool
	// buf holds decoded strings and keys; reused.
	buf []byte
}

// maxDepth bounds nesting like encoding/json does.
const maxDepth = 10000

// NewScanner starts scanning data.
func NewScanner(data []byte) Scanner { return Scanner{data: data} }

// fail makes every later read fail.
func (s *Scanner) fail() bool {
	s.pos = len(s.data) + 1
	return false
}

// Failed reports whether a syntax error was seen.
func (s *Scanner) Failed() bool { return s.pos > len(s.data) }

func (s *Scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// Next skips white space and classifies the next value by its first byte:
// '{', '[', '"', 't' or 'f' (a boolean), 'n' (null), '0' (a number), or 0
// at the end of the data or before anything else.
func (s *Scanner) Next() byte {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return 0
	}
	switch c := s.data[s.pos]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return '0'
	}
	return 0
}

// End reports whether the document was well formed and nothing but white
// space follows the value read.
func (s *Scanner) End() bool {
	if s.Failed() {
		return false
	}
	s.skipSpace()
	return s.pos == len(s.data)
}

// Object reads the '{' of an object.
func (s *Scanner) Object() bool { return s.begin('{') }

// Array reads the '[' of an array.
func (s *Scanner) Array() bool { return s.begin('[') }

// begin reads the byte that opens an object or an array.
func (s *Scanner) begin(opening byte) bool {
	if s.Next() != opening {
		return s.fail()
	}
	s.pos++
	s.open = true
	return true
}

// more reads the ',' before the next member or element of the current
// object or array and reports whether there is one; false at closing
// (which it reads) or on a syntax error (see Failed).
func (s *Scanner) more(closing byte) bool {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.fail()
	}
	if s.data[s.pos] == closing {
		s.pos++
		s.open = false
		return false
	}
	if !s.open {
		if s.data[s.pos] != ',' {
			return s.fail()
		}
		s.pos++
	}
	s.open = false
	return true
}

// NextKey reads the next member name of the current object and the ':'
// after it, and reports whether there is one; false at the closing '}'
// (which it reads) or on a syntax error (see Failed).
func (s *Scanner) NextKey() bool {
	if !s.more('}') {
		return false
	}
	if !s.String() {
		return s.fail()
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.fail()
	}
	s.pos++
	return true
}

// Key is the member name NextKey read, decoded. It is valid until the
// next string is read.
func (s *Scanner) Key() []byte { return s.Str() }

// KeyFolds reports whether the member name NextKey read equals one of
// names under Unicode case folding. encoding/json fills a struct field from
// any key that folds to its name ("CELSIUS" fills `json:"celsius"`), while
// the schema sees a different property; a generated check calls KeyFolds
// for a name that is not exactly a declared property and, when it says
// true, leaves the payload to the Schema and the decoded-value check.
func (s *Scanner) KeyFolds(names ...string) bool {
	key := s.Key()
	for _, n := range names {
		if foldEqual(key, n) {
			return true
		}
	}
	return false
}

// foldEqual reports whether key and name are equal under simple Unicode
// case folding, as bytes.EqualFold decides it, or map to the same rune
// under upper(lower(r)), as encoding/json folds names: either relation
// counts, since saying true only sends a payload to the slower checks.
func foldEqual(key []byte, name string) bool {
	for len(key) > 0 && len(name) > 0 {
		a, b := key[0], name[0]
		if a < utf8.RuneSelf && b < utf8.RuneSelf {
			if a != b && lowerASCII(a) != lowerASCII(b) {
				return false
			}
			key, name = key[1:], name[1:]
			continue
		}
		r, n := utf8.DecodeRune(key)
		q, m := utf8.DecodeRuneInString(name)
		if !runeFold(r, q) {
			return false
		}
		key, name = key[n:], name[m:]
	}
	return len(key) == 0 && len(name) == 0
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// runeFold reports whether r and q are equal, in one simple case-folding
// orbit (k, K and the Kelvin sign), or equal after upper(lower(x)).
func runeFold(r, q rune) bool {
	if r == q || unicode.ToUpper(unicode.ToLower(r)) == unicode.ToUpper(unicode.ToLower(q)) {
		return true
	}
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f == q {
			return true
		}
	}
	return false
}

// NextItem reports whether another element of the current array follows
// (reading the ',' before it); false at the closing ']' (which it reads)
// or on a syntax error (see Failed).
func (s *Scanner) NextItem() bool { return s.more(']') }

// String reads a string.
func (s *Scanner) String() bool {
	if s.Next() != '"' {
		return s.fail()
	}
	start := s.pos + 1
	s.strEscaped, s.strHigh = false, false
	for i := start; i < len(s.data); i++ {
		switch c := s.data[i]; {
		case c == '"':
			s.str = s.data[start:i]
			s.pos = i + 1
			return true
		case c == '\\':
			s.strEscaped = true
			i++
			if i >= len(s.data) {
				return s.fail()
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) {
					return s.fail()
				}
				for _, h := range s.data[i+1 : i+5] {
					if !isHex(h) {
						return s.fail()
					}
				}
				i += 4
			default:
				return s.fail()
			}
		case c < 0x20:
			return s.fail()
		case c >= utf8.RuneSelf:
			s.strHigh = true
		}
	}
	return s.fail()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// Str is the last string read, decoded as encoding/json decodes it
// (escapes resolved, invalid UTF-8 replaced by U+FFFD). It is valid until
// the next string is read.
func (s *Scanner) Str() []byte {
	if !s.strEscaped && (!s.strHigh || utf8.Valid(s.str)) {
		return s.str
	}
	// Rare: let encoding/json unquote, so the result is exactly what the
	// Schema and the decoder see.
	quoted := s.data[:0:0]
	quoted = append(quoted, '"')
	quoted = append(quoted, s.str...)
	quoted = append(quoted, '"')
	var v string
	if err := json.Unmarshal(quoted, &v); err != nil {
		s.fail()
		return nil
	}
	s.buf = append(s.buf[:0], v...)
	return s.buf
}

// RuneCount is the length of the last string read in Unicode code points,
// as minLength and maxLength count it.
func (s *Scanner) RuneCount() int { return utf8.RuneCount(s.Str()) }

// Number reads a number, checking the JSON grammar.
func (s *Scanner) Number() bool {
	if s.Next() != '0' {
		return s.fail()
	}
	d, i := s.data, s.pos
	start := i
	if d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
	default:
		return s.fail()
	}
	s.numInt = true
	if i < len(d) && d[i] == '.' {
		s.numInt = false
		i++
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return s.fail()
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		s.numInt = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && '0' <= d[i] && d[i] <= '9' {
			i++
		}
		if i == j {
			return s.fail()
		}
	}
	s.num = d[start:i]
	s.pos = i
	return true
}

// Integer reports whether the last number read has an integer value, as
// JSON Schema's "integer" type means it: 1.0, 1e2 and 100e-2 count.
func (s *Scanner) Integer() bool {
	if s.numInt {
		return true
	}
	num := s.num
	if num[0] == '-' {
		num = num[1:]
	}
	// num is digits [. digits] [e [sign] digits]: the value is an integer
	// when no non-zero digit lies after the decimal point once the
	// exponent has moved it.
	mant, exp := num, 0
	for i, c := range num {
		if c == 'e' || c == 'E' {
			mant = num[:i]
			e, err := strconv.Atoi(string(num[i+1:]))
			if err != nil {
				// An exponent too large for an int: leave it to the Schema.
				return false
			}
			exp = e
			break
		}
	}
	point := len(mant)
	for i, c := range mant {
		if c == '.' {
			point = i
			break
		}
	}
	for i, c := range mant {
		if c == '.' {
			continue
		}
		pos := i
		if i > point {
			pos--
		}
		// pos-point is the digit's place after the point (>= 0) once the
		// point moved exp places to the right.
		if c != '0' && pos-point >= exp {
			return false
		}
	}
	return true
}

// Int is the value of the last number read as an int64, for integer
// enums; false when it is not an integer or does not fit.
func (s *Scanner) Int() (int64, bool) {
	if s.numInt {
		n, err := strconv.ParseInt(string(s.num), 10, 64)
		return n, err == nil
	}
	if !s.Integer() {
		return 0, false
	}
	r, ok := exactRat(s.num)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// compare compares the last number read with a schema bound given both as
// the float64 the generator read and as the exact text of the bundled
// schema. Strict float64 inequalities decide (rounding to float64 keeps
// order); equal floats are compared exactly, as the Schema does.
func (s *Scanner) compare(bound float64, exact string) (int, bool) {
	f, err := strconv.ParseFloat(string(s.num), 64)
	if err != nil {
		return 0, false
	}
	switch {
	case f < bound:
		return -1, true
	case f > bound:
		return 1, true
	case string(s.num) == exact:
		return 0, true
	}
	a, ok := exactRat(s.num)
	b, okb := exactRat([]byte(exact))
	if !ok || !okb {
		return 0, false
	}
	return a.Cmp(b), true
}

// exactRat parses a JSON number exactly; numbers with huge exponents are
// left to the Schema rather than expanded.
func exactRat(num []byte) (*big.Rat, bool) {
	for i, c := range num {
		if (c == 'e' || c == 'E') && len(num)-i > 5 {
			return nil, false
		}
	}
	return new(big.Rat).SetString(string(num))
}

// AtLeast checks minimum: the last number read is >= the bound.
func (s *Scanner) AtLeast(bound float64, exact string) bool {
	c, ok := s.compare(bound, exact)
	return ok && c >= 0
}

// AtMost checks maximum: the last number read is <= the bound.
func (s *Scanner) AtMost(bound float64, exact string) bool {
	c, ok := s.compare(bound, exact)
	return ok && c <= 0
}

// Above checks exclusiveMinimum: the last number read is > the bound.
func (s *Scanner) Above(bound float64, exact string) bool {
	c, ok := s.compare(bound, exact)
	return ok && c > 0
}

// Below checks exclusiveMaximum: the last number read is < the bound.
func (s *Scanner) Below(bound float64, exact string) bool {
	c, ok := s.compare(bound, exact)
	return ok && c < 0
}

// MultipleOf checks multipleOf exactly, as the Schema does.
func (s *Scanner) MultipleOf(exact string) bool {
	a, ok := exactRat(s.num)
	b, okb := exactRat([]byte(exact))
	if !ok || !okb || b.Sign() == 0 {
		return false
	}
	return new(big.Rat).Quo(a, b).IsInt()
}

// Bool reads true or false.
func (s *Scanner) Bool() bool {
	switch s.Next() {
	case 't':
		s.boolean = true
		return s.literal("true")
	case 'f':
		s.boolean = false
		return s.literal("false")
	}
	return s.fail()
}

// BoolValue is the last boolean read.
func (s *Scanner) BoolValue() bool { return s.boolean }

// Null reads null; it reads nothing and returns false before any other
// value.
func (s *Scanner) Null() bool {
	if s.Next() != 'n' {
		return false
	}
	return s.literal("null")
}

func (s *Scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail()
	}
	s.pos += len(word)
	return true
}

// Skip reads one value of any kind, checking its syntax.
func (s *Scanner) Skip() bool { return s.skip(0) }

func (s *Scanner) skip(depth int) bool {
	if depth > maxDepth {
		return s.fail()
	}
	switch s.Next() {
	case '{':
		s.Object()
		for s.NextKey() {
			if !s.skip(depth + 1) {
				return false
			}
		}
	case '[':
		s.Array()
		for s.NextItem() {
			if !s.skip(depth + 1) {
				return false
			}
		}
	case '"':
		return s.String()
	case '0':
		return s.Number()
	case 't', 'f':
		return s.Bool()
	case 'n':
		return s.Null()
	default:
		return s.fail()
	}
	return !s.Failed()
}

// FormatChecker returns the check the Schema applies for format name
// (jsonschema's registry, as the draft-07 compiler asserts it), for the
// generated fast path. It returns nil for formats the Schema does not
// assert.
func FormatChecker(name string) func([]byte) bool {
	f, ok := jsonschema.Formats[name]
	if !ok {
		return nil
	}
	return func(b []byte) bool { return f(string(b)) }
}

// Float64 is the last number read as encoding/json decodes it into a
// float64 (strconv.ParseFloat of its text); false when it is out of range,
// where encoding/json reports an error.
func (s *Scanner) Float64() (float64, bool) {
	f, err := strconv.ParseFloat(string(s.num), 64)
	return f, err == nil
}

// Int64 is the last number read as encoding/json decodes it into an int64
// (strconv.ParseInt of its text, so 1.0 and 1e2 are refused as encoding/json
// refuses them); false when encoding/json would report an error.
func (s *Scanner) Int64() (int64, bool) {
	n, err := strconv.ParseInt(string(s.num), 10, 64)
	return n, err == nil
}

// Float32 is the last number read as encoding/json decodes it into a
// float32 (strconv.ParseFloat with bit size 32).
func (s *Scanner) Float32() (float32, bool) {
	f, err := strconv.ParseFloat(string(s.num), 32)
	return float32(f), err == nil
}

// Int32 is the last number read as encoding/json decodes it into an int32
// (strconv.ParseInt with bit size 32).
func (s *Scanner) Int32() (int32, bool) {
	n, err := strconv.ParseInt(string(s.num), 10, 32)
	return int32(n), err == nil
}

// StrToken is the last string read as it is written in the data, quotes
// and escapes included: what encoding/json hands to an UnmarshalJSON
// method (time.Time's among them). Valid right after String.
func (s *Scanner) StrToken() []byte {
	return s.data[s.pos-len(s.str)-2 : s.pos]
}

// The writing side of the emitted codecs: generated appendX functions
// write a payload struct field by field with these, producing exactly the
// bytes json.Marshal produces.

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string exactly as json.Marshal
// writes it: quotes, backslashes and control characters escaped, <, > and
// & escaped for HTML, U+2028 and U+2029 escaped, and each byte of invalid
// UTF-8 replaced by \ufffd.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// AppendJSONFloat appends f, a float64 or (bits 32) a float32, as
// json.Marshal writes it: the shortest form, in exponent notation below
// 1e-6 and from 1e21 on, with a two-digit negative exponent shortened
// (1e-07 becomes 1e-7). NaN and the infinities are refused, as
// json.Marshal refuses them.
func AppendJSONFloat(dst []byte, f float64, bits int) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, true
}
