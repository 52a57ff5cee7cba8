package gen

import "unsafe"

// The fused path: with validation on, a plan whose schema keywords can all
// be checked while its value is read (the usual payload: an object of
// typed properties with bounds, lengths, patterns, required members)
// decodes and validates in one pass. Any doubt (a broken rule, a keyword
// checked elsewhere, a syntax error) abandons the pass: the payload then
// takes the two-pass path (validator, or jsonschema/v5, then a plain
// decode), which gives the verdict and the error.

// markLocal decides, once the plans are built, which ones check their own
// keywords inline; the others hand their value to the validator. It runs
// under the bundle's lock and touches only plans not marked before: the
// others may be read by codecs decoding concurrently.
func markLocal(plans map[planKey]*plan) {
	for _, p := range plans {
		if p.marked {
			continue
		}
		p.marked = true
		p.local = p.isLocal()
		for i, f := range p.fields {
			if f.required && i < 64 {
				p.requiredMask |= 1 << i
			}
		}
	}
}

func (p *plan) isLocal() bool {
	n := p.schema
	switch {
	case p.kind == kRaw || p.kind == kTime || p.kind == kBytes || p.kind == kStd || p.kind == kSum || p.kind == kMap:
		return false
	case n == nil || n.always > 0:
		return true
	case n.inexact || n.always < 0 || n.applies || n.ref != nil || n.cnst != nil:
		return false
	}
	if n.enum != nil {
		if p.kind != kString {
			return false
		}
		for _, k := range n.enum {
			if _, ok := k.v.(string); !ok {
				return false
			}
		}
	}
	switch p.kind {
	case kStruct:
		if n.patterns != nil || n.propNames != nil || n.deps != nil || n.minProps >= 0 || n.maxProps >= 0 ||
			len(p.fields) > 64 || p.patterns != nil {
			return false
		}
		for _, r := range n.required {
			if p.lookup([]byte(n.names[r])) < 0 {
				return false
			}
		}
	case kSlice:
		return !n.unique && n.contains == nil && !n.isTuple
	}
	return true
}

// doubt abandons the fused pass.
func (d *decoder) doubt() bool {
	d.unsure = true
	return false
}

// checked validates the value at the scanner with the validator, then
// decodes it without checks.
func (d *decoder) checked(p *plan, ptr unsafe.Pointer, depth int) bool {
	d.sc.skipSpace()
	start := d.sc.pos
	if p.schema != nil && p.schema.check(&d.sc, depth) != valid {
		return d.doubt()
	}
	d.sc.reset(start)
	d.check = false
	ok := d.value(p, ptr, depth)
	d.check = true
	return ok
}

// allows reports whether n's type admits values of type bit (any type when
// n says nothing).
func allows(n *vnode, bit uint8) bool {
	return n == nil || n.always > 0 || n.types == 0 || n.types&bit != 0
}

// inEnum reports whether s is one of n's (string) enum values.
func inEnum(n *vnode, s []byte) bool {
	for _, k := range n.enum {
		if k.v.(string) == string(s) {
			return true
		}
	}
	return false
}
