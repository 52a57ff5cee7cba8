package gen

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// encoder writes a Go value as JSON following a plan, byte for byte as
// json.Marshal writes what it can (numbers, strings, base64, time.Time),
// with the plan's property names, required members and consts.
type encoder struct {
	buf []byte
	// check turns on the fused path's validation; unsure says it was
	// abandoned (see json_fused.go).
	check  bool
	unsure bool
	// err is the first value JSON cannot hold; at is its JSON pointer,
	// built while the failure travels up.
	err string
	at  string
}

func (e *encoder) fail(reason string) bool {
	if e.err == "" {
		e.err = reason
	}
	return false
}

func (e *encoder) in(token string) bool {
	e.at = "/" + escapeToken(token) + e.at
	return false
}

// value writes the Go value at ptr.
func (e *encoder) value(p *plan, ptr unsafe.Pointer, depth int) bool {
	if depth > maxDepth {
		return e.fail("nesting too deep (a cycle of pointers?)")
	}
	if e.check && !p.local {
		return e.checked(p, ptr, depth)
	}
	switch p.kind {
	case kBool:
		if e.check && !allows(p.schema, typeBool) {
			return e.doubt()
		}
		e.buf = strconv.AppendBool(e.buf, *(*bool)(ptr))
	case kString:
		s := *(*string)(ptr)
		if !utf8.ValidString(s) {
			return e.fail("string is not valid UTF-8")
		}
		// The checks only read the string's bytes.
		if b := unsafe.Slice(unsafe.StringData(s), len(s)); e.check && p.schema != nil && p.schema.always == 0 &&
			(!allows(p.schema, typeString) || p.schema.checkString(b) != valid || p.schema.enum != nil && !inEnum(p.schema, b)) {
			return e.doubt()
		}
		e.buf = appendString(e.buf, s)
	case kInt:
		start := len(e.buf)
		i := loadInt(ptr, p.bits)
		e.buf = strconv.AppendInt(e.buf, i, 10)
		return e.checkNumber(p, start, float64(i), true)
	case kUint:
		start := len(e.buf)
		u := loadUint(ptr, p.bits)
		e.buf = strconv.AppendUint(e.buf, u, 10)
		return e.checkNumber(p, start, float64(u), true)
	case kFloat:
		start := len(e.buf)
		f := float64(*(*float32)(ptr))
		if p.bits == 64 {
			f = *(*float64)(ptr)
		}
		var ok bool
		if e.buf, ok = appendFloat(e.buf, f, p.bits); !ok {
			return e.fail("number " + strconv.FormatFloat(f, 'g', -1, 64) + " is not a JSON number")
		}
		return e.checkNumber(p, start, f, false)
	case kTime:
		b, err := (*time.Time)(ptr).MarshalJSON()
		if err != nil {
			return e.fail(err.Error())
		}
		e.buf = append(e.buf, b...)
	case kBytes:
		b := *(*[]byte)(ptr)
		if b == nil {
			e.buf = append(e.buf, "null"...)
			break
		}
		e.buf = append(e.buf, '"')
		e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
		e.buf = append(e.buf, '"')
	case kRaw:
		return e.raw(*(*json.RawMessage)(ptr))
	case kStd:
		b, err := json.Marshal(reflect.NewAt(p.typ, ptr).Interface())
		if err != nil {
			return e.fail(err.Error())
		}
		e.buf = append(e.buf, b...)
	case kPtr:
		elem := *(*unsafe.Pointer)(ptr)
		if elem == nil {
			if e.check && !allows(p.schema, typeNull) {
				return e.doubt()
			}
			e.buf = append(e.buf, "null"...)
			break
		}
		return e.value(p.elem, elem, depth+1)
	case kSlice:
		s := reflect.NewAt(p.typ, ptr).Elem()
		if n := p.schema; e.check && n != nil && (s.IsNil() && !allows(n, typeNull) || !s.IsNil() && !allows(n, typeArray) ||
			n.minItems >= 0 && s.Len() < n.minItems || n.maxItems >= 0 && s.Len() > n.maxItems) {
			return e.doubt()
		}
		return e.slice(p, s, depth)
	case kMap:
		return e.mapValue(p, reflect.NewAt(p.typ, ptr).Elem(), depth)
	case kStruct:
		if e.check && !allows(p.schema, typeObject) {
			return e.doubt()
		}
		return e.object(p, ptr, depth)
	case kSum:
		return e.sum(p, ptr, depth)
	}
	return true
}

// raw writes a json.RawMessage as it is, once its syntax is checked; a nil
// one is null, as json.Marshal writes it.
func (e *encoder) raw(m json.RawMessage) bool {
	if len(m) == 0 {
		e.buf = append(e.buf, "null"...)
		return true
	}
	sc := newScanner(m)
	span := sc.span(0)
	if span == nil || !sc.end() {
		return e.fail("json.RawMessage is not JSON: " + sc.why)
	}
	e.buf = append(e.buf, span...)
	return true
}

func (e *encoder) slice(p *plan, s reflect.Value, depth int) bool {
	if s.IsNil() {
		e.buf = append(e.buf, "null"...)
		return true
	}
	e.buf = append(e.buf, '[')
	for i := range s.Len() {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if !e.value(p.elem, s.Index(i).Addr().UnsafePointer(), depth+1) {
			return e.in(strconv.Itoa(i))
		}
	}
	e.buf = append(e.buf, ']')
	return true
}

// mapValue writes a map with its keys sorted, as json.Marshal does.
func (e *encoder) mapValue(p *plan, m reflect.Value, depth int) bool {
	if m.IsNil() {
		e.buf = append(e.buf, "null"...)
		return true
	}
	e.buf = append(e.buf, '{')
	if !e.members(p, m, depth, false) {
		return false
	}
	e.buf = append(e.buf, '}')
	return true
}

// members writes the members of map m, sorted by key, each preceded by a
// ',' when comma is set or after the first.
func (e *encoder) members(p *plan, m reflect.Value, depth int, comma bool) bool {
	keys := m.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
	v := reflect.New(p.elem.typ).Elem()
	for _, k := range keys {
		name := k.String()
		if !utf8.ValidString(name) {
			return e.fail("member name " + strconv.Quote(name) + " is not valid UTF-8")
		}
		if comma {
			e.buf = append(e.buf, ',')
		}
		comma = true
		e.buf = appendString(e.buf, name)
		e.buf = append(e.buf, ':')
		v.Set(m.MapIndex(k))
		if !e.value(p.elem, v.Addr().UnsafePointer(), depth+1) {
			return e.in(name)
		}
	}
	return true
}

// object writes a struct: its set and required properties in field order,
// then pattern members, then extra members.
func (e *encoder) object(p *plan, ptr unsafe.Pointer, depth int) bool {
	e.buf = append(e.buf, '{')
	comma := false
	for i := range p.fields {
		f := &p.fields[i]
		at := unsafe.Add(ptr, f.offset)
		if !f.required && !isSet(f.plan, at) {
			continue
		}
		if comma {
			e.buf = append(e.buf, ',')
		}
		comma = true
		e.buf = append(e.buf, f.key...)
		switch {
		case f.cnst != nil:
			start := len(e.buf)
			e.buf = append(e.buf, f.cnst...)
			if e.check && !e.valid(f.plan.schema, start) {
				return e.doubt()
			}
		case f.plan.kind == kSlice || f.plan.kind == kMap:
			if !isSet(f.plan, at) && !f.nullable {
				start := len(e.buf)
				e.buf = append(e.buf, map[kind]string{kSlice: "[]", kMap: "{}"}[f.plan.kind]...)
				if e.check && !e.valid(f.plan.schema, start) {
					return e.doubt()
				}
				continue
			}
			fallthrough
		default:
			if !e.value(f.plan, at, depth+1) {
				return e.in(f.name)
			}
		}
	}
	for _, sp := range []*special{p.patterns, p.extra} {
		if sp == nil {
			continue
		}
		m := reflect.NewAt(sp.plan.typ, unsafe.Add(ptr, sp.offset)).Elem()
		if m.Len() == 0 {
			continue
		}
		if !e.members(sp.plan, m, depth, comma) {
			return false
		}
		comma = true
	}
	e.buf = append(e.buf, '}')
	return true
}

// isSet reports whether an optional property's field holds a value.
func isSet(p *plan, ptr unsafe.Pointer) bool {
	switch p.kind {
	case kPtr:
		return *(*unsafe.Pointer)(ptr) != nil
	case kRaw:
		return len(*(*[]byte)(ptr)) != 0
	case kBytes:
		return *(*[]byte)(ptr) != nil
	case kSlice, kMap:
		return !reflect.NewAt(p.typ, ptr).Elem().IsNil()
	}
	return true
}

// sum writes the one variant that is set.
func (e *encoder) sum(p *plan, ptr unsafe.Pointer, depth int) bool {
	var set []string
	chosen := -1
	for i, v := range p.variants {
		if isSet(v.plan, unsafe.Add(ptr, v.offset)) {
			set = append(set, v.name)
			chosen = i
		}
	}
	switch len(set) {
	case 0:
		return e.fail(p.typ.String() + ": no variant is set")
	case 1:
		v := p.variants[chosen]
		return e.value(v.plan, unsafe.Add(ptr, v.offset), depth+1)
	}
	return e.fail(p.typ.String() + ": several variants are set: " + strings.Join(set, ", "))
}

// loadInt and loadUint read the integer of that size at ptr.
func loadInt(ptr unsafe.Pointer, bits int) int64 {
	shift := 64 - bits
	return int64(loadUint(ptr, bits)<<shift) >> shift
}

func loadUint(ptr unsafe.Pointer, bits int) uint64 {
	switch bits {
	case 8:
		return uint64(*(*uint8)(ptr))
	case 16:
		return uint64(*(*uint16)(ptr))
	case 32:
		return uint64(*(*uint32)(ptr))
	}
	return *(*uint64)(ptr)
}

// doubt abandons the fused pass.
func (e *encoder) doubt() bool {
	e.unsure = true
	return false
}

// checkNumber checks the number written from start against the plan's
// schema; f is its value, exact for floats (the text is its shortest form).
func (e *encoder) checkNumber(p *plan, start int, f float64, integral bool) bool {
	n := p.schema
	if !e.check || n == nil || n.always != 0 {
		return true
	}
	num := e.buf[start:]
	numInt := integral || !containsAny(num, ".eE")
	if n.checkNumberF(num, numInt, f, !integral) != valid {
		return e.doubt()
	}
	return true
}

func containsAny(b []byte, chars string) bool {
	for _, c := range b {
		for i := range len(chars) {
			if c == chars[i] {
				return true
			}
		}
	}
	return false
}

// checked writes the value, then checks what it wrote with the validator.
func (e *encoder) checked(p *plan, ptr unsafe.Pointer, depth int) bool {
	start := len(e.buf)
	e.check = false
	ok := e.value(p, ptr, depth)
	e.check = true
	if ok && !e.valid(p.schema, start) {
		return e.doubt()
	}
	return ok
}

// valid reports whether the validator vouches for what was written from
// start.
func (e *encoder) valid(n *vnode, start int) bool {
	if n == nil {
		return true
	}
	sc := newScanner(e.buf[start:])
	return n.check(&sc, 0) == valid && sc.end()
}
