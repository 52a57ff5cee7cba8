package loader

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// inPlaceEdge is a subschema that applies to the same value as the schema
// holding it, and the keyword path it sits at ("allOf/0", "not").
type inPlaceEdge struct {
	to  *model.Schema
	key string
}

// inPlace lists the subschemas of s that a validator checks against the
// value s checks (draft-07 allOf, anyOf, oneOf, not, if/then/else and
// schema dependencies), as opposed to a property or an item of it.
func inPlace(s *model.Schema) []inPlaceEdge {
	var out []inPlaceEdge
	for _, l := range []struct {
		key  string
		list []*model.Schema
	}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
		for i, sub := range l.list {
			out = append(out, inPlaceEdge{sub, l.key + "/" + strconv.Itoa(i)})
		}
	}
	for _, one := range []struct {
		key string
		s   *model.Schema
	}{{"not", s.Not}, {"if", s.If}, {"then", s.Then}, {"else", s.Else}} {
		if one.s != nil {
			out = append(out, inPlaceEdge{one.s, one.key})
		}
	}
	for _, d := range s.Dependencies {
		if d.Schema != nil {
			out = append(out, inPlaceEdge{d.Schema, "dependencies/" + escapeToken(d.Name)})
		}
	}
	return out
}

// checkSchemaLoops refuses a schema that reaches itself through in-place
// keywords only (A: {allOf: [{$ref: A}, ...]}, or A: {anyOf: [B]} with B:
// {not: A}): no property or item lies between, so checking a value against
// it never ends, and no Go type can be made from it. A schema reaching
// itself through properties or items (a tree) is fine.
func (l *loader) checkSchemaLoops() {
	all := make([]*model.Schema, 0, len(l.schemas))
	for _, s := range l.schemas {
		all = append(all, s)
	}
	// Map order is random; diagnostics must not be.
	slices.SortFunc(all, func(a, b *model.Schema) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col), cmp.Compare(a.Pointer, b.Pointer))
	})
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[*model.Schema]int, len(all))
	type step struct {
		from *model.Schema
		key  string
	}
	var path []step
	var visit func(s *model.Schema)
	visit = func(s *model.Schema) {
		state[s] = onPath
		for _, e := range inPlace(s) {
			switch state[e.to] {
			case unseen:
				path = append(path, step{s, e.key})
				visit(e.to)
				path = path[:len(path)-1]
			case onPath:
				// The loop starts where e.to left the path (nowhere when
				// s refers to itself).
				start := len(path)
				for i := len(path) - 1; i >= 0 && e.to != s; i-- {
					if path[i].from == e.to {
						start = i
						break
					}
				}
				loop := append(slices.Clone(path[start:]), step{s, e.key})
				var via []string
				for _, st := range loop {
					via = append(via, schemaName(st.from)+"/"+st.key)
				}
				d := At(e.to.Loc, "schema reaches itself through %s -> %s with no property or item in between: "+
					"checking a value against it would never end", strings.Join(via, " -> "), schemaName(e.to))
				d.Err = ErrRefLoop
				l.diags = append(l.diags, d)
			}
		}
		state[s] = done
	}
	for _, s := range all {
		if state[s] == unseen {
			visit(s)
		}
	}
}

// schemaName is how a loop message names a schema: its JSON pointer.
func schemaName(s *model.Schema) string {
	return "#" + s.Pointer
}
