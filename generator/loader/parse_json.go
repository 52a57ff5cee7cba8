package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSON documents are read as JSON, not as YAML: yaml.v3 reads most JSON,
// but refuses the escape \/ and escaped surrogate pairs ("\ud83d\ude00",
// which Python's json.dumps writes for every character outside the Basic
// Multilingual Plane), refuses keys longer than 1024 characters, and folds
// a raw U+0085 inside a string into a space. All are valid JSON.

// looksLikeJSON reports whether data, after a byte order mark and
// whitespace, starts a JSON object ("{" then a quoted key or "}"): it is
// then read as JSON first.
func looksLikeJSON(data []byte) bool {
	rest := bytes.TrimLeft(bytes.TrimPrefix(data, utf8BOM), " \t\r\n")
	if len(rest) == 0 || rest[0] != '{' {
		return false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	return len(rest) > 0 && (rest[0] == '"' || rest[0] == '}')
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseJSON reads data as one JSON value into nodes with positions, with
// the bounds and duplicate-key rule of the YAML path.
func parseJSON(file string, data []byte) (*node, *limitError) {
	data = bytes.TrimPrefix(data, utf8BOM)
	r := &jsonReader{file: file, data: data, line: 1, col: 1}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			c, size := utf8.DecodeRune(data[off:])
			if c == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		line, col := r.position(off)
		return nil, &limitError{line: line, col: col, msg: "invalid JSON: invalid UTF-8"}
	}
	r.dec = json.NewDecoder(bytes.NewReader(data))
	r.dec.UseNumber()
	root := r.value("", 0)
	if r.err != nil {
		return nil, r.err
	}
	off := r.start()
	if _, err := r.dec.Token(); err != io.EOF {
		line, col := r.position(off)
		return nil, &limitError{line: line, col: col, msg: "invalid JSON: more data after the document"}
	}
	return root, nil
}

// jsonReader turns the tokens of a json.Decoder into nodes. Tokens come
// in order, so positions are counted forward from the last one: one pass
// over the input however long its lines.
type jsonReader struct {
	file string
	data []byte
	dec  *json.Decoder
	err  *limitError
	// off, line, col: the position counted so far.
	off, line, col int
}

// position returns the line and column (in characters, from 1) of byte
// offset off, which must not be before the last one asked for.
func (r *jsonReader) position(off int) (line, col int) {
	for r.off < off && r.off < len(r.data) {
		c, size := utf8.DecodeRune(r.data[r.off:])
		r.off += size
		if c == '\n' {
			r.line, r.col = r.line+1, 1
		} else {
			r.col++
		}
	}
	return r.line, r.col
}

// start is the offset of the next token: the decoder's offset is the end
// of the last token, before the whitespace, ':' or ',' that follows it.
func (r *jsonReader) start() int {
	off := int(r.dec.InputOffset())
	for off < len(r.data) && strings.IndexByte(" \t\r\n:,", r.data[off]) >= 0 {
		off++
	}
	return off
}

func (r *jsonReader) fail(off int, msg string, cause error) *node {
	if r.err == nil {
		line, col := r.position(off)
		r.err = &limitError{line: line, col: col, msg: msg, cause: cause}
	}
	return nil
}

// token reads the next token and the position it starts at.
func (r *jsonReader) token() (tok json.Token, off int, ok bool) {
	off = r.start()
	tok, err := r.dec.Token()
	if err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			r.fail(max(int(se.Offset)-1, off), "invalid JSON: "+se.Error(), nil)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			r.fail(len(r.data), "invalid JSON: the document ends too early", nil)
		default:
			r.fail(off, "invalid JSON: "+err.Error(), nil)
		}
		return nil, off, false
	}
	return tok, off, true
}

// value reads one JSON value at pointer ptr.
func (r *jsonReader) value(ptr string, depth int) *node {
	tok, off, ok := r.token()
	if !ok {
		return nil
	}
	if depth > maxDepth {
		return r.fail(off, fmt.Sprintf("nesting deeper than %d levels", maxDepth), ErrLimit)
	}
	n := &node{file: r.file, ptr: ptr}
	n.line, n.col = r.position(off)
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n.kind = mapNode
			return r.object(n, depth)
		}
		n.kind = seqNode
		n.list = []*node{}
		for r.err == nil && r.dec.More() {
			item := r.value(ptr+"/"+strconv.Itoa(len(n.list)), depth+1)
			if item == nil {
				return nil
			}
			n.list = append(n.list, item)
		}
		if _, _, ok := r.token(); !ok { // ]
			return nil
		}
	case string:
		n.kind, n.tag, n.value = scalarNode, "!!str", t
	case json.Number:
		n.kind, n.tag, n.value = scalarNode, "!!int", t.String()
		if strings.ContainsAny(n.value, ".eE") {
			n.tag = "!!float"
		}
	case bool:
		n.kind, n.tag, n.value = scalarNode, "!!bool", strconv.FormatBool(t)
	case nil:
		n.kind, n.tag, n.value = scalarNode, "!!null", "null"
	}
	return n
}

// object reads the members of a JSON object into the mapping n.
func (r *jsonReader) object(n *node, depth int) *node {
	seen := map[string]bool{}
	for r.err == nil && r.dec.More() {
		tok, off, ok := r.token()
		if !ok {
			return nil
		}
		key := tok.(string) // the decoder allows nothing else here
		kptr := n.ptr + "/" + escapeToken(key)
		k := &node{kind: scalarNode, tag: "!!str", value: key, file: r.file, ptr: kptr}
		k.line, k.col = r.position(off)
		if seen[key] {
			r.err = &limitError{line: k.line, col: k.col, ptr: kptr, msg: fmt.Sprintf("duplicate key %q", key)}
			return nil
		}
		seen[key] = true
		v := r.value(kptr, depth+1)
		if v == nil {
			return nil
		}
		n.appendEntry(k, v)
	}
	if _, _, ok := r.token(); !ok { // }
		return nil
	}
	return n
}
