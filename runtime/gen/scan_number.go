package gen

import (
	"math"
	"math/big"
	"strconv"
)

// maxExactExponent bounds the exponents the fast paths expand exactly: a
// number written 1e999999999 is left to the slow path rather than turned
// into a billion-digit integer.
const maxExactExponent = 10000

// decimal is a JSON number split into sign, digits and a power of ten:
// value = ±digits × 10^exp, where digits has neither leading nor trailing
// zeros (empty for zero). It points into the number's text: the digits
// may straddle the decimal point, so they are kept as two parts.
type decimal struct {
	neg        bool
	head, tail []byte // digits = head followed by tail
	exp        int
	huge       bool // the exponent is beyond maxExactExponent
}

// parseDecimal splits num, which follows the JSON grammar.
func parseDecimal(num []byte) decimal {
	var d decimal
	if num[0] == '-' {
		d.neg, num = true, num[1:]
	}
	intEnd := len(num)
	fracEnd := len(num)
	for i, c := range num {
		if c == '.' && intEnd == len(num) {
			intEnd = i
		}
		if c == 'e' || c == 'E' {
			fracEnd = i
			if intEnd == len(num) {
				intEnd = i
			}
			e, err := strconv.Atoi(string(num[i+1:]))
			if err != nil || e > maxExactExponent || e < -maxExactExponent {
				d.huge = true
			}
			d.exp = e
			break
		}
	}
	head := num[:intEnd]
	var tail []byte
	if intEnd < fracEnd {
		tail = num[intEnd+1 : fracEnd]
	}
	d.exp -= len(tail)
	for len(head) > 0 && head[0] == '0' {
		head = head[1:]
	}
	if len(head) == 0 {
		for len(tail) > 0 && tail[0] == '0' {
			tail = tail[1:]
		}
	}
	for len(tail) > 0 && tail[len(tail)-1] == '0' {
		tail = tail[:len(tail)-1]
		d.exp++
	}
	if len(tail) == 0 {
		for len(head) > 0 && head[len(head)-1] == '0' {
			head = head[:len(head)-1]
			d.exp++
		}
	}
	d.head, d.tail = head, tail
	if d.zero() {
		d.exp, d.huge = 0, false
	}
	return d
}

func (d decimal) zero() bool { return len(d.head) == 0 && len(d.tail) == 0 }

// integral reports whether the number is an integer, as JSON Schema's
// "integer" means it (1.0 and 1e2 are); sure is false for huge exponents.
func (d decimal) integral() (is, sure bool) {
	if d.huge {
		return false, false
	}
	return d.exp >= 0, true
}

// magnitude is the number's absolute value when it is an integer that
// fits a uint64.
func (d decimal) magnitude() (uint64, bool) {
	if d.huge || d.exp < 0 || len(d.head)+len(d.tail)+d.exp > 20 {
		return 0, false
	}
	var u uint64
	for _, part := range [2][]byte{d.head, d.tail} {
		for _, c := range part {
			digit := uint64(c - '0')
			if u > math.MaxUint64/10 || u*10 > math.MaxUint64-digit {
				return 0, false
			}
			u = u*10 + digit
		}
	}
	for range d.exp {
		if u > math.MaxUint64/10 {
			return 0, false
		}
		u *= 10
	}
	return u, true
}

// exactRat parses a JSON number exactly, as the schema validator does;
// false for huge exponents.
func exactRat(num []byte) (*big.Rat, bool) {
	if parseDecimal(num).huge {
		return nil, false
	}
	return new(big.Rat).SetString(string(num))
}

// bound is a number from a schema (minimum, maximum, multipleOf...), kept
// both as the nearest float64, for quick comparisons, and exactly.
type bound struct {
	f     float64
	exact *big.Rat
	text  string
}

func newBound(text string) (*bound, bool) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, false
	}
	f, _ := strconv.ParseFloat(text, 64)
	return &bound{f: f, exact: r, text: text}, true
}

// compare compares the number num with b. Rounding to float64 keeps order,
// so unequal floats decide; equal ones are compared exactly. sure is false
// only for huge exponents.
func (b *bound) compare(num []byte) (c int, sure bool) {
	f, _ := strconv.ParseFloat(string(num), 64)
	return b.compareFloat(f, num)
}

// compareFloat is compare with f, num parsed as a float64.
func (b *bound) compareFloat(f float64, num []byte) (c int, sure bool) {
	switch {
	case f < b.f:
		return -1, true
	case f > b.f:
		return 1, true
	case string(num) == b.text:
		return 0, true
	}
	r, ok := exactRat(num)
	if !ok {
		return 0, false
	}
	return r.Cmp(b.exact), true
}

// multiple reports whether num is a multiple of b, exactly.
func (b *bound) multiple(num []byte, numInt bool) (is, sure bool) {
	if numInt && b.exact.IsInt() && b.exact.Num().IsInt64() {
		if n, err := strconv.ParseInt(string(num), 10, 64); err == nil {
			if m := b.exact.Num().Int64(); m != 0 {
				return n%m == 0, true
			}
		}
	}
	r, ok := exactRat(num)
	if !ok || b.exact.Sign() == 0 {
		return false, false
	}
	return new(big.Rat).Quo(r, b.exact).IsInt(), true
}
