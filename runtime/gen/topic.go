package gen

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Topic is a channel address compiled once: it builds a topic from
// parameter values, a subscription filter from the values set (the others
// +), and parses a received topic back into values. Values are given in
// the order the parameters first appear in the address.
//
// An address is MQTT levels separated by "/". A level is literal text, a
// literal wildcard ("+", or "#" as the last level: such an address can be
// subscribed to but not published to), or text with {parameters} in it
// ("sensors/{room}", "dev-{id}", "{site}-{floor}"). Two parameters of one
// level need literal text between them, so a topic splits back one way:
// a value may not contain the text that follows it in its level.
type Topic struct {
	address  string
	levels   []level
	params   []string
	enums    [][]string // per parameter: the allowed values, or nil
	wildcard bool       // a literal + or # level: no publishing
	// pieces is the address flattened for Build: literal text and
	// parameters in order, levels joined.
	pieces []part
	// separated: a level holds several parameters, so a value must not
	// hold the text after it (checked by Build).
	separated bool
	hasEnums  bool
	// lead is the parameter that starts the address ("{site}/..."), or
	// -1: its value must not start with $ (see checkLead).
	lead int
}

// level is one level of an address: literal text, a wildcard, or parts.
type level struct {
	lit   string
	any   byte   // '+' or '#' for a literal wildcard level
	parts []part // set when the level holds parameters
}

// part is a literal run or a parameter inside a level.
type part struct {
	lit   string
	param int // index into params, or -1 for a literal
}

// NewTopic compiles address; with enums, parameter name's values are
// limited to the ones listed (Build and Filter refuse others). It panics
// on an address ParseAddress refuses: generated code only compiles
// addresses the generator has checked with ParseAddress.
func NewTopic(address string, enums ...Enum) *Topic {
	t, err := ParseAddress(address)
	if err != nil {
		panic("mqttgen: " + err.Error())
	}
	for _, e := range enums {
		i := slices.Index(t.params, e.Param)
		if i < 0 {
			panic(fmt.Sprintf("mqttgen: address %q has no parameter %q", address, e.Param))
		}
		t.enums[i] = e.Values
		t.hasEnums = true
	}
	return t
}

// flatten joins the levels into the pieces Build writes.
func (t *Topic) flatten() {
	var lit strings.Builder
	for i, lv := range t.levels {
		if i > 0 {
			lit.WriteByte('/')
		}
		lit.WriteString(lv.lit)
		params := 0
		for _, p := range lv.parts {
			if p.param < 0 {
				lit.WriteString(p.lit)
				continue
			}
			params++
			t.pieces = append(t.pieces, part{lit: lit.String(), param: -1}, part{param: p.param})
			lit.Reset()
		}
		if params > 1 {
			t.separated = true
		}
	}
	t.pieces = append(t.pieces, part{lit: lit.String(), param: -1})
}

// Enum lists the values a parameter may take.
type Enum struct {
	Param  string
	Values []string
}

// ParseAddress compiles an address, or says why it is not one.
func ParseAddress(address string) (*Topic, error) {
	t := &Topic{address: address}
	texts := strings.Split(address, "/")
	for i, text := range texts {
		var lv level
		switch {
		case text == "+" || text == "#":
			if text == "#" && i != len(texts)-1 {
				return nil, fmt.Errorf("address %q: # must be the last level", address)
			}
			lv.any = text[0]
			t.wildcard = true
		case strings.ContainsAny(text, "+#"):
			return nil, fmt.Errorf("address %q: a wildcard must fill a whole level", address)
		case strings.ContainsAny(text, "{}"):
			parts, err := t.splitLevel(text)
			if err != nil {
				return nil, fmt.Errorf("address %q: %v", address, err)
			}
			lv.parts = parts
		default:
			lv.lit = text
		}
		t.levels = append(t.levels, lv)
	}
	t.enums = make([][]string, len(t.params))
	t.lead = -1
	if first := t.levels[0].parts; len(first) > 0 && first[0].param >= 0 {
		t.lead = first[0].param
	}
	t.flatten()
	if len(t.params) == 0 && !t.wildcard {
		if err := mqttrt.ValidateTopic(address); err != nil {
			return nil, fmt.Errorf("address %q: %w", address, err)
		}
	}
	return t, nil
}

// splitLevel cuts "pre{a}-{b}suf" into literal and parameter parts.
func (t *Topic) splitLevel(text string) ([]part, error) {
	var parts []part
	rest := text
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return nil, fmt.Errorf("} without { in level %q", text)
			}
			parts = append(parts, part{lit: rest, param: -1})
			break
		}
		if open > 0 {
			if strings.IndexByte(rest[:open], '}') >= 0 {
				return nil, fmt.Errorf("} without { in level %q", text)
			}
			parts = append(parts, part{lit: rest[:open], param: -1})
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return nil, fmt.Errorf("unclosed { in level %q", text)
		}
		name := rest[open+1 : open+end]
		if name == "" || strings.ContainsAny(name, "{") {
			return nil, fmt.Errorf("level %q: a parameter needs a name between { and }", text)
		}
		if len(parts) > 0 && parts[len(parts)-1].param >= 0 {
			return nil, fmt.Errorf("level %q: parameters {%s} and {%s} need literal text between them, or a topic could not be split back into values",
				text, t.params[parts[len(parts)-1].param], name)
		}
		i := slices.Index(t.params, name)
		if i < 0 {
			i = len(t.params)
			t.params = append(t.params, name)
		}
		parts = append(parts, part{param: i})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// Address is the address as written.
func (t *Topic) Address() string { return t.address }

// Params lists the parameter names in order of first appearance.
func (t *Topic) Params() []string { return t.params }

// Publishable reports whether topics can be built: the address has no
// literal wildcard level.
func (t *Topic) Publishable() bool { return !t.wildcard }

// Build returns the topic for values, one per parameter. A value that is
// empty, holds /, +, #, NUL or invalid UTF-8, is outside its parameter's
// enum, holds the literal text that follows it in its level, or starts the
// topic with $ (see checkLead) is refused with an error wrapping
// mqttrt.ErrInvalidTopic: no value can change which topic is used.
func (t *Topic) Build(values ...string) (string, error) {
	if t.wildcard {
		return "", fmt.Errorf("%w: address %q has a wildcard level: it can be subscribed to, not published to", mqttrt.ErrInvalidTopic, t.address)
	}
	if len(t.params) == 0 {
		return t.address, nil
	}
	if len(values) != len(t.params) || t.separated || t.hasEnums {
		if err := t.check(values, false); err != nil {
			return "", err
		}
	} else {
		for i, v := range values {
			if !plainValue(v) {
				return "", mqttrt.CheckTopicParam(t.params[i], v)
			}
		}
		if err := t.checkLead(values); err != nil {
			return "", err
		}
	}
	n := 0
	for _, p := range t.pieces {
		if p.param >= 0 {
			n += len(values[p.param])
		} else {
			n += len(p.lit)
		}
	}
	buf := make([]byte, 0, n)
	for _, p := range t.pieces {
		if p.param >= 0 {
			buf = append(buf, values[p.param]...)
		} else {
			buf = append(buf, p.lit...)
		}
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// plainValue reports in one pass whether an ASCII v may fill a topic
// level: not empty, no /, + or #, no control character (NUL included); a
// value with other bytes is left to mqttrt.CheckTopicParam, which checks
// the same and more (UTF-8, non-characters) and says why when it refuses.
func plainValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '/' || c == '+' || c == '#' || c < 0x20 || c == 0x7f:
			return false
		case c >= utf8.RuneSelf:
			return mqttrt.CheckTopicParam("", v) == nil
		}
	}
	return true
}

// Filter returns the subscription filter for values: a parameter whose
// value is "" is a wildcard (its level becomes +), the others are checked
// as Build checks them. A level with a parameter and literal text becomes
// + as a whole; Parse then checks the text.
func (t *Topic) Filter(values ...string) (string, error) {
	if len(t.params) == 0 {
		return t.address, nil
	}
	if err := t.check(values, true); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, lv := range t.levels {
		if i > 0 {
			b.WriteByte('/')
		}
		switch {
		case lv.any != 0:
			b.WriteByte(lv.any)
		case lv.parts == nil:
			b.WriteString(lv.lit)
		default:
			var whole strings.Builder
			for _, p := range lv.parts {
				switch {
				case p.param < 0:
					whole.WriteString(p.lit)
				case values[p.param] == "":
					whole.Reset()
					whole.WriteByte('+')
				default:
					whole.WriteString(values[p.param])
				}
				if whole.String() == "+" {
					break
				}
			}
			b.WriteString(whole.String())
		}
	}
	return b.String(), nil
}

// check refuses values that could change the topic; with wildcards, ""
// is a wildcard rather than an error.
func (t *Topic) check(values []string, wildcards bool) error {
	if len(values) != len(t.params) {
		return fmt.Errorf("%w: address %q takes %d parameter values, got %d", mqttrt.ErrInvalidTopic, t.address, len(t.params), len(values))
	}
	for i, v := range values {
		if v == "" && wildcards {
			continue
		}
		if err := mqttrt.CheckTopicParam(t.params[i], v); err != nil {
			return err
		}
		if allowed := t.enums[i]; allowed != nil && !slices.Contains(allowed, v) {
			return fmt.Errorf("%w: parameter %s = %q is not one of %q", mqttrt.ErrInvalidTopic, t.params[i], v, allowed)
		}
	}
	if err := t.checkLead(values); err != nil {
		return err
	}
	for _, lv := range t.levels {
		for j, p := range lv.parts {
			if p.param < 0 || j+1 >= len(lv.parts) || j+2 >= len(lv.parts) {
				continue
			}
			// A value followed by literal text and another parameter must
			// not hold that text, or the topic would split differently.
			if sep := lv.parts[j+1].lit; strings.Contains(values[p.param], sep) {
				return fmt.Errorf("%w: parameter %s = %q holds %q, which separates it from the next parameter of its level",
					mqttrt.ErrInvalidTopic, t.params[p.param], values[p.param], sep)
			}
		}
	}
	return nil
}

// Parse stores the values of topic's parameters in dst (one pointer per
// parameter, in order) and fails with an error wrapping
// mqttrt.ErrInvalidTopic when topic does not fit the address or leaves a
// parameter empty. Values outside a parameter's enum are stored as they
// are: the receiver decides what to make of them.
func (t *Topic) Parse(topic string, dst ...*string) error {
	if len(dst) != len(t.params) {
		return fmt.Errorf("%w: address %q takes %d parameter values, got %d", mqttrt.ErrInvalidTopic, t.address, len(t.params), len(dst))
	}
	// A stored value is never empty: "" marks a parameter not seen yet.
	for i := range dst {
		*dst[i] = ""
	}
	if t.lead >= 0 && strings.HasPrefix(topic, "$") {
		// No value Build accepts makes such a topic (see checkLead).
		return t.mismatch(topic)
	}
	rest := topic
	for i, lv := range t.levels {
		if lv.any == '#' {
			return nil
		}
		text, after, more := strings.Cut(rest, "/")
		last := i == len(t.levels)-1
		if !t.parseLevel(lv, text, dst) {
			return t.mismatch(topic)
		}
		// "a/#" matches "a" too [MQTT-4.7.1-2].
		if !more && i+1 == len(t.levels)-1 && t.levels[i+1].any == '#' {
			return nil
		}
		if more == last {
			return t.mismatch(topic)
		}
		rest = after
	}
	return nil
}

// parseLevel matches one level's text, storing parameter values; a
// parameter the address uses twice must have one value.
func (t *Topic) parseLevel(lv level, text string, dst []*string) bool {
	switch {
	case lv.any == '+':
		return true
	case lv.parts == nil:
		return text == lv.lit
	}
	for j, p := range lv.parts {
		if p.param < 0 {
			var ok bool
			if text, ok = strings.CutPrefix(text, p.lit); !ok {
				return false
			}
			continue
		}
		value := text
		if j+1 < len(lv.parts) {
			sep := lv.parts[j+1].lit
			k := strings.Index(text, sep)
			if j+2 == len(lv.parts) {
				k = strings.LastIndex(text, sep)
				if k < 0 || k+len(sep) != len(text) {
					return false
				}
			}
			if k < 0 {
				return false
			}
			value = text[:k]
		}
		if value == "" {
			return false
		}
		if prev := *dst[p.param]; prev != "" && prev != value {
			return false
		}
		*dst[p.param] = value
		text = text[len(value):]
	}
	return text == ""
}

// checkLead refuses a value of the parameter that starts the address (if
// one does) that starts with $. A topic starting with $ is not matched by a filter
// starting with a wildcard [MQTT-4.7.2-1], so a publish to "$dev/events"
// is acknowledged and never reaches "+/events"; "$SYS/..." is the broker's
// own; and a filter "$share/<next level>/..." is a shared subscription,
// not the channel's filter. Further in, $ is ordinary text.
func (t *Topic) checkLead(values []string) error {
	if t.lead < 0 || !strings.HasPrefix(values[t.lead], "$") {
		return nil
	}
	return fmt.Errorf("%w: parameter %s = %q starts the topic and must not start with $ (topics starting with $ are reserved for the broker and not matched by wildcards [MQTT-4.7.2-1])",
		mqttrt.ErrInvalidTopic, t.params[t.lead], values[t.lead])
}

func (t *Topic) mismatch(topic string) error {
	return fmt.Errorf("%w: topic %q does not match address %q", mqttrt.ErrInvalidTopic, topic, t.address)
}
