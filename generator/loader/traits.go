package loader

// applyTraits merges the traits listed in obj into obj and returns the
// result (a new node; obj is untouched). The versions differ in who wins:
//
//   - 2.x: "Traits MUST be merged into the [object] using the JSON Merge
//     Patch algorithm in the same order they are defined", i.e. each trait
//     is a patch applied to the object, so a trait's value wins.
//   - 3.0: traits are merged in order and "if the same property is defined
//     in both the trait and the object, the object's value wins".
func (l *loader) applyTraits(obj *node) *node {
	list := l.list(obj, "traits")
	if len(list) == 0 {
		return obj
	}
	var traits []*node
	for _, t := range list {
		if o := l.asObject(t, "trait"); o != nil {
			traits = append(traits, o)
		}
	}
	var out *node
	if l.doc.Major == 2 {
		out = obj
		for _, t := range traits {
			out = l.mergePatch(out, t)
		}
	} else {
		for _, t := range traits {
			out = l.mergePatch(out, t)
		}
		out = l.mergePatch(out, obj)
	}
	merged := *out
	merged.file, merged.line, merged.col, merged.ptr = obj.file, obj.line, obj.col, obj.ptr
	merged.keys, merged.vals, merged.index = nil, nil, nil
	for i, k := range out.keys {
		if k.value != "traits" {
			merged.appendEntry(k, out.vals[i])
		}
	}
	return &merged
}

// mergePatch applies patch to target as RFC 7386 describes, without
// modifying either. Reference Objects are followed on both sides before
// merging, since the spec merges the documents' meaning, not their $refs.
func (l *loader) mergePatch(target, patch *node) *node {
	if patch.ref() != nil {
		if p := l.deref(patch); p != nil {
			patch = p
		}
	}
	if patch.kind != mapNode {
		return patch
	}
	if target != nil && target.ref() != nil {
		target = l.deref(target)
	}
	out := &node{kind: mapNode, file: patch.file, line: patch.line, col: patch.col, ptr: patch.ptr}
	if target.isMap() {
		out.file, out.line, out.col, out.ptr = target.file, target.line, target.col, target.ptr
		out.synthetic = true
		// No index on out: the loop below removes keys in place.
		out.keys = append(out.keys, target.keys...)
		out.vals = append(out.vals, target.vals...)
	}
	for i, k := range patch.keys {
		v := patch.vals[i]
		at := -1
		for j, have := range out.keys {
			if have.value == k.value {
				at = j
				break
			}
		}
		switch {
		case v.isNull() && at >= 0:
			out.keys = append(out.keys[:at:at], out.keys[at+1:]...)
			out.vals = append(out.vals[:at:at], out.vals[at+1:]...)
		case v.isNull():
		case at >= 0:
			out.vals[at] = l.mergePatch(out.vals[at], v)
		default:
			// Used as is (not copied) so that a schema a trait adds keeps
			// its identity: one model value however many messages use it.
			out.keys = append(out.keys, k)
			out.vals = append(out.vals, v)
		}
	}
	return out
}
