package gen

import (
	"encoding/json"
	"math/big"
	"slices"
	"strconv"
	"unicode/utf8"
)

// verdict is the fast validator's answer for one value.
type verdict uint8

const (
	valid   verdict = iota
	invalid         // certainly breaks the schema
	unsure          // not decided here (or not JSON): ask jsonschema/v5
)

// maxCheckDepth bounds nested schema applications (JSON nesting plus
// $ref/allOf/... on one value), so that a loop of references that consumes
// no input ends in the slow path instead of a stack overflow.
const maxCheckDepth = 2 * maxDepth

// maxTrackedKeys bounds the members an object may have outside the
// schema's named ones when duplicates among them would change the verdict;
// past it the object goes to the slow path.
const maxTrackedKeys = 32

// check reads one value from sc and decides it against n. After valid the
// scanner stands after the value; after invalid or unsure it stands
// anywhere (callers reset it or give up). A syntax error is unsure: the
// slow path reports it.
func (n *vnode) check(sc *scanner, depth int) verdict {
	v := n.checkOwn(sc, depth)
	if sc.failed() {
		return unsure
	}
	return v
}

func (n *vnode) checkOwn(sc *scanner, depth int) verdict {
	if depth > maxCheckDepth || n.inexact {
		return unsure
	}
	switch {
	case n.always > 0:
		return skipped(sc, depth)
	case n.always < 0:
		return invalid
	case n.ref != nil:
		return n.ref.check(sc, depth+1)
	}
	sc.skipSpace()
	start := sc.pos
	v := n.checkValue(sc, depth)
	if v != valid || !n.applies && n.enum == nil && n.cnst == nil {
		return v
	}
	end := sc.pos
	if n.enum != nil || n.cnst != nil {
		if v = n.checkConstants(sc, start, end); v != valid {
			return v
		}
	}
	if n.applies {
		if v = n.checkApplicators(sc, start, depth); v != valid {
			return v
		}
	}
	sc.reset(end)
	return valid
}

func skipped(sc *scanner, depth int) verdict {
	if !sc.skip(depth) {
		return unsure
	}
	return valid
}

// checkValue reads the value and checks the keywords of its own type.
func (n *vnode) checkValue(sc *scanner, depth int) verdict {
	switch sc.next() {
	case '{':
		if n.types != 0 && n.types&typeObject == 0 {
			return invalid
		}
		if !n.anyObject && n.deps == nil {
			return skipped(sc, depth)
		}
		return n.checkObject(sc, depth)
	case '[':
		if n.types != 0 && n.types&typeArray == 0 {
			return invalid
		}
		if !n.anyArray {
			return skipped(sc, depth)
		}
		return n.checkArray(sc, depth)
	case '"':
		if n.types != 0 && n.types&typeString == 0 || !sc.readString() {
			return invalid
		}
		return n.checkString(sc.str())
	case '0':
		if !sc.readNumber() {
			return unsure
		}
		return n.checkNumber(sc.num, sc.numInt)
	case 't', 'f':
		if n.types != 0 && n.types&typeBool == 0 || !sc.readBool() {
			return invalid
		}
	case 'n':
		if n.types != 0 && n.types&typeNull == 0 || !sc.readNull() {
			return invalid
		}
	default:
		sc.fail("expected a JSON value")
		return unsure
	}
	return valid
}

func (n *vnode) checkString(s []byte) verdict {
	if n.minLen >= 0 || n.maxLen >= 0 {
		length := utf8.RuneCount(s)
		if n.minLen >= 0 && length < n.minLen || n.maxLen >= 0 && length > n.maxLen {
			return invalid
		}
	}
	if n.pattern != nil && !n.pattern.Match(s) {
		return invalid
	}
	if n.format != nil && !n.format(string(s)) {
		return invalid
	}
	return valid
}

func (n *vnode) checkNumber(num []byte, numInt bool) verdict {
	return n.checkNumberF(num, numInt, 0, false)
}

// checkNumberF is checkNumber given, when haveF, the number's float64
// value (the encoder knows it).
func (n *vnode) checkNumberF(num []byte, numInt bool, f float64, haveF bool) verdict {
	if n.types != 0 && n.types&typeNumber == 0 {
		if n.types&typeInteger == 0 {
			return invalid
		}
		if !numInt {
			is, sure := parseDecimal(num).integral()
			switch {
			case !sure:
				return unsure
			case !is:
				return invalid
			}
		}
	}
	if n.min != nil || n.max != nil || n.xmin != nil || n.xmax != nil {
		if !haveF {
			f, _ = strconv.ParseFloat(string(num), 64)
		}
		for _, c := range [...]struct {
			b    *bound
			want int8 // the comparisons that pass: -1 below, 0 equal, 1 above
			eq   bool
		}{{n.min, 1, true}, {n.max, -1, true}, {n.xmin, 1, false}, {n.xmax, -1, false}} {
			if c.b == nil {
				continue
			}
			cmp, sure := c.b.compareFloat(f, num)
			if !sure {
				return unsure
			}
			if cmp != int(c.want) && !(c.eq && cmp == 0) {
				return invalid
			}
		}
	}
	if n.mult != nil {
		is, sure := n.mult.multiple(num, numInt)
		if !sure {
			return unsure
		}
		if !is {
			return invalid
		}
	}
	return valid
}

// checkObject walks an object's members.
func (n *vnode) checkObject(sc *scanner, depth int) verdict {
	var seenSmall [1]uint64
	seen := seenSmall[:]
	if len(n.names) > 64 {
		seen = make([]uint64, (len(n.names)+63)/64)
	}
	// Duplicated members count once for jsonschema/v5, which sees the last
	// value: where that matters the slow path decides.
	dupsMatter := n.patterns != nil || n.addProps != nil || n.minProps >= 0 || n.maxProps >= 0
	var others [][]byte
	count := 0
	sc.begin('{')
	for sc.nextKey() {
		key := sc.str()
		if n.propNames != nil {
			names := newScanner(sc.token())
			if v := n.propNames.check(&names, depth+1); v != valid {
				return v
			}
		}
		count++
		i := n.lookup(key)
		if i >= 0 {
			if seen[i/64]&(1<<(i%64)) != 0 {
				return unsure
			}
			seen[i/64] |= 1 << (i % 64)
		} else if dupsMatter {
			if sc.escaped || len(others) == maxTrackedKeys || slices.ContainsFunc(others, func(k []byte) bool {
				return string(k) == string(key)
			}) {
				return unsure
			}
			others = append(others, key)
		}
		if v := n.checkMember(sc, key, i, depth); v != valid {
			return v
		}
	}
	if sc.failed() {
		return unsure
	}
	has := func(i int) bool { return seen[i/64]&(1<<(i%64)) != 0 }
	for _, r := range n.required {
		if !has(r) {
			return invalid
		}
	}
	if n.minProps >= 0 && count < n.minProps || n.maxProps >= 0 && count > n.maxProps {
		return invalid
	}
	for _, d := range n.deps {
		if !has(d.at) {
			continue
		}
		for _, r := range d.required {
			if !has(r) {
				return invalid
			}
		}
	}
	return valid
}

// checkMember checks one member's value (the scanner stands before it)
// against every schema that applies to it: its property (names[i]), the
// patterns its name matches, else additionalProperties.
func (n *vnode) checkMember(sc *scanner, key []byte, i, depth int) verdict {
	var applies [4]*vnode
	list := applies[:0]
	if i >= 0 && n.props[i] != nil {
		list = append(list, n.props[i])
	}
	matched := false
	if n.patterns != nil {
		for _, p := range n.patterns {
			if p.re.Match(key) {
				matched = true
				list = append(list, p.schema)
			}
		}
	}
	if len(list) == 0 && n.addProps != nil && !matched {
		list = append(list, n.addProps)
	}
	return checkAll(sc, list, depth)
}

// checkAll checks one value against every schema in list.
func checkAll(sc *scanner, list []*vnode, depth int) verdict {
	switch len(list) {
	case 0:
		return skipped(sc, depth)
	case 1:
		return list[0].check(sc, depth+1)
	}
	sc.skipSpace()
	start := sc.pos
	for _, s := range list {
		sc.reset(start)
		if v := s.check(sc, depth+1); v != valid {
			return v
		}
	}
	return valid
}

// checkArray walks an array's elements.
func (n *vnode) checkArray(sc *scanner, depth int) verdict {
	var spans [][]byte
	count, matches := 0, 0
	sc.begin('[')
	for sc.nextItem() {
		sc.skipSpace()
		start := sc.pos
		var item *vnode
		switch {
		case n.isTuple && count < len(n.tuple):
			item = n.tuple[count]
		case n.isTuple:
			item = n.addItems
		default:
			item = n.items
		}
		count++
		var list [1]*vnode
		l := list[:0]
		if item != nil {
			l = append(l, item)
		}
		if v := checkAll(sc, l, depth); v != valid {
			return v
		}
		end := sc.pos
		if n.contains != nil {
			sc.reset(start)
			switch n.contains.check(sc, depth+1) {
			case valid:
				matches++
			case unsure:
				return unsure
			}
			sc.reset(end)
		}
		if n.unique {
			spans = append(spans, sc.data[start:end])
		}
	}
	if sc.failed() {
		return unsure
	}
	if n.minItems >= 0 && count < n.minItems || n.maxItems >= 0 && count > n.maxItems {
		return invalid
	}
	if n.contains != nil && matches == 0 {
		return invalid
	}
	if n.unique {
		return uniqueSpans(spans)
	}
	return valid
}

// uniqueSpans decides uniqueItems over the elements' texts.
func uniqueSpans(spans [][]byte) verdict {
	values := make([]any, len(spans))
	for i, s := range spans {
		v, err := decodeValue(s)
		if err != nil || hugeNumbers(v) {
			return unsure
		}
		values[i] = v
	}
	for i := 1; i < len(values); i++ {
		for j := range i {
			if jsonEqual(values[i], values[j]) {
				return invalid
			}
		}
	}
	return valid
}

// checkConstants checks enum and const on the value read between start
// and end.
func (n *vnode) checkConstants(sc *scanner, start, end int) verdict {
	span := sc.data[start:end]
	var value any
	decoded := false
	equal := func(k *constant) (bool, bool) {
		switch span[0] {
		case '"':
			s, ok := k.v.(string)
			if !ok {
				return false, true
			}
			inner := newScanner(span)
			inner.readString()
			return string(inner.str()) == s, true
		case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			if k.num == nil {
				return false, true
			}
			c, sure := k.num.compare(span)
			return c == 0, sure
		case 't':
			return k.v == true, true
		case 'f':
			return k.v == false, true
		case 'n':
			return k.v == nil, true
		}
		if !decoded {
			v, err := decodeValue(span)
			if err != nil || hugeNumbers(v) {
				return false, false
			}
			value, decoded = v, true
		}
		return jsonEqual(value, k.v), true
	}
	if n.cnst != nil {
		is, sure := equal(n.cnst)
		if !sure {
			return unsure
		}
		if !is {
			return invalid
		}
	}
	if n.enum == nil {
		return valid
	}
	for i := range n.enum {
		is, sure := equal(&n.enum[i])
		if !sure {
			return unsure
		}
		if is {
			return valid
		}
	}
	return invalid
}

// checkApplicators applies the in-place keywords (allOf, anyOf, oneOf,
// not, if/then/else, schema dependencies) to the value at start.
func (n *vnode) checkApplicators(sc *scanner, start, depth int) verdict {
	at := func(s *vnode) verdict {
		sc.reset(start)
		return s.check(sc, depth+1)
	}
	for _, s := range n.allOf {
		if v := at(s); v != valid {
			return v
		}
	}
	if n.anyOf != nil {
		result := invalid
		for _, s := range n.anyOf {
			v := at(s)
			if v == valid {
				result = valid
				break
			}
			if v == unsure {
				result = unsure
			}
		}
		if result != valid {
			return result
		}
	}
	if n.oneOf != nil {
		matched, doubt := 0, false
		for _, s := range n.oneOf {
			switch at(s) {
			case valid:
				matched++
			case unsure:
				doubt = true
			}
		}
		switch {
		case matched > 1:
			return invalid
		case doubt:
			return unsure
		case matched == 0:
			return invalid
		}
	}
	if n.not != nil {
		switch at(n.not) {
		case valid:
			return invalid
		case unsure:
			return unsure
		}
	}
	if n.ifS != nil {
		then := n.thenS
		switch at(n.ifS) {
		case unsure:
			return unsure
		case invalid:
			then = n.elseS
		}
		if then != nil {
			if v := at(then); v != valid {
				return v
			}
		}
	}
	if n.deps != nil && sc.data[start] == '{' {
		return n.checkDependencySchemas(sc, start, depth)
	}
	return valid
}

// checkDependencySchemas applies the schema dependencies whose member the
// object at start has.
func (n *vnode) checkDependencySchemas(sc *scanner, start, depth int) verdict {
	for _, d := range n.deps {
		if d.schema == nil {
			continue
		}
		sc.reset(start)
		present := false
		sc.begin('{')
		for sc.nextKey() {
			present = present || string(sc.str()) == n.names[d.at]
			if !sc.skip(depth + 1) {
				return unsure
			}
		}
		if !present {
			continue
		}
		sc.reset(start)
		if v := d.schema.check(sc, depth+1); v != valid {
			return v
		}
	}
	return valid
}

// jsonEqual is JSON equality as jsonschema/v5 decides it: numbers by
// value, objects regardless of member order.
func jsonEqual(a, b any) bool {
	switch a := a.(type) {
	case nil, bool, string:
		return a == b
	case json.Number:
		bn, ok := b.(json.Number)
		if !ok {
			return false
		}
		x, okx := new(big.Rat).SetString(string(a))
		y, oky := new(big.Rat).SetString(string(bn))
		return okx && oky && x.Cmp(y) == 0
	case []any:
		bs, ok := b.([]any)
		if !ok || len(a) != len(bs) {
			return false
		}
		for i := range a {
			if !jsonEqual(a[i], bs[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok || !jsonEqual(av, bv) {
				return false
			}
		}
		return true
	}
	return false
}

// hugeNumbers reports whether v holds a number whose exponent the fast
// path does not expand.
func hugeNumbers(v any) bool {
	switch v := v.(type) {
	case json.Number:
		return parseDecimal([]byte(v)).huge
	case []any:
		return slices.ContainsFunc(v, hugeNumbers)
	case map[string]any:
		for _, x := range v {
			if hugeNumbers(x) {
				return true
			}
		}
	}
	return false
}
