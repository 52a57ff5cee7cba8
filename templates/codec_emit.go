package templates

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// The fast decoder: for a payload struct whose fields all have shapes it
// fills exactly as encoding/json does, the generator emits, instead of the
// fast check of the bytes (validX), a decoder that checks and stores in
// the same pass:
//
//	// fastDecodeReading reports whether data certainly satisfies
//	// schemaReading and stores it in msg as json.Unmarshal would.
//	func fastDecodeReading(data []byte, msg *Reading) bool {
//		sc := mqttrt.NewScanner(data)
//		return fillReading(&sc, msg) && sc.End()
//	}
//	func fillReading(sc *mqttrt.Scanner, v *Reading) bool {
//		... objectChecks, each declared property read by its check, then:
//		v.SensorID = string(sc.Str())
//		x, ok := sc.Float64(); if !ok { return false }; v.Celsius = x
//	}
//
// It says false wherever the fast check would, and where encoding/json would
// report an error (a number out of range, an integer written 1.0); the
// codec then resets the value and takes the usual path (schema, then
// json.Unmarshal), so a false costs time, never a different result.
//
// Shapes filled: strings, numbers (float64, float32, int64, int32), bools,
// string enums, time.Time, []byte, nested structs of these (by value or
// pointer) and slices of the scalars, none of them nullable. Anything else
// (maps, raw JSON, sums, allOf, kept additional properties, null) leaves
// the whole payload to json.Unmarshal.

// fastDecodeFunc names the fast decoder of a payload schema variable.
func fastDecodeFunc(schemaVar string) string { return "fastDecode" + schemaVar[len("schema"):] }

func fillFunc(s *model.Schema) string { return "fill" + s.GoName }

// single reports whether s is plain (not nullable, no boolean schema)
// with exactly the one JSON type t.
func single(s *model.Schema, t string) bool {
	if s == nil || s.Bool != nil || nullWrapped(s) != nil {
		return false
	}
	if core, nullable := Unwrap(s); nullable || core != s {
		return false
	}
	types := effectiveTypes(s)
	return len(types) == 1 && types[0] == t
}

// fillableStruct reports whether s is a named struct the decoder fills;
// stack holds the structs being decided (a cycle is fine: their fill
// functions recurse).
func fillableStruct(s *model.Schema, stack map[*model.Schema]bool) bool {
	if stack[s] {
		return true
	}
	if s == nil || s.GoName == "" || KindOf(s) != KindStruct || len(s.AllOf) > 0 || !single(s, "object") {
		return false
	}
	if _, has := effectiveEnum(s); has {
		return false
	}
	obj, conflicts := MergeObject(s)
	if len(conflicts) > 0 || obj.Extra != nil {
		return false
	}
	stack[s] = true
	defer delete(stack, s)
	names := map[string]bool{}
	for _, p := range obj.Properties {
		if names[p.Name] || !plainTagName(p.Name) {
			return false
		}
		names[p.Name] = true
		switch {
		case fillableScalar(p.Schema):
		case single(p.Schema, "array") && p.Schema.GoName == "" && KindOf(p.Schema) == KindArray && fillableScalar(p.Schema.Items):
		case fillableStruct(p.Schema, stack):
		default:
			return false
		}
	}
	return true
}

// plainTagName reports whether encoding/json uses name, written in a json
// tag, as the member name (it falls back to the Go field name for a tag
// with other characters).
func plainTagName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			return false
		}
	}
	return true
}

// fillableScalar reports whether s is a string, number, bool, string enum,
// time.Time or []byte the decoder stores from the scanner's last value.
func fillableScalar(s *model.Schema) bool {
	if s == nil || s.Extension("x-go-type") != "" {
		return false
	}
	switch KindOf(s) {
	case KindString:
		return s.GoName == "" && single(s, "string")
	case KindNumber:
		return s.GoName == "" && single(s, "number")
	case KindInteger:
		return s.GoName == "" && single(s, "integer")
	case KindTime, KindBytes:
		return s.GoName == "" && single(s, "string")
	case KindBool:
		return s.GoName == "" && single(s, "boolean")
	case KindEnum:
		values, _ := effectiveEnum(s)
		for _, v := range values {
			if _, ok := v.(string); !ok {
				return false
			}
		}
		return s.GoName != "" && primaryType(s) == "string" && single(s, "string")
	}
	return false
}

// scalarValue emits the statements that read and check one scalar of
// schema s and then store it with store(x), x holding the Go value; x is
// a variable when addressed (store takes its address), else it may be
// the expression itself.
func (e *fastEmitter) scalarValue(s *model.Schema, depth int, sc *jen.Statement, addressed bool, store func(x jen.Code) jen.Code) []jen.Code {
	// Inline, not a call of the named scalar's check function: the fills
	// of a payload with a fast decoder need no check functions at all.
	out := e.inline(s, depth, sc)
	x := jen.Id("x")
	simple := func(value jen.Code) []jen.Code {
		if !addressed {
			return append(out, store(value))
		}
		return append(out, jen.Block(jen.Id("x").Op(":=").Add(value), store(x)))
	}
	switch KindOf(s) {
	case KindString:
		return simple(jen.String().Parens(sc.Clone().Dot("Str").Call()))
	case KindEnum:
		return simple(jen.Id(s.GoName).Parens(sc.Clone().Dot("Str").Call()))
	case KindBool:
		return simple(sc.Clone().Dot("BoolValue").Call())
	case KindTime:
		// encoding/json hands the string as written to time.Time's
		// UnmarshalJSON; so does this.
		return append(out, jen.Block(
			jen.Var().Id("x").Qual("time", "Time"),
			e.failIf(jen.Id("x").Dot("UnmarshalJSON").Call(sc.Clone().Dot("StrToken").Call()).Op("!=").Nil()),
			store(x),
		))
	case KindBytes:
		// encoding/json's base64 decoding of a []byte, step by step.
		enc := jen.Qual("encoding/base64", "StdEncoding")
		return append(out, jen.Block(
			jen.Id("b").Op(":=").Make(jen.Index().Byte(), enc.Clone().Dot("DecodedLen").Call(jen.Len(sc.Clone().Dot("Str").Call()))),
			jen.List(jen.Id("n"), jen.Err()).Op(":=").Add(enc.Clone()).Dot("Decode").Call(jen.Id("b"), sc.Clone().Dot("Str").Call()),
			e.failIf(jen.Err().Op("!=").Nil()),
			jen.Id("x").Op(":=").Id("b").Index(jen.Empty(), jen.Id("n")),
			store(x),
		))
	}
	method := "Float64"
	switch {
	case KindOf(s) == KindInteger && s.Format == "int32":
		method = "Int32"
	case KindOf(s) == KindInteger:
		method = "Int64"
	case s.Format == "float":
		method = "Float32"
	}
	// Each scalar is read in a scope of its own (a case or a loop body),
	// so x and ok need no block.
	return append(out,
		jen.List(jen.Id("x"), jen.Id("ok")).Op(":=").Add(sc.Clone().Dot(method).Call()),
		e.failIf(jen.Op("!").Id("ok")),
		store(x),
	)
}

// fastDecode emits fastDecodeX for one JSON payload schema (see
// HasFastDecode).
func (e *fastEmitter) fastDecode(schemaVar string, s *model.Schema) {
	name := fastDecodeFunc(schemaVar)
	e.f.Add(godoc(fmt.Sprintf("%s stores data in msg as json.Unmarshal would when data certainly satisfies %s. On false msg holds a partial value: callers reset it and take the usual path.", name, schemaVar)))
	e.f.Func().Id(name).Params(jen.Id("data").Index().Byte(), jen.Id("msg").Op("*").Id(s.GoName)).Bool().Block(
		jen.Id("sc").Op(":=").Add(rt("NewScanner")).Call(jen.Id("data")),
		jen.Return(jen.Id(e.queueFill(s)).Call(jen.Op("&").Id("sc"), jen.Id("msg")).Op("&&").Id("sc").Dot("End").Call()),
	)
	e.f.Line()
	e.flushFills()
	e.flush()
}

func (e *fastEmitter) queueFill(s *model.Schema) string {
	if !e.fillDone[s] {
		e.fillDone[s] = true
		e.fillQueue = append(e.fillQueue, s)
	}
	return fillFunc(s)
}

// flushFills emits the fill functions of the structs queued so far.
func (e *fastEmitter) flushFills() {
	for len(e.fillQueue) > 0 {
		s := e.fillQueue[0]
		e.fillQueue = e.fillQueue[1:]
		e.fillStruct(s)
	}
}

// fillStruct emits fillX(sc, v): the object checks of s, each declared
// property stored in its field after its check.
func (e *fastEmitter) fillStruct(s *model.Schema) {
	sc := jen.Id("sc")
	obj, _ := MergeObject(s)
	byName := map[string]*model.Property{}
	for _, p := range obj.Properties {
		byName[p.Name] = p
	}
	member := func(name string, sch *model.Schema) []jen.Code {
		p := byName[name]
		field := jen.Id("v").Dot(FieldName(p))
		ptr := !obj.Required[p.Name] || containsByValue(sch, s, map[*model.Schema]bool{})
		switch {
		case fillableScalar(sch):
			return e.scalarValue(sch, 1, sc, ptr, func(x jen.Code) jen.Code {
				if ptr {
					return field.Clone().Op("=").Op("&").Add(x)
				}
				return field.Clone().Op("=").Add(x)
			})
		case KindOf(sch) == KindArray && sch.GoName == "":
			// encoding/json stores a fresh slice (non-nil for []); elements
			// are scalars, so a repeated member leaves nothing of the first.
			elem := TypeOf(sch.Items)
			item := func() []jen.Code {
				return e.scalarValue(sch.Items, 2, sc, false, func(x jen.Code) jen.Code {
					return jen.Id("list").Op("=").Append(jen.Id("list"), x)
				})
			}
			out := []jen.Code{jen.Var().Id("list").Index().Add(elem.Clone())}
			out = append(out, e.arrayChecks(sch, 1, sc, item, e.failIf(sc.Clone().Dot("Next").Call().Op("!=").LitRune('[')))...)
			out = append(out,
				jen.If(jen.Id("list").Op("==").Nil()).Block(jen.Id("list").Op("=").Index().Add(elem.Clone()).Values()),
				field.Clone().Op("=").Id("list"),
			)
			return []jen.Code{e.block(out...)}
		}
		// A nested struct: encoding/json decodes into the existing value
		// (a repeated member merges), allocating a nil pointer first.
		fn := e.queueFill(sch)
		if ptr {
			return []jen.Code{
				jen.If(field.Clone().Op("==").Nil()).Block(field.Clone().Op("=").New(jen.Id(sch.GoName))),
				e.failIf(jen.Op("!").Id(fn).Call(sc.Clone(), field.Clone())),
			}
		}
		return []jen.Code{e.failIf(jen.Op("!").Id(fn).Call(sc.Clone(), jen.Op("&").Add(field.Clone())))}
	}
	body := e.objectBody(s, 0, sc, member, e.failIf(sc.Clone().Dot("Next").Call().Op("!=").LitRune('{')))
	body = append(body, jen.Return(jen.True()))
	e.f.Comment(fmt.Sprintf("%s reads one value, checks it against the schema of %s and stores it in v as json.Unmarshal would; false when unsure.", fillFunc(s), s.GoName))
	e.f.Func().Id(fillFunc(s)).Params(sc.Clone().Op("*").Add(rt("Scanner")), jen.Id("v").Op("*").Id(s.GoName)).Bool().Block(e.joinFails(body)...)
	e.f.Line()
}

// The fast encoder: for the same payload structs, the generator emits
//
//	// appendReading appends v as json.Marshal writes it when v certainly
//	// satisfies the schema; false where it may not, or where json.Marshal
//	// reports an error (NaN, a year past 9999...).
//	func appendReading(dst []byte, v *Reading) ([]byte, bool) {
//		start := len(dst)
//		dst = append(dst, ",\"sensorId\":"...)
//		if n := utf8.RuneCountInString(string(v.SensorID)); n < 1 { return dst, false }
//		dst = mqttrt.AppendJSONString(dst, v.SensorID)
//		if v.Battery != nil { ... }
//		... then the first ',' becomes '{'
//	}
//
// writing the fields in declaration order with json.Marshal's omitempty
// and omitzero rules, so the codec skips encoding/json's reflection.

// fastEncodeFunc names the encoder of a payload struct.
func fastEncodeFunc(s *model.Schema) string { return "append" + s.GoName }

// fastEncode emits appendX for a payload struct (see HasFastDecode)
// and every struct it reaches.
func (e *fastEmitter) fastEncode(s *model.Schema) {
	if e.encodeDone == nil {
		e.encodeDone = map[*model.Schema]bool{}
	}
	queue := []*model.Schema{s}
	if e.encodeDone[s] {
		return
	}
	e.encodeDone[s] = true
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		enqueue := func(t *model.Schema) string {
			if !e.encodeDone[t] {
				e.encodeDone[t] = true
				queue = append(queue, t)
			}
			return fastEncodeFunc(t)
		}
		e.appendStruct(s, enqueue)
	}
}

// memberKey is `,"name":` as json.Marshal writes the member name.
func memberKey(name string) string {
	b, err := json.Marshal(name)
	if err != nil {
		panic(fmt.Sprintf("member name %q: %v", name, err)) // a string always marshals
	}
	return "," + string(b) + ":"
}

func appendTo(args ...jen.Code) jen.Code {
	return jen.Id("dst").Op("=").Append(append([]jen.Code{jen.Id("dst")}, args...)...)
}

func failEncode() jen.Code { return jen.Return(jen.Id("dst"), jen.False()) }

// appendValue emits the statements checking (see encode_checks.go) and
// appending val, a Go value of schema s (not behind a pointer). never is
// set when no value passes: the code is then only the return of false.
func (e *fastEmitter) appendValue(s *model.Schema, val *jen.Statement, enqueue func(*model.Schema) string) (code []jen.Code, never bool) {
	checks, never := e.encodeChecks(s, val)
	if never {
		return []jen.Code{failEncode()}, true
	}
	set := func(c jen.Code) []jen.Code { return append(checks, jen.Id("dst").Op("=").Add(c)) }
	switch KindOf(s) {
	case KindString:
		return set(rt("AppendJSONString").Call(jen.Id("dst"), val)), false
	case KindEnum:
		return set(rt("AppendJSONString").Call(jen.Id("dst"), jen.String().Parens(val))), false
	case KindBool:
		return set(jen.Qual("strconv", "AppendBool").Call(jen.Id("dst"), val)), false
	case KindInteger:
		return set(jen.Qual("strconv", "AppendInt").Call(jen.Id("dst"), jen.Int64().Parens(val), jen.Lit(10))), false
	case KindNumber:
		bits := 64
		if s.Format == "float" {
			bits = 32
		}
		e.needOK = true
		return append(checks,
			jen.If(jen.List(jen.Id("dst"), jen.Id("ok")).Op("=").Add(rt("AppendJSONFloat")).Call(jen.Id("dst"), jen.Float64().Parens(val), jen.Lit(bits)), jen.Op("!").Id("ok")).Block(failEncode()),
		), false
	case KindTime:
		block := []jen.Code{
			jen.List(jen.Id("b"), jen.Err()).Op(":=").Add(val).Dot("MarshalJSON").Call(),
			e.failEncodeIf(jen.Err().Op("!=").Nil()),
		}
		block = append(block, e.encodeTimeFormat(s)...)
		return append(checks, e.block(append(block, appendTo(jen.Id("b").Op("...")))...)), false
	case KindBytes:
		// nil is written null, which the schema's string type refuses.
		return append(checks, e.failEncodeIf(val.Clone().Op("==").Nil()),
			appendTo(jen.LitRune('"')),
			jen.Id("dst").Op("=").Qual("encoding/base64", "StdEncoding").Dot("AppendEncode").Call(jen.Id("dst"), val.Clone()),
			appendTo(jen.LitRune('"')),
		), false
	case KindArray:
		item, itemNever := e.appendValue(s.Items, jen.Id("x"), enqueue)
		if itemNever {
			// Only the empty list passes (nil is written null, which the
			// schema's array type refuses).
			return append(append([]jen.Code{e.failEncodeIf(val.Clone().Op("==").Nil().Op("||").Len(val.Clone()).Op("!=").Lit(0))}, checks...),
				appendTo(jen.Lit("[]").Op("...")),
			), false
		}
		loop := append([]jen.Code{jen.If(jen.Id("i").Op(">").Lit(0)).Block(appendTo(jen.LitRune(',')))}, item...)
		// nil is written null, which the schema's array type refuses.
		return append(append([]jen.Code{e.failEncodeIf(val.Clone().Op("==").Nil())}, checks...),
			appendTo(jen.LitRune('[')),
			jen.For(jen.List(jen.Id("i"), jen.Id("x")).Op(":=").Range().Add(val.Clone())).Add(e.block(loop...)),
			appendTo(jen.LitRune(']')),
		), false
	}
	// A struct: val is addressable (a field reached through a pointer).
	e.needOK = true
	return append(checks,
		jen.If(jen.List(jen.Id("dst"), jen.Id("ok")).Op("=").Id(enqueue(s)).Call(jen.Id("dst"), jen.Op("&").Add(val)), jen.Op("!").Id("ok")).Block(failEncode()),
	), false
}

// appendStruct emits appendX for one struct.
func (e *fastEmitter) appendStruct(s *model.Schema, enqueue func(*model.Schema) string) {
	obj, _ := MergeObject(s)
	name := fastEncodeFunc(s)
	e.f.Comment(fmt.Sprintf("%s appends v as json.Marshal writes it (fields in order, omitempty and omitzero applied, strings HTML-escaped) when v certainly satisfies the schema of %s; false where it may not, or where json.Marshal reports an error.", name, s.GoName))
	signature := e.f.Func().Id(name).Params(jen.Id("dst").Index().Byte(), jen.Id("v").Op("*").Id(s.GoName)).Params(jen.Index().Byte(), jen.Bool())
	e.needOK = false
	body, never := e.appendMembers(s, obj, enqueue)
	if never || encodeObjectNever(s, obj) {
		// A keyword left to the schema applies to every value.
		signature.Block(failEncode())
		e.f.Line()
		return
	}
	if e.needOK {
		// One ok for every append that can fail, declared once.
		body = append([]jen.Code{body[0], jen.Var().Id("ok").Bool()}, body[1:]...)
	}
	signature.Block(e.joinFails(body)...)
	e.f.Line()
}

// appendMembers emits appendStruct's body; never is set when a member
// that is always written can never pass its checks.
func (e *fastEmitter) appendMembers(s *model.Schema, obj *Object, enqueue func(*model.Schema) string) (body []jen.Code, never bool) {
	body = []jen.Code{jen.Id("start").Op(":=").Len(jen.Id("dst"))}
	for _, p := range obj.Properties {
		sch := p.Schema
		field := jen.Id("v").Dot(FieldName(p))
		key := appendTo(jen.Lit(memberKey(p.Name)).Op("..."))
		required := obj.Required[p.Name]
		switch {
		case Nilable(sch) && !required:
			// omitzero: only nil is left out.
			code, _ := e.appendValue(sch, field, enqueue)
			body = append(body, jen.If(field.Clone().Op("!=").Nil()).Add(e.block(append([]jen.Code{key}, code...)...)))
		case Nilable(sch):
			code, no := e.appendValue(sch, field, enqueue)
			if no {
				return nil, true
			}
			body = append(body, key)
			body = append(body, code...)
		case !required:
			// A pointer with omitempty: nil is left out.
			code, _ := e.appendValue(sch, jen.Parens(jen.Op("*").Add(field.Clone())), enqueue)
			body = append(body, jen.If(field.Clone().Op("!=").Nil()).Add(e.block(append([]jen.Code{key}, code...)...)))
		case containsByValue(sch, s, map[*model.Schema]bool{}):
			// A required pointer: nil would be written null, which the
			// schema's object type refuses.
			code, no := e.appendValue(sch, jen.Parens(jen.Op("*").Add(field.Clone())), enqueue)
			if no {
				return nil, true
			}
			body = append(body, key, e.failEncodeIf(field.Clone().Op("==").Nil()))
			body = append(body, code...)
		default:
			code, no := e.appendValue(sch, field, enqueue)
			if no {
				return nil, true
			}
			body = append(body, key)
			body = append(body, code...)
		}
	}
	return append(body,
		jen.If(jen.Len(jen.Id("dst")).Op("==").Id("start")).Block(jen.Return(jen.Append(jen.Id("dst"), jen.LitRune('{'), jen.LitRune('}')), jen.True())),
		jen.Id("dst").Index(jen.Id("start")).Op("=").LitRune('{'),
		jen.Return(jen.Append(jen.Id("dst"), jen.LitRune('}')), jen.True()),
	), false
}
