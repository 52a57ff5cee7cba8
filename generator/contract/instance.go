package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Bounds of the search for a valid instance, so that a hostile or
// unsatisfiable schema costs a bounded amount of work.
const (
	maxAttempts     = 64    // candidate values checked per schema
	maxDepth        = 24    // nesting levels of one value
	maxWork         = 20000 // schema nodes built per search
	maxAlternatives = 32    // alternatives tried at one position
	maxArrayItems   = 256   // a larger minItems is not built
	nullFirstDepth  = 8     // from this depth on, null is preferred where allowed
)

// searcher searches for a value a check accepts. It builds a value
// from the schema, choosing at each position (a JSON pointer) one
// alternative: a const, an example, the default, an enum value, or a
// value of one of the allowed types, for each oneOf/anyOf variant. The
// check (the compiled schema) then judges the whole value; when it
// refuses it, the violation's pointer says where to choose differently:
// the deepest position at or above it that has an alternative left moves
// on to it, like an odometer, and the positions below start over.
type searcher struct {
	choice map[string]int // alternative to start from, by pointer; kept across attempts
	nodes  map[string]int // alternatives per pointer, this attempt
	chosen map[string]int // alternative used per pointer, this attempt
	work   int
	flats  map[*model.Schema][]*model.Schema
	hints  map[string]bool // why some alternative could not be made (an unsupported pattern...)
	// source says where the value at the root came from.
	source string
}

// alt is one alternative at a position: a whole value, or a shape (an
// object or array) whose members are built in turn.
type alt struct {
	value  any
	source string        // for whole values: "schema example 1", "schema default"...
	flat   *model.Schema // for shapes
	kind   string        // "object" or "array" for shapes, "" for whole values
	all    bool          // object shape with every declared property, not only the required ones
}

// generate returns a value of s that check accepts and where the value
// came from. check gets the value as built (strings, bools, nil, int64,
// float64, []any and ordered objects that marshal as JSON objects); it
// returns nil, a *runtime.ValidationError whose Field guides the next
// attempt, or another error. When nothing passes within the bounds, the
// error wraps runtime.ErrValidation and says what the last candidate
// broke.
func generate(s *model.Schema, check func(any) error) (any, string, error) {
	g := &searcher{choice: map[string]int{}, flats: map[*model.Schema][]*model.Schema{}, hints: map[string]bool{}}
	var last error
	for range maxAttempts {
		g.nodes, g.chosen, g.source = map[string]int{}, map[string]int{}, ""
		v, err := g.build(s, "", 0, 0)
		if err != nil {
			last = err
			break
		}
		if last = check(v); last == nil {
			return v, g.source, nil
		}
		var ve *mqttrt.ValidationError
		at, rule := "", ""
		if errors.As(last, &ve) && len(ve.Violations) > 0 {
			first := sortedViolations(ve)[0]
			at, rule = first.Field, first.Rule
		}
		// A value that not (or more than one oneOf variant) accepts is
		// at fault somewhere below: change the deepest part first.
		if (rule == "not" || rule == "oneOf") && g.nextBelow(at) {
			continue
		}
		if !g.next(at) {
			break
		}
	}
	msg := fmt.Sprintf("%v", last)
	var ve *mqttrt.ValidationError
	if errors.As(last, &ve) && len(ve.Violations) > 0 {
		var parts []string
		for _, v := range sortedViolations(ve) {
			parts = append(parts, v.String())
		}
		msg = "payload " + strings.Join(parts, "; ")
	}
	if len(g.hints) > 0 {
		msg += " (" + strings.Join(slices.Sorted(maps.Keys(g.hints)), "; ") + ")"
	}
	return nil, "", fmt.Errorf("%w: no valid instance found: %s", mqttrt.ErrValidation, msg)
}

// next moves the deepest position at or above ptr that has an
// alternative left on to it, and forgets the choices below it. It reports
// false when every alternative was tried.
func (g *searcher) next(ptr string) bool {
	for {
		if n, ok := g.nodes[ptr]; ok && g.chosen[ptr]+1 < n {
			g.choice[ptr] = g.chosen[ptr] + 1
			for k := range g.choice {
				if strings.HasPrefix(k, ptr+"/") {
					delete(g.choice, k)
				}
			}
			return true
		}
		if ptr == "" {
			return false
		}
		ptr = ptr[:strings.LastIndexByte(ptr, '/')]
	}
}

// nextBelow moves the deepest position under ptr that has an alternative
// left on to it, and forgets the choices below that one. It reports false
// when no position under ptr has one.
func (g *searcher) nextBelow(ptr string) bool {
	best := ""
	found := false
	for p, n := range g.nodes {
		if !strings.HasPrefix(p, ptr+"/") || g.chosen[p]+1 >= n {
			continue
		}
		if !found || strings.Count(p, "/") > strings.Count(best, "/") ||
			strings.Count(p, "/") == strings.Count(best, "/") && p > best {
			best, found = p, true
		}
	}
	if !found {
		return false
	}
	g.choice[best] = g.chosen[best] + 1
	for k := range g.choice {
		if strings.HasPrefix(k, best+"/") {
			delete(g.choice, k)
		}
	}
	return true
}

// build makes a value of s at ptr. Alternatives that cannot be built (a
// required property that is forbidden, recursion without end) are
// skipped here; the check judges the rest. offset picks a later first
// alternative, so the items of a uniqueItems array start out different.
func (g *searcher) build(s *model.Schema, ptr string, depth, offset int) (any, error) {
	g.work++
	switch {
	case g.work > maxWork:
		return nil, fmt.Errorf("the schema is too large to search (more than %d positions built)", maxWork)
	case depth > maxDepth:
		return nil, fmt.Errorf("at %s: nested deeper than %d levels: a recursive schema with no way out", where(ptr), maxDepth)
	}
	alts := g.alternatives(s, depth)
	if len(alts) == 0 {
		return nil, fmt.Errorf("at %s: no value can satisfy the schema (false, or keywords that contradict each other)", where(ptr))
	}
	g.nodes[ptr] = len(alts)
	start, ok := g.choice[ptr]
	if !ok {
		start = min(offset, len(alts)-1)
	}
	err := fmt.Errorf("at %s: every alternative was tried", where(ptr))
	for i := start; i < len(alts); i++ {
		var v any
		if v, err = g.realize(alts[i], ptr, depth); err == nil {
			g.chosen[ptr] = i
			if ptr == "" {
				g.source = alts[i].source
			}
			return v, nil
		}
	}
	return nil, err
}

// where names a position in messages.
func where(ptr string) string {
	if ptr == "" {
		return "the root"
	}
	return strconv.Quote(ptr)
}

// alternatives lists, for each way of meeting s's composition (see
// flatten), the const; else the examples, the default and the enum
// values; else values or shapes of each allowed type.
func (g *searcher) alternatives(s *model.Schema, depth int) []alt {
	var out []alt
	for _, f := range g.flatten(s) {
		if f.HasConst {
			out = append(out, alt{value: f.Const, source: "schema const"})
			continue
		}
		for i, ex := range f.Examples {
			out = append(out, alt{value: ex, source: fmt.Sprintf("schema example %d", i+1)})
		}
		if f.HasDefault {
			out = append(out, alt{value: f.Default, source: "schema default"})
		}
		if len(f.Enum) > 0 {
			for i, v := range f.Enum {
				out = append(out, alt{value: v, source: fmt.Sprintf("schema enum value %d", i+1)})
			}
			continue
		}
		for _, t := range typesOf(f, depth) {
			out = append(out, g.typed(f, t)...)
		}
	}
	if depth >= nullFirstDepth {
		// Deep in a value, null (where a variant allows it) ends a
		// recursive schema soonest.
		slices.SortStableFunc(out, func(a, b alt) int { return nullRank(a) - nullRank(b) })
	}
	return out[:min(len(out), maxAlternatives)]
}

// nullRank sorts null values first.
func nullRank(a alt) int {
	if a.kind == "" && a.value == nil {
		return 0
	}
	return 1
}

// typed lists the alternatives of type t for the flat schema f.
func (g *searcher) typed(f *model.Schema, t string) []alt {
	const generated = "generated from the schema"
	var values []any
	switch t {
	case "object":
		out := []alt{{flat: f, kind: "object", source: generated}}
		for _, p := range f.Properties {
			if !f.IsRequired(p.Name) {
				return append(out, alt{flat: f, kind: "object", all: true, source: generated})
			}
		}
		return out
	case "array":
		return []alt{{flat: f, kind: "array", source: generated}}
	case "null":
		values = []any{nil}
	case "boolean":
		values = []any{false, true}
	case "integer", "number":
		values = numberValues(f, t == "integer")
	case "string":
		var hint string
		values, hint = stringValues(f)
		if hint != "" {
			g.hints[hint] = true
		}
	}
	out := make([]alt, len(values))
	for i, v := range values {
		out[i] = alt{value: v, source: generated}
	}
	return out
}

// realize builds the value of one alternative.
func (g *searcher) realize(a alt, ptr string, depth int) (any, error) {
	switch a.kind {
	case "object":
		return g.object(a.flat, a.all, ptr, depth)
	case "array":
		return g.array(a.flat, ptr, depth)
	}
	return a.value, nil
}

// object builds the required properties (all declared ones when all is
// set), then more until minProperties is met.
func (g *searcher) object(f *model.Schema, all bool, ptr string, depth int) (any, error) {
	var names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, n := range f.Required {
		add(n)
	}
	for _, p := range f.Properties {
		if all || f.MinProperties != nil && len(names) < *f.MinProperties {
			add(p.Name)
		}
	}
	for i := 1; f.MinProperties != nil && len(names) < *f.MinProperties && i <= 2**f.MinProperties; i++ {
		add(extraName(f, i))
	}
	// A member present may need others (dependencies: a needs b).
	for i := 0; i < len(names); i++ {
		for _, d := range f.Dependencies {
			if d.Name == names[i] {
				for _, n := range d.Required {
					add(n)
				}
			}
		}
	}
	obj := &object{values: map[string]any{}}
	for _, n := range names {
		sub, allowed := propertySchema(f, n)
		if !allowed {
			return nil, fmt.Errorf("at %s: property %q is required but additionalProperties forbids it", where(ptr), n)
		}
		v, err := g.build(sub, ptr+"/"+escapePointer(n), depth+1, 0)
		if err != nil {
			return nil, err
		}
		obj.keys = append(obj.keys, n)
		obj.values[n] = v
	}
	return obj, nil
}

// extraName is the name of the i-th member (from 1) added to reach
// minProperties: one a patternProperties pattern matches (with
// additionalProperties false, nothing else is allowed), else one of
// propertyNames' enum or matching its pattern, else extra<i>. Names made
// from a pattern grow by one character per member, so they differ.
func extraName(f *model.Schema, i int) string {
	var pattern string
	switch {
	case len(f.PatternProperties) > 0:
		pattern = f.PatternProperties[0].Name
	case f.PropertyNames != nil && len(f.PropertyNames.Enum) >= i:
		if s, ok := f.PropertyNames.Enum[i-1].(string); ok {
			return s
		}
	case f.PropertyNames != nil:
		pattern = f.PropertyNames.Pattern
	}
	if first, err := patternString(pattern, 0, -1); pattern != "" && err == nil {
		if i == 1 {
			return first
		}
		want := utf8.RuneCountInString(first) + i - 1
		if s, err := patternString(pattern, want, -1); err == nil && utf8.RuneCountInString(s) == want {
			return s
		}
	}
	return fmt.Sprintf("extra%d", i)
}

// propertySchema is the schema a member named n must meet: its
// property's, else a matching patternProperties entry's, else
// additionalProperties (nil: anything). allowed is false when
// additionalProperties is false and nothing else names n.
func propertySchema(f *model.Schema, n string) (s *model.Schema, allowed bool) {
	for _, p := range f.Properties {
		if p.Name == n {
			return p.Schema, true
		}
	}
	for _, p := range f.PatternProperties {
		if re, err := regexp.Compile(p.Name); err == nil && re.MatchString(n) {
			return p.Schema, true
		}
	}
	if ap := f.AdditionalProperties; ap != nil && ap.Bool != nil {
		return nil, *ap.Bool
	}
	return f.AdditionalProperties, true
}

// array builds minItems items (one when only contains asks for any).
func (g *searcher) array(f *model.Schema, ptr string, depth int) (any, error) {
	n := 0
	if f.MinItems != nil {
		n = *f.MinItems
	}
	if f.Contains != nil && n == 0 {
		n = 1
	}
	if n > maxArrayItems {
		return nil, fmt.Errorf("at %s: minItems %d is more items than the mock builds (%d)", where(ptr), n, maxArrayItems)
	}
	out := make([]any, 0, n)
	for i := range n {
		sub := f.Items
		if i < len(f.PrefixItems) {
			sub = f.PrefixItems[i]
		}
		if i == 0 && f.Contains != nil {
			sub = both(sub, f.Contains)
		}
		offset := 0
		if f.UniqueItems {
			offset = i
		}
		v, err := g.build(sub, ptr+"/"+strconv.Itoa(i), depth+1, offset)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// escapePointer escapes a member name for a JSON pointer (RFC 6901).
func escapePointer(name string) string {
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}

// object is a JSON object that keeps the order its members were built
// in (required properties first, in the schema's order), so a mock's
// payloads read like the document.
type object struct {
	keys   []string
	values map[string]any
}

// MarshalJSON writes the members in order.
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		b.Write(key)
		b.WriteByte(':')
		v, err := marshal(o.values[k])
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes a value as compact JSON without HTML escaping.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
