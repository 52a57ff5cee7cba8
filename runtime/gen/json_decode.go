package gen

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
	"unsafe"
)

// decoder reads one payload into a Go value following a plan. It checks
// syntax and the fit of each value to its Go type, not the schema (see
// vnode.check), except that sum types pick their variant by validating.
type decoder struct {
	sc  scanner
	b   *bundle
	err *DecodeError
	// check turns on the fused path's inline validation; unsure says it
	// was abandoned.
	check  bool
	unsure bool
}

// fail records why the value at the scanner does not fit; the pointer is
// filled in while the error travels up (see in).
func (d *decoder) fail(format string, args ...any) bool {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.sc.pos, Reason: fmt.Sprintf(format, args...)}
	}
	return false
}

// syntax turns the scanner's syntax error into the decoder's.
func (d *decoder) syntax() bool {
	if d.err == nil {
		d.err = d.sc.decodeError("")
	}
	return false
}

// in prefixes the error's pointer with the member or element it is in.
func (d *decoder) in(token string) bool {
	if d.err != nil {
		d.err.Pointer = "/" + escapeToken(token) + d.err.Pointer
	}
	return false
}

// mismatch says that the next value is not what the Go type takes.
func (d *decoder) mismatch(want string) bool {
	if d.sc.failed() {
		return d.syntax()
	}
	found := map[byte]string{'{': "an object", '[': "an array", '"': "a string", '0': "a number",
		't': "a boolean", 'f': "a boolean", 'n': "null"}[d.sc.next()]
	if found == "" {
		d.sc.skip(0)
		return d.syntax()
	}
	return d.fail("expected %s, found %s", want, found)
}

// value reads one value into the Go value at ptr.
func (d *decoder) value(p *plan, ptr unsafe.Pointer, depth int) bool {
	if depth > maxDepth {
		d.sc.fail("nesting too deep")
		return d.syntax()
	}
	if d.check && !p.local {
		return d.checked(p, ptr, depth)
	}
	c := d.sc.next()
	if c == 'n' && p.kind != kRaw && p.kind != kStd {
		if d.check && !allows(p.schema, typeNull) {
			return d.doubt()
		}
		// Null empties pointers, slices and maps. Any other Go value
		// cannot hold it: encoding/json would leave the value alone, which
		// turns null into a zero value nobody sent. (A schema that allows
		// null where the Go type cannot hold it is warned about when the
		// package is generated.)
		switch p.kind {
		case kPtr, kSlice, kMap, kBytes:
		default:
			return d.mismatch("a value " + p.typ.String() + " can hold")
		}
		if !d.sc.readNull() {
			return d.syntax()
		}
		reflect.NewAt(p.typ, ptr).Elem().SetZero()
		return true
	}
	switch p.kind {
	case kBool:
		if c != 't' && c != 'f' {
			return d.mismatch("a boolean")
		}
		if d.check && !allows(p.schema, typeBool) {
			return d.doubt()
		}
		if !d.sc.readBool() {
			return d.syntax()
		}
		*(*bool)(ptr) = d.sc.boolean
	case kString:
		if c != '"' {
			return d.mismatch("a string")
		}
		if !d.sc.readString() {
			return d.syntax()
		}
		if n := p.schema; d.check && n != nil && n.always == 0 && (!allows(n, typeString) ||
			n.checkString(d.sc.str()) != valid || n.enum != nil && !inEnum(n, d.sc.str())) {
			return d.doubt()
		}
		*(*string)(ptr) = string(d.sc.str())
	case kInt, kUint, kFloat:
		if c != '0' {
			return d.mismatch("a number")
		}
		if !d.sc.readNumber() {
			return d.syntax()
		}
		if n := p.schema; d.check && n != nil && n.always == 0 && n.checkNumber(d.sc.num, d.sc.numInt) != valid {
			return d.doubt()
		}
		return d.number(p, ptr)
	case kTime:
		if c != '"' {
			return d.mismatch("a date-time string")
		}
		if !d.sc.readString() {
			return d.syntax()
		}
		if err := (*time.Time)(ptr).UnmarshalJSON(d.sc.token()); err != nil {
			return d.fail("%v", err)
		}
	case kBytes:
		if c != '"' {
			return d.mismatch("a base64 string")
		}
		if !d.sc.readString() {
			return d.syntax()
		}
		s := d.sc.str()
		b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
		n, err := base64.StdEncoding.Decode(b, s)
		if err != nil {
			return d.fail("invalid base64: %v", err)
		}
		*(*[]byte)(ptr) = b[:n]
	case kRaw:
		span := d.sc.span(depth)
		if span == nil {
			return d.syntax()
		}
		*(*json.RawMessage)(ptr) = append(json.RawMessage(nil), span...)
	case kStd:
		span := d.sc.span(depth)
		if span == nil {
			return d.syntax()
		}
		if err := json.Unmarshal(span, reflect.NewAt(p.typ, ptr).Interface()); err != nil {
			return d.fail("%v", err)
		}
	case kPtr:
		v := reflect.New(p.elem.typ)
		if !d.value(p.elem, v.UnsafePointer(), depth) {
			return false
		}
		*(*unsafe.Pointer)(ptr) = v.UnsafePointer()
	case kSlice:
		if c != '[' {
			return d.mismatch("an array")
		}
		if d.check && !allows(p.schema, typeArray) {
			return d.doubt()
		}
		return d.slice(p, ptr, depth)
	case kMap:
		if c != '{' {
			return d.mismatch("an object")
		}
		return d.mapValue(p, reflect.NewAt(p.typ, ptr).Elem(), depth)
	case kStruct:
		if c != '{' {
			return d.mismatch("an object")
		}
		if d.check && !allows(p.schema, typeObject) {
			return d.doubt()
		}
		return d.object(p, ptr, depth)
	case kSum:
		return d.sum(p, ptr, depth)
	}
	return true
}

// number stores the number just read, refusing what the Go type cannot
// hold exactly: integers take any spelling of an integral value in range
// (1, 1.0, 1e1, -0), floats parse as encoding/json parses them.
func (d *decoder) number(p *plan, ptr unsafe.Pointer) bool {
	num := d.sc.num
	if p.kind == kFloat {
		f, err := strconv.ParseFloat(string(num), p.bits)
		if err != nil {
			return d.fail("number %s overflows float%d", num, p.bits)
		}
		if p.bits == 32 {
			*(*float32)(ptr) = float32(f)
		} else {
			*(*float64)(ptr) = f
		}
		return true
	}
	var mag uint64
	neg := num[0] == '-'
	if d.sc.numInt && len(num) <= 18 {
		for _, c := range num[btoi(neg):] {
			mag = mag*10 + uint64(c-'0')
		}
	} else {
		dec := parseDecimal(num)
		if is, sure := dec.integral(); !is && sure {
			return d.fail("number %s is not an integer", num)
		}
		var ok bool
		if mag, ok = dec.magnitude(); !ok {
			return d.fail("number %s overflows %s", num, p.typ)
		}
	}
	if p.kind == kUint {
		if neg && mag != 0 || !fitsUint(mag, p.bits) {
			return d.fail("number %s overflows %s", num, p.typ)
		}
		storeBits(ptr, p.bits, mag)
		return true
	}
	limit := uint64(1) << (p.bits - 1)
	if neg && mag > limit || !neg && mag >= limit {
		return d.fail("number %s overflows %s", num, p.typ)
	}
	if neg {
		mag = -mag // two's complement: the bits of the negative value
	}
	storeBits(ptr, p.bits, mag)
	return true
}

// storeBits stores the low bits of u in the integer of that size at ptr
// (signed or not: the bits are the same).
func storeBits(ptr unsafe.Pointer, bits int, u uint64) {
	switch bits {
	case 8:
		*(*uint8)(ptr) = uint8(u)
	case 16:
		*(*uint16)(ptr) = uint16(u)
	case 32:
		*(*uint32)(ptr) = uint32(u)
	default:
		*(*uint64)(ptr) = u
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fitsUint(u uint64, bits int) bool { return bits == 64 || u>>bits == 0 }

func (d *decoder) slice(p *plan, ptr unsafe.Pointer, depth int) bool {
	s := reflect.New(p.typ).Elem()
	s.Set(reflect.MakeSlice(p.typ, 0, 4))
	d.sc.begin('[')
	for i := 0; d.sc.nextItem(); i++ {
		if s.Len() == s.Cap() {
			s.Grow(1)
		}
		s.SetLen(i + 1)
		if !d.value(p.elem, s.Index(i).Addr().UnsafePointer(), depth+1) {
			return d.in(strconv.Itoa(i))
		}
	}
	if d.sc.failed() {
		return d.syntax()
	}
	if n := p.schema; d.check && n != nil && (n.minItems >= 0 && s.Len() < n.minItems || n.maxItems >= 0 && s.Len() > n.maxItems) {
		return d.doubt()
	}
	reflect.NewAt(p.typ, ptr).Elem().Set(s)
	return true
}

// mapValue reads an object into the map m (made when nil), keeping only
// the members p.only matches when it is set.
func (d *decoder) mapValue(p *plan, m reflect.Value, depth int) bool {
	if m.IsNil() {
		m.Set(reflect.MakeMap(p.typ))
	}
	d.sc.begin('{')
	for d.sc.nextKey() {
		if p.only != nil && !p.only.Match(d.sc.str()) {
			if !d.sc.skip(depth + 1) {
				return d.syntax()
			}
			continue
		}
		if !d.member(p, m, depth) {
			return false
		}
	}
	if d.sc.failed() {
		return d.syntax()
	}
	return true
}

// member reads the value of the member just named into the map m.
func (d *decoder) member(p *plan, m reflect.Value, depth int) bool {
	key := reflect.New(p.typ.Key()).Elem()
	key.SetString(string(d.sc.str()))
	v := reflect.New(p.elem.typ)
	if !d.value(p.elem, v.UnsafePointer(), depth+1) {
		return d.in(key.String())
	}
	m.SetMapIndex(key, v.Elem())
	return true
}

func (d *decoder) object(p *plan, ptr unsafe.Pointer, depth int) bool {
	var seen uint64
	d.sc.begin('{')
	for d.sc.nextKey() {
		key := d.sc.str()
		i := p.lookup(key)
		switch {
		case i >= 0:
			f := &p.fields[i]
			at := unsafe.Add(ptr, f.offset)
			if i < 64 && seen&(1<<i) != 0 || i >= 64 {
				if d.check {
					return d.doubt()
				}
				// A repeated member: the last one wins, whole.
				reflect.NewAt(f.plan.typ, at).Elem().SetZero()
			}
			if i < 64 {
				seen |= 1 << i
			}
			if !d.value(f.plan, at, depth+1) {
				return d.in(f.name)
			}
		case p.patterns != nil && p.claimed(key):
			if !d.special(p.patterns, ptr, depth) {
				return false
			}
		case p.extra != nil && !p.claimed(key):
			if !d.special(p.extra, ptr, depth) {
				return false
			}
		case d.check && p.schema != nil && p.schema.addProps != nil:
			if p.schema.addProps.check(&d.sc, depth+1) != valid {
				return d.doubt()
			}
		default:
			if !d.sc.skip(depth + 1) {
				return d.syntax()
			}
		}
	}
	if d.sc.failed() {
		return d.syntax()
	}
	if d.check && seen&p.requiredMask != p.requiredMask {
		return d.doubt()
	}
	return true
}

// sum reads the variant of a sum type that the value matches: for oneOf
// the only one, for anyOf the first in document order.
func (d *decoder) sum(p *plan, ptr unsafe.Pointer, depth int) bool {
	d.sc.skipSpace()
	start := d.sc.pos
	span := d.sc.span(depth)
	if span == nil {
		return d.syntax()
	}
	chosen, err := d.b.pick(p, span)
	if err != nil {
		d.err = &DecodeError{Offset: start, Reason: err.Error()}
		return false
	}
	v := p.variants[chosen]
	inner := decoder{sc: newScanner(span), b: d.b}
	if !inner.value(v.plan, unsafe.Add(ptr, v.offset), depth) {
		inner.err.Offset += start
		d.err = inner.err
		return false
	}
	return true
}

// pick finds the variant of a sum type that span matches.
func (b *bundle) pick(p *plan, span []byte) (int, error) {
	chosen := -1
	var generic any
	decoded := false
	for i, v := range p.variants {
		sc := newScanner(span)
		verdict := v.schema.check(&sc, 0)
		if verdict == unsure {
			if !decoded {
				g, err := decodeValue(span)
				if err != nil {
					return -1, err
				}
				generic, decoded = g, true
			}
			s, err := b.slowSchema(v.schema.ptr)
			if err != nil {
				return -1, err
			}
			verdict = valid
			if err := validateValue(s, generic); err != nil {
				var de *DecodeError
				if errors.As(err, &de) {
					return -1, err
				}
				verdict = invalid
			}
		}
		if verdict != valid {
			continue
		}
		if p.pickFirst {
			return i, nil
		}
		if chosen >= 0 {
			return -1, fmt.Errorf("matches both variant %s and variant %s of oneOf", p.variants[chosen].name, v.name)
		}
		chosen = i
	}
	if chosen < 0 {
		return -1, fmt.Errorf("matches no variant of %s", p.typ)
	}
	return chosen, nil
}

// special reads the member just named into the struct's patterns or extra
// map, made when nil.
func (d *decoder) special(sp *special, ptr unsafe.Pointer, depth int) bool {
	m := reflect.NewAt(sp.plan.typ, unsafe.Add(ptr, sp.offset)).Elem()
	if m.IsNil() {
		m.Set(reflect.MakeMap(sp.plan.typ))
	}
	return d.member(sp.plan, m, depth)
}
