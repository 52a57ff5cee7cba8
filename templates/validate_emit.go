package templates

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mqttgen/mqttgen/generator/model"
)

// The fast path: for a payload whose schema uses only the keywords below,
// the generator emits a check that walks the JSON bytes once with
// mqttrt.Scanner, in step with the schema:
//
//	// validReading reports whether data certainly satisfies schemaReading ...
//	func validReading(data []byte) bool {
//		sc := mqttrt.NewScanner(data)
//		return checkReading(&sc) && sc.End()
//	}
//	func checkReading(sc *mqttrt.Scanner) bool {
//		if !sc.Object() { return false }
//		var seen uint64
//		for sc.NextKey() {
//			switch string(sc.Key()) {
//			case "celsius":
//				seen |= 1
//				... number checks ...
//			default:
//				if sc.KeyFolds("celsius") { return false } // "CELSIUS" would fill Celsius
//				if !sc.Skip() { return false }
//			}
//		}
//		return !sc.Failed() && seen&1 == 1
//	}
//
// The check only ever says "certainly valid": callers ask the compiled
// schema whenever it returns false, so the schema stays the one authority
// for refusals and their errors, and a gap in the fast path costs time,
// never a wrong answer. Schemas using anything else (oneOf/anyOf sums,
// allOf, not, if/then/else, patternProperties, propertyNames, tuples,
// contains, uniqueItems, dependentRequired, content*, enums of objects or
// fractions) get no fast check and are validated by the schema alone.

// fastKeywords are the validation keywords the fast path decides exactly.
var fastKeywords = map[string]bool{
	"type": true, "enum": true, "const": true, "format": true,
	"properties": true, "required": true, "additionalProperties": true,
	"minProperties": true, "maxProperties": true,
	"items": true, "minItems": true, "maxItems": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "multipleOf": true,
	"minLength": true, "maxLength": true, "pattern": true,
}

// maxTrackedKeys bounds the properties an object check tracks in one
// uint64.
const maxTrackedKeys = 64

// keywordsOf lists the validation keywords the bundled schema of s has
// (see bundler.render), sorted.
func keywordsOf(s *model.Schema) []string {
	var out []string
	add := func(k string, present bool) {
		if present {
			out = append(out, k)
		}
	}
	add("type", len(s.Type) > 0)
	add("enum", len(s.Enum) > 0)
	add("const", s.HasConst)
	add("format", s.Format != "")
	add("properties", len(s.Properties) > 0)
	add("required", len(s.Required) > 0)
	add("additionalProperties", s.AdditionalProperties != nil)
	add("patternProperties", len(s.PatternProperties) > 0)
	add("propertyNames", s.PropertyNames != nil)
	add("items", s.Items != nil && len(s.PrefixItems) == 0)
	add("prefixItems", len(s.PrefixItems) > 0)
	add("contains", s.Contains != nil)
	add("allOf", len(s.AllOf) > 0)
	add("oneOf", len(s.OneOf) > 0)
	add("anyOf", len(s.AnyOf) > 0)
	add("not", s.Not != nil)
	add("if", s.If != nil || s.Then != nil || s.Else != nil)
	add("minimum", s.Minimum != nil)
	add("maximum", s.Maximum != nil)
	add("exclusiveMinimum", s.ExclusiveMinimum != nil)
	add("exclusiveMaximum", s.ExclusiveMaximum != nil)
	add("multipleOf", s.MultipleOf != nil)
	add("minLength", s.MinLength != nil)
	add("maxLength", s.MaxLength != nil)
	add("minItems", s.MinItems != nil)
	add("maxItems", s.MaxItems != nil)
	add("minProperties", s.MinProperties != nil)
	add("maxProperties", s.MaxProperties != nil)
	add("pattern", s.Pattern != "")
	add("uniqueItems", s.UniqueItems)
	for _, k := range extraKeywords {
		_, ok := s.Extra[k]
		add(k, ok)
	}
	sort.Strings(out)
	return out
}

// nullWrapped returns X for a schema that is only `oneOf`/`anyOf: [{type:
// null}, X]` where X certainly refuses null, so "null, or X" is exactly
// its meaning; nil otherwise.
func nullWrapped(s *model.Schema) *model.Schema {
	kw := keywordsOf(s)
	if len(kw) != 1 || (kw[0] != "oneOf" && kw[0] != "anyOf") || s.Nullable {
		return nil
	}
	alts := s.OneOf
	if kw[0] == "anyOf" {
		alts = s.AnyOf
	}
	if len(alts) != 2 {
		return nil
	}
	var x *model.Schema
	sawNull := false
	for _, a := range alts {
		if a != nil && a.Bool == nil && len(a.Type) == 1 && a.Type[0] == "null" && !a.Nullable && len(keywordsOf(a)) == 1 {
			sawNull = true
			continue
		}
		x = a
	}
	if !sawNull || x == nil || x.Bool != nil {
		return nil
	}
	types := effectiveTypes(x)
	if len(types) == 0 {
		return nil
	}
	for _, t := range types {
		if t == "null" {
			return nil
		}
	}
	return x
}

// effectiveTypes is the bundled "type" of s: 2.x nullable adds "null".
func effectiveTypes(s *model.Schema) []string {
	types := append([]string(nil), s.Type...)
	if s.Nullable && len(types) > 0 && !s.HasType("null") {
		types = append(types, "null")
	}
	return types
}

// effectiveEnum is the bundled "enum" of s (nullable adds null), with
// const folded in as a one-value enum; has is false when s restricts
// neither.
func effectiveEnum(s *model.Schema) (values []any, has bool) {
	if len(s.Enum) > 0 {
		values = append(values, s.Enum...)
		if s.Nullable && !enumHasNull(s) {
			values = append(values, nil)
		}
		has = true
	}
	if s.HasConst {
		if has {
			// Both: only values in the enum that equal the const.
			var kept []any
			for _, v := range values {
				if scalarEqual(v, s.Const) {
					kept = append(kept, v)
				}
			}
			return kept, true
		}
		return []any{s.Const}, true
	}
	return values, has
}

func scalarEqual(a, b any) bool {
	if x, ok := asInt(a); ok {
		y, ok := asInt(b)
		return ok && x == y
	}
	return a == b
}

// fastScalar reports whether an enum/const value is one the fast path
// compares exactly: null, a boolean, a string or an int64 integer.
func fastScalar(v any) bool {
	switch x := v.(type) {
	case nil, bool, string, int, int32, int64:
		return true
	case float64:
		return x == math.Trunc(x) && math.Abs(x) < 1<<62
	}
	return false
}

// FastCovered reports whether the payload schema s gets a fast check.
func FastCovered(s *model.Schema) bool {
	return fastCovered(s, map[*model.Schema]bool{})
}

// fastCovered walks s; stack holds the schemas being walked, so that a
// cycle is accepted only where it re-enters a named schema, whose check
// function ends the recursion of the emitter.
func fastCovered(s *model.Schema, stack map[*model.Schema]bool) bool {
	if s == nil || s.Bool != nil {
		return true
	}
	if stack[s] {
		return s.GoName != ""
	}
	stack[s] = true
	defer delete(stack, s)
	seen := stack
	if x := nullWrapped(s); x != nil {
		return fastCovered(x, seen)
	}
	for _, k := range keywordsOf(s) {
		if !fastKeywords[k] {
			return false
		}
	}
	if s.Format != "" && jsonschema.Formats[s.Format] != nil && !knownFormat(s.Format) {
		return false
	}
	if values, has := effectiveEnum(s); has {
		for _, v := range values {
			if !fastScalar(v) {
				return false
			}
		}
	}
	for _, t := range effectiveTypes(s) {
		switch t {
		case "null", "boolean", "string", "number", "integer", "object", "array":
		default:
			return false
		}
	}
	if len(objectKeys(s)) > maxTrackedKeys {
		return false
	}
	for _, p := range s.Properties {
		if !fastCovered(p.Schema, seen) {
			return false
		}
	}
	if !fastCovered(s.AdditionalProperties, seen) || !fastCovered(s.Items, seen) {
		return false
	}
	return true
}

// knownFormat guards against a Formats entry added by a program that
// runs the generator: only jsonschema's own formats are mirrored.
func knownFormat(f string) bool {
	switch f {
	case "date-time", "date", "time", "duration", "period", "hostname", "email", "ip-address", "ipv4", "ipv6",
		"uri", "iri", "uri-reference", "uriref", "iri-reference", "uri-template", "regex", "json-pointer",
		"relative-json-pointer", "uuid":
		return true
	}
	return false
}

// objectKeys are the member names an object check switches on: the
// declared properties, then required names not declared.
func objectKeys(s *model.Schema) []string {
	var keys []string
	have := map[string]bool{}
	for _, p := range s.Properties {
		if !have[p.Name] {
			have[p.Name] = true
			keys = append(keys, p.Name)
		}
	}
	for _, r := range s.Required {
		if !have[r] {
			have[r] = true
			keys = append(keys, r)
		}
	}
	return keys
}

// fastEmitter writes the checks of one generated file: one function per
// named schema, shared by every payload that reaches it, and the
// package-level patterns and format checkers they use.
type fastEmitter struct {
	f *jen.File
	// prefix starts the names of the package-level patterns and format
	// checkers, which differ per file. It and checkPrefix must not be a
	// prefix that a name from the document completes (decode<Message>:
	// "decoding", whose next letter is lower case, is safe; "decode" is not).
	prefix string
	// checkPrefix starts the names of the check functions of named
	// schemas, which differ per file too.
	checkPrefix string
	done        map[*model.Schema]bool
	queue       []*model.Schema
	patterns    map[string]string // pattern -> variable
	formats     map[string]string // format -> variable
	vars        []jen.Code
	// The struct decoders of codec_emit.go, emitted like the checks.
	fillDone   map[*model.Schema]bool
	fillQueue  []*model.Schema
	encodeDone map[*model.Schema]bool
	// fails maps each failIf statement to its condition.
	fails map[*jen.Statement]failCheck
	// needOK is set while an encoder's body uses the ok it declares.
	needOK bool
}

func newFastEmitter(f *jen.File, prefix, checkPrefix string) *fastEmitter {
	return &fastEmitter{f: f, prefix: prefix, checkPrefix: checkPrefix, done: map[*model.Schema]bool{}, patterns: map[string]string{}, formats: map[string]string{}, fillDone: map[*model.Schema]bool{}, fails: map[*jen.Statement]failCheck{}}
}

// fastFunc names the fast check of a payload schema variable.
func fastFunc(schemaVar string) string { return "valid" + schemaVar[len("schema"):] }

// fastTextFunc names the fast check of a text payload.
func fastTextFunc(schemaVar string) string { return "valid" + schemaVar[len("schema"):] + "Text" }

func (e *fastEmitter) checkFunc(s *model.Schema) string { return e.checkPrefix + s.GoName }

// payload emits validX for one JSON payload schema.
func (e *fastEmitter) payload(schemaVar string, s *model.Schema) {
	name := fastFunc(schemaVar)
	e.f.Add(godoc(
		fmt.Sprintf("%s reports whether data certainly satisfies %s, in one pass over the bytes without allocating. It may say false for a valid payload it cannot decide exactly (an integer written 1.0, duplicate names with minProperties); callers then ask %s, which also explains a refusal.", name, schemaVar, schemaVar),
	))
	body := []jen.Code{
		jen.Id("scan").Op(":=").Add(rt("NewScanner")).Call(jen.Id("data")),
		jen.Id("sc").Op(":=").Op("&").Id("scan"),
	}
	body = append(body, e.value(s, 0, jen.Id("sc"))...)
	body = append(body, jen.Return(jen.Id("sc").Dot("End").Call()))
	e.f.Func().Id(name).Params(jen.Id("data").Index().Byte()).Bool().Block(e.joinFails(body)...)
	e.f.Line()
	e.flush()
}

// flush emits the check functions of the named schemas queued so far.
func (e *fastEmitter) flush() {
	for len(e.queue) > 0 {
		s := e.queue[0]
		e.queue = e.queue[1:]
		body := e.inline(s, 0, jen.Id("sc"))
		body = append(body, jen.Return(jen.True()))
		e.f.Comment(fmt.Sprintf("%s reads one value and reports whether it certainly satisfies the schema of %s.", e.checkFunc(s), s.GoName))
		e.f.Func().Id(e.checkFunc(s)).Params(jen.Id("sc").Op("*").Add(rt("Scanner"))).Bool().Block(e.joinFails(body)...)
		e.f.Line()
	}
}

// decls emits the package-level patterns and format checkers.
func (e *fastEmitter) decls() {
	if len(e.vars) == 0 {
		return
	}
	e.f.Comment("Patterns and formats of this file's fast checks, compiled once (the same regexp engine and format checks the schemas use).")
	e.f.Var().Defs(e.vars...)
}

func fail() jen.Code { return jen.Return(jen.False()) }

// failIf is `if cond { return false }`, remembered so that joinFails can
// join a run of them into one `if a || b || c { return false }`: the same
// checks in the same order (|| stops at the first true one, as the
// returns did), in a third of the lines, which is most of what the
// generator spends formatting on large documents.
func (e *fastEmitter) failIf(cond jen.Code) jen.Code {
	st := jen.If(cond).Block(fail())
	e.fails[st] = failCheck{cond: cond}
	return st
}

// failEncodeIf is failIf in an encoder: `if cond { return dst, false }`.
func (e *fastEmitter) failEncodeIf(cond jen.Code) jen.Code {
	st := jen.If(cond).Block(failEncode())
	e.fails[st] = failCheck{cond: cond, encode: true}
	return st
}

// failCheck is what failIf and failEncodeIf remember of a statement.
type failCheck struct {
	cond   jen.Code
	encode bool // it returns dst, false
}

// joinFails joins each run of failIf statements in code (see failIf).
func (e *fastEmitter) joinFails(code []jen.Code) []jen.Code {
	out := make([]jen.Code, 0, len(code))
	var run []jen.Code
	encode := false
	flush := func() {
		if len(run) == 0 {
			return
		}
		cond := jen.Add(run[0])
		for _, c := range run[1:] {
			cond = cond.Op("||").Add(c)
		}
		if encode {
			out = append(out, e.failEncodeIf(cond))
		} else {
			out = append(out, e.failIf(cond))
		}
		run = nil
	}
	for _, c := range code {
		if st, ok := c.(*jen.Statement); ok {
			if check, ok := e.fails[st]; ok {
				if len(run) > 0 && check.encode != encode {
					flush()
				}
				encode = check.encode
				run = append(run, check.cond)
				continue
			}
		}
		flush()
		out = append(out, c)
	}
	flush()
	return out
}

// block is jen.Block with the failIf runs of code joined.
func (e *fastEmitter) block(code ...jen.Code) *jen.Statement { return jen.Block(e.joinFails(code)...) }

// value emits the statements that read one value of schema s from the
// scanner sc and return false unless it certainly satisfies s.
func (e *fastEmitter) value(s *model.Schema, depth int, sc *jen.Statement) []jen.Code {
	if s != nil && s.GoName != "" && s.Bool == nil {
		if !e.done[s] {
			e.done[s] = true
			e.queue = append(e.queue, s)
		}
		return []jen.Code{e.failIf(jen.Op("!").Id(e.checkFunc(s)).Call(sc.Clone()))}
	}
	return e.inline(s, depth, sc)
}

// inline is value without the call to a named schema's function.
func (e *fastEmitter) inline(s *model.Schema, depth int, sc *jen.Statement) []jen.Code {
	call := func(m string, args ...jen.Code) *jen.Statement { return sc.Clone().Dot(m).Call(args...) }
	if s == nil || (s.Bool != nil && *s.Bool) {
		return []jen.Code{e.failIf(jen.Op("!").Add(call("Skip")))}
	}
	if s.Bool != nil {
		return []jen.Code{fail()}
	}
	if x := nullWrapped(s); x != nil {
		return []jen.Code{jen.If(jen.Op("!").Add(call("Null"))).Add(e.block(e.value(x, depth, sc)...))}
	}
	allowed := map[string]bool{}
	types := effectiveTypes(s)
	for _, t := range types {
		allowed[t] = true
	}
	all := len(types) == 0
	enum, hasEnum := effectiveEnum(s)
	kind := func(k string) bool {
		ok := all || allowed[k] || (k == "number" && allowed["integer"])
		if ok && hasEnum {
			ok = false
			for _, v := range enum {
				if jsonKind(v) == k {
					ok = true
				}
			}
		}
		return ok
	}
	// One case per JSON kind the schema admits: the first byte of the
	// value ('0' for any number) and the checks that follow it.
	type kindCase struct {
		first rune
		body  []jen.Code
	}
	var kinds []kindCase
	var cases []jen.Code
	add := func(first rune, body []jen.Code) {
		kinds = append(kinds, kindCase{first, body})
		cases = append(cases, jen.Case(jen.LitRune(first)).Block(e.joinFails(body)...))
	}
	if kind("string") {
		add('"', e.stringChecks(s, enum, hasEnum, sc))
	}
	if kind("number") {
		add('0', e.numberChecks(s, allowed, all, enum, hasEnum, sc))
	}
	// An object or array as the only kind: the check of its first byte
	// goes inside its block, where it joins the checks that follow.
	only := func(k string) bool {
		n := 0
		for _, t := range []string{"string", "number", "object", "array", "boolean", "null"} {
			if kind(t) {
				n++
			}
		}
		return n == 1 && kind(k)
	}
	if only("object") {
		return e.objectChecks(s, depth, sc, nil, e.failIf(call("Next").Op("!=").LitRune('{')))
	}
	if only("array") {
		return e.arrayChecks(s, depth, sc, nil, e.failIf(call("Next").Op("!=").LitRune('[')))
	}
	if kind("object") {
		add('{', e.objectChecks(s, depth, sc, nil))
	}
	if kind("array") {
		add('[', e.arrayChecks(s, depth, sc, nil))
	}
	if kind("boolean") {
		st := []jen.Code{e.failIf(jen.Op("!").Add(call("Bool")))}
		if hasEnum {
			var ors []jen.Code
			for _, v := range enum {
				if b, ok := v.(bool); ok {
					ors = append(ors, call("BoolValue").Op("==").Lit(b))
				}
			}
			st = append(st, e.failIf(jen.Op("!").Parens(orAll(ors))))
		}
		cases = append(cases, jen.Case(jen.LitRune('t'), jen.LitRune('f')).Block(e.joinFails(st)...))
	}
	if kind("null") {
		add('n', []jen.Code{e.failIf(jen.Op("!").Add(call("Null")))})
	}
	if len(cases) == 1 && len(kinds) == 1 {
		// One kind, the usual case: no switch. The checks are statements
		// that scope their own names, so they can follow in this block.
		return append([]jen.Code{e.failIf(call("Next").Op("!=").LitRune(kinds[0].first))}, kinds[0].body...)
	}
	cases = append(cases, jen.Default().Block(fail()))
	return []jen.Code{jen.Switch(call("Next")).Block(cases...)}
}

// jsonKind is the scanner kind of an enum value ("number" for integers).
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	}
	return "number"
}

func orAll(conds []jen.Code) *jen.Statement {
	if len(conds) == 0 {
		return jen.False()
	}
	st := jen.Null()
	for i, c := range conds {
		if i > 0 {
			st.Op("||")
		}
		st.Add(c)
	}
	return st
}

// stringTarget abstracts where a string comes from: the scanner (bytes)
// or a text payload (a Go string), so one emitter serves both.
type stringTarget struct {
	bytes bool
	value *jen.Statement
}

func (e *fastEmitter) stringChecks(s *model.Schema, enum []any, hasEnum bool, sc *jen.Statement) []jen.Code {
	out := []jen.Code{e.failIf(jen.Op("!").Add(sc.Clone().Dot("String").Call()))}
	return append(out, e.stringRules(s, enum, hasEnum, stringTarget{bytes: true, value: sc.Clone().Dot("Str").Call()})...)
}

// stringRules emits enum/const, minLength/maxLength, pattern and format.
func (e *fastEmitter) stringRules(s *model.Schema, enum []any, hasEnum bool, t stringTarget) []jen.Code {
	var out []jen.Code
	if hasEnum {
		var lits []jen.Code
		for _, v := range enum {
			if str, ok := v.(string); ok {
				lits = append(lits, jen.Lit(str))
			}
		}
		if len(lits) == 0 {
			return append(out, fail())
		}
		subject := t.value.Clone()
		if t.bytes {
			subject = jen.String().Parens(t.value.Clone())
		}
		out = append(out, jen.Switch(subject).Block(jen.Case(lits...), jen.Default().Block(fail())))
	}
	if s.MinLength != nil || s.MaxLength != nil {
		count := jen.Qual("unicode/utf8", "RuneCountInString").Call(t.value.Clone())
		if t.bytes {
			count = jen.Qual("unicode/utf8", "RuneCount").Call(t.value.Clone())
		}
		switch {
		case s.MaxLength == nil:
			out = append(out, e.failIf(count.Op("<").Lit(*s.MinLength)))
		case s.MinLength == nil:
			out = append(out, e.failIf(count.Op(">").Lit(*s.MaxLength)))
		default:
			out = append(out, jen.If(jen.Id("n").Op(":=").Add(count), jen.Id("n").Op("<").Lit(*s.MinLength).Op("||").Id("n").Op(">").Lit(*s.MaxLength)).Block(fail()))
		}
	}
	if s.Pattern != "" {
		m := "MatchString"
		if t.bytes {
			m = "Match"
		}
		out = append(out, e.failIf(jen.Op("!").Id(e.pattern(s.Pattern)).Dot(m).Call(t.value.Clone())))
	}
	if s.Format != "" && jsonschema.Formats[s.Format] != nil {
		arg := t.value.Clone()
		if !t.bytes {
			arg = jen.Index().Byte().Parens(arg)
		}
		out = append(out, e.failIf(jen.Op("!").Id(e.format(s.Format)).Call(arg)))
	}
	return out
}

func (e *fastEmitter) pattern(p string) string {
	if v, ok := e.patterns[p]; ok {
		return v
	}
	v := e.prefix + "Pattern" + strconv.Itoa(len(e.patterns)+1)
	e.patterns[p] = v
	e.vars = append(e.vars, jen.Id(v).Op("=").Qual("regexp", "MustCompile").Call(jen.Lit(p)))
	return v
}

func (e *fastEmitter) format(name string) string {
	if v, ok := e.formats[name]; ok {
		return v
	}
	v := e.prefix + "Format" + strconv.Itoa(len(e.formats)+1)
	e.formats[name] = v
	e.vars = append(e.vars, jen.Id(v).Op("=").Add(rt("FormatChecker")).Call(jen.Lit(name)))
	return v
}

// exactText is how the bundled schema writes a number (SchemaJSON encodes
// the model's float64 with encoding/json), which the scanner compares
// exactly on ties.
func exactText(f float64) string {
	b, err := json.Marshal(f)
	if err != nil {
		// NaN or Inf cannot come from a YAML or JSON document.
		panic(fmt.Sprintf("schema bound %v is not a JSON number", f))
	}
	return string(b)
}

func (e *fastEmitter) numberChecks(s *model.Schema, allowed map[string]bool, all bool, enum []any, hasEnum bool, sc *jen.Statement) []jen.Code {
	call := func(m string, args ...jen.Code) *jen.Statement { return sc.Clone().Dot(m).Call(args...) }
	out := []jen.Code{e.failIf(jen.Op("!").Add(call("Number")))}
	if !all && allowed["integer"] && !allowed["number"] {
		out = append(out, e.failIf(jen.Op("!").Add(call("Integer"))))
	}
	if hasEnum {
		var conds []jen.Code
		for _, v := range enum {
			if jsonKind(v) == "number" {
				n, _ := asInt(v)
				conds = append(conds, jen.Id("v").Op("==").Lit(int(n)))
			}
		}
		out = append(out, jen.If(jen.List(jen.Id("v"), jen.Id("ok")).Op(":=").Add(call("Int")), jen.Op("!").Id("ok").Op("||").Op("!").Parens(orAll(conds))).Block(fail()))
	}
	bound := func(m string, v *float64) {
		if v != nil {
			out = append(out, e.failIf(jen.Op("!").Add(call(m, jen.Lit(*v), jen.Lit(exactText(*v))))))
		}
	}
	bound("AtLeast", s.Minimum)
	bound("AtMost", s.Maximum)
	bound("Above", s.ExclusiveMinimum)
	bound("Below", s.ExclusiveMaximum)
	if s.MultipleOf != nil {
		out = append(out, e.failIf(jen.Op("!").Add(call("MultipleOf", jen.Lit(exactText(*s.MultipleOf))))))
	}
	return out
}

// objectChecks emits the checks of an object; member, when set, emits what
// reads a declared property's value instead of e.value (the decoders of
// codec_emit.go check and store it).
//
// lead, when given, comes first in the block (the check of the first byte).
func (e *fastEmitter) objectChecks(s *model.Schema, depth int, sc *jen.Statement, member func(name string, sch *model.Schema) []jen.Code, lead ...jen.Code) []jen.Code {
	// A block of its own: the names it declares (seen0...) may be declared
	// again by a sibling value.
	return []jen.Code{e.block(e.objectBody(s, depth, sc, member, lead...)...)}
}

// objectBody is objectChecks without the enclosing block, for a function
// body that holds nothing else.
func (e *fastEmitter) objectBody(s *model.Schema, depth int, sc *jen.Statement, member func(name string, sch *model.Schema) []jen.Code, lead ...jen.Code) []jen.Code {
	call := func(m string, args ...jen.Code) *jen.Statement { return sc.Clone().Dot(m).Call(args...) }
	seen := jen.Id("seen" + strconv.Itoa(depth))
	count := jen.Id("count" + strconv.Itoa(depth))
	extra := jen.Id("extra" + strconv.Itoa(depth))
	keys := objectKeys(s)
	required := map[string]bool{}
	for _, r := range s.Required {
		required[r] = true
	}
	// Every key gets a bit when minProperties needs the distinct count;
	// otherwise only required keys do.
	bits := map[string]int{}
	var mask uint64
	for _, k := range keys {
		if required[k] || s.MinProperties != nil {
			bits[k] = len(bits)
			if required[k] {
				mask |= 1 << uint(bits[k])
			}
		}
	}
	out := append(lead, e.failIf(jen.Op("!").Add(call("Object"))))
	if len(bits) > 0 {
		out = append(out, jen.Var().Add(seen.Clone()).Uint64())
	}
	if s.MaxProperties != nil {
		out = append(out, jen.Var().Add(count.Clone()).Int())
	}
	if s.MinProperties != nil {
		out = append(out, jen.Var().Add(extra.Clone()).Int())
	}
	props := map[string]*model.Schema{}
	for _, p := range s.Properties {
		if _, ok := props[p.Name]; !ok {
			props[p.Name] = p.Schema
		}
	}
	// A name that is not a declared property but folds to one fills that
	// property's struct field when decoded, unseen by these checks: leave
	// such payloads to the schema and the decoded-value check.
	var folds []jen.Code
	folded := map[string]bool{}
	for _, p := range s.Properties {
		if !folded[p.Name] {
			folded[p.Name] = true
			folds = append(folds, jen.Lit(p.Name))
		}
	}
	caseVariant := func() []jen.Code {
		closed := s.AdditionalProperties != nil && s.AdditionalProperties.Bool != nil && !*s.AdditionalProperties.Bool
		if len(folds) == 0 || closed { // a closed object refuses any other name anyway
			return nil
		}
		return []jen.Code{e.failIf(call("KeyFolds", folds...))}
	}
	var loop []jen.Code
	if s.MaxProperties != nil {
		loop = append(loop, count.Clone().Op("++"))
	}
	var cases []jen.Code
	for _, k := range keys {
		var body []jen.Code
		if b, ok := bits[k]; ok {
			body = append(body, seen.Clone().Op("|=").Lit(1).Op("<<").Lit(b))
		}
		if sch, ok := props[k]; ok && member != nil {
			body = append(body, member(k, sch)...)
		} else if ok {
			body = append(body, e.value(sch, depth+1, sc)...)
		} else {
			body = append(body, caseVariant()...)
			body = append(body, e.additional(s, depth, sc)...)
		}
		cases = append(cases, jen.Case(jen.Lit(k)).Block(e.joinFails(body)...))
	}
	def := append(caseVariant(), e.additional(s, depth, sc)...)
	if s.MinProperties != nil {
		def = append([]jen.Code{extra.Clone().Op("++")}, def...)
	}
	cases = append(cases, jen.Default().Block(e.joinFails(def)...))
	loop = append(loop, jen.Switch(jen.String().Parens(call("Key"))).Block(cases...))
	out = append(out, jen.For(call("NextKey")).Add(e.block(loop...)))
	out = append(out, e.failIf(call("Failed")))
	if mask != 0 {
		out = append(out, e.failIf(seen.Clone().Op("&").Lit(mask).Op("!=").Lit(mask)))
	}
	if s.MaxProperties != nil {
		// count includes repeated names, so it is never below the
		// distinct count the schema uses.
		out = append(out, e.failIf(count.Clone().Op(">").Lit(*s.MaxProperties)))
	}
	if s.MinProperties != nil {
		// A lower bound of the distinct names: the declared ones seen,
		// plus one if any other name was seen (they may repeat).
		out = append(out,
			jen.Id("distinct").Op(":=").Qual("math/bits", "OnesCount64").Call(seen.Clone()).Op("+").Min(extra.Clone(), jen.Lit(1)),
			e.failIf(jen.Id("distinct").Op("<").Lit(*s.MinProperties)),
		)
	}
	return out
}

// additional emits the check of an undeclared member's value.
func (e *fastEmitter) additional(s *model.Schema, depth int, sc *jen.Statement) []jen.Code {
	ap := s.AdditionalProperties
	if ap == nil {
		return []jen.Code{e.failIf(jen.Op("!").Add(sc.Clone().Dot("Skip").Call()))}
	}
	return e.value(ap, depth+1, sc)
}

// arrayChecks emits the checks of an array; item, when set, emits what
// reads one element instead of e.value.
//
// lead, when given, comes first in the block (the check of the first byte).
func (e *fastEmitter) arrayChecks(s *model.Schema, depth int, sc *jen.Statement, item func() []jen.Code, lead ...jen.Code) []jen.Code {
	call := func(m string, args ...jen.Code) *jen.Statement { return sc.Clone().Dot(m).Call(args...) }
	n := jen.Id("items" + strconv.Itoa(depth))
	counted := s.MinItems != nil || s.MaxItems != nil
	out := append(lead, e.failIf(jen.Op("!").Add(call("Array"))))
	var loop []jen.Code
	if counted {
		out = append(out, jen.Var().Add(n.Clone()).Int())
		loop = append(loop, n.Clone().Op("++"))
	}
	if item != nil {
		loop = append(loop, item()...)
	} else {
		loop = append(loop, e.value(s.Items, depth+1, sc)...)
	}
	out = append(out, jen.For(call("NextItem")).Add(e.block(loop...)))
	out = append(out, e.failIf(call("Failed")))
	if s.MinItems != nil {
		out = append(out, e.failIf(n.Clone().Op("<").Lit(*s.MinItems)))
	}
	if s.MaxItems != nil {
		out = append(out, e.failIf(n.Clone().Op(">").Lit(*s.MaxItems)))
	}
	return []jen.Code{e.block(out...)}
}

// TextValidated reports whether a text payload is checked against its
// schema: the payload is a string, so only a schema that admits strings
// can describe it (a text/plain payload with `type: integer` is left
// unchecked rather than refused every time).
func TextValidated(s *model.Schema) bool {
	if s == nil || s.Bool != nil {
		return false
	}
	types := effectiveTypes(s)
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		if t == "string" {
			return true
		}
	}
	return false
}

// textCovered reports whether a text payload's schema gets a fast check:
// keywords that do not apply to strings are ignored, as the schema
// ignores them for a string value.
func textCovered(s *model.Schema) bool {
	if s == nil || s.Bool != nil || nullWrapped(s) != nil {
		return false
	}
	for _, k := range keywordsOf(s) {
		switch k {
		case "type", "enum", "const", "format", "minLength", "maxLength", "pattern",
			"properties", "required", "additionalProperties", "minProperties", "maxProperties",
			"items", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf":
		default:
			return false
		}
	}
	if s.Format != "" && jsonschema.Formats[s.Format] != nil && !knownFormat(s.Format) {
		return false
	}
	values, has := effectiveEnum(s)
	for _, v := range values {
		if !fastScalar(v) {
			return false
		}
	}
	_ = has
	return true
}

// text emits validXText for a text payload.
func (e *fastEmitter) text(schemaVar string, s *model.Schema) {
	name := fastTextFunc(schemaVar)
	enum, hasEnum := effectiveEnum(s)
	e.f.Add(godoc(fmt.Sprintf("%s reports whether the text payload v certainly satisfies %s; callers ask %s when it says false.", name, schemaVar, schemaVar)))
	body := e.stringRules(s, enum, hasEnum, stringTarget{value: jen.Id("v")})
	body = append(body, jen.Return(jen.True()))
	e.f.Func().Id(name).Params(jen.Id("v").String()).Bool().Block(e.joinFails(body)...)
	e.f.Line()
}
