package loader

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// schemaIDs indexes the JSON Schema $ids of the files read so far, so that
// a $ref resolves as JSON Schema (draft-07) says: against the base URI the
// $ids around it set, and to the schema that declares the URI it names,
// by $id or by plain-name fragment ($id: "#foo"). Only what no $id
// resolves falls back to files and JSON pointers, as AsyncAPI's own
// references do.
type schemaIDs struct {
	// byURI maps an absolute URI without fragment (a resource's $id), or
	// with a plain-name fragment (an anchor), to its schema.
	byURI map[string]*node
	// base maps a $ref string node under an $id to the base URI it
	// resolves against; refs outside every $id are not listed.
	base map[*node]*url.URL
}

// dataKeywords hold JSON values, not schemas: an "$id" in them is data.
var dataKeywords = map[string]bool{"enum": true, "const": true, "examples": true, "example": true, "default": true}

// fileURI is the base URI of a file that sets none.
func fileURI(path string) *url.URL {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return &url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
}

// indexIDs records the $ids of a newly parsed file. Draft-07 ignores every
// keyword beside $ref, $id included.
func (l *loader) indexIDs(root *node) {
	if l.ids.byURI == nil {
		l.ids = schemaIDs{byURI: map[string]*node{}, base: map[*node]*url.URL{}}
	}
	var walk func(n *node, base *url.URL, underID bool)
	walk = func(n *node, base *url.URL, underID bool) {
		switch n.kind {
		case mapNode:
			if id := n.get("$id"); id != nil && id.kind == scalarNode && n.ref() == nil {
				if u, err := url.Parse(id.value); err == nil {
					abs := base.ResolveReference(u)
					if u.Scheme == "" && u.Host == "" && u.Path == "" && u.Fragment != "" {
						// A plain-name fragment names this schema; the base
						// stays.
						l.claimID(abs.String(), n)
					} else {
						abs.Fragment = ""
						l.claimID(abs.String(), n)
						base, underID = abs, true
					}
				}
			}
			if r := n.ref(); r != nil && underID {
				l.ids.base[r] = base
			}
			for i, k := range n.keys {
				if !dataKeywords[k.value] {
					walk(n.vals[i], base, underID)
				}
			}
		case seqNode:
			for _, item := range n.list {
				walk(item, base, underID)
			}
		}
	}
	walk(root, fileURI(root.file), false)
}

// readable reports whether the file at p lies inside the root and is a
// regular file.
func (l *loader) readable(p string) bool {
	if l.root.check(p) != nil {
		return false
	}
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// claimID records uri for n unless a schema read earlier has it.
func (l *loader) claimID(uri string, n *node) {
	if _, taken := l.ids.byURI[uri]; !taken {
		l.ids.byURI[uri] = n
	}
}

// lookupByID resolves ref r by JSON Schema's rules when they apply: r lies
// under an $id, names a plain-name fragment (#foo), or is an absolute URI.
// found is false when no $id answers it and the ref is a file path the
// caller resolves; path then is that file, frag its fragment.
func (l *loader) lookupByID(r *node) (target *node, path, frag string, found bool, err error) {
	base, under := l.ids.base[r]
	// A plain name ("#foo") is an anchor; "#a/b" is a pointer missing
	// its slash, which the caller reports.
	anchor := strings.HasPrefix(r.value, "#") && len(r.value) > 1 && !strings.Contains(r.value, "/")
	absolute := remoteRef.MatchString(r.value)
	if !under && !anchor && !absolute {
		return nil, "", "", false, nil
	}
	if !under {
		base = fileURI(r.file)
	}
	u, perr := url.Parse(r.value)
	if perr != nil {
		return nil, "", "", false, refErrorf(nil, "$ref %q is not a URI reference: %v", r.value, perr)
	}
	abs := base.ResolveReference(u)
	fragment := abs.Fragment
	abs.Fragment = ""
	if n, ok := l.ids.byURI[abs.String()]; ok {
		switch {
		case fragment == "":
			return n, "", "", true, nil
		case fragment[0] == '/':
			t, werr := l.walk(n, fragment)
			if werr != nil {
				return nil, "", "", false, refErrorf(nil, "$ref %q: %v", r.value, werr)
			}
			return t, "", "", true, nil
		}
		if t, ok := l.ids.byURI[abs.String()+"#"+fragment]; ok {
			return t, "", "", true, nil
		}
		return nil, "", "", false, refErrorf(nil, "$ref %q: no schema has $id %q", r.value, "#"+fragment)
	}
	if fragment != "" && fragment[0] != '/' {
		// An anchor of a file that has no $id of its own.
		if t, ok := l.ids.byURI[abs.String()+"#"+fragment]; ok {
			return t, "", "", true, nil
		}
	}
	if abs.Scheme != "file" {
		if !absolute {
			// Schemas published under an $id often refer to their
			// neighbours by relative paths that are also where the files
			// lie beside them: AsyncAPI tools read those files, and so
			// does mqttgen when they are there.
			filePart, frag, _ := strings.Cut(r.value, "#")
			p, _ := url.PathUnescape(filePart)
			if p = filepath.Join(filepath.Dir(r.file), filepath.FromSlash(p)); l.readable(p) {
				return nil, filepath.Clean(p), frag, false, nil
			}
		}
		if absolute {
			// No $id of the documents answers it: the caller reports a
			// remote ref.
			return nil, "", "", false, nil
		}
		return nil, "", "", false, refErrorf(ErrRemoteRef, "$ref %q is remote (%s): only local files, #/pointers and the document's own $ids are supported, nothing is fetched; save the file next to the document and refer to it by a relative path", r.value, abs)
	}
	if fragment != "" && fragment[0] != '/' {
		return nil, "", "", false, refErrorf(nil, "$ref %q: no schema has $id %q", r.value, "#"+fragment)
	}
	return nil, filepath.FromSlash(abs.Path), fragment, false, nil
}

// fileForURI maps an absolute URI under a published $id to the file that
// lies where the URI says, beside the file whose root declared that $id:
// the same neighbours lookupByID reads for relative refs.
func (l *loader) fileForURI(uri string) (string, bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", false
	}
	for id, n := range l.ids.byURI {
		if n.ptr != "" {
			continue // only a file's own $id says where the file is published
		}
		b, err := url.Parse(id)
		if err != nil || b.Scheme != u.Scheme || b.Host != u.Host {
			continue
		}
		dir := path.Dir(b.Path) + "/"
		rel, ok := strings.CutPrefix(u.Path, dir)
		if !ok {
			continue
		}
		p := filepath.Join(filepath.Dir(n.file), filepath.FromSlash(rel))
		if l.readable(p) {
			return p, true
		}
	}
	return "", false
}
