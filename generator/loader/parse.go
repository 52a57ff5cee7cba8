package loader

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Safety bounds for hostile input. Real AsyncAPI documents stay far below
// them; they exist so that a crafted file fails fast instead of exhausting
// memory or time.
const (
	maxFileSize    = 10 << 20 // bytes per file
	maxTotalSize   = 64 << 20 // bytes over all files of one document
	maxFiles       = 1000     // files reached through $refs
	maxDepth       = 400      // nesting of mappings and sequences
	maxAliasNodes  = 200_000  // nodes created by expanding YAML aliases
	maxRefHops     = 64       // $ref -> $ref chain length
	maxSchemaDepth = 5000     // schemas nested through properties, items and $refs
)

// parser turns YAML or JSON bytes into nodes; it keeps the alias budget
// across all files of one load.
type parser struct {
	aliasNodes int
}

// limitError is a problem with the input as a whole; it becomes a
// diagnostic at the position it names.
type limitError struct {
	line, col int
	ptr       string
	msg       string
	cause     error
}

func (e *limitError) Error() string { return e.msg }

// parse reads data (YAML or JSON) into a node tree. Errors are
// *limitError with a position.
func (p *parser) parse(file string, data []byte) (root *node, err error) {
	if len(data) > maxFileSize {
		return nil, &limitError{line: 1, col: 1, msg: fmt.Sprintf("file is %d bytes, more than the %d allowed", len(data), maxFileSize), cause: ErrLimit}
	}
	if !looksLikeJSON(data) {
		return p.parseYAML(file, data)
	}
	root, jerr := parseJSON(file, data)
	if jerr == nil {
		return root, nil
	}
	if jerr.cause != nil {
		return nil, jerr
	}
	// Not JSON after all, but perhaps a YAML flow mapping with a quoted
	// first key; when YAML cannot read it either, the JSON error, with
	// its column, says more.
	if root, err := p.parseYAML(file, data); err == nil {
		return root, nil
	}
	return nil, jerr
}

// parseYAML reads data as YAML.
func (p *parser) parseYAML(file string, data []byte) (root *node, err error) {
	var doc, next yaml.Node
	func() {
		// yaml.v3 is mature but not written for hostile input; a panic in
		// it must still become an error, never a crash of the generator.
		defer func() {
			if r := recover(); r != nil {
				err = &limitError{line: 1, col: 1, msg: fmt.Sprintf("cannot parse: %v", r)}
			}
		}()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err = dec.Decode(&doc); err == io.EOF {
			err = nil // an empty file: reported below
		}
		// A document after the first would be left out unseen; an empty
		// or null one (a trailing ---) says nothing.
		for err == nil {
			next = yaml.Node{}
			if err = dec.Decode(&next); err == io.EOF {
				err = nil
				break
			}
			if err == nil && len(next.Content) > 0 && next.Content[0].ShortTag() != "!!null" {
				err = &limitError{line: next.Content[0].Line, col: next.Content[0].Column,
					msg: "the file holds more than one YAML document (---); an AsyncAPI document is one"}
			}
		}
	}()
	if err != nil {
		if le, ok := err.(*limitError); ok {
			return nil, le
		}
		return nil, syntaxError(err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, &limitError{line: 1, col: 1, msg: "empty document", cause: ErrNotAsyncAPI}
	}
	c := converter{p: p, file: file}
	root = c.convert(doc.Content[0], "", 0, false)
	if c.err != nil {
		return nil, c.err
	}
	return root, nil
}

// syntaxError extracts yaml.v3's "yaml: line N: msg" into a position.
func syntaxError(err error) *limitError {
	msg := err.Error()
	var line int
	var rest string
	if n, _ := fmt.Sscanf(msg, "yaml: line %d:", &line); n == 1 {
		prefix := "yaml: line " + strconv.Itoa(line) + ": "
		if len(msg) >= len(prefix) {
			rest = msg[len(prefix):]
		}
		return &limitError{line: line, col: 1, msg: "invalid YAML/JSON: " + rest}
	}
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	return &limitError{line: 1, col: 1, msg: "invalid YAML/JSON: " + trimYAMLPrefix(msg)}
}

func trimYAMLPrefix(s string) string {
	const p = "yaml: "
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}

// converter builds nodes from one yaml.Node tree.
type converter struct {
	p    *parser
	file string
	err  *limitError
}

func (c *converter) fail(y *yaml.Node, msg string, cause error) *node {
	if c.err == nil {
		c.err = &limitError{line: y.Line, col: y.Column, msg: msg, cause: cause}
	}
	return nil
}

// convert copies y into a node at pointer ptr. viaAlias marks nodes created
// by expanding an alias: they count against the alias budget, which is what
// stops "billion laughs" documents.
func (c *converter) convert(y *yaml.Node, ptr string, depth int, viaAlias bool) *node {
	if c.err != nil {
		return nil
	}
	if depth > maxDepth {
		return c.fail(y, fmt.Sprintf("nesting deeper than %d levels", maxDepth), ErrLimit)
	}
	if viaAlias {
		c.p.aliasNodes++
		if c.p.aliasNodes > maxAliasNodes {
			return c.fail(y, fmt.Sprintf("YAML aliases expand to more than %d nodes", maxAliasNodes), ErrLimit)
		}
	}
	n := &node{file: c.file, line: y.Line, col: y.Column, ptr: ptr}
	switch y.Kind {
	case yaml.AliasNode:
		if y.Alias == nil {
			return c.fail(y, "alias without anchor", nil)
		}
		// The expanded copy keeps the anchor's position but the pointer of
		// the place it is used, which is where JSON sees it.
		return c.convert(y.Alias, ptr, depth+1, true)
	case yaml.ScalarNode:
		n.kind = scalarNode
		n.tag = y.ShortTag()
		n.value = y.Value
	case yaml.SequenceNode:
		n.kind = seqNode
		n.list = make([]*node, 0, len(y.Content))
		for i, item := range y.Content {
			v := c.convert(item, ptr+"/"+strconv.Itoa(i), depth+1, viaAlias)
			if v == nil {
				return nil
			}
			n.list = append(n.list, v)
		}
	case yaml.MappingNode:
		n.kind = mapNode
		if !c.mapping(n, y, ptr, depth, viaAlias) {
			return nil
		}
	default:
		return c.fail(y, "unexpected YAML node", nil)
	}
	return n
}

// mapping fills n from the key/value pairs of y, expanding YAML merge keys
// ("<<") with the document's own keys taking precedence.
func (c *converter) mapping(n *node, y *yaml.Node, ptr string, depth int, viaAlias bool) bool {
	var merges []*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(y.Content); i += 2 {
		ky, vy := y.Content[i], y.Content[i+1]
		if ky.Kind == yaml.ScalarNode && ky.ShortTag() == "!!merge" {
			merges = append(merges, vy)
			continue
		}
		if ky.Kind != yaml.ScalarNode {
			c.fail(ky, "mapping keys must be scalars", nil)
			return false
		}
		if seen[ky.Value] {
			c.fail(ky, fmt.Sprintf("duplicate key %q", ky.Value), nil)
			c.err.ptr = ptr + "/" + escapeToken(ky.Value)
			return false
		}
		seen[ky.Value] = true
		if !c.add(n, ky, vy, ptr, depth, viaAlias) {
			return false
		}
	}
	for _, m := range merges {
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = m.Content
		}
		for _, s := range srcs {
			for s.Kind == yaml.AliasNode && s.Alias != nil {
				s = s.Alias
			}
			if s.Kind != yaml.MappingNode {
				c.fail(m, "merge key (<<) needs a mapping or a list of mappings", nil)
				return false
			}
			for i := 0; i+1 < len(s.Content); i += 2 {
				ky, vy := s.Content[i], s.Content[i+1]
				if ky.Kind != yaml.ScalarNode || seen[ky.Value] {
					continue
				}
				seen[ky.Value] = true
				if !c.add(n, ky, vy, ptr, depth, true) {
					return false
				}
			}
		}
	}
	return true
}

func (c *converter) add(n *node, ky, vy *yaml.Node, ptr string, depth int, viaAlias bool) bool {
	kptr := ptr + "/" + escapeToken(ky.Value)
	k := &node{kind: scalarNode, tag: "!!str", value: ky.Value, file: c.file, line: ky.Line, col: ky.Column, ptr: kptr}
	v := c.convert(vy, kptr, depth+1, viaAlias)
	if v == nil {
		return false
	}
	n.appendEntry(k, v)
	return true
}
