package templates

import (
	"fmt"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
)

// topicTemplate is a channel address split into MQTT topic levels, decided
// once at generation time so generated code only concatenates and cuts.
type topicTemplate struct {
	channel *model.Channel
	levels  []topicLevel
	// wildcard is set when the address itself holds a + or # level: such a
	// channel can be subscribed to and parsed, but not published to.
	wildcard bool
}

// topicLevel is one level between slashes.
type topicLevel struct {
	text  string      // as written
	parts []topicPart // set when the level holds at least one {parameter}
	// any is '+' or '#' for a literal wildcard level, 0 otherwise.
	any byte
}

// topicPart is a literal run or a parameter inside a level.
type topicPart struct {
	lit   string
	param *model.Parameter
}

func (l topicLevel) hasParam() bool { return len(l.parts) > 0 }

// parseAddress splits ch.Address. Errors say what is wrong (without the
// position, so they can go into godoc): an undeclared {parameter}, two parameters with nothing between them (the
// topic could not be split back) or a wildcard inside a level.
func parseAddress(ch *model.Channel) (*topicTemplate, error) {
	t := &topicTemplate{channel: ch}
	byName := map[string]*model.Parameter{}
	for _, p := range ch.Parameters {
		byName[p.Name] = p
	}
	levels := strings.Split(ch.Address, "/")
	for i, text := range levels {
		lv := topicLevel{text: text}
		switch {
		case text == "+" || text == "#":
			if text == "#" && i != len(levels)-1 {
				return nil, fmt.Errorf("address %q: # must be the last level", ch.Address)
			}
			lv.any = text[0]
			t.wildcard = true
		case strings.ContainsAny(text, "+#"):
			return nil, fmt.Errorf("address %q: a wildcard must fill a whole level", ch.Address)
		case strings.Contains(text, "{"):
			parts, err := splitLevel(text, byName)
			if err != nil {
				return nil, fmt.Errorf("address %q: %v", ch.Address, err)
			}
			lv.parts = parts
		}
		t.levels = append(t.levels, lv)
	}
	return t, nil
}

// splitLevel cuts "pre{a}-{b}suf" into literal and parameter parts.
func splitLevel(text string, params map[string]*model.Parameter) ([]topicPart, error) {
	var parts []topicPart
	rest := text
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			parts = append(parts, topicPart{lit: rest})
			break
		}
		if open > 0 {
			parts = append(parts, topicPart{lit: rest[:open]})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed { in level %q", text)
		}
		name := rest[open+1 : open+end]
		p, ok := params[name]
		if !ok {
			return nil, fmt.Errorf("parameter {%s} is not declared", name)
		}
		if n := len(parts); n > 0 && parts[n-1].param != nil {
			return nil, fmt.Errorf("parameters {%s} and {%s} touch: the topic could not be split back into them", parts[n-1].param.Name, name)
		}
		parts = append(parts, topicPart{param: p})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// filter is the subscription filter with every parameter level as +.
func (t *topicTemplate) filter() string {
	out := make([]string, len(t.levels))
	for i, l := range t.levels {
		if l.hasParam() {
			out[i] = "+"
		} else {
			out[i] = l.text
		}
	}
	return strings.Join(out, "/")
}

// paramsType is the name of the channel's <Channel>Params struct.
func paramsType(ch *model.Channel) string { return ch.GoName + "Params" }

// enumType is the named string type of a parameter with an enum.
func enumType(ch *model.Channel, p *model.Parameter) string {
	if len(p.Enum) == 0 {
		return ""
	}
	return ch.GoName + p.GoName
}

// enumConsts names one constant per enum value: <Type><Value>, falling
// back to <Type>Value<N> for values that make no identifier or clash.
func enumConsts(typ string, values []string) []string {
	names := make([]string, len(values))
	seen := map[string]bool{}
	for i, v := range values {
		n := typ + naming.Pascal(v)
		if naming.Pascal(v) == "" || seen[n] {
			n = fmt.Sprintf("%sValue%d", typ, i+1)
		}
		seen[n] = true
		names[i] = n
	}
	return names
}

// Topics emits, for every channel an operation of s uses:
//
//	// TemperatureAddress is the address of channel temperature ...
//	const TemperatureAddress = "sensors/{room}/temperature"
//	type TemperatureParams struct{ Room string }
//	func (p TemperatureParams) Topic() (string, error)          // refuses /, +, #, NUL, ""
//	func ParseTemperatureTopic(topic string) (TemperatureParams, error)
//	func WithTemperatureParams(p TemperatureParams) SubscribeOption
//
// plus a named type with constants for each parameter with an enum.
func Topics(f *jen.File, s *Spec) error {
	plain := false
	for _, ch := range s.channels() {
		t, err := parseAddress(ch)
		if err != nil {
			return fmt.Errorf("%s: %w", ch.Loc, err)
		}
		f.Add(godoc(
			fmt.Sprintf("%sAddress is the address of channel %s.", ch.GoName, ch.Key),
			strings.Join(docParas(ch.Title, ch.Summary, ch.Description), "\n\n"),
		))
		f.Const().Id(ch.GoName + "Address").Op("=").Lit(ch.Address)
		f.Line()
		if len(ch.Parameters) == 0 {
			continue
		}
		for _, p := range ch.Parameters {
			if p.GoName == "Topic" {
				return fmt.Errorf("%s: parameter %s becomes field Topic of %s, which clashes with its Topic method; rename the parameter", p.Loc, p.Name, paramsType(ch))
			}
		}
		emitParamEnums(f, ch)
		emitParamsStruct(f, ch)
		if !t.wildcard {
			emitTopicMethod(f, t)
		}
		if t.plain() {
			plain = true
			emitPlainFilterMethod(f, t)
			emitPlainParseTopic(f, t)
		} else {
			emitFilterMethod(f, t)
			emitParseTopic(f, t)
		}
		emitWithParams(f, ch)
	}
	if plain {
		emitPlainHelpers(f)
	}
	f.Add(godoc("topicMismatch reports a received topic that does not fit its channel's address."))
	f.Func().Id("topicMismatch").Params(jen.List(jen.Id("topic"), jen.Id("address")).String()).Error().Block(
		jen.Return(jen.Qual("fmt", "Errorf").Call(jen.Lit("topic %q does not match address %q: %w"),
			jen.Id("topic"), jen.Id("address"), rt("ErrInvalidTopic"))),
	)
	return nil
}

// channels lists the channels used by s's operations, in document order.
func (s *Spec) channels() []*model.Channel {
	used := map[*model.Channel]bool{}
	for _, op := range s.Publish {
		used[op.Channel] = true
	}
	for _, op := range s.Subscribe {
		used[op.Channel] = true
	}
	var out []*model.Channel
	for _, ch := range s.Doc.Channels {
		if used[ch] {
			out = append(out, ch)
		}
	}
	return out
}

// paramGoType is the field type of a parameter: its enum type or string.
func paramGoType(ch *model.Channel, p *model.Parameter) *jen.Statement {
	if e := enumType(ch, p); e != "" {
		return jen.Id(e)
	}
	return jen.String()
}

// paramString is the field as a string expression.
func paramString(ch *model.Channel, p *model.Parameter, recv string) *jen.Statement {
	field := jen.Id(recv).Dot(p.GoName)
	if enumType(ch, p) != "" {
		return jen.String().Call(field)
	}
	return field
}

func emitParamEnums(f *jen.File, ch *model.Channel) {
	for _, p := range ch.Parameters {
		typ := enumType(ch, p)
		if typ == "" {
			continue
		}
		f.Add(godoc(
			fmt.Sprintf("%s is a value of parameter %s of channel %s.", typ, p.Name, ch.Key),
			p.Description,
		))
		f.Type().Id(typ).String()
		f.Line()
		names := enumConsts(typ, p.Enum)
		f.Const().DefsFunc(func(g *jen.Group) {
			for i, v := range p.Enum {
				g.Id(names[i]).Id(typ).Op("=").Lit(v)
			}
		})
		f.Line()
		f.Add(godoc(fmt.Sprintf("Valid reports whether v is one of the values the document lists for %s.", p.Name)))
		f.Func().Params(jen.Id("v").Id(typ)).Id("Valid").Params().Bool().Block(
			jen.Switch(jen.Id("v")).Block(
				jen.Case(jen.ListFunc(func(g *jen.Group) {
					for _, n := range names {
						g.Id(n)
					}
				})).Block(jen.Return(jen.True())),
			),
			jen.Return(jen.False()),
		)
		f.Line()
	}
}

func emitParamsStruct(f *jen.File, ch *model.Channel) {
	f.Add(godoc(fmt.Sprintf("%s holds the parameters of channel %s (%s).", paramsType(ch), ch.Key, ch.Address)))
	f.Type().Id(paramsType(ch)).StructFunc(func(g *jen.Group) {
		for _, p := range ch.Parameters {
			lines := []string{fmt.Sprintf("%s is {%s}.", p.GoName, p.Name)}
			if d := strings.TrimSpace(p.Description); d != "" {
				lines = append(lines, d)
			}
			if p.Default != "" {
				lines = append(lines, fmt.Sprintf("Default in the document: %q.", p.Default))
			}
			if len(p.Examples) > 0 {
				lines = append(lines, fmt.Sprintf("Examples: %s.", strings.Join(quoteAll(p.Examples), ", ")))
			}
			g.Add(godoc(strings.Join(lines, " ")))
			g.Id(p.GoName).Add(paramGoType(ch, p))
		}
	})
	f.Line()
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// checkParams emits one CheckTopicParam (and Valid for enums) per
// parameter, returning ("", err) from the enclosing function.
func checkParams(ch *model.Channel, recv string, skipEmpty bool) []jen.Code {
	var out []jen.Code
	for _, p := range ch.Parameters {
		check := []jen.Code{
			jen.If(jen.Err().Op(":=").Add(rt("CheckTopicParam")).Call(jen.Lit(p.Name), paramString(ch, p, recv)),
				jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(""), jen.Err())),
		}
		if enumType(ch, p) != "" {
			check = append(check, jen.If(jen.Op("!").Id(recv).Dot(p.GoName).Dot("Valid").Call()).Block(
				jen.Return(jen.Lit(""), jen.Qual("fmt", "Errorf").Call(
					jen.Lit(fmt.Sprintf("topic parameter %q: %%q is not one of %s: %%w", p.Name, strings.Join(quoteAll(p.Enum), ", "))),
					jen.Id(recv).Dot(p.GoName), rt("ErrInvalidTopic"))),
			))
		}
		if skipEmpty {
			out = append(out, jen.If(jen.Id(recv).Dot(p.GoName).Op("!=").Lit("")).Block(check...))
		} else {
			out = append(out, check...)
		}
	}
	return out
}

// concat folds parts into one + expression, merging adjacent literals.
func concat(parts []jen.Code, lits []string) *jen.Statement {
	var exprs []jen.Code
	pending := ""
	hasPending := false
	for i, p := range parts {
		if p == nil {
			pending += lits[i]
			hasPending = true
			continue
		}
		if hasPending {
			exprs = append(exprs, jen.Lit(pending))
			pending, hasPending = "", false
		}
		exprs = append(exprs, p)
	}
	if hasPending {
		exprs = append(exprs, jen.Lit(pending))
	}
	if len(exprs) == 0 {
		return jen.Lit("")
	}
	s := jen.Add(exprs[0])
	for _, e := range exprs[1:] {
		s = s.Op("+").Add(e)
	}
	return s
}

// levelParts returns the topic as parts: nil with a literal, or an
// expression; level(i) supplies the expression of a parameter level.
func levelParts(t *topicTemplate, level func(i int, l topicLevel) jen.Code) ([]jen.Code, []string) {
	var parts []jen.Code
	var lits []string
	for i, l := range t.levels {
		if i > 0 {
			parts, lits = append(parts, nil), append(lits, "/")
		}
		if !l.hasParam() {
			parts, lits = append(parts, nil), append(lits, l.text)
			continue
		}
		parts, lits = append(parts, level(i, l)), append(lits, "")
	}
	return parts, lits
}

// emitTopicMethod: func (p XParams) Topic() (string, error).
func emitTopicMethod(f *jen.File, t *topicTemplate) {
	ch := t.channel
	body := checkParams(ch, "p", false)
	var parts []jen.Code
	var lits []string
	for i, l := range t.levels {
		if i > 0 {
			parts, lits = append(parts, nil), append(lits, "/")
		}
		if !l.hasParam() {
			parts, lits = append(parts, nil), append(lits, l.text)
			continue
		}
		for _, part := range l.parts {
			if part.param == nil {
				parts, lits = append(parts, nil), append(lits, part.lit)
			} else {
				parts, lits = append(parts, paramString(ch, part.param, "p")), append(lits, "")
			}
		}
	}
	body = append(body, jen.Return(concat(parts, lits), jen.Nil()))
	f.Add(godoc(fmt.Sprintf("Topic is the topic of channel %s for p (%s). A parameter that is empty or holds /, +, #, NUL or invalid UTF-8%s is refused with an error wrapping mqttrt.ErrInvalidTopic: no value changes which topic is used.",
		ch.Key, ch.Address, enumNote(ch))))
	f.Func().Params(jen.Id("p").Id(paramsType(ch))).Id("Topic").Params().Params(jen.String(), jen.Error()).Block(body...)
	f.Line()
}

func enumNote(ch *model.Channel) string {
	for _, p := range ch.Parameters {
		if len(p.Enum) > 0 {
			return ", or a value outside the parameter's enum,"
		}
	}
	return ""
}

// plain reports whether every parameter of t fills a whole level on its
// own, appears once, has no enum, and no level is a wildcard: the usual
// address, whose filter and parse are one call of a helper emitted once
// per package (emitPlainHelpers) instead of code unrolled per level.
func (t *topicTemplate) plain() bool {
	if t.wildcard {
		return false
	}
	seen := map[*model.Parameter]bool{}
	for _, l := range t.levels {
		if !l.hasParam() {
			continue
		}
		if len(l.parts) != 1 || l.parts[0].param == nil || seen[l.parts[0].param] || len(l.parts[0].param.Enum) > 0 {
			return false
		}
		seen[l.parts[0].param] = true
	}
	return true
}

// levelParams lists the parameters of a plain template in address order.
func (t *topicTemplate) levelParams() []*model.Parameter {
	var out []*model.Parameter
	for _, l := range t.levels {
		if l.hasParam() {
			out = append(out, l.parts[0].param)
		}
	}
	return out
}

// emitPlainFilterMethod: filter for a plain address.
//
//	func (p ReadingParams) filter() (string, error) { return addressFilter(ReadingAddress, p.Room) }
func emitPlainFilterMethod(f *jen.File, t *topicTemplate) {
	ch := t.channel
	args := []jen.Code{jen.Id(ch.GoName + "Address")}
	for _, p := range t.levelParams() {
		args = append(args, jen.Id("p").Dot(p.GoName))
	}
	f.Add(godoc(fmt.Sprintf("filter is the subscription filter of channel %s with the parameters set in p fixed and the others as +.", ch.Key)))
	f.Func().Params(jen.Id("p").Id(paramsType(ch))).Id("filter").Params().Params(jen.String(), jen.Error()).Block(
		jen.Return(jen.Id("addressFilter").Call(args...)))
	f.Line()
}

// emitPlainParseTopic: ParseXTopic for a plain address.
//
//	func ParseReadingTopic(topic string) (ReadingParams, error) {
//		var v [1]string
//		if !matchAddress(topic, ReadingAddress, v[:]) {
//			return ReadingParams{}, topicMismatch(topic, ReadingAddress)
//		}
//		return ReadingParams{Room: v[0]}, nil
//	}
func emitPlainParseTopic(f *jen.File, t *topicTemplate) {
	ch := t.channel
	typ := paramsType(ch)
	addr := jen.Id(ch.GoName + "Address")
	params := t.levelParams()
	fields := jen.Dict{}
	for i, p := range params {
		fields[jen.Id(p.GoName)] = jen.Id("v").Index(jen.Lit(i))
	}
	f.Add(godoc(parseTopicDoc(ch)))
	f.Func().Id("Parse"+ch.GoName+"Topic").Params(jen.Id("topic").String()).Params(jen.Id(typ), jen.Error()).Block(
		jen.Var().Id("v").Index(jen.Lit(len(params))).String(),
		jen.If(jen.Op("!").Id("matchAddress").Call(jen.Id("topic"), addr.Clone(), jen.Id("v").Index(jen.Op(":")))).Block(
			jen.Return(jen.Id(typ).Values(), jen.Id("topicMismatch").Call(jen.Id("topic"), addr.Clone()))),
		jen.Return(jen.Id(typ).Values(fields), jen.Nil()),
	)
	f.Line()
}

// emitPlainHelpers emits the two helpers of plain addresses. They walk the
// address, which the generator wrote, so its {parameter} levels are whole
// levels and values has one entry per parameter level.
func emitPlainHelpers(f *jen.File) {
	cut := func(level, rest, more, s string) jen.Code {
		return jen.List(jen.Id(level), jen.Id(rest), jen.Id(more)).Op("=").Qual("strings", "Cut").Call(jen.Id(s), jen.Lit("/"))
	}
	isParam := func(level string) *jen.Statement {
		return jen.Qual("strings", "HasPrefix").Call(jen.Id(level), jen.Lit("{"))
	}
	f.Add(godoc("matchAddress reports whether topic fits address, level by level, storing the topic's levels at the address's {parameter} levels in values, in order. A parameter level must not be empty."))
	f.Func().Id("matchAddress").Params(jen.List(jen.Id("topic"), jen.Id("address")).String(), jen.Id("values").Index().String()).Bool().Block(
		jen.Id("n").Op(":=").Lit(0),
		jen.Var().List(jen.Id("want"), jen.Id("got")).String(),
		jen.Var().List(jen.Id("wantMore"), jen.Id("gotMore")).Bool(),
		jen.For().Block(
			cut("want", "address", "wantMore", "address"),
			cut("got", "topic", "gotMore", "topic"),
			jen.If(isParam("want")).Block(
				jen.If(jen.Id("got").Op("==").Lit("").Op("||").Id("n").Op("==").Len(jen.Id("values"))).Block(jen.Return(jen.False())),
				jen.Id("values").Index(jen.Id("n")).Op("=").Id("got"),
				jen.Id("n").Op("++"),
			).Else().If(jen.Id("want").Op("!=").Id("got")).Block(jen.Return(jen.False())),
			jen.If(jen.Id("wantMore").Op("!=").Id("gotMore")).Block(jen.Return(jen.False())),
			jen.If(jen.Op("!").Id("wantMore")).Block(jen.Return(jen.Id("n").Op("==").Len(jen.Id("values")))),
		),
	)
	f.Line()
	f.Add(godoc("addressFilter is the subscription filter of address with its {parameter} levels set to values, in order, or to + where a value is empty. Set values are checked like Topic does, so they cannot widen the subscription."))
	f.Func().Id("addressFilter").Params(jen.Id("address").String(), jen.Id("values").Op("...").String()).Params(jen.String(), jen.Error()).Block(
		jen.Id("levels").Op(":=").Qual("strings", "Split").Call(jen.Id("address"), jen.Lit("/")),
		jen.Id("n").Op(":=").Lit(0),
		jen.For(jen.List(jen.Id("i"), jen.Id("level")).Op(":=").Range().Id("levels")).Block(
			jen.If(jen.Op("!").Add(isParam("level")).Op("||").Id("n").Op("==").Len(jen.Id("values"))).Block(jen.Continue()),
			jen.Id("v").Op(":=").Id("values").Index(jen.Id("n")),
			jen.Id("n").Op("++"),
			jen.If(jen.Id("v").Op("==").Lit("")).Block(
				jen.Id("levels").Index(jen.Id("i")).Op("=").Lit("+"),
				jen.Continue(),
			),
			jen.If(jen.Err().Op(":=").Add(rt("CheckTopicParam")).Call(
				jen.Qual("strings", "Trim").Call(jen.Id("level"), jen.Lit("{}")), jen.Id("v")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Lit(""), jen.Err())),
			jen.Id("levels").Index(jen.Id("i")).Op("=").Id("v"),
		),
		jen.Return(jen.Qual("strings", "Join").Call(jen.Id("levels"), jen.Lit("/")), jen.Nil()),
	)
	f.Line()
}

// emitFilterMethod: func (p XParams) filter() (string, error): the
// subscription filter with set parameters fixed and empty ones as +. A
// level holding several parameters is fixed only when all of them are set.
func emitFilterMethod(f *jen.File, t *topicTemplate) {
	ch := t.channel
	body := checkParams(ch, "p", true)
	parts, lits := levelParts(t, func(i int, l topicLevel) jen.Code { return jen.Id(fmt.Sprintf("level%d", i)) })
	for i, l := range t.levels {
		if !l.hasParam() {
			continue
		}
		v := fmt.Sprintf("level%d", i)
		var cond *jen.Statement
		var pieces []jen.Code
		var pieceLits []string
		for _, part := range l.parts {
			if part.param == nil {
				pieces, pieceLits = append(pieces, nil), append(pieceLits, part.lit)
				continue
			}
			set := jen.Id("p").Dot(part.param.GoName).Op("!=").Lit("")
			if cond == nil {
				cond = set
			} else {
				cond = cond.Op("&&").Add(set)
			}
			pieces, pieceLits = append(pieces, paramString(ch, part.param, "p")), append(pieceLits, "")
		}
		body = append(body,
			jen.Id(v).Op(":=").Lit("+"),
			jen.If(cond).Block(jen.Id(v).Op("=").Add(concat(pieces, pieceLits))),
		)
	}
	body = append(body, jen.Return(concat(parts, lits), jen.Nil()))
	f.Add(godoc(fmt.Sprintf("filter is the subscription filter of channel %s with the parameters set in p fixed and the others as +.", ch.Key)))
	f.Func().Params(jen.Id("p").Id(paramsType(ch))).Id("filter").Params().Params(jen.String(), jen.Error()).Block(body...)
	f.Line()
}

// emitParseTopic: func ParseXTopic(topic string) (XParams, error), cutting
// the topic level by level without allocating.
func emitParseTopic(f *jen.File, t *topicTemplate) {
	ch := t.channel
	typ := paramsType(ch)
	fail := jen.Return(jen.Id(typ).Values(), jen.Id("topicMismatch").Call(jen.Id("topic"), jen.Id(ch.GoName+"Address")))
	body := []jen.Code{
		jen.Var().Id("p").Id(typ),
		jen.Id("rest").Op(":=").Id("topic"),
		jen.Var().Id("level").String(),
		jen.Var().Id("more").Bool(),
	}
	assigned := map[*model.Parameter]bool{}
	assign := func(p *model.Parameter, value *jen.Statement) []jen.Code {
		var val jen.Code = value
		if e := enumType(ch, p); e != "" {
			val = jen.Id(e).Call(value)
		}
		if assigned[p] {
			return []jen.Code{jen.If(jen.Id("p").Dot(p.GoName).Op("!=").Add(val)).Block(fail)}
		}
		assigned[p] = true
		return []jen.Code{jen.Id("p").Dot(p.GoName).Op("=").Add(val)}
	}
	last := len(t.levels) - 1
	for i, l := range t.levels {
		if l.any == '#' {
			// # also matches the parent level itself [MQTT-4.7.1-2], which
			// the previous level's check let through.
			body = append(body, jen.Return(jen.Id("p"), jen.Nil()))
			break
		}
		body = append(body, jen.List(jen.Id("level"), jen.Id("rest"), jen.Id("more")).Op("=").Qual("strings", "Cut").Call(jen.Id("rest"), jen.Lit("/")))
		// Every level but the last must be followed by another one.
		var wrongShape *jen.Statement
		switch {
		case i == last:
			wrongShape = jen.Id("more")
		case i == last-1 && t.levels[last].any == '#':
			wrongShape = nil
		default:
			wrongShape = jen.Op("!").Id("more")
		}
		var cond *jen.Statement
		switch {
		case l.any == '+':
			cond = wrongShape
		case !l.hasParam():
			cond = jen.Id("level").Op("!=").Lit(l.text)
			if wrongShape != nil {
				cond = cond.Op("||").Add(wrongShape)
			}
		default:
			cond = jen.Id("level").Op("==").Lit("")
			if wrongShape != nil {
				cond = cond.Op("||").Add(wrongShape)
			}
		}
		if cond != nil {
			body = append(body, jen.If(cond).Block(fail))
		}
		if l.hasParam() {
			body = append(body, parseLevel(l, fail, assign)...)
		}
	}
	if t.levels[last].any != '#' {
		body = append(body, jen.Return(jen.Id("p"), jen.Nil()))
	}
	f.Add(godoc(parseTopicDoc(ch)))
	f.Func().Id("Parse"+ch.GoName+"Topic").Params(jen.Id("topic").String()).Params(jen.Id(typ), jen.Error()).Block(body...)
	f.Line()
}

// parseLevel emits the statements that take one level apart into its
// parameters: a prefix, separators found left to right, a suffix.
func parseLevel(l topicLevel, fail jen.Code, assign func(*model.Parameter, *jen.Statement) []jen.Code) []jen.Code {
	if len(l.parts) == 1 {
		return assign(l.parts[0].param, jen.Id("level"))
	}
	var out []jen.Code
	out = append(out, jen.Id("v").Op(":=").Id("level"))
	for i := 0; i < len(l.parts); i++ {
		part := l.parts[i]
		if part.param == nil {
			if i == 0 {
				out = append(out,
					jen.If(jen.Op("!").Qual("strings", "HasPrefix").Call(jen.Id("v"), jen.Lit(part.lit))).Block(fail),
					jen.Id("v").Op("=").Id("v").Index(jen.Len(jen.Lit(part.lit)).Op(":")),
				)
			}
			continue
		}
		if i == len(l.parts)-1 {
			out = append(out, jen.If(jen.Id("v").Op("==").Lit("")).Block(fail))
			out = append(out, assign(part.param, jen.Id("v"))...)
			continue
		}
		sep := l.parts[i+1].lit
		if i+1 == len(l.parts)-1 {
			// The parameter runs up to the level's literal suffix.
			out = append(out,
				jen.If(jen.Op("!").Qual("strings", "HasSuffix").Call(jen.Id("v"), jen.Lit(sep)).Op("||").Len(jen.Id("v")).Op("==").Len(jen.Lit(sep))).Block(fail),
			)
			out = append(out, assign(part.param, jen.Id("v").Index(jen.Op(":").Len(jen.Id("v")).Op("-").Len(jen.Lit(sep))))...)
			i++
			continue
		}
		out = append(out,
			jen.List(jen.Id("value"), jen.Id("after"), jen.Id("found")).Op(":=").Qual("strings", "Cut").Call(jen.Id("v"), jen.Lit(sep)),
			jen.If(jen.Op("!").Id("found").Op("||").Id("value").Op("==").Lit("")).Block(fail),
		)
		out = append(out, assign(part.param, jen.Id("value"))...)
		out = append(out, jen.Id("v").Op("=").Id("after"))
		i++
	}
	return []jen.Code{jen.Block(out...)}
}

// emitWithParams: func WithXParams(p XParams) SubscribeOption.
func emitWithParams(f *jen.File, ch *model.Channel) {
	name := "With" + paramsType(ch)
	f.Add(godoc(fmt.Sprintf("%s restricts a subscription on channel %s to the parameter values set in p, checked like Topic does; empty fields stay wildcards (+).", name, ch.Key)))
	f.Func().Id(name).Params(jen.Id("p").Id(paramsType(ch))).Id("SubscribeOption").Block(
		jen.Return(jen.Func().Params(jen.Id("o").Op("*").Id("subscribeOptions")).Block(
			jen.Id("o").Dot("params").Op("=").Id("p"),
		)),
	)
	f.Line()
}

// parseTopicDoc is the godoc of Parse<Channel>Topic.
func parseTopicDoc(ch *model.Channel) string {
	return fmt.Sprintf("Parse%sTopic returns the parameters of topic on channel %s (%s), or an error wrapping mqttrt.ErrInvalidTopic when it does not fit the address or leaves a parameter empty.%s",
		ch.GoName, ch.Key, ch.Address, parseEnumNote(ch))
}

func parseEnumNote(ch *model.Channel) string {
	if enumNote(ch) == "" {
		return ""
	}
	return " Values outside a parameter's enum are returned as they are; check them with Valid."
}
