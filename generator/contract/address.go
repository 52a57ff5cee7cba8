package contract

import (
	"fmt"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// address is a channel address cut into MQTT topic levels, the way the
// generated Parse<Channel>Topic reads it: a level holding {parameters} is
// a literal prefix, parameters separated by literals found left to right,
// and a literal suffix; every parameter value is non-empty, and a
// parameter used twice must have the same value both times.
type address struct {
	channel *model.Channel
	levels  []level
	// wildcard is set when the address itself holds a + or # level: it can
	// be watched, but no topic can be made from it.
	wildcard bool
}

// level is one level between slashes.
type level struct {
	text  string
	parts []part // set when the level holds at least one {parameter}
	any   byte   // '+' or '#' for a literal wildcard level
}

// part is a literal run or a parameter inside a level.
type part struct {
	lit   string
	param *model.Parameter
}

// parseAddress cuts ch.Address into levels. It refuses what could not be
// split back into parameters: an undeclared or unclosed {parameter}, two
// parameters with nothing between them, a wildcard inside a level.
func parseAddress(ch *model.Channel) (*address, error) {
	if ch.Address == "" {
		return nil, fmt.Errorf("channel %s has no address", ch.Key)
	}
	byName := map[string]*model.Parameter{}
	for _, p := range ch.Parameters {
		byName[p.Name] = p
	}
	a := &address{channel: ch}
	texts := strings.Split(ch.Address, "/")
	for i, text := range texts {
		lv := level{text: text}
		switch {
		case text == "+" || text == "#":
			if text == "#" && i != len(texts)-1 {
				return nil, fmt.Errorf("address %q: # must be the last level", ch.Address)
			}
			lv.any = text[0]
			a.wildcard = true
		case strings.ContainsAny(text, "+#"):
			return nil, fmt.Errorf("address %q: a wildcard must fill a whole level", ch.Address)
		case strings.Contains(text, "{"):
			parts, err := splitLevel(text, byName)
			if err != nil {
				return nil, fmt.Errorf("address %q: %w", ch.Address, err)
			}
			lv.parts = parts
		}
		a.levels = append(a.levels, lv)
	}
	return a, nil
}

// splitLevel cuts "pre{a}-{b}suf" into literal and parameter parts.
func splitLevel(text string, params map[string]*model.Parameter) ([]part, error) {
	var parts []part
	for rest := text; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			parts = append(parts, part{lit: rest})
			break
		}
		if open > 0 {
			parts = append(parts, part{lit: rest[:open]})
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
			return nil, fmt.Errorf("parameters {%s} and {%s} touch: a topic could not be split back into them", parts[n-1].param.Name, name)
		}
		parts = append(parts, part{param: p})
		rest = rest[open+end+1:]
	}
	return parts, nil
}

// filter is the subscription filter: every level holding a parameter
// becomes +.
func (a *address) filter() string {
	out := make([]string, len(a.levels))
	for i, l := range a.levels {
		if len(l.parts) > 0 {
			out[i] = "+"
		} else {
			out[i] = l.text
		}
	}
	return strings.Join(out, "/")
}

// literals counts the levels that are plain text: among channels matching
// one topic, the one with more literal levels is the more specific.
func (a *address) literals() int {
	n := 0
	for _, l := range a.levels {
		if len(l.parts) == 0 && l.any == 0 {
			n++
		}
	}
	return n
}

// match reports whether topic fits the address and returns the parameter
// values read from it.
func (a *address) match(topic string) (map[string]string, bool) {
	values := map[string]string{}
	rest := topic
	for i, l := range a.levels {
		if l.any == '#' {
			return values, true // # also matches the parent level [MQTT-4.7.1-2]
		}
		text, after, more := strings.Cut(rest, "/")
		last := i == len(a.levels)-1
		nextIsHash := i == len(a.levels)-2 && a.levels[i+1].any == '#'
		if last && more || !last && !more && !nextIsHash {
			return nil, false
		}
		switch {
		case l.any == '+':
		case len(l.parts) == 0:
			if text != l.text {
				return nil, false
			}
		default:
			if !matchLevel(l.parts, text, values) {
				return nil, false
			}
		}
		rest = after
	}
	return values, true
}

// matchLevel reads one level's parameters into values.
func matchLevel(parts []part, text string, values map[string]string) bool {
	i := 0
	if parts[0].param == nil {
		var ok bool
		if text, ok = strings.CutPrefix(text, parts[0].lit); !ok {
			return false
		}
		i = 1
	}
	for ; i < len(parts); i++ {
		p := parts[i].param
		var value string
		switch {
		case i+1 == len(parts): // the parameter ends the level
			value, text = text, ""
		case i+2 == len(parts): // a literal suffix ends the level
			var ok bool
			if value, ok = strings.CutSuffix(text, parts[i+1].lit); !ok {
				return false
			}
			text = ""
			i++
		default: // a separator, found left to right
			k := strings.Index(text, parts[i+1].lit)
			if k < 0 {
				return false
			}
			value, text = text[:k], text[k+len(parts[i+1].lit):]
			i++
		}
		if value == "" {
			return false
		}
		if prev, seen := values[p.Name]; seen && prev != value {
			return false
		}
		values[p.Name] = value
	}
	return text == ""
}

// topic fills the address with values. Each value must fill part of one
// level (runtime.CheckTopicParam) and the result must be a topic one can
// publish to; an address with a wildcard level has none.
func (a *address) topic(values map[string]string) (string, error) {
	if a.wildcard {
		return "", fmt.Errorf("%w: address %q holds a wildcard level: no topic can be published to it", mqttrt.ErrInvalidTopic, a.channel.Address)
	}
	var b strings.Builder
	for i, l := range a.levels {
		if i > 0 {
			b.WriteByte('/')
		}
		if len(l.parts) == 0 {
			b.WriteString(l.text)
			continue
		}
		for _, p := range l.parts {
			if p.param == nil {
				b.WriteString(p.lit)
				continue
			}
			v := values[p.param.Name]
			if err := mqttrt.CheckTopicParam(p.param.Name, v); err != nil {
				return "", err
			}
			b.WriteString(v)
		}
	}
	t := b.String()
	if err := mqttrt.ValidateTopic(t); err != nil {
		return "", err
	}
	return t, nil
}
