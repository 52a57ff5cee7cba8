package gen

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads one JSON document token by token, for the fast validator
// (schemas_check.go) and the typed decoder (json_decode.go). It checks
// syntax as strictly as encoding/json does and, unlike encoding/json,
// refuses invalid UTF-8 inside strings: decoding never alters data. It
// does not allocate except to unescape strings that hold escapes.
//
// A read that finds bad syntax records why (see fail) and makes every later
// read fail, so callers may test once, at the end.
type scanner struct {
	data []byte
	pos  int
	// open is set right after '{' or '[' so that nextKey and nextItem know
	// whether a ',' must come first.
	open bool
	// The last string read: its bytes between the quotes, and whether they
	// hold escapes (then str decodes them into buf).
	raw     []byte
	tok     []byte // raw with its quotes
	escaped bool
	// The last number read, and whether it has neither fraction nor exponent.
	num    []byte
	numInt bool
	// The last boolean read.
	boolean bool
	// buf holds the last unescaped string; reused.
	buf []byte
	// why and at describe the first syntax error.
	why string
	at  int
}

// maxDepth bounds nesting like encoding/json does.
const maxDepth = 10000

func newScanner(data []byte) scanner { return scanner{data: data} }

// fail records why the document is not JSON and makes every later read fail.
func (s *scanner) fail(why string) bool {
	if !s.failed() {
		s.why, s.at = why, s.pos
		s.pos = len(s.data) + 1
	}
	return false
}

// failed reports whether a syntax error was seen.
func (s *scanner) failed() bool { return s.pos > len(s.data) }

// reset moves back to offset at, to read a value again.
func (s *scanner) reset(at int) {
	if !s.failed() {
		s.pos, s.open = at, false
	}
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// next skips white space and classifies the next value by its first byte:
// '{', '[', '"', 't' or 'f' (a boolean), 'n' (null), '0' (a number), or 0
// at the end of the data or before anything else.
func (s *scanner) next() byte {
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

// end reports whether the document was well formed and nothing but white
// space follows the value read.
func (s *scanner) end() bool {
	if s.failed() {
		return false
	}
	s.skipSpace()
	if s.pos != len(s.data) {
		return s.fail("data after the JSON value")
	}
	return true
}

// begin reads the byte that opens an object or an array.
func (s *scanner) begin(opening byte) bool {
	if s.next() != opening {
		return s.fail("expected " + strconv.QuoteRune(rune(opening)))
	}
	s.pos++
	s.open = true
	return true
}

// more reads the ',' before the next member or element of the current
// object or array and reports whether there is one; false at closing
// (which it reads) or on a syntax error.
func (s *scanner) more(closing byte) bool {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return s.fail("unexpected end of data")
	}
	if s.data[s.pos] == closing {
		s.pos++
		s.open = false
		return false
	}
	if !s.open {
		if s.data[s.pos] != ',' {
			return s.fail("expected ',' or " + strconv.QuoteRune(rune(closing)))
		}
		s.pos++
	}
	s.open = false
	return true
}

// nextKey reads the next member name of the current object and the ':'
// after it, and reports whether there is one; false at the closing '}'
// (which it reads) or on a syntax error.
func (s *scanner) nextKey() bool {
	if !s.more('}') {
		return false
	}
	if s.next() != '"' {
		return s.fail("expected a member name")
	}
	if !s.readString() {
		return false
	}
	s.skipSpace()
	if s.pos >= len(s.data) || s.data[s.pos] != ':' {
		return s.fail("expected ':' after a member name")
	}
	s.pos++
	return true
}

// nextItem reports whether another element of the current array follows
// (reading the ',' before it); false at the closing ']' (which it reads)
// or on a syntax error.
func (s *scanner) nextItem() bool { return s.more(']') }

// readString reads a string, refusing invalid UTF-8.
func (s *scanner) readString() bool {
	if s.next() != '"' {
		return s.fail("expected a string")
	}
	start := s.pos + 1
	s.escaped = false
	high := false
	for i := start; i < len(s.data); i++ {
		// Most bytes are plain ASCII: skip them without the switch.
		for i < len(s.data) && plain[s.data[i]] {
			i++
		}
		if i == len(s.data) {
			break
		}
		switch c := s.data[i]; {
		case c == '"':
			s.raw, s.tok = s.data[start:i], s.data[start-1:i+1]
			s.pos = i + 1
			if high && !utf8.Valid(s.raw) {
				s.pos = start + invalidUTF8At(s.raw)
				return s.fail("invalid UTF-8 in a string")
			}
			return true
		case c == '\\':
			s.escaped = true
			i++
			if i >= len(s.data) {
				return s.fail("unexpected end of data in a string")
			}
			switch s.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.data) {
					return s.fail("unexpected end of data in a string")
				}
				for _, h := range s.data[i+1 : i+5] {
					if !isHex(h) {
						s.pos = i
						return s.fail("invalid \\u escape in a string")
					}
				}
				i += 4
			default:
				s.pos = i
				return s.fail("invalid escape in a string")
			}
		case c < 0x20:
			s.pos = i
			return s.fail("control character in a string")
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	s.pos = len(s.data)
	return s.fail("unexpected end of data in a string")
}

// invalidUTF8At is the offset of the first invalid UTF-8 sequence in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str is the last string read, decoded as encoding/json decodes it
// (escapes resolved; a lone surrogate escape becomes U+FFFD). It is valid
// until the next string is read.
func (s *scanner) str() []byte {
	if !s.escaped {
		return s.raw
	}
	s.buf = unescape(s.buf[:0], s.raw)
	return s.buf
}

// token is the last string read as it is written in the data, quotes and
// escapes included: what encoding/json hands to an UnmarshalJSON method.
func (s *scanner) token() []byte { return s.tok }

// unescape appends the string raw (between quotes, syntax already checked)
// to dst with its escapes resolved.
func unescape(dst, raw []byte) []byte {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		switch raw[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(raw[i+1:])
			i += 4
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if i+6 < len(raw) && raw[i+1] == '\\' && raw[i+2] == 'u' {
					r2 = hex4(raw[i+3:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, raw[i])
		}
	}
	return dst
}

func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

// readNumber reads a number, checking the JSON grammar.
func (s *scanner) readNumber() bool {
	if s.next() != '0' {
		return s.fail("expected a number")
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
		s.pos = i
		return s.fail("invalid number")
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
			s.pos = i
			return s.fail("invalid number")
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
			s.pos = i
			return s.fail("invalid number")
		}
	}
	s.num = d[start:i]
	s.pos = i
	return true
}

// readBool reads true or false.
func (s *scanner) readBool() bool {
	switch s.next() {
	case 't':
		s.boolean = true
		return s.literal("true")
	case 'f':
		s.boolean = false
		return s.literal("false")
	}
	return s.fail("expected true or false")
}

// readNull reads null.
func (s *scanner) readNull() bool {
	if s.next() != 'n' {
		return s.fail("expected null")
	}
	return s.literal("null")
}

func (s *scanner) literal(word string) bool {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("invalid literal")
	}
	s.pos += len(word)
	return true
}

// skip reads one value of any kind, checking its syntax; depth is the
// nesting of the value.
func (s *scanner) skip(depth int) bool {
	if depth > maxDepth {
		return s.fail("nesting too deep")
	}
	switch s.next() {
	case '{':
		s.begin('{')
		for s.nextKey() {
			if !s.skip(depth + 1) {
				return false
			}
		}
	case '[':
		s.begin('[')
		for s.nextItem() {
			if !s.skip(depth + 1) {
				return false
			}
		}
	case '"':
		return s.readString()
	case '0':
		return s.readNumber()
	case 't', 'f':
		return s.readBool()
	case 'n':
		return s.readNull()
	default:
		if s.pos >= len(s.data) {
			return s.fail("unexpected end of data")
		}
		return s.fail("invalid character " + strconv.QuoteRune(rune(s.data[s.pos])))
	}
	return !s.failed()
}

// span reads one value and returns its bytes (white space around it left
// out), or nil on a syntax error.
func (s *scanner) span(depth int) []byte {
	s.skipSpace()
	start := s.pos
	if !s.skip(depth) {
		return nil
	}
	return s.data[start:s.pos]
}

// plain marks the bytes a string holds as they are: printable ASCII but
// the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()
