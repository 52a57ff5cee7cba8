package generator

import (
	"strconv"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/generator/naming"
	"github.com/mqttgen/mqttgen/templates"
)

// AssignTypeNames fills Schema.GoName for every schema that becomes a named
// Go type (objects, enums, oneOf/anyOf sums, and schemas that must be named
// to break a recursive cycle of slices or maps) and Property.GoName for the
// fields of every struct.
//
// A type's name is, in order of preference: its x-go-name; its
// components/schemas key; its title; for a message payload the message's
// name (headers add "Headers"); for a nested schema the parent's name plus
// the property name ("Item" for array items, "Value" for map values, the
// variant's tag or "Variant<n>" for sum variants). All are PascalCase with
// Go initialisms (ID, URL, UUID...).
//
// Collisions are resolved deterministically: names are claimed first by
// every x-go-name, then in walk order (component schemas sorted by key,
// then message payloads and headers in document order, each depth-first in
// property order); a later claimant of a taken name gets the smallest free
// numeric suffix, starting at 2 ("Location", "Location2"). Two schemas with
// the same x-go-name, and allOf parts that define one property
// differently, are errors. A field name is the PascalCase property name
// (x-go-name on a property whose schema is not a named type overrides it),
// made unique inside its struct the same way.
func AssignTypeNames(doc *model.Document) error {
	n := &typeNamer{taken: map[string]*model.Schema{}, visited: map[*model.Schema]bool{}}
	for _, r := range reservedTypeNames(doc) {
		n.taken[r] = reservedMarker
	}
	n.claimExplicit(doc)
	for _, s := range doc.Schemas {
		n.name(s, naming.Pascal(s.Key))
	}
	for _, m := range doc.Messages {
		base := m.GoName
		if base == "" {
			base = naming.Pascal(m.Name)
		}
		if base == "" {
			base = naming.Pascal(m.Key)
		}
		if base == "" {
			base = "Payload"
		}
		n.name(m.Payload, base)
		n.name(m.Headers, base+"Headers")
	}
	n.breakCycles(doc)
	n.nameFields(doc)
	n.checkConsts(doc)
	if len(n.diags) > 0 {
		n.diags.Sort()
		return n.diags
	}
	return nil
}

// reservedMarker stands for names the rest of the generated package uses.
var reservedMarker = &model.Schema{}

// reservedTypeNames are identifiers the other emitters declare at package
// level (see templates/client.go, topics.go, messages.go, subscribe.go,
// servers.go), so no schema type may take them; a schema that wants one
// gets a suffix.
func reservedTypeNames(doc *model.Document) []string {
	out := []string{"Client", "ClientOption", "NewClient", "WithErrorHandler", "WithoutValidation",
		"WithMaxPayloadSize", "PublishOption", "WithQoS", "WithRetain", "SubscribeOption",
		"WithShareGroup", "ServerURLs", templates.ReceivedType}
	// templates/servers.go: Server<Name>URL and Server<Name>Options, with
	// the server's position for a name that has no letters or digits.
	for i, srv := range doc.Servers {
		id := "Server" + naming.Pascal(srv.Name)
		if id == "Server" {
			id = "Server" + strconv.Itoa(i+1)
		}
		out = append(out, id+"URL", id+"Options")
	}
	for _, c := range doc.Channels {
		if c.GoName == "" {
			continue
		}
		out = append(out, c.GoName+"Params", c.GoName+"Address", "Parse"+c.GoName+"Topic", "With"+c.GoName+"Params")
		if len(c.Messages) > 1 {
			out = append(out, c.GoName+"Payload")
		}
		for _, p := range c.Parameters {
			if len(p.Enum) > 0 && p.GoName != "" {
				out = append(out, c.GoName+p.GoName)
			}
		}
	}
	for _, o := range doc.Operations {
		if o.GoName == "" {
			continue
		}
		out = append(out, o.GoName+"Message")
		if len(o.Messages) > 1 {
			out = append(out, o.GoName+"Payload")
		}
	}
	return out
}

type typeNamer struct {
	taken   map[string]*model.Schema
	visited map[*model.Schema]bool
	diags   loader.Diagnostics
}

// claimExplicit gives every named-kind schema with x-go-name its name
// before any derived name is handed out.
func (n *typeNamer) claimExplicit(doc *model.Document) {
	templates.WalkSchemas(doc, func(s *model.Schema) {
		x := s.Extension("x-go-name")
		core, _ := templates.Unwrap(s)
		if x == "" || core != s || !templates.KindOf(s).Named() {
			return
		}
		name := x
		if !naming.IsIdentifier(name) {
			name = naming.Pascal(x)
		}
		if name == "" {
			n.diags = append(n.diags, loader.At(s.Loc, "x-go-name %q is not a usable Go name", x))
			return
		}
		if prev, ok := n.taken[name]; ok && prev != s {
			n.diags = append(n.diags, loader.At(s.Loc, "x-go-name %q is already the name of another type", x))
			return
		}
		n.taken[name] = s
		s.GoName = name
	})
}

// claim gives s the name base, or base with the smallest free suffix.
func (n *typeNamer) claim(s *model.Schema, base string) {
	if s.GoName != "" {
		return
	}
	name := base
	for i := 2; n.taken[name] != nil; i++ {
		name = base + strconv.Itoa(i)
	}
	n.taken[name] = s
	s.GoName = name
}

// name names s (when it becomes a named type) and everything nested in it,
// with suggested as the derived name if s has no key or title.
func (n *typeNamer) name(s *model.Schema, suggested string) {
	if s == nil {
		return
	}
	core, _ := templates.Unwrap(s)
	if core == nil || n.visited[core] {
		return
	}
	n.visited[core] = true
	kind := templates.KindOf(core)
	self := suggested
	if kind.Named() {
		base := naming.Pascal(core.Key)
		if base == "" {
			base = naming.Pascal(core.Title)
		}
		if base == "" {
			base = suggested
		}
		if base == "" {
			base = "Type"
		}
		n.claim(core, base)
		self = core.GoName
	}
	switch kind {
	case templates.KindStruct:
		obj, conflicts := templates.MergeObject(core)
		for _, c := range conflicts {
			n.diags = append(n.diags, loader.At(c.Loc, "property %q is defined differently by two allOf parts", c.Name))
		}
		for _, p := range obj.Properties {
			n.name(p.Schema, self+naming.Pascal(p.Name))
		}
		if obj.Extra != nil {
			n.name(obj.Extra, self+"Value")
		}
		// Component parts keep their own names; they may be used alone.
		for _, part := range core.AllOf {
			if part.Key != "" {
				n.name(part, naming.Pascal(part.Key))
			}
		}
	case templates.KindSum:
		plan := templates.PlanSum(core)
		for i, v := range plan.Variants {
			suffix := "Variant" + strconv.Itoa(i+1)
			if plan.Tags != nil && naming.Pascal(plan.Tags[i]) != "" {
				suffix = naming.Pascal(plan.Tags[i])
			}
			n.name(v, self+suffix)
		}
	case templates.KindArray:
		n.name(core.Items, self+"Item")
	case templates.KindMap:
		n.name(core.AdditionalProperties, self+"Value")
		for _, p := range core.PatternProperties {
			n.name(p.Schema, self+"Value")
		}
	}
}

// breakCycles names unnamed slices and maps that contain themselves
// (type Tree []Tree), which Go can only express through a named type.
func (n *typeNamer) breakCycles(doc *model.Document) {
	onStack := map[*model.Schema]bool{}
	done := map[*model.Schema]bool{}
	var visit func(s *model.Schema, suggested string)
	visit = func(s *model.Schema, suggested string) {
		core, _ := templates.Unwrap(s)
		if core == nil || core.GoName != "" || done[core] {
			return
		}
		if onStack[core] {
			base := naming.Pascal(core.Key)
			if base == "" {
				base = naming.Pascal(core.Title)
			}
			if base == "" {
				base = suggested
			}
			n.claim(core, base)
			return
		}
		onStack[core] = true
		switch templates.KindOf(core) {
		case templates.KindArray:
			visit(core.Items, suggested+"Item")
		case templates.KindMap:
			visit(core.AdditionalProperties, suggested+"Value")
			for _, p := range core.PatternProperties {
				visit(p.Schema, suggested+"Value")
			}
		}
		delete(onStack, core)
		done[core] = true
	}
	for _, s := range doc.Schemas {
		visit(s, naming.Pascal(s.Key))
	}
	templates.WalkSchemas(doc, func(s *model.Schema) { visit(s, "List") })
}

// reservedFields are method and field names of generated types that a
// property must not take.
var reservedFields = map[string]bool{"MarshalJSON": true, "UnmarshalJSON": true, "Valid": true, templates.ExtrasField: true}

// nameFields names the fields of every struct.
func (n *typeNamer) nameFields(doc *model.Document) {
	for _, s := range templates.NamedSchemas(doc) {
		if templates.KindOf(s) != templates.KindStruct {
			continue
		}
		obj, _ := templates.MergeObject(s)
		used := map[string]bool{}
		for r := range reservedFields {
			used[r] = true
		}
		for i, p := range obj.Properties {
			if p.GoName != "" {
				if used[p.GoName] {
					n.diags = append(n.diags, loader.At(p.Loc, "field name %s of property %q is already used in type %s", p.GoName, p.Name, s.GoName))
				}
				used[p.GoName] = true
				continue
			}
			base := naming.Pascal(p.Name)
			if x := p.Schema.Extension("x-go-name"); x != "" && !templates.KindOf(p.Schema).Named() {
				base = naming.Pascal(x)
			}
			if base == "" {
				base = "Field" + strconv.Itoa(i+1)
			}
			name := base
			for k := 2; used[name]; k++ {
				name = base + strconv.Itoa(k)
			}
			used[name] = true
			p.GoName = name
		}
	}
}

// checkConsts reports enum and const constants that collide with a type
// name or with each other; renaming them silently would surprise users.
func (n *typeNamer) checkConsts(doc *model.Document) {
	owner := map[string]*model.Schema{}
	for name, s := range n.taken {
		owner[name] = s
	}
	for _, s := range templates.NamedSchemas(doc) {
		for _, c := range templates.DeclaredConsts(s) {
			if prev, ok := owner[c]; ok && prev != s {
				n.diags = append(n.diags, loader.At(s.Loc, "constant %s of type %s collides with another declaration of that name; set x-go-name to rename one", c, s.GoName))
				continue
			}
			owner[c] = s
		}
	}
}
