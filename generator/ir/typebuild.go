package ir

import (
	"fmt"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

var (
	rawRef  = &TypeRef{Kind: RefQual, Path: "encoding/json", Name: "RawMessage"}
	timeRef = &TypeRef{Kind: RefQual, Path: "time", Name: "Time"}
)

func builtin(name string) *TypeRef { return &TypeRef{Kind: RefBuiltin, Name: name} }
func namedRef(t *Type) *TypeRef    { return &TypeRef{Kind: RefNamed, Name: t.Name, Type: t} }
func pointerTo(t *TypeRef) *TypeRef {
	if t.Nilable() {
		return t
	}
	return &TypeRef{Kind: RefPointer, Elem: t}
}

// schemaCandidates starts a schema's naming chain: x-go-name, its
// components/schemas key, its title; then the chain its place gives.
func schemaCandidates(s *model.Schema, then ...candidate) []candidate {
	var out []candidate
	if x, ok := explicitName(s.Extensions); ok {
		out = append(out, x)
	}
	if s.Key != "" {
		out = append(out, derived(s.Key, "the components/schemas key "+strconv.Quote(s.Key)))
	}
	if s.Title != "" {
		out = append(out, derived(s.Title, "the schema title "+strconv.Quote(s.Title)))
	}
	return append(out, then...)
}

// walkSchemas calls fn once for every schema reachable from s.
func walkSchemas(s *model.Schema, seen map[*model.Schema]bool, fn func(*model.Schema)) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	fn(s)
	for _, c := range children(s) {
		walkSchemas(c, seen, fn)
	}
}

// children lists the direct subschemas of s in a fixed keyword order.
func children(s *model.Schema) []*model.Schema {
	var out []*model.Schema
	for _, p := range s.Properties {
		out = append(out, p.Schema)
	}
	out = append(out, s.AdditionalProperties)
	for _, p := range s.PatternProperties {
		out = append(out, p.Schema)
	}
	out = append(out, s.PropertyNames, s.Items)
	out = append(out, s.PrefixItems...)
	out = append(out, s.AdditionalItems, s.Contains)
	for _, d := range s.Dependencies {
		out = append(out, d.Schema)
	}
	out = append(out, s.AllOf...)
	out = append(out, s.OneOf...)
	out = append(out, s.AnyOf...)
	out = append(out, s.Not, s.If, s.Then, s.Else)
	kept := out[:0]
	for _, c := range out {
		if c != nil {
			kept = append(kept, c)
		}
	}
	return kept
}

// roots are the schemas types are made from: components/schemas (sorted by
// key), then the payloads of the generated operations' messages.
func (b *builder) roots() []*model.Schema {
	out := append([]*model.Schema(nil), b.doc.Schemas...)
	for _, o := range b.ops {
		for _, m := range o.Model.Messages {
			if m.Payload != nil && isJSONSchema(m) {
				out = append(out, m.Payload)
			}
		}
	}
	return out
}

// claimExplicitTypes gives every schema that becomes a named type and has
// an x-go-name its name before any derived name is handed out.
func (b *builder) claimExplicitTypes() {
	seen := map[*model.Schema]bool{}
	for _, r := range b.roots() {
		walkSchemas(r, seen, func(s *model.Schema) {
			core, _ := unwrap(s)
			x, ok := explicitName(s.Extensions)
			if !ok || core != s || !kindOf(s).named() {
				return
			}
			o := owner{what: "schema " + strconv.Quote(s.Pointer), loc: s.Loc}
			b.explicit[s] = b.ns.claim(o, []candidate{x}, func(base string) []string { return []string{base} })
		})
	}
}

// buildTypes makes the named types of component schemas; payload types are
// made with their operations.
func (b *builder) buildTypes() {
	for _, s := range b.doc.Schemas {
		if kindOf(s).named() {
			b.refOf(s, schemaCandidates(s), "component schema "+strconv.Quote(s.Key))
		}
	}
}

// refOf is the Go type of schema s, behind a pointer when s admits null and
// the type has no nil of its own. Named types are made on first use and
// named from cands.
func (b *builder) refOf(s *model.Schema, cands []candidate, what string) *TypeRef {
	core, nullable := unwrap(s)
	t := b.baseRef(core, cands, what)
	if nullable {
		return pointerTo(t)
	}
	return t
}

func (b *builder) baseRef(s *model.Schema, cands []candidate, what string) *TypeRef {
	if s == nil {
		return rawRef
	}
	if t, ok := b.types[s]; ok {
		return namedRef(t)
	}
	switch k := kindOf(s); k {
	case kindStruct:
		return namedRef(b.newType(s, TypeStruct, cands, what))
	case kindEnum:
		return namedRef(b.newType(s, TypeEnum, cands, what))
	case kindSum:
		return namedRef(b.newType(s, TypeSum, cands, what))
	case kindExternal:
		t, err := externalRef(s)
		if err != nil {
			b.fail(s.Loc, "%v", err)
			return rawRef
		}
		return t
	case kindBool:
		return builtin("bool")
	case kindInteger:
		if s.Format == "int32" {
			return builtin("int32")
		}
		return builtin("int64")
	case kindNumber:
		if s.Format == "float" {
			return builtin("float32")
		}
		return builtin("float64")
	case kindString:
		return builtin("string")
	case kindTime:
		return timeRef
	case kindBytes:
		return &TypeRef{Kind: RefSlice, Elem: builtin("byte")}
	case kindTuple:
		return &TypeRef{Kind: RefSlice, Elem: rawRef}
	case kindArray, kindMap:
		return b.containerRef(s, k, cands, what)
	}
	return rawRef
}

// containerRef is []T or map[string]T; a container that contains itself
// without a named type between becomes a named type (type Tree []Tree).
func (b *builder) containerRef(s *model.Schema, k kind, cands []candidate, what string) *TypeRef {
	if b.onStack[s] {
		tk := TypeSlice
		if k == kindMap {
			tk = TypeMap
		}
		return namedRef(b.newType(s, tk, cands, what))
	}
	b.onStack[s] = true
	var elem *TypeRef
	if k == kindArray {
		elem = b.itemRef(s.Items, cands, "Item", what)
	} else {
		elem = b.mapValueRef(s, cands, what)
	}
	delete(b.onStack, s)
	if t, ok := b.types[s]; ok {
		t.Elem = elem
		return namedRef(t)
	}
	if k == kindArray {
		return &TypeRef{Kind: RefSlice, Elem: elem}
	}
	return &TypeRef{Kind: RefMap, Elem: elem}
}

// itemRef is the type of array items or map values: a nested schema named
// after its place (<Parent>Item, <Parent>Value).
func (b *builder) itemRef(s *model.Schema, parent []candidate, suffix, what string) *TypeRef {
	if s == nil || s.Bool != nil {
		return rawRef
	}
	return b.refOf(s, schemaCandidates(s, suffixed(parent, suffix)...), what)
}

// mapValueRef is the value type of an object without properties: typed by
// additionalProperties, or by its one patternProperties entry when it has
// no additionalProperties; json.RawMessage otherwise.
func (b *builder) mapValueRef(s *model.Schema, cands []candidate, what string) *TypeRef {
	switch {
	case s.AdditionalProperties != nil && len(s.PatternProperties) == 0:
		return b.itemRef(s.AdditionalProperties, cands, "Value", what)
	case s.AdditionalProperties == nil && len(s.PatternProperties) == 1:
		return b.itemRef(s.PatternProperties[0].Schema, cands, "Value", what)
	}
	return rawRef
}

// suffixed derives nested names: each candidate's base plus suffix.
func suffixed(cands []candidate, suffix string) []candidate {
	out := make([]candidate, 0, len(cands))
	for _, c := range cands {
		if c.base == "" {
			continue
		}
		out = append(out, candidate{base: c.base + suffix, source: c.source + " + " + strconv.Quote(suffix)})
	}
	return out
}

// newType makes and names the named type of s (for TypeSlice and TypeMap,
// its element is filled in by containerRef).
func (b *builder) newType(s *model.Schema, k TypeKind, cands []candidate, what string) *Type {
	t := &Type{Schema: s, Owner: what, Kind: k}
	b.types[s] = t
	b.typeList = append(b.typeList, t)
	if name, ok := b.explicit[s]; ok {
		t.Name = name
	} else {
		o := owner{what: what, loc: s.Loc}
		t.Name = b.ns.claim(o, cands, func(base string) []string { return []string{base} })
	}
	t.Definition = b.bundle.define(s, t.Name)
	// A named type ends every cycle through it: what it contains is
	// resolved afresh.
	saved := b.onStack
	b.onStack = map[*model.Schema]bool{}
	defer func() { b.onStack = saved }()
	self := []candidate{{base: t.Name, source: "type " + t.Name}}
	switch t.Kind {
	case TypeStruct:
		b.structFields(t, self)
	case TypeEnum:
		b.enumValues(t)
	case TypeSum:
		b.sumVariants(t, self)
	}
	return t
}

// structFields makes one field per merged property, then the maps of
// pattern-matched and extra members.
func (b *builder) structFields(t *Type, self []candidate) {
	s := t.Schema
	obj, conflicts := mergeObject(s)
	for _, c := range conflicts {
		b.fail(c.Loc, "property %q is defined differently by two allOf parts of type %s; make the definitions equal or rename one", c.Name, t.Name)
	}
	if untypedObject(s) {
		d := warning(s.Loc, "schema has properties but no type: the Go struct %s holds JSON objects only, so values of other types, which the schema allows, are refused (add type: object)", t.Name)
		d.Err = ErrGoTypeLimit
		b.diags = append(b.diags, d)
	}
	fields := newNamespace(&b.diags)
	fields.reserve("the JSON methods", "MarshalJSON", "UnmarshalJSON")
	for i, p := range obj.Properties {
		f := &Field{Role: FieldProperty, Wire: p.Name, Schema: p.Schema, Required: obj.Required[p.Name]}
		cands := []candidate{derived(p.Name, "the property name "+strconv.Quote(p.Name)), {base: "Field" + strconv.Itoa(i+1), source: "its position"}}
		if p.Schema != nil && !kindOf(p.Schema).named() {
			if x, ok := explicitName(p.Schema.Extensions); ok {
				cands = []candidate{x}
			}
		}
		o := owner{what: fmt.Sprintf("property %q of type %s", p.Name, t.Name), loc: p.Loc}
		f.Name = fields.claim(o, cands, func(base string) []string { return []string{base} })
		f.Type = b.refOf(p.Schema, schemaCandidates(orEmpty(p.Schema), suffixed(self, naming.Pascal(p.Name))...), fmt.Sprintf("property %q of type %s", p.Name, t.Name))
		if !f.Required {
			f.Type = pointerTo(f.Type)
		}
		f.Tag = propertyTag(f)
		if f.Tag["mqttgen"] != "" {
			t.JSONMethods = true
		}
		t.Fields = append(t.Fields, f)
	}
	if len(obj.Patterns) > 0 {
		elem := rawRef
		if samePatterns(obj.Patterns) {
			elem = b.itemRef(obj.Patterns[0].Schema, self, "Pattern", "patternProperties of type "+t.Name)
		}
		t.Fields = append(t.Fields, b.mapField(t, fields, FieldPatterns, "PatternProperties", elem))
	}
	if obj.Extra != nil {
		elem := b.itemRef(obj.Extra, self, "Value", "additionalProperties of type "+t.Name)
		t.Fields = append(t.Fields, b.mapField(t, fields, FieldExtra, "AdditionalProperties", elem))
	}
}

// mapField is the field holding pattern-matched or extra members; such a
// struct needs the codec to (un)marshal it.
func (b *builder) mapField(t *Type, fields *namespace, role FieldRole, name string, elem *TypeRef) *Field {
	o := owner{what: name + " of type " + t.Name, loc: t.Schema.Loc}
	f := &Field{Role: role, Type: &TypeRef{Kind: RefMap, Elem: elem}}
	f.Name = fields.claim(o, []candidate{{base: name, source: "the fixed field name"}}, func(base string) []string { return []string{base} })
	tag := "extra"
	if role == FieldPatterns {
		tag = "patterns"
	}
	f.Tag = map[string]string{"json": "-", "mqttgen": tag}
	t.JSONMethods = true
	return f
}

// samePatterns reports whether every pattern has the same schema, so one
// map type holds all their members.
func samePatterns(ps []*model.Property) bool {
	for _, p := range ps[1:] {
		if p.Schema != ps[0].Schema && !sameSchema(p.Schema, ps[0].Schema) {
			return false
		}
	}
	return true
}

func orEmpty(s *model.Schema) *model.Schema {
	if s == nil {
		return &model.Schema{}
	}
	return s
}

// propertyTag is a property field's struct tag: json with the wire name
// when encoding/json accepts it as a tag name (omitempty for optional
// pointers, omitzero for optional slices, maps and raw JSON); otherwise
// json:"-" and mqttgen:"name=<wire name>", which the codec reads.
func propertyTag(f *Field) map[string]string {
	if !validTagName(f.Wire) {
		return map[string]string{"json": "-", "mqttgen": "name=" + f.Wire}
	}
	v := f.Wire
	switch {
	case f.Required:
	case f.Type.Kind == RefPointer:
		v += ",omitempty"
	default:
		v += ",omitzero"
	}
	return map[string]string{"json": v}
}

// validTagName mirrors encoding/json's rule for a tag's name: letters,
// digits and !#$%&()*+-./:;<=>?@[]^_{|}~ and space; "-" alone means skip.
func validTagName(s string) bool {
	if s == "" || s == "-" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

// sumVariants makes one field per non-null alternative of the sum's oneOf
// (else anyOf), in document order.
func (b *builder) sumVariants(t *Type, self []candidate) {
	s := t.Schema
	vs := variants(s)
	if _, nullable := unwrap(s); !nullable && sumAdmitsNull(s) {
		d := warning(s.Loc, "an alternative of this sum allows null, which the Go type %s cannot hold (no variant would be set): null, which the schema allows, is refused", t.Name)
		d.Err = ErrGoTypeLimit
		b.diags = append(b.diags, d)
	}
	tags := variantTags(s, vs)
	fields := newNamespace(&b.diags)
	fields.reserve("the JSON methods", "MarshalJSON", "UnmarshalJSON")
	t.JSONMethods = true
	for i, v := range vs {
		suffix := "Variant" + strconv.Itoa(i+1)
		if tags != nil && naming.Pascal(tags[i]) != "" {
			suffix = naming.Pascal(tags[i])
		}
		ref := b.refOf(v, schemaCandidates(v, suffixed(self, suffix)...), fmt.Sprintf("variant %d of type %s", i+1, t.Name))
		// A variant is set or not: raw JSON goes behind a pointer, so that
		// set-to-null differs from unset.
		vt := pointerTo(ref)
		if vt == rawRef || (vt.Kind == RefQual && vt.Name == "RawMessage") {
			vt = &TypeRef{Kind: RefPointer, Elem: vt}
		}
		f := &Field{Role: FieldVariant, Schema: v, Type: vt, Tag: map[string]string{"mqttgen": "variant"}}
		o := owner{what: fmt.Sprintf("variant %d of type %s", i+1, t.Name), loc: v.Loc}
		f.Name = fields.claim(o, variantNames(t, ref, v, suffix, i), func(base string) []string { return []string{base} })
		t.Fields = append(t.Fields, f)
	}
}

// sumAdmitsNull reports whether an alternative of sum s's oneOf (else
// anyOf) allows null.
func sumAdmitsNull(s *model.Schema) bool {
	alts := s.OneOf
	if len(alts) == 0 {
		alts = s.AnyOf
	}
	for _, a := range alts {
		if _, nullable := unwrap(a); nullable || isNullSchema(a) {
			return true
		}
	}
	return false
}

// variantNames is a variant field's naming chain: its type's name without
// the sum's prefix (PetCat in Pet: Cat), its title, its Go kind, VariantN.
func variantNames(t *Type, ref *TypeRef, v *model.Schema, suffix string, i int) []candidate {
	var out []candidate
	if ref.Kind == RefNamed {
		name := ref.Name
		if rest := strings.TrimPrefix(name, t.Name); rest != name && rest != "" && unicode.IsUpper(rune(rest[0])) {
			name = rest
		}
		out = append(out, candidate{base: name, source: "the variant's type"})
	}
	if v.Title != "" {
		out = append(out, derived(v.Title, "the variant's title"))
	}
	out = append(out, candidate{base: suffix, source: "the variant's tag"})
	out = append(out, candidate{base: kindWord(ref), source: "the variant's Go type"})
	return append(out, candidate{base: "Variant" + strconv.Itoa(i+1), source: "its position"})
}

// kindWord names an unnamed variant after its Go type.
func kindWord(t *TypeRef) string {
	for t.Kind == RefPointer {
		t = t.Elem
	}
	switch t.Kind {
	case RefBuiltin:
		return naming.Pascal(t.Name)
	case RefSlice:
		return "Array"
	case RefMap:
		return "Map"
	case RefQual:
		return naming.Pascal(t.Name)
	}
	return "Value"
}

// variantTags returns each variant's tag value (its discriminator value,
// else a property every variant fixes to a distinct string const), for
// naming; nil when there is none.
func variantTags(s *model.Schema, vs []*model.Schema) []string {
	if d := s.Discriminator; d != "" {
		if tags, ok := tagValues(vs, d, true); ok {
			return tags
		}
	}
	first, _ := unwrap(vs[0])
	if first == nil || kindOf(first) != kindStruct {
		return nil
	}
	obj, _ := mergeObject(first)
	for _, p := range obj.Properties {
		if tags, ok := tagValues(vs, p.Name, false); ok {
			return tags
		}
	}
	return nil
}

// tagValues returns each variant's string const for property prop, if all
// have a distinct one (with byKey, a component key stands in).
func tagValues(vs []*model.Schema, prop string, byKey bool) ([]string, bool) {
	tags := make([]string, len(vs))
	seen := map[string]bool{}
	for i, v := range vs {
		v, _ = unwrap(v)
		if v == nil || kindOf(v) != kindStruct {
			return nil, false
		}
		obj, _ := mergeObject(v)
		tag := ""
		for _, p := range obj.Properties {
			if p.Name == prop && p.Schema != nil {
				if c, ok := constOf(p.Schema); ok {
					tag, _ = c.(string)
				}
			}
		}
		if tag == "" && byKey {
			tag = v.Key
		}
		if tag == "" || seen[tag] {
			return nil, false
		}
		seen[tag] = true
		tags[i] = tag
	}
	return tags, true
}

// constOf is the one value a schema allows: its const, or an enum of one.
func constOf(s *model.Schema) (any, bool) {
	if s.HasConst {
		return s.Const, true
	}
	if len(s.Enum) == 1 {
		return s.Enum[0], true
	}
	return nil, false
}

// enumValues records an enum's values; constants are named later
// (nameConstants), once every type has its name.
func (b *builder) enumValues(t *Type) {
	s := t.Schema
	t.EnumBase = builtin("string")
	if primaryType(s) == "integer" {
		t.EnumBase = builtin("int64")
		if s.Format == "int32" {
			t.EnumBase = builtin("int32")
		}
	}
	for _, v := range s.Enum {
		switch x := v.(type) {
		case nil:
		case float64:
			t.Enum = append(t.Enum, EnumValue{Value: int64(x)})
		case int:
			t.Enum = append(t.Enum, EnumValue{Value: int64(x)})
		default:
			t.Enum = append(t.Enum, EnumValue{Value: v})
		}
	}
}

// nameConstants names enum constants, <Type><Value>, type by type in name
// order: a value with no letters or digits, or one whose name is taken,
// falls back to the value's position, then to a numeric suffix.
func (b *builder) nameConstants() {
	for _, t := range sortedTypes(b.typeList) {
		if t.Kind == TypeEnum {
			b.nameEnum(t.Name, t.Enum, t.Schema.Loc)
		}
	}
	for _, c := range b.pkg.Channels {
		for _, p := range c.Params {
			if p.Enum == nil {
				continue
			}
			for _, v := range p.Model.Enum {
				p.Enum.Values = append(p.Enum.Values, EnumValue{Value: v})
			}
			b.nameEnum(p.Enum.Name, p.Enum.Values, p.Model.Loc)
		}
	}
}

func (b *builder) nameEnum(typeName string, values []EnumValue, loc model.Loc) {
	for i := range values {
		var word string
		switch x := values[i].Value.(type) {
		case string:
			word = naming.Pascal(x)
		case int64:
			word = strconv.FormatInt(x, 10)
			if x < 0 {
				word = "Minus" + word[1:]
			}
		}
		o := owner{what: fmt.Sprintf("value %s of %s", literal(values[i].Value), typeName), loc: loc}
		cands := []candidate{{base: typeName + word, source: "the value"}, {base: typeName + strconv.Itoa(i+1), source: "its position"}}
		if word == "" {
			cands = cands[1:]
		}
		values[i].Const = b.ns.claim(o, cands, func(base string) []string { return []string{base} })
	}
}

// literal renders a decoded JSON value as JSON text.
func literal(v any) string { return string(marshal(v)) }

// externalRef reads x-go-type: "time.Duration", "uuid.UUID" with
// x-go-type-import "github.com/google/uuid", a full
// "github.com/google/uuid.UUID", or a bare name ("string"), each possibly
// behind "*". Anything else is refused: the text goes into Go source.
func externalRef(s *model.Schema) (*TypeRef, error) {
	written := s.Extension("x-go-type")
	goType := written
	path := s.Extension("x-go-type-import")
	if m, ok := s.Extensions["x-go-type-import"].(map[string]any); ok {
		path, _ = m["path"].(string)
	}
	depth := 0
	for strings.HasPrefix(goType, "*") {
		depth++
		goType = goType[1:]
	}
	var t *TypeRef
	dot := strings.LastIndexByte(goType, '.')
	name := goType[dot+1:]
	switch {
	case dot < 0:
		t = builtin(goType)
	case path != "":
		t = &TypeRef{Kind: RefQual, Path: path, Name: name}
	default:
		t = &TypeRef{Kind: RefQual, Path: goType[:dot], Name: name}
	}
	if !token.IsIdentifier(name) || (t.Kind == RefQual && (!token.IsExported(name) || !validImportPath(t.Path))) {
		return nil, fmt.Errorf("x-go-type %q (x-go-type-import %q) is not a Go type: want Name, package.Name or import/path.Name", written, path)
	}
	for range depth {
		t = &TypeRef{Kind: RefPointer, Elem: t}
	}
	return t, nil
}

// validImportPath accepts what `go` accepts in an import path: letters,
// digits and -._~/+, no empty element, no leading or trailing slash.
func validImportPath(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
		return false
	}
	for _, elem := range strings.Split(p, "/") {
		if elem == "." || elem == ".." {
			return false
		}
	}
	for _, c := range p {
		if !(c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("-._~/+", c))) {
			return false
		}
	}
	return true
}

func sortedTypes(ts []*Type) []*Type {
	out := append([]*Type(nil), ts...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedCodecs(cs []*Codec) []*Codec {
	out := append([]*Codec(nil), cs...)
	sort.Slice(out, func(i, j int) bool { return out[i].Var < out[j].Var })
	return out
}
