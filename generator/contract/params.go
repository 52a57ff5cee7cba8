package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// paramCheck checks the values of one channel parameter: one level's worth
// of text (runtime.CheckTopicParam), one of its enum, and, for a 2.x
// parameter with a schema, valid against that schema.
type paramCheck struct {
	p      *model.Parameter
	schema *mqttrt.Schema
	// text is set when the schema admits strings: a value is validated as
	// the string it is. Otherwise a value that reads as a JSON number or
	// boolean is validated as one, as {id} with type: integer expects.
	text bool
	// why says why a parameter schema is not used (it does not compile).
	why string
}

// maxParamValues bounds the values mock cycles through per parameter.
const maxParamValues = 4

func newParamCheck(p *model.Parameter, cache *schemaCache) *paramCheck {
	c := &paramCheck{p: p}
	if p.Schema == nil {
		return c
	}
	schema, err := cache.compile("parameter-"+p.Name, p.Schema)
	if err != nil {
		c.why = fmt.Sprintf("the schema of parameter %s does not compile: %v", p.Name, err)
		return c
	}
	c.schema = schema
	c.text = admitsString(p.Schema)
	return c
}

// admitsString reports whether a schema's declared types let a string
// through (no types at all do).
func admitsString(s *model.Schema) bool {
	return s.Bool != nil || len(s.Type) == 0 || s.HasType("string")
}

// check returns what is wrong with value.
func (c *paramCheck) check(value string) []Violation {
	if err := mqttrt.CheckTopicParam(c.p.Name, value); err != nil {
		return []Violation{{Parameter: c.p.Name, Rule: "topic", Message: err.Error()}}
	}
	if c.schema != nil {
		if err := c.schema.Validate(c.asValue(value)); err != nil {
			return violationsOf(err, "", c.p.Name)
		}
		return nil
	}
	if len(c.p.Enum) > 0 && !slices.Contains(c.p.Enum, value) {
		return []Violation{{Parameter: c.p.Name, Rule: "enum", Message: fmt.Sprintf("%q is not one of %s", value, strings.Join(c.p.Enum, ", "))}}
	}
	return nil
}

// asValue is the value as the parameter's schema sees it.
func (c *paramCheck) asValue(value string) any {
	if !c.text {
		if v, err := mqttrt.DecodeValue([]byte(value)); err == nil {
			switch v.(type) {
			case json.Number, bool, nil:
				return v
			}
		}
	}
	return value
}

// values lists up to maxParamValues values that pass check and that
// brokers take (see portable), best first: the parameter's examples, enum
// and default; for a 2.x schema, a value generated from it; and a
// placeholder made from the parameter's name.
func (c *paramCheck) values() []string {
	var tried []string
	tried = append(tried, c.p.Examples...)
	tried = append(tried, c.p.Enum...)
	if c.p.Default != "" {
		tried = append(tried, c.p.Default)
	}
	if c.schema != nil {
		v, _, err := generate(c.p.Schema, func(v any) error {
			s, ok := paramString(v)
			if !ok {
				return fmt.Errorf("%w: %T cannot be a topic level", mqttrt.ErrValidation, v)
			}
			return c.schema.Validate(c.asValue(s))
		})
		if s, ok := paramString(v); err == nil && ok {
			tried = append(tried, s)
		}
	}
	tried = append(tried, placeholder(c.p.Name))
	var out []string
	for _, v := range tried {
		if len(out) < maxParamValues && !slices.Contains(out, v) && portable(v) && len(c.check(v)) == 0 {
			out = append(out, v)
		}
	}
	return out
}

// portable reports whether brokers take a topic holding s. MQTT 3.1.1
// lets a server close the connection of a client whose topic holds a
// control character (U+0001-U+001F, U+007F-U+009F) or a Unicode
// noncharacter [MQTT-1.5.3-2], and Mosquitto does: the mock would lose
// its connection, and every message after it, on such a value, however
// valid the document finds it.
func portable(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r <= 0x1f || 0x7f <= r && r <= 0x9f || 0xfdd0 <= r && r <= 0xfdef || r&0xfffe == 0xfffe
	})
}

// paramString renders a generated scalar as a topic level.
func paramString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// placeholder is a value made from a parameter's name ("room" gives
// "room-1") with what a topic level may not hold left out.
func placeholder(name string) string {
	clean := strings.Map(func(r rune) rune {
		if r == '/' || r == '+' || r == '#' || r == 0 {
			return -1
		}
		return r
	}, name)
	return clean + "-1"
}
