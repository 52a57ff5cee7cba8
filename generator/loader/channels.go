package loader

import (
	"fmt"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// addressParams returns the {names} of an address template in order of
// first appearance.
func addressParams(addr string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	rest := addr
	for {
		open := strings.IndexAny(rest, "{}")
		if open < 0 {
			return names, nil
		}
		if rest[open] == '}' {
			return nil, fmt.Errorf("address %q has a } without {", addr)
		}
		end := strings.IndexAny(rest[open+1:], "{}")
		if end < 0 || rest[open+1+end] == '{' {
			return nil, fmt.Errorf("address %q has a { without }", addr)
		}
		name := rest[open+1 : open+1+end]
		if name == "" {
			return nil, fmt.Errorf("address %q has an empty parameter {}", addr)
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
		rest = rest[open+1+end+1:]
	}
}

// declaredParam is a parameter as written under a channel's parameters.
type declaredParam struct {
	param *model.Parameter
	key   *node // the key node, where "declared but unused" is reported
}

// bindParameters orders the declared parameters as the address uses them.
// Real documents often leave a {name} undeclared, or keep a parameter the
// address no longer uses: both are warnings, not errors. An undeclared
// {name} becomes a parameter without a schema (a plain string). at is
// where address problems are reported.
func (l *loader) bindParameters(ch *model.Channel, at *node, atPtr string, declared []declaredParam) {
	byName := map[string]declaredParam{}
	for _, d := range declared {
		byName[d.param.Name] = d
	}
	names, err := addressParams(ch.Address)
	if err != nil {
		l.diags = append(l.diags, Diagnostic{Pos: at.pos(), Pointer: atPtr, Message: err.Error()})
		return
	}
	used := map[string]bool{}
	for _, name := range names {
		used[name] = true
		if d, ok := byName[name]; ok {
			ch.Parameters = append(ch.Parameters, d.param)
			continue
		}
		l.diags = append(l.diags, Diagnostic{Pos: at.pos(), Pointer: atPtr, Severity: Warning,
			Message: fmt.Sprintf("parameter {%s} in address %q is not declared under parameters; it is read as a plain string", name, ch.Address)})
		ch.Parameters = append(ch.Parameters, &model.Parameter{Loc: model.Loc{Pos: at.pos(), Pointer: atPtr}, Name: name})
	}
	if ch.Address == "" {
		return // 3.0: address unknown or dynamic, nothing to check against
	}
	for _, d := range declared {
		if !used[d.param.Name] {
			l.warnf(d.key, "parameter %q is declared but not used in address %q", d.param.Name, ch.Address)
		}
	}
}

// parameter reads a Parameter Object (2.x with schema, 3.0 with enum,
// default, examples).
func (l *loader) parameter(name string, v *node) *model.Parameter {
	if t := l.deref(v); t != nil && t.kind != mapNode {
		// A parameters map that is really something else (a $ref to a
		// schema, whose keys are then taken for parameter names).
		l.warnf(t, "parameter %q is not a Parameter Object: it is left out", name)
		return nil
	}
	o := l.asObject(v, "parameter")
	if o == nil {
		return &model.Parameter{Loc: v.loc(), Name: name}
	}
	p := &model.Parameter{
		Loc:         o.loc(),
		Name:        name,
		Description: l.str(o, "description"),
		Location:    l.str(o, "location"),
	}
	if l.doc.Major == 2 {
		p.Schema = l.schema(o.get("schema"))
		if s := p.Schema; s != nil {
			p.Enum = stringValues(s.Enum)
			if d, ok := s.Default.(string); ok {
				p.Default = d
			}
			p.Examples = stringValues(s.Examples)
			if p.Description == "" {
				p.Description = s.Description
			}
		}
		return p
	}
	p.Enum = l.strings(o, "enum")
	p.Default = l.str(o, "default")
	p.Examples = l.strings(o, "examples")
	return p
}

// stringValues returns vs when every value is a string, else nil.
func stringValues(vs []any) []string {
	var out []string
	for _, v := range vs {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}
