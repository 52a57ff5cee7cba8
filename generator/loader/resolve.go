package loader

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// fileEntry is a parsed file, or the fact that it could not be read
// (so a missing file is reported once per $ref, not re-read each time).
type fileEntry struct {
	root *node
	err  error
}

// remoteRef matches refs that carry a URI scheme (http:, https:, urn:...);
// a Windows drive letter ("C:") is one letter and does not match.
var remoteRef = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]+:`)

// file returns the parsed file at path, reading it on first use.
func (l *loader) file(path string) (*node, error) {
	if e, ok := l.files[path]; ok {
		return e.root, e.err
	}
	e := l.readFile(path)
	l.files[path] = e
	return e.root, e.err
}

func (l *loader) readFile(path string) *fileEntry {
	if len(l.files) >= maxFiles {
		return &fileEntry{err: fmt.Errorf("more than %d files reached through $refs: %w", maxFiles, ErrLimit)}
	}
	data, err := l.readRef(path)
	if err != nil {
		return &fileEntry{err: err}
	}
	l.totalSize += len(data)
	if l.totalSize > maxTotalSize {
		return &fileEntry{err: fmt.Errorf("files reached through $refs exceed %d bytes in total: %w", maxTotalSize, ErrLimit)}
	}
	root, err := l.parser.parse(path, data)
	if err != nil {
		le := err.(*limitError)
		// The problem is inside the other file: report it there too, so
		// the user sees the line to fix.
		l.diags = append(l.diags, Diagnostic{Pos: posAt(path, le.line, le.col), Pointer: le.ptr, Message: le.msg, Err: le.cause})
		return &fileEntry{err: fmt.Errorf("%s cannot be loaded", path)}
	}
	l.indexIDs(root)
	return &fileEntry{root: root}
}

// readRef reads a file a $ref names, if it lies inside the root.
func (l *loader) readRef(path string) ([]byte, error) {
	if err := l.root.check(path); err != nil {
		return nil, err
	}
	return l.src.read(path)
}

// causeOf returns the sentinel err wraps, for the diagnostic's Err.
func causeOf(err error) error {
	for _, s := range []error{ErrRefOutsideRoot, ErrLimit, ErrRemoteRef, ErrRefLoop} {
		if errors.Is(err, s) {
			return s
		}
	}
	return nil
}

// deref follows n while it is a Reference Object ({"$ref": ...}) and
// returns the object it finally stands for. It reports a broken, remote or
// looping ref as a diagnostic and returns nil. A nil n stays nil.
func (l *loader) deref(n *node) *node {
	if n == nil {
		return nil
	}
	var chain []string
	for hop := 0; ; hop++ {
		r := n.ref()
		if r == nil {
			return n
		}
		if hop >= maxRefHops {
			l.errorf(r, ErrLimit, "more than %d $refs in a chain", maxRefHops)
			return nil
		}
		target, key, err := l.lookup(r)
		if err != nil {
			l.diag(r, n.ptr, err)
			return nil
		}
		for _, seen := range chain {
			if seen == key {
				l.diags = append(l.diags, Diagnostic{Pos: r.pos(), Pointer: n.ptr,
					Message: fmt.Sprintf("$ref loop: %s -> %s", strings.Join(chain, " -> "), key), Err: ErrRefLoop})
				return nil
			}
		}
		chain = append(chain, key)
		n = target
	}
}

// refError is a problem with one $ref, with its sentinel cause.
type refError struct {
	msg   string
	cause error
}

func (e *refError) Error() string { return e.msg }
func (e *refError) Unwrap() error { return e.cause }

func refErrorf(cause error, format string, args ...any) error {
	return &refError{msg: fmt.Sprintf(format, args...), cause: cause}
}

// lookup resolves the $ref string node r (relative to r's file) to the node
// it names and a key "file#pointer" identifying that target.
func (l *loader) lookup(r *node) (*node, string, error) {
	// Each distinct ref (its text, relative to its file) is resolved once:
	// refs inside a pointer's path would otherwise multiply the work.
	memoKey := r.file + "\x00" + r.value
	if m, ok := l.lookupMemo[memoKey]; ok {
		if !m.done {
			return nil, "", refErrorf(ErrRefLoop, "$ref %q: its JSON pointer runs through $refs in a loop", r.value)
		}
		return m.target, m.key, m.err
	}
	m := &lookupResult{}
	l.lookupMemo[memoKey] = m
	m.target, m.key, m.err = l.lookupOnce(r)
	m.done = true
	return m.target, m.key, m.err
}

// lookupResult is a memoised lookup; done is false while it runs.
type lookupResult struct {
	target *node
	key    string
	err    error
	done   bool
}

func (l *loader) lookupOnce(r *node) (*node, string, error) {
	ref := r.value
	target, idPath, idFrag, found, err := l.lookupByID(r)
	switch {
	case err != nil:
		return nil, "", err
	case found:
		return target, target.file + "#" + target.ptr, nil
	case idPath != "":
		// Under an $id, a reference resolved to a file: URI.
		return l.lookupFile(ref, idPath, idFrag)
	}
	if remoteRef.MatchString(ref) {
		return nil, "", refErrorf(ErrRemoteRef, "$ref %q is remote: only local files and #/pointers are supported, nothing is fetched; save the file next to the document and refer to it by a relative path", ref)
	}
	filePart, frag, _ := strings.Cut(ref, "#")
	path := r.file
	if filePart != "" {
		p, err := url.PathUnescape(filePart)
		if err != nil {
			return nil, "", refErrorf(nil, "$ref %q: bad %%-escape in the file name", ref)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(r.file), filepath.FromSlash(p))
		}
		path = filepath.Clean(p)
	}
	return l.lookupFile(ref, path, frag)
}

// lookupFile resolves the JSON pointer frag (still %-escaped) in the file
// at path, for the $ref ref.
func (l *loader) lookupFile(ref, path, frag string) (*node, string, error) {
	root, err := l.file(path)
	if err != nil {
		return nil, "", refErrorf(causeOf(err), "$ref %q: %v", ref, err)
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return nil, "", refErrorf(nil, "$ref %q: bad %%-escape in the JSON pointer", ref)
	}
	target, err := l.walk(root, ptr)
	if err != nil {
		return nil, "", refErrorf(nil, "$ref %q: %v", ref, err)
	}
	return target, path + "#" + target.ptr, nil
}

// walk evaluates the JSON pointer ptr from root. A Reference Object met on
// the way is followed, as AsyncAPI tools do for pointers such as
// "#/components/messages/x/payload" where x is itself a $ref.
func (l *loader) walk(root *node, ptr string) (*node, error) {
	if ptr == "" {
		return root, nil
	}
	if ptr[0] != '/' {
		return nil, fmt.Errorf("JSON pointer %q must start with /", ptr)
	}
	n := root
	for _, raw := range strings.Split(ptr[1:], "/") {
		tok := unescapeToken(raw)
		for hop := 0; n.ref() != nil && n.get(tok) == nil; hop++ {
			if hop >= maxRefHops {
				return nil, fmt.Errorf("more than %d $refs in a chain: %w", maxRefHops, ErrLimit)
			}
			next, _, err := l.lookup(n.ref())
			if err != nil {
				return nil, err
			}
			n = next
		}
		switch n.kind {
		case mapNode:
			next := n.get(tok)
			if next == nil {
				return nil, fmt.Errorf("%s has no %q", describe(n), tok)
			}
			n = next
		case seqNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.list) || (len(tok) > 1 && tok[0] == '0') {
				return nil, fmt.Errorf("%s has no item %q", describe(n), tok)
			}
			n = n.list[i]
		default:
			return nil, fmt.Errorf("%s is not an object or array, cannot go into %q", describe(n), tok)
		}
	}
	return n, nil
}

// describe names a node for messages: "file#/pointer", or "file" for a root.
func describe(n *node) string {
	if n.ptr == "" {
		return n.file
	}
	return n.file + "#" + n.ptr
}

// textRef reads the file a $ref names as plain text when the ref has no
// fragment and the file is not JSON or YAML (".md", ".txt"...).
func (l *loader) textRef(r *node) (string, bool) {
	filePart, frag, _ := strings.Cut(r.value, "#")
	if frag != "" || filePart == "" || remoteRef.MatchString(filePart) {
		return "", false
	}
	switch strings.ToLower(filepath.Ext(filePart)) {
	case ".json", ".yaml", ".yml":
		return "", false
	}
	p, err := url.PathUnescape(filePart)
	if err != nil {
		return "", false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(r.file), filepath.FromSlash(p))
	}
	data, err := l.readRef(filepath.Clean(p))
	if err != nil {
		l.errorf(r, causeOf(err), "$ref %q: %v", r.value, err)
		return "", true
	}
	l.totalSize += len(data)
	if l.totalSize > maxTotalSize {
		l.errorf(r, ErrLimit, "files reached through $refs exceed %d bytes in total", maxTotalSize)
		return "", true
	}
	return string(data), true
}
