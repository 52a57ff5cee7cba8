package contract

import (
	"slices"

	"github.com/mqttgen/mqttgen/generator/model"
)

// maxFlats bounds the ways of meeting one schema's composition that are
// tried (the product of allOf members and oneOf/anyOf variants).
const maxFlats = 16

// flatten lists the ways an instance can meet s: schemas without allOf,
// oneOf or anyOf, each s's own keywords merged with every allOf member
// and one variant of each oneOf and anyOf. Merging is best effort (two
// patterns keep the first, for instance): the check has the last word.
func (g *searcher) flatten(s *model.Schema) []*model.Schema {
	if fl, ok := g.flats[s]; ok {
		return fl
	}
	fl := expand(s, 0)
	g.flats[s] = fl
	return fl
}

func expand(s *model.Schema, depth int) []*model.Schema {
	switch {
	case s == nil:
		return []*model.Schema{{}}
	case s.Bool != nil && *s.Bool:
		return []*model.Schema{{}}
	case s.Bool != nil:
		return nil
	case depth > maxDepth:
		// allOf through $refs back to itself: leave the rest to the check.
		return []*model.Schema{{}}
	}
	acc := []*model.Schema{own(s)}
	for _, m := range s.AllOf {
		acc = product(acc, expand(m, depth+1))
	}
	// A required member's schema dependency applies whenever the object
	// is valid: met like an allOf member.
	for _, d := range s.Dependencies {
		if d.Schema != nil && slices.Contains(s.Required, d.Name) {
			acc = product(acc, expand(d.Schema, depth+1))
		}
	}
	for _, c := range []struct {
		variants []*model.Schema
		one      bool // oneOf: exactly one variant may match
	}{{s.OneOf, true}, {s.AnyOf, false}} {
		if len(c.variants) == 0 {
			continue
		}
		expanded := make([][]*model.Schema, len(c.variants))
		var options []*model.Schema
		for i, v := range c.variants {
			expanded[i] = expand(v, depth+1)
			options = append(options, expanded[i]...)
		}
		if c.one {
			options = append(options, exclusive(expanded)...)
		}
		acc = product(acc, options)
	}
	if s.If != nil && (s.Then != nil || s.Else != nil) {
		// Either the condition holds, and then applies; or it fails, and
		// else applies. The check tells which one the value took.
		var options []*model.Schema
		cond := expand(s.If, depth+1)
		if s.Then != nil {
			cond = product(cond, expand(s.Then, depth+1))
		}
		options = append(options, cond...)
		if s.Else != nil {
			options = append(options, expand(s.Else, depth+1)...)
		} else {
			options = append(options, &model.Schema{})
		}
		acc = product(acc, options)
	}
	return acc
}

// exclusive lists, after the plain variants, each variant made to break
// the others: oneOf wants exactly one variant to match, and two object
// variants that require nothing both accept {}. For every other variant
// that constrains a property this one leaves free, the property is
// required with a value the other variant refuses.
func exclusive(variants [][]*model.Schema) []*model.Schema {
	var out []*model.Schema
	for i, own := range variants {
		for _, f := range own {
			c := *f
			changed := false
			for j, others := range variants {
				if j == i || len(others) == 0 {
					continue
				}
				if name, v, ok := breaker(&c, others[0]); ok {
					c.Properties = append(slices.Clone(c.Properties), &model.Property{Name: name, Schema: &model.Schema{HasConst: true, Const: v}})
					c.Required = append(slices.Clone(c.Required), name)
					changed = true
				}
			}
			if changed {
				out = append(out, &c)
			}
		}
	}
	return out
}

// breaker finds a property that other constrains and f leaves free, and
// a value of it that other refuses.
func breaker(f, other *model.Schema) (name string, value any, ok bool) {
	if ap := f.AdditionalProperties; ap != nil && (ap.Bool == nil || !*ap.Bool) {
		return "", nil, false
	}
	for _, p := range other.Properties {
		if slices.ContainsFunc(f.Properties, func(q *model.Property) bool { return q.Name == p.Name }) || len(f.PatternProperties) > 0 {
			continue
		}
		if v, ok := refused(p.Schema); ok {
			return p.Name, v, true
		}
	}
	return "", nil, false
}

// refused is a value s refuses for its type, const or enum, if one is
// easy to find.
func refused(s *model.Schema) (any, bool) {
	if s == nil || s.Bool != nil {
		return nil, false
	}
	if len(s.Type) > 0 {
		for _, v := range []any{"x", int64(0), false, map[string]any{}, []any{}} {
			if !slices.Contains(s.Type, jsonType(v)) && !(jsonType(v) == "number" && s.HasType("integer")) {
				return v, true
			}
		}
		return nil, false
	}
	const other = "mqttgen-other"
	if s.HasConst && !sameValue(s.Const, other) || len(s.Enum) > 0 && !slices.ContainsFunc(s.Enum, func(v any) bool { return sameValue(v, other) }) {
		return other, true
	}
	return nil, false
}

// jsonType is the JSON Schema type of a built or decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any, *object:
		return "object"
	case []any:
		return "array"
	}
	return "number"
}

// own copies s without its composition keywords, with 2.x nullable
// turned into a null type (and a null enum value), as the validator
// sees it.
func own(s *model.Schema) *model.Schema {
	c := *s
	c.AllOf, c.OneOf, c.AnyOf = nil, nil, nil
	if c.Nullable {
		if len(c.Type) > 0 && !c.HasType("null") {
			c.Type = append(slices.Clone(c.Type), "null")
		}
		if len(c.Enum) > 0 && !slices.ContainsFunc(c.Enum, func(v any) bool { return v == nil }) {
			c.Enum = append(slices.Clone(c.Enum), nil)
		}
		c.Nullable = false
	}
	return &c
}

// product merges every schema of acc with every option, dropping the
// combinations that contradict each other.
func product(acc, options []*model.Schema) []*model.Schema {
	var out []*model.Schema
	for _, a := range acc {
		for _, o := range options {
			if m, ok := merge(a, o); ok && len(out) < maxFlats {
				out = append(out, m)
			}
		}
	}
	return out
}

// merge combines two flat schemas into one an instance of both meets.
// ok is false when they contradict (no common type, disjoint enums,
// different consts).
func merge(a, b *model.Schema) (*model.Schema, bool) {
	m := *a
	var ok bool
	if m.Type, ok = intersectTypes(a.Type, b.Type); !ok {
		return nil, false
	}
	if len(b.Enum) > 0 {
		if len(a.Enum) == 0 {
			m.Enum = b.Enum
		} else if m.Enum = commonValues(a.Enum, b.Enum); len(m.Enum) == 0 {
			return nil, false
		}
	}
	if b.HasConst {
		if a.HasConst && !sameValue(a.Const, b.Const) {
			return nil, false
		}
		m.HasConst, m.Const = true, b.Const
	}
	m.Examples = append(slices.Clone(a.Examples), b.Examples...)
	if !a.HasDefault && b.HasDefault {
		m.HasDefault, m.Default = true, b.Default
	}
	m.Format = firstOf(a.Format, b.Format)
	m.Pattern = firstOf(a.Pattern, b.Pattern)
	m.Minimum = tighter(a.Minimum, b.Minimum, true)
	m.Maximum = tighter(a.Maximum, b.Maximum, false)
	m.ExclusiveMinimum = tighter(a.ExclusiveMinimum, b.ExclusiveMinimum, true)
	m.ExclusiveMaximum = tighter(a.ExclusiveMaximum, b.ExclusiveMaximum, false)
	m.MultipleOf = tighter(a.MultipleOf, b.MultipleOf, true) // the larger; the check decides
	m.MinLength = tighter(a.MinLength, b.MinLength, true)
	m.MaxLength = tighter(a.MaxLength, b.MaxLength, false)
	m.MinItems = tighter(a.MinItems, b.MinItems, true)
	m.MaxItems = tighter(a.MaxItems, b.MaxItems, false)
	m.MinProperties = tighter(a.MinProperties, b.MinProperties, true)
	m.MaxProperties = tighter(a.MaxProperties, b.MaxProperties, false)
	m.UniqueItems = a.UniqueItems || b.UniqueItems
	m.Required = append(slices.Clone(a.Required), b.Required...)
	m.Properties = mergeProperties(a.Properties, b.Properties)
	m.PatternProperties = append(slices.Clone(a.PatternProperties), b.PatternProperties...)
	m.AdditionalProperties = both(a.AdditionalProperties, b.AdditionalProperties)
	m.Items = both(a.Items, b.Items)
	if len(m.PrefixItems) == 0 {
		m.PrefixItems = b.PrefixItems
	}
	if m.Contains == nil {
		m.Contains = b.Contains
	}
	return &m, true
}

// both is a schema meeting a and b (nil meets anything).
func both(a, b *model.Schema) *model.Schema {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &model.Schema{AllOf: []*model.Schema{a, b}}
}

// mergeProperties unites two property lists; a property in both must
// meet both schemas.
func mergeProperties(a, b []*model.Property) []*model.Property {
	out := slices.Clone(a)
	for _, p := range b {
		i := slices.IndexFunc(out, func(q *model.Property) bool { return q.Name == p.Name })
		if i < 0 {
			out = append(out, p)
			continue
		}
		merged := *out[i]
		merged.Schema = both(out[i].Schema, p.Schema)
		out[i] = &merged
	}
	return out
}

// intersectTypes is the types both lists allow; an empty list allows
// every type, and integer is the common part of integer and number.
func intersectTypes(a, b []string) ([]string, bool) {
	switch {
	case len(a) == 0:
		return b, true
	case len(b) == 0:
		return a, true
	}
	var out []string
	for _, t := range a {
		switch {
		case slices.Contains(b, t):
			out = append(out, t)
		case t == "integer" && slices.Contains(b, "number"), t == "number" && slices.Contains(b, "integer"):
			out = append(out, "integer")
		}
	}
	out = slices.Compact(out)
	return out, len(out) > 0
}

// commonValues is the values of a also in b.
func commonValues(a, b []any) []any {
	var out []any
	for _, v := range a {
		if slices.ContainsFunc(b, func(w any) bool { return sameValue(v, w) }) {
			out = append(out, v)
		}
	}
	return out
}

// sameValue compares two decoded JSON values by their encoding, so that
// int64(1) and float64(1) are the same number.
func sameValue(a, b any) bool {
	x, errA := marshal(a)
	y, errB := marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// tighter keeps the tighter of two optional bounds: the larger of two
// lower bounds (atLeast), else the smaller.
func tighter[T int | float64](a, b *T, atLeast bool) *T {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	v := min(*a, *b)
	if atLeast {
		v = max(*a, *b)
	}
	return &v
}

// typesOf lists the types to try for a flat schema: its own, else those
// its keywords imply, else all of them; null last, except deep in a
// value, where null is the way out of a recursive schema.
func typesOf(f *model.Schema, depth int) []string {
	types := slices.Clone(f.Type)
	if len(types) == 0 {
		types = impliedTypes(f)
	}
	if i := slices.Index(types, "null"); i >= 0 {
		types = slices.Delete(types, i, i+1)
		if depth >= nullFirstDepth {
			types = append([]string{"null"}, types...)
		} else {
			types = append(types, "null")
		}
	}
	return types
}

// impliedTypes orders the types for a schema that names none: first the
// one its keywords suggest, then the others, which its keywords do not
// constrain (minimum says nothing about a string).
func impliedTypes(f *model.Schema) []string {
	var first string
	switch {
	case len(f.Properties) > 0 || len(f.Required) > 0 || f.AdditionalProperties != nil ||
		len(f.PatternProperties) > 0 || f.MinProperties != nil || f.MaxProperties != nil:
		first = "object"
	case f.Items != nil || len(f.PrefixItems) > 0 || f.Contains != nil || f.MinItems != nil ||
		f.MaxItems != nil || f.UniqueItems:
		first = "array"
	case f.MinLength != nil || f.MaxLength != nil || f.Pattern != "" || f.Format != "":
		first = "string"
	case f.Minimum != nil || f.Maximum != nil || f.ExclusiveMinimum != nil ||
		f.ExclusiveMaximum != nil || f.MultipleOf != nil:
		first = "number"
	}
	all := []string{"object", "string", "number", "boolean", "null", "array"}
	if first == "" {
		return all
	}
	return append([]string{first}, slices.DeleteFunc(all, func(t string) bool { return t == first })...)
}
