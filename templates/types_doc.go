package templates

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
)

// docLines is the godoc for a type or field named name, one entry per
// line, "" between paragraphs: the schema's description (else title), then
// its constraints in words, then a Deprecated paragraph.
func docLines(s *model.Schema, name string) []string {
	if s == nil {
		return nil
	}
	var paras [][]string
	text := strings.TrimSpace(s.Description)
	if text == "" {
		text = strings.TrimSpace(s.Title)
	}
	if text != "" {
		lines := strings.Split(text, "\n")
		if name != "" && !strings.HasPrefix(lines[0], name+" ") {
			lines[0] = name + ": " + lines[0]
		}
		paras = append(paras, lines)
	}
	if c := constraints(s); c != "" {
		paras = append(paras, []string{c})
	}
	if s.Deprecated {
		paras = append(paras, []string{"Deprecated: the document marks this deprecated."})
	}
	var out []string
	for i, p := range paras {
		if i > 0 {
			out = append(out, "")
		}
		for _, l := range p {
			out = append(out, strings.TrimRight(l, " \t\r"))
		}
	}
	return out
}

// constraints describes default, range, length, pattern and format, the
// facts a user needs and cannot see in the Go type.
func constraints(s *model.Schema) string {
	var parts []string
	add := func(format string, args ...any) { parts = append(parts, fmt.Sprintf(format, args...)) }
	if s.Format != "" && !typedFormats[s.Format] {
		add("Format: %s.", s.Format)
	}
	if s.HasDefault {
		add("Default: %s.", literal(s.Default))
	}
	if s.Minimum != nil {
		add("Minimum: %s.", num(*s.Minimum))
	}
	if s.ExclusiveMinimum != nil {
		add("Greater than %s.", num(*s.ExclusiveMinimum))
	}
	if s.Maximum != nil {
		add("Maximum: %s.", num(*s.Maximum))
	}
	if s.ExclusiveMaximum != nil {
		add("Less than %s.", num(*s.ExclusiveMaximum))
	}
	if s.MultipleOf != nil {
		add("Multiple of %s.", num(*s.MultipleOf))
	}
	if s.MinLength != nil {
		add("Min length: %d.", *s.MinLength)
	}
	if s.MaxLength != nil {
		add("Max length: %d.", *s.MaxLength)
	}
	if s.Pattern != "" {
		add("Pattern: `%s`.", s.Pattern)
	}
	if s.MinItems != nil {
		add("Min items: %d.", *s.MinItems)
	}
	if s.MaxItems != nil {
		add("Max items: %d.", *s.MaxItems)
	}
	if s.UniqueItems {
		add("Items are unique.")
	}
	if len(s.PrefixItems) > 0 {
		add("A tuple of %d positional values, kept as []any; validation checks each position.", len(s.PrefixItems))
	}
	return strings.Join(parts, " ")
}

// typedFormats are formats the Go type already says (int32, time.Time...).
var typedFormats = map[string]bool{"int32": true, "int64": true, "float": true, "double": true, "date-time": true, "byte": true}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// literal renders a decoded JSON value as JSON text.
func literal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// commentLines renders lines as // comments, followed by a newline; an
// empty line is a bare "//" paragraph break.
func commentLines(lines []string) *jen.Statement {
	st := jen.Null()
	for _, l := range lines {
		if l == "" {
			st.Comment("//").Line()
			continue
		}
		if strings.HasPrefix(l, "/") {
			// jen writes comments starting with // or /* verbatim.
			l = "// " + l
		}
		st.Comment(l).Line()
	}
	return st
}

// addComments writes lines as top-level // comments, attached to the
// declaration that follows.
func addComments(f *jen.File, lines []string) {
	for _, l := range lines {
		switch {
		case l == "":
			f.Comment("//")
		case strings.HasPrefix(l, "/"):
			f.Comment("// " + l)
		default:
			f.Comment(l)
		}
	}
}
