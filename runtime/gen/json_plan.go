package gen

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// kind is how a plan reads and writes its Go type.
type kind uint8

const (
	kBool   kind = iota
	kString      // string kinds
	kInt         // signed integer kinds
	kUint        // unsigned integer kinds
	kFloat       // float32, float64
	kTime        // time.Time, as encoding/json writes it
	kBytes       // []byte, standard base64
	kRaw         // json.RawMessage, byte for byte
	kPtr         // *T: null is nil
	kSlice       // []T
	kMap         // map[string]V
	kStruct      // a struct bound to an object schema's properties
	kSum         // a struct of variants bound to a oneOf or anyOf
	kStd         // an existing Go type (x-go-type): encoding/json
)

// plan is the compiled codec of one Go type bound to one schema node:
// field offsets found once through reflect, read and written at run time
// through unsafe pointers (as protobuf-go's table-driven marshalling does).
type plan struct {
	kind   kind
	typ    reflect.Type
	bits   int    // kInt, kUint, kFloat
	schema *vnode // the bound node, $ref followed; nil when unknown
	elem   *plan  // kPtr, kSlice, kMap

	// kMap: when set, the map holds only the members whose name matches.
	only *regexp.Regexp

	// kStruct.
	fields   []field
	index    map[string]int // field by wire name, when there are many
	extra    *special       // mqttgen:"extra"
	patterns *special       // mqttgen:"patterns"
	claims   []*regexp.Regexp

	// kSum.
	variants  []variant
	pickFirst bool // anyOf: the first variant that matches wins

	// local says the fused path checks this plan's keywords inline (see
	// json_fused.go); requiredMask has the bits of required fields.
	local        bool
	requiredMask uint64
	// marked is set, under the bundle's lock, once local and requiredMask
	// are decided: a plan already in use by another codec is only read
	// from then on, never written again.
	marked bool
}

// field is one property of a struct plan.
type field struct {
	name     string
	key      []byte // the name written as a JSON member name, with ':'
	offset   uintptr
	plan     *plan
	required bool
	// nullable says the schema accepts null (a required nil slice or map
	// is then written null, else [] or {}).
	nullable bool
	// cnst is the JSON of the property's const, written whatever the
	// field holds.
	cnst []byte
}

// special is the map field of a struct that holds extra or pattern members.
type special struct {
	offset uintptr
	plan   *plan // kMap
}

// variant is one alternative of a sum type.
type variant struct {
	name   string
	offset uintptr
	plan   *plan // the field's: kPtr, kSlice or kMap
	schema *vnode
}

type planKey struct {
	t reflect.Type
	n *vnode
}

var (
	rawType   = reflect.TypeFor[json.RawMessage]()
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

// planner builds the plans of one bundle (b.mu held); plans are cached by
// (type, node), so recursive types end in a cycle of plans.
type planner struct {
	b     *bundle
	plans map[planKey]*plan
}

// build returns the plan of t bound to n.
func (p *planner) build(t reflect.Type, n *vnode) (*plan, error) {
	n = deref(n)
	key := planKey{t, n}
	if pl, ok := p.plans[key]; ok {
		return pl, nil
	}
	pl := &plan{typ: t, schema: n}
	p.plans[key] = pl
	if err := p.fill(pl); err != nil {
		delete(p.plans, key)
		return nil, err
	}
	return pl, nil
}

func (p *planner) fail(pl *plan, format string, args ...any) error {
	ptr := ""
	if pl.schema != nil {
		ptr = pl.schema.ptr
	}
	return &BindError{Type: pl.typ.String(), Pointer: ptr, Reason: fmt.Sprintf(format, args...)}
}

func (p *planner) fill(pl *plan) error {
	t, n := pl.typ, pl.schema
	switch {
	case t == rawType:
		pl.kind = kRaw
		return nil
	case t == timeType:
		pl.kind = kTime
		return nil
	case n != nil && n.raw != nil && n.raw["x-go-type"] != nil:
		pl.kind = kStd
		return nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 && t.Elem().PkgPath() == "":
		pl.kind = kBytes
		return nil
	}
	switch t.Kind() {
	case reflect.Bool:
		pl.kind = kBool
	case reflect.String:
		pl.kind = kString
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		pl.kind, pl.bits = kInt, t.Bits()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		pl.kind, pl.bits = kUint, t.Bits()
	case reflect.Float32, reflect.Float64:
		pl.kind, pl.bits = kFloat, t.Bits()
	case reflect.Pointer:
		pl.kind = kPtr
		return p.elem(pl, t.Elem(), unwrapNull(n))
	case reflect.Slice:
		pl.kind = kSlice
		var items *vnode
		if n != nil && !n.isTuple {
			items = n.items
		}
		if n != nil && n.isTuple && t.Elem() != rawType {
			return p.fail(pl, "a tuple (items as an array) binds to []json.RawMessage")
		}
		return p.elem(pl, t.Elem(), items)
	case reflect.Map:
		return p.fillMap(pl)
	case reflect.Struct:
		if isSum(t) {
			return p.fillSum(pl)
		}
		return p.fillStruct(pl)
	default:
		return p.fail(pl, "no JSON mapping for kind %s", t.Kind())
	}
	return nil
}

func (p *planner) elem(pl *plan, t reflect.Type, n *vnode) error {
	e, err := p.build(t, n)
	if err != nil {
		return err
	}
	pl.elem = e
	return nil
}

func (p *planner) fillMap(pl *plan) error {
	t, n := pl.typ, pl.schema
	pl.kind = kMap
	if t.Key().Kind() != reflect.String {
		return p.fail(pl, "map keys must be strings")
	}
	var values *vnode
	if n != nil {
		switch {
		case n.addProps != nil:
			values = n.addProps
		case len(n.patterns) == 1:
			pl.only, values = n.patterns[0].re, n.patterns[0].schema
		}
	}
	return p.elem(pl, t.Elem(), values)
}

// isSum reports whether t is a sum type: a struct whose fields are all
// tagged mqttgen:"variant".
func isSum(t reflect.Type) bool {
	if t.NumField() == 0 {
		return false
	}
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("mqttgen") != "variant" {
			return false
		}
	}
	return true
}

func (p *planner) fillSum(pl *plan) error {
	t, n := pl.typ, pl.schema
	pl.kind = kSum
	if n == nil {
		return p.fail(pl, "a sum type needs a schema with oneOf or anyOf")
	}
	alts := n.oneOf
	if alts == nil {
		alts, pl.pickFirst = n.anyOf, true
	}
	var nonNull []*vnode
	for _, a := range alts {
		if !isNullSchema(a) {
			nonNull = append(nonNull, a)
		}
	}
	if len(nonNull) != t.NumField() {
		return p.fail(pl, "%d variant fields for %d non-null alternatives", t.NumField(), len(nonNull))
	}
	for i, alt := range nonNull {
		f := t.Field(i)
		switch f.Type.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
		default:
			return p.fail(pl, "variant field %s must be a pointer, slice or map", f.Name)
		}
		if f.Type == rawType {
			return p.fail(pl, "variant field %s must be a pointer, slice or map", f.Name)
		}
		fp, err := p.build(f.Type, alt)
		if err != nil {
			return err
		}
		pl.variants = append(pl.variants, variant{name: f.Name, offset: f.Offset, plan: fp, schema: alt})
	}
	return nil
}

// merged is an object schema's properties merged over its allOf parts.
type merged struct {
	props    map[string]*vnode
	required map[string]bool
	patterns []*regexp.Regexp
}

func mergeObject(n *vnode, m *merged, seen map[*vnode]bool) {
	n = deref(n)
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	for i, name := range n.names {
		if _, ok := m.props[name]; !ok && n.props[i] != nil {
			m.props[name] = n.props[i]
		}
	}
	for _, r := range n.required {
		m.required[n.names[r]] = true
	}
	for _, ps := range n.patterns {
		m.patterns = append(m.patterns, ps.re)
	}
	for _, part := range n.allOf {
		mergeObject(part, m, seen)
	}
}

func (p *planner) fillStruct(pl *plan) error {
	t, n := pl.typ, pl.schema
	pl.kind = kStruct
	m := merged{props: map[string]*vnode{}, required: map[string]bool{}}
	mergeObject(n, &m, map[*vnode]bool{})
	pl.claims = m.patterns
	bound := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("mqttgen")
		switch {
		case tag == "extra" || tag == "patterns":
			if f.Type.Kind() != reflect.Map {
				return p.fail(pl, "field %s tagged %s must be a map", f.Name, tag)
			}
			var values *vnode
			switch {
			case n == nil:
			case tag == "extra":
				values = n.addProps
			case len(n.patterns) == 1:
				values = n.patterns[0].schema
			}
			mp := &plan{kind: kMap, typ: f.Type}
			if f.Type.Key().Kind() != reflect.String {
				return p.fail(pl, "field %s: map keys must be strings", f.Name)
			}
			if err := p.elem(mp, f.Type.Elem(), values); err != nil {
				return err
			}
			if tag == "extra" {
				pl.extra = &special{offset: f.Offset, plan: mp}
			} else {
				pl.patterns = &special{offset: f.Offset, plan: mp}
			}
			continue
		case !f.IsExported():
			continue
		case f.Anonymous:
			return p.fail(pl, "embedded field %s is not supported", f.Name)
		}
		name, ok := wireName(f)
		if !ok {
			continue
		}
		prop, isProp := m.props[name]
		if !isProp {
			return p.fail(pl, "field %s: no property %q in the schema", f.Name, name)
		}
		if bound[name] {
			return p.fail(pl, "two fields for property %q", name)
		}
		bound[name] = true
		fp, err := p.build(f.Type, prop)
		if err != nil {
			return err
		}
		fd := field{name: name, offset: f.Offset, plan: fp, required: m.required[name], nullable: allowsNull(prop)}
		fd.key = append(appendString(nil, name), ':')
		if c := deref(prop); c != nil && c.cnst != nil {
			fd.cnst, _ = json.Marshal(c.cnst.v)
		}
		pl.fields = append(pl.fields, fd)
	}
	var missing []string
	for name := range m.props {
		if !bound[name] {
			missing = append(missing, strconv.Quote(name))
		}
	}
	if missing != nil {
		slices.Sort(missing)
		return p.fail(pl, "no field for properties %s", strings.Join(missing, ", "))
	}
	if len(pl.fields) > 8 {
		pl.index = make(map[string]int, len(pl.fields))
		for i, f := range pl.fields {
			pl.index[f.name] = i
		}
	}
	return nil
}

// wireName is the member name of a struct field: its mqttgen name=, else
// its json tag's name, else its Go name; false for json:"-" without one.
func wireName(f reflect.StructField) (string, bool) {
	if tag := f.Tag.Get("mqttgen"); strings.HasPrefix(tag, "name=") {
		return tag[len("name="):], true
	}
	tag, ok := f.Tag.Lookup("json")
	if !ok {
		return f.Name, true
	}
	name, _, _ := strings.Cut(tag, ",")
	switch {
	case name == "-" && tag == "-":
		return "", false
	case name == "":
		return f.Name, true
	}
	return name, true
}

// lookup finds the field of a member name, or -1.
func (pl *plan) lookup(key []byte) int {
	if pl.index != nil {
		if i, ok := pl.index[string(key)]; ok {
			return i
		}
		return -1
	}
	for i := range pl.fields {
		if pl.fields[i].name == string(key) {
			return i
		}
	}
	return -1
}

// claimed reports whether a pattern of the struct's schema matches key.
func (pl *plan) claimed(key []byte) bool {
	for _, re := range pl.claims {
		if re.Match(key) {
			return true
		}
	}
	return false
}

// deref follows $ref.
func deref(n *vnode) *vnode {
	for i := 0; n != nil && n.ref != nil && i < 100; i++ {
		n = n.ref
	}
	if n != nil && n.ref != nil {
		return nil
	}
	return n
}

// isNullSchema reports whether n is {"type": "null"}.
func isNullSchema(n *vnode) bool {
	n = deref(n)
	return n != nil && n.types == typeNull
}

// unwrapNull is n without its null alternative: for a oneOf or anyOf of
// {"type": "null"} and one other schema, that schema; else n (whose type
// list may hold "null" beside the type the Go value takes).
func unwrapNull(n *vnode) *vnode {
	n = deref(n)
	if n == nil {
		return nil
	}
	for _, alts := range [][]*vnode{n.oneOf, n.anyOf} {
		if len(alts) != 2 {
			continue
		}
		switch {
		case isNullSchema(alts[0]):
			return deref(alts[1])
		case isNullSchema(alts[1]):
			return deref(alts[0])
		}
	}
	return n
}

// allowsNull reports whether the schema says a value may be null: null in
// its type, nullable: true (AsyncAPI 2.x), or a null alternative.
func allowsNull(n *vnode) bool {
	n = deref(n)
	switch {
	case n == nil:
		return false
	case n.always != 0:
		return n.always > 0
	case n.types&typeNull != 0 || n.raw["nullable"] == true:
		return true
	}
	return slices.ContainsFunc(n.oneOf, isNullSchema) || slices.ContainsFunc(n.anyOf, isNullSchema)
}
