package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopDoc is a document whose payload is components/schemas/A, with the
// schemas given as YAML flow mappings.
func loopDoc(a, b string) []byte {
	return []byte(`asyncapi: 3.0.0
info: {title: T, version: '1'}
channels:
  c:
    address: c
    messages:
      m: {payload: {$ref: '#/components/schemas/A'}}
operations:
  sendC: {action: send, channel: {$ref: '#/channels/c'}}
components:
  schemas:
    A: ` + a + `
    B: ` + b + `
`)
}

// TestSchemaReachingItselfInPlace: a schema that reaches itself through
// allOf, anyOf, oneOf, not or if, with no property or item in between,
// cannot be checked (a validator never ends: the generated code hung on
// every message) nor typed (the generator overflowed its stack on allOf
// and on oneOf [null, self]). It is refused, at the schema, with the path.
func TestSchemaReachingItselfInPlace(t *testing.T) {
	const (
		refA = `{$ref: '#/components/schemas/A'}`
		refB = `{$ref: '#/components/schemas/B'}`
		obj  = `{type: object}`
	)
	cases := []struct{ name, a, b, via string }{
		{"allOf self", `{allOf: [` + refA + `, {properties: {x: {type: string}}}]}`, obj,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/A"},
		{"typed allOf self", `{type: object, allOf: [` + refA + `]}`, obj,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/A"},
		{"nullable oneOf self", `{oneOf: [{type: 'null'}, ` + refA + `]}`, obj,
			"#/components/schemas/A/oneOf/1 -> #/components/schemas/A"},
		{"anyOf self", `{anyOf: [` + refA + `, {type: string}]}`, obj,
			"#/components/schemas/A/anyOf/0 -> #/components/schemas/A"},
		{"not self", `{not: ` + refA + `}`, obj,
			"#/components/schemas/A/not -> #/components/schemas/A"},
		{"if self", `{if: ` + refA + `, then: {type: string}}`, obj,
			"#/components/schemas/A/if -> #/components/schemas/A"},
		{"dependency self", `{type: object, dependencies: {x: ` + refA + `}}`, obj,
			"#/components/schemas/A/dependencies/x -> #/components/schemas/A"},
		{"through another schema", `{allOf: [` + refB + `]}`, `{oneOf: [{type: 'null'}, ` + refA + `]}`,
			"#/components/schemas/A/allOf/0 -> #/components/schemas/B/oneOf/1 -> #/components/schemas/A"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, ds := LoadData("loop.yaml", loopDoc(c.a, c.b), Options{})
			require.Nil(t, doc)
			errs := ds.Errors()
			require.Len(t, errs, 1, "%v", ds)
			assert.Equal(t, "loop.yaml:12:8: /components/schemas/A: schema reaches itself through "+c.via+
				" with no property or item in between: checking a value against it would never end", errs[0].String())
			assert.True(t, errors.Is(errs, ErrRefLoop))
		})
	}
}

// TestSchemaReachingItselfThroughValues: recursion through properties,
// items and additionalProperties is a tree, not a loop.
func TestSchemaReachingItselfThroughValues(t *testing.T) {
	for _, a := range []string{
		`{type: object, properties: {kids: {type: array, items: {$ref: '#/components/schemas/A'}}, parent: {$ref: '#/components/schemas/A'}}}`,
		`{type: object, additionalProperties: {$ref: '#/components/schemas/A'}}`,
		`{oneOf: [{type: string}, {type: array, items: {$ref: '#/components/schemas/A'}}]}`,
		`{anyOf: [{type: 'null'}, {type: object, properties: {next: {$ref: '#/components/schemas/B'}}}]}`,
	} {
		_, ds := LoadData("tree.yaml", loopDoc(a, `{allOf: [{$ref: '#/components/schemas/A'}]}`), Options{})
		assert.Empty(t, ds.Errors(), a)
	}
}

// jsonDoc is a minimal JSON document whose info.title is the JSON text
// title (quotes included) and which has one extra schema property named
// by the JSON text key.
func jsonDoc(title, key string) []byte {
	return []byte(`{"asyncapi": "3.0.0", "info": {"title": ` + title + `, "version": "1"},
 "channels": {"c": {"address": "c", "messages": {"m": {"payload": {"type": "object", "properties": {` + key + `: {"type": "string"}}}}}}},
 "operations": {"sendC": {"action": "send", "channel": {"$ref": "#\/channels\/c"}}}}`)
}

// TestValidJSONIsReadAsJSON: JSON documents went through the YAML parser,
// which refused valid JSON (the \/ escape, escaped surrogate pairs as
// Python's json.dumps writes them, keys over 1024 characters) and changed
// a raw U+0085 in a string into a space.
func TestValidJSONIsReadAsJSON(t *testing.T) {
	long := strings.Repeat("k", 1100)
	cases := []struct {
		name, title, key, wantTitle, wantKey string
	}{
		{"escaped slash", `"a\/b"`, `"p\/q"`, "a/b", "p/q"},
		{"surrogate pair", `"x\ud83d\ude00y"`, `"\ud83d\ude00"`, "x😀y", "😀"},
		{"long key", `"t"`, `"` + long + `"`, "t", long},
		{"raw NEL and line separator", "\"a\u0085b\u2028c\"", `"k"`, "a\u0085b\u2028c", "k"},
		{"escaped NUL", `"a\u0000b"`, `"k"`, "a\x00b", "k"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, data := range [][]byte{jsonDoc(c.title, c.key), append([]byte("\ufeff"), jsonDoc(c.title, c.key)...)} {
				doc, ds := LoadData("doc.json", data, Options{})
				require.Empty(t, ds.Errors())
				require.NotNil(t, doc)
				assert.Equal(t, c.wantTitle, doc.Title)
				props := doc.Channels[0].Messages[0].Payload.Properties
				require.Len(t, props, 1)
				assert.Equal(t, c.wantKey, props[0].Name)
			}
		})
	}
}

// TestJSONProblemsHavePositions: broken JSON is reported at the line and
// column of the problem (YAML's errors said line 1, column 1 for a
// one-line file), and a YAML flow mapping whose first key is quoted still
// reads as YAML.
func TestJSONProblemsHavePositions(t *testing.T) {
	good := jsonDoc(`"T"`, `"k"`)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-10], "doc.json:3:75: invalid JSON: the document ends too early"},
		{"invalid UTF-8", []byte("{\"asyncapi\": \"3.0.0\",\n \"info\": {\"title\": \"T\xff\"}}"), "doc.json:2:22: invalid JSON: invalid UTF-8"},
		{"duplicate key", []byte("{\"asyncapi\": \"3.0.0\",\n \"info\": {\"title\": \"T\", \"title\": \"U\"}}"), `doc.json:2:25: /info/title: duplicate key "title"`},
		{"two values", []byte("{\"asyncapi\": \"3.0.0\"}\n {}"), "doc.json:2:2: invalid JSON: more data after the document"},
		{"bad token", []byte("{\"asyncapi\": \"3.0.0\",\n \"info\": {\"title\": @}}"), "doc.json:2:20: invalid JSON: invalid character '@' looking for beginning of value"},
		{"too deep", []byte(`{"asyncapi": "3.0.0", "x": ` + strings.Repeat("[", maxDepth+5) + strings.Repeat("]", maxDepth+5) + `}`), "doc.json:1:428: nesting deeper than 400 levels"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, ds := LoadData("doc.json", c.data, Options{})
			require.Nil(t, doc)
			require.NotEmpty(t, ds)
			assert.Equal(t, c.want, ds[0].String())
		})
	}
	doc, ds := LoadData("flow.yaml", []byte(`{"asyncapi": 3.0.0, info: {title: T, version: '1'}, channels: {}}`), Options{})
	require.Empty(t, ds.Errors())
	assert.Equal(t, "T", doc.Title)
}

// TestOneYAMLDocumentPerFile: yaml.Unmarshal read the first document of a
// file and left the others out unseen. An empty or null document after
// the first (a trailing ---) is fine.
func TestOneYAMLDocumentPerFile(t *testing.T) {
	const first = "asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels: {}\n"
	_, ds := LoadData("multi.yaml", []byte(first+"---\nasyncapi: 2.0.0\n"), Options{})
	require.Len(t, ds.Errors(), 1)
	assert.Equal(t, "multi.yaml:5:1: the file holds more than one YAML document (---); an AsyncAPI document is one", ds.Errors()[0].String())
	for _, tail := range []string{"---\n", "...\n", "---\n---\n# end\n", "---\nnull\n"} {
		doc, ds := LoadData("one.yaml", []byte(first+tail), Options{})
		require.Empty(t, ds.Errors(), tail)
		assert.Equal(t, "T", doc.Title)
	}
}

// FuzzParseJSON checks the JSON reader against encoding/json: a JSON
// object it reads holds the same values, and one it refuses is invalid
// JSON, has a duplicate key or nests too deep.
func FuzzParseJSON(f *testing.F) {
	f.Add(jsonDoc(`"a\/b"`, `"\ud83d\ude00"`))
	f.Add([]byte(`{"a": [1, -0, 1.5e3, 1e400, 123456789012345678901, true, null, "x\u2028"], "b": {}, "c": []}`))
	f.Add([]byte("\ufeff{\"k\": \"\\u0000\\ud800\"}"))
	f.Add([]byte(`{"a": 1, "a": 2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if !looksLikeJSON(data) {
			return
		}
		root, lerr := parseJSON("fuzz.json", data)
		var want any
		dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
		werr := dec.Decode(&want)
		if werr == nil && dec.More() {
			werr = errors.New("more data")
		}
		if _, err := dec.Token(); werr == nil && err != io.EOF {
			werr = errors.New("more data")
		}
		if lerr != nil {
			if werr == nil && !strings.Contains(lerr.msg, "duplicate key") && !errors.Is(lerr.cause, ErrLimit) && utf8.Valid(data) {
				t.Fatalf("valid JSON refused: %v", lerr)
			}
			return
		}
		if werr != nil {
			if _, numeric := werr.(*json.UnmarshalTypeError); !numeric {
				t.Fatalf("invalid JSON read (%v)", werr)
			}
			return
		}
		sameJSON(t, "", want, value(root))
	})
}

// sameJSON compares a value decoded by encoding/json with the loader's;
// numbers by their float64 value.
func sameJSON(t *testing.T, at string, want, got any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		require.True(t, ok, "%s: %T", at, got)
		require.Len(t, g, len(w), at)
		for k, v := range w {
			sameJSON(t, at+"/"+k, v, g[k])
		}
	case []any:
		g, ok := got.([]any)
		require.True(t, ok, "%s: %T", at, got)
		require.Len(t, g, len(w), at)
		for i := range w {
			sameJSON(t, at+"/"+strconv.Itoa(i), w[i], g[i])
		}
	case float64:
		switch g := got.(type) {
		case int64:
			require.Equal(t, w, float64(g), at)
		default:
			require.Equal(t, w, g, at)
		}
	default:
		require.Equal(t, want, got, at)
	}
}

// TestDiagnosticsStayOnTheirLine: pointers and messages quote the
// document's keys as written; a key holding a newline printed a line
// that looked like a diagnostic of its own, and an escape sequence or a
// bidirectional override reached the terminal.
func TestDiagnosticsStayOnTheirLine(t *testing.T) {
	d := Diagnostic{Pos: posAt("a.yaml", 3, 4), Pointer: "/channels/x\nb.yaml:1:1: fine\x1b[2J\u202e\u2028\xff日本", Message: "bad\r\tvalue \U000e0001"}
	assert.Equal(t, `a.yaml:3:4: /channels/x\nb.yaml:1:1: fine\x1b[2J\u202e\u2028\xff日本: bad\r\tvalue \U000e0001`, d.String())
	plain := Diagnostic{Pos: posAt("a.yaml", 3, 4), Pointer: "/channels/日本 «ok»", Message: `x "\n" y`}
	assert.Equal(t, `a.yaml:3:4: /channels/日本 «ok»: x "\n" y`, plain.String())

	doc := []byte("asyncapi: 3.0.0\ninfo: {title: T, version: '1'}\nchannels:\n  \"a\\nb.yaml:1:1: looks fine\":\n    address: a/{p}\n")
	_, ds := LoadData("doc.yaml", doc, Options{})
	require.NotEmpty(t, ds)
	for _, d := range ds {
		assert.NotContains(t, d.String(), "\n")
	}
	assert.Equal(t, len(ds), strings.Count(ds.Error(), "\n")+1)
}
