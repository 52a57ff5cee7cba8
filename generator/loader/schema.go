package loader

import (
	"math/big"
	"regexp"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// schemaKeywords are the keywords schema() maps to model.Schema fields;
// every other keyword goes to Extra (or Extensions for x-*) verbatim.
var schemaKeywords = map[string]bool{
	"$ref": true, "type": true, "format": true, "title": true, "description": true,
	"nullable": true, "deprecated": true, "readOnly": true, "writeOnly": true,
	"enum": true, "const": true, "default": true, "examples": true,
	"properties": true, "required": true, "additionalProperties": true,
	"patternProperties": true, "propertyNames": true, "discriminator": true,
	"items": true, "prefixItems": true, "additionalItems": true, "contains": true,
	"dependencies": true, "dependentRequired": true, "dependentSchemas": true,
	"allOf": true, "oneOf": true, "anyOf": true, "not": true, "if": true, "then": true, "else": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true,
	"multipleOf": true, "minLength": true, "maxLength": true, "pattern": true,
	"minItems": true, "maxItems": true, "uniqueItems": true, "minProperties": true, "maxProperties": true,
}

// schema converts the JSON Schema at n. Each target node becomes one
// *model.Schema, created before its children are converted, so a schema
// that refers to itself through properties or items becomes a pointer
// cycle instead of endless recursion.
func (l *loader) schema(n *node) *model.Schema {
	if n == nil {
		return nil
	}
	t := l.deref(n)
	if t == nil {
		return nil
	}
	s, ok := l.schemas[t]
	if !ok {
		// $refs let schemas nest beyond the per-file depth bound; keep the
		// recursion (and so the goroutine stack) bounded too.
		if l.schemaDepth >= maxSchemaDepth {
			l.errorf(t, ErrLimit, "schemas nest more than %d levels deep through $refs", maxSchemaDepth)
			return nil
		}
		l.schemaDepth++
		defer func() { l.schemaDepth-- }()
		s = &model.Schema{Loc: t.loc()}
		l.schemas[t] = s
		if tok, parent := lastToken(t.ptr); parent == "/components/schemas" {
			s.Key = tok
		}
		l.fillSchema(s, t)
	}
	if r := n.ref(); r != nil && s.Ref == "" {
		s.Ref = describeRef(t)
	}
	return s
}

// describeRef is the resolved form of a ref to t: "file#/pointer".
func describeRef(t *node) string { return t.file + "#" + t.ptr }

func (l *loader) fillSchema(s *model.Schema, n *node) {
	if n.kind == scalarNode {
		if b, ok := scalar(n).(bool); ok {
			s.Bool = &b
			return
		}
	}
	if n.kind != mapNode {
		l.errorf(n, nil, "a schema must be an object or a boolean")
		return
	}
	s.Type = l.schemaType(n)
	s.Format = l.str(n, "format")
	s.Title = l.str(n, "title")
	s.Description = l.str(n, "description")
	s.Nullable = flag(l.boolean(n, "nullable"))
	s.Deprecated = flag(l.boolean(n, "deprecated"))
	s.ReadOnly = flag(l.boolean(n, "readOnly"))
	s.WriteOnly = flag(l.boolean(n, "writeOnly"))

	if e := n.get("enum"); e != nil {
		if e.kind != seqNode {
			l.errorf(e, nil, "enum must be a list")
		} else {
			s.Enum = value(e).([]any)
		}
	}
	if c := n.get("const"); c != nil {
		s.HasConst, s.Const = true, value(c)
	}
	if d := n.get("default"); d != nil {
		s.HasDefault, s.Default = true, value(d)
	}
	if e := n.get("examples"); e != nil {
		if e.kind == seqNode {
			s.Examples = value(e).([]any)
		} else {
			// OpenAPI-flavoured documents sometimes write one example here.
			s.Examples = []any{value(e)}
		}
	}

	s.Properties = l.properties(n, "properties")
	s.PatternProperties = l.properties(n, "patternProperties")
	s.Required = l.strings(n, "required")
	s.AdditionalProperties = l.schema(n.get("additionalProperties"))
	s.PropertyNames = l.schema(n.get("propertyNames"))
	s.Discriminator = l.discriminator(n)

	if items := n.get("items"); items != nil {
		if items.kind == seqNode {
			// draft-07 tuple form
			s.PrefixItems = l.schemaItems(items)
		} else {
			s.Items = l.schema(items)
		}
	}
	s.AdditionalItems = l.schema(n.get("additionalItems"))
	if p := n.get("prefixItems"); p != nil {
		// 2020-12: items beside prefixItems is what additionalItems was.
		s.PrefixItems = l.schemaList(p, "prefixItems")
		if s.Items != nil {
			s.AdditionalItems, s.Items = s.Items, nil
		}
	}
	s.Contains = l.schema(n.get("contains"))
	s.Dependencies = l.dependencies(n)

	s.AllOf = l.schemaList(n.get("allOf"), "allOf")
	s.OneOf = l.schemaList(n.get("oneOf"), "oneOf")
	s.AnyOf = l.schemaList(n.get("anyOf"), "anyOf")
	s.Not = l.schema(n.get("not"))
	s.If = l.schema(n.get("if"))
	s.Then = l.schema(n.get("then"))
	s.Else = l.schema(n.get("else"))

	s.Minimum = l.number(n, "minimum")
	s.Maximum = l.number(n, "maximum")
	s.ExclusiveMinimum = l.exclusive(n, "exclusiveMinimum", &s.Minimum)
	s.ExclusiveMaximum = l.exclusive(n, "exclusiveMaximum", &s.Maximum)
	s.MultipleOf = l.number(n, "multipleOf")
	s.ExactNumbers = exactNumbers(n, s)
	s.MinLength = l.integer(n, "minLength")
	s.MaxLength = l.integer(n, "maxLength")
	s.Pattern = l.str(n, "pattern")
	s.MinItems = l.integer(n, "minItems")
	s.MaxItems = l.integer(n, "maxItems")
	s.UniqueItems = flag(l.boolean(n, "uniqueItems"))
	s.MinProperties = l.integer(n, "minProperties")
	s.MaxProperties = l.integer(n, "maxProperties")

	for i, k := range n.keys {
		switch {
		case strings.HasPrefix(k.value, "x-"):
			if s.Extensions == nil {
				s.Extensions = map[string]any{}
			}
			s.Extensions[k.value] = value(n.vals[i])
		case !schemaKeywords[k.value]:
			if s.Extra == nil {
				s.Extra = map[string]any{}
			}
			s.Extra[k.value] = value(n.vals[i])
		}
	}
}

func flag(b *bool) bool { return b != nil && *b }

// schemaType reads type: a string or a list of strings.
func (l *loader) schemaType(n *node) []string {
	t := n.get("type")
	switch {
	case t == nil:
		return nil
	case t.kind == scalarNode && t.tag == "!!str":
		return []string{t.value}
	case t.kind == seqNode:
		return l.strings(n, "type")
	}
	l.errorf(t, nil, "type must be a string or a list of strings")
	return nil
}

// exclusive reads exclusiveMinimum/Maximum: a number (draft 6 and later),
// or draft 4's boolean that turns minimum/maximum exclusive.
func (l *loader) exclusive(n *node, key string, bound **float64) *float64 {
	v := n.get(key)
	if v != nil && v.kind == scalarNode {
		if b, ok := scalar(v).(bool); ok {
			if b && *bound != nil {
				x := **bound
				*bound = nil
				return &x
			}
			return nil
		}
	}
	return l.number(n, key)
}

// discriminator reads 2.x's property-name string or OpenAPI's
// {propertyName: ...} object.
func (l *loader) discriminator(n *node) string {
	d := n.get("discriminator")
	switch {
	case d == nil:
		return ""
	case d.kind == scalarNode:
		return d.value
	case d.kind == mapNode:
		return l.str(d, "propertyName")
	}
	l.errorf(d, nil, "discriminator must be a property name or an object with propertyName")
	return ""
}

// dependencies reads draft-07 dependencies and its 2019-09 halves,
// dependentRequired and dependentSchemas, in document order.
func (l *loader) dependencies(n *node) []*model.Dependency {
	var out []*model.Dependency
	for _, key := range []string{"dependencies", "dependentRequired", "dependentSchemas"} {
		for _, e := range l.entries(n, key) {
			d := &model.Dependency{Name: e.key}
			if e.val.kind == seqNode && key != "dependentSchemas" {
				d.Required = []string{}
				for _, item := range e.val.list {
					if item.kind != scalarNode {
						l.errorf(item, nil, "%s: a property dependency lists property names", key)
						continue
					}
					d.Required = append(d.Required, item.value)
				}
			} else if key != "dependentRequired" {
				d.Schema = l.schema(e.val)
			} else {
				l.errorf(e.val, nil, "dependentRequired: %q must list property names", e.key)
				continue
			}
			out = append(out, d)
		}
	}
	return out
}

// properties reads a name -> schema mapping in document order.
func (l *loader) properties(n *node, key string) []*model.Property {
	var out []*model.Property
	for _, e := range l.entries(n, key) {
		out = append(out, &model.Property{Loc: e.val.loc(), Name: e.key, Schema: l.schema(e.val)})
	}
	return out
}

// schemaList reads a list of schemas.
func (l *loader) schemaList(v *node, key string) []*model.Schema {
	if v == nil {
		return nil
	}
	if v.kind != seqNode {
		l.errorf(v, nil, "%s must be a list of schemas", key)
		return nil
	}
	return l.schemaItems(v)
}

func (l *loader) schemaItems(v *node) []*model.Schema {
	out := make([]*model.Schema, 0, len(v.list))
	for _, item := range v.list {
		if s := l.schema(item); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// exactNumbers records the numeric keywords of s whose float64 is not the
// number written in n: the generated validator compares exactly, so
// maximum: 9007199254740993 must reach it as written, not as
// 9007199254740992. A draft-04 boolean exclusiveMinimum (Maximum) takes
// the number of minimum (maximum).
func exactNumbers(n *node, s *model.Schema) map[string]string {
	var out map[string]string
	for _, k := range []struct {
		key string
		v   *float64
	}{{"minimum", s.Minimum}, {"maximum", s.Maximum}, {"exclusiveMinimum", s.ExclusiveMinimum},
		{"exclusiveMaximum", s.ExclusiveMaximum}, {"multipleOf", s.MultipleOf}} {
		if k.v == nil {
			continue
		}
		src := n.get(k.key)
		if src != nil && src.kind == scalarNode && src.tag == "!!bool" {
			src = n.get(strings.ToLower(strings.TrimPrefix(k.key, "exclusive")))
		}
		if src == nil || src.kind != scalarNode || !isJSONNumber(src.value) {
			continue
		}
		written, ok := new(big.Rat).SetString(src.value)
		if !ok || written.Cmp(new(big.Rat).SetFloat64(*k.v)) == 0 {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k.key] = src.value
	}
	return out
}

// isJSONNumber reports whether s is a number as JSON writes one.
func isJSONNumber(s string) bool {
	return jsonNumber.MatchString(s)
}

var jsonNumber = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)
