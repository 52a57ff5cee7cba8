package ir

import (
	"fmt"
	"go/token"
	"strconv"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// owner is what claimed an identifier, for messages.
type owner struct {
	what     string // `channel "temperature"`
	loc      model.Loc
	explicit bool // the name is an x-go-name
	fixed    bool // a declaration every package has (Client, NewClient...)
	// quiet: the identifiers are unexported, so a rename is nobody's
	// concern and is not warned about.
	quiet bool
}

// candidate is one source of a naming chain: a base name and where it
// comes from.
type candidate struct {
	base     string
	source   string // "x-go-name", "the channel key", ...
	explicit bool
}

// namespace is one scope of identifiers: the package's (with methods and
// fields written Type.Name) or one struct's fields.
type namespace struct {
	owners map[string]owner
	diags  *loader.Diagnostics
}

func newNamespace(diags *loader.Diagnostics) *namespace {
	return &namespace{owners: map[string]owner{}, diags: diags}
}

// free reports whether none of ids is taken.
func (ns *namespace) free(ids []string) bool {
	for _, id := range ids {
		if _, taken := ns.owners[id]; taken {
			return false
		}
	}
	return true
}

// take records ids for o.
func (ns *namespace) take(o owner, ids []string) {
	for _, id := range ids {
		ns.owners[id] = o
	}
}

// reserve claims the package's fixed declarations.
func (ns *namespace) reserve(what string, ids ...string) {
	ns.take(owner{what: what, fixed: true}, ids)
}

// claim gives o the first candidate whose identifiers (idents of the base)
// are all free, else the first candidate with the smallest free numeric
// suffix from 2; taking any but the first candidate is a warning. An
// explicit candidate (x-go-name) that is taken is an error: a user's own
// name is never changed. Candidates with an empty or unusable base are
// skipped. It returns "" only when no candidate is usable.
func (ns *namespace) claim(o owner, cands []candidate, idents func(base string) []string) string {
	var usable []candidate
	for _, c := range cands {
		if c.base != "" && token.IsIdentifier(c.base) && token.IsExported(c.base) {
			usable = append(usable, c)
		}
	}
	if len(usable) == 0 {
		*ns.diags = append(*ns.diags, loader.At(o.loc, "%s: no Go name can be made from it; set x-go-name", o.what))
		return ""
	}
	first := usable[0]
	if first.explicit {
		o.explicit = true
		ids := idents(first.base)
		if clash, ok := ns.clash(ids); ok {
			*ns.diags = append(*ns.diags, loader.At(o.loc, "%s: x-go-name %q makes %s, which %s; choose another x-go-name",
				o.what, first.base, clash.id, clash.describe()))
		}
		ns.take(o, ids)
		return first.base
	}
	clash, _ := ns.clash(idents(first.base))
	for _, c := range usable {
		if ids := idents(c.base); ns.free(ids) {
			ns.take(o, ids)
			if c != first {
				ns.renamed(o, first, clash, c.base, c.source)
			}
			return c.base
		}
	}
	for i := 2; ; i++ {
		base := first.base + strconv.Itoa(i)
		if ids := idents(base); ns.free(ids) {
			ns.take(o, ids)
			ns.renamed(o, first, clash, base, "a numeric suffix")
			return base
		}
	}
}

// clashOf is an identifier that is taken, and by whom.
type clashOf struct {
	id string
	by owner
}

func (c clashOf) describe() string {
	switch {
	case c.by.fixed:
		return "every generated package declares (" + c.by.what + ")"
	case c.by.loc.Pos.File != "":
		return fmt.Sprintf("%s also makes (%s)", c.by.what, posString(c.by.loc.Pos))
	}
	return c.by.what + " also makes"
}

// clash returns the first of ids that is taken.
func (ns *namespace) clash(ids []string) (clashOf, bool) {
	for _, id := range ids {
		if by, taken := ns.owners[id]; taken {
			return clashOf{id: id, by: by}, true
		}
	}
	return clashOf{}, false
}

// renamed warns that o did not get its first candidate, which clash
// explains.
func (ns *namespace) renamed(o owner, first candidate, clash clashOf, got, how string) {
	if o.quiet {
		return
	}
	why := "is taken: " + clash.id + " is what " + clash.by.whatShort()
	*ns.diags = append(*ns.diags, warning(o.loc, "%s is named %s (from %s) because %s (from %s) %s; set x-go-name to choose",
		o.what, got, how, first.base, first.source, why))
}

// private claims an unexported identifier built on base (a descriptor
// or codec variable), with a numeric suffix when it is taken.
func (ns *namespace) private(what string, loc model.Loc, base string) string {
	name := base
	for i := 2; !ns.free([]string{name}); i++ {
		name = base + strconv.Itoa(i)
	}
	ns.take(owner{what: what, loc: loc, quiet: true}, []string{name})
	return name
}

func (o owner) whatShort() string {
	switch {
	case o.fixed:
		return o.what + " declares"
	case o.loc.Pos.File != "":
		return fmt.Sprintf("%s (%s) makes", o.what, posString(o.loc.Pos))
	}
	return o.what + " makes"
}

func posString(p model.Pos) string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// warning builds a warning diagnostic at loc.
func warning(loc model.Loc, format string, args ...any) loader.Diagnostic {
	d := loader.At(loc, format, args...)
	d.Severity = loader.Warning
	return d
}
