package generator

import (
	"bytes"
	"context"
	"go/format"
	"slices"
	"strings"
	"testing"
)

// TestLargestFirstCoversEveryJob: a missing index would silently drop a
// file, a repeated one would emit a file twice.
func TestLargestFirstCoversEveryJob(t *testing.T) {
	got := slices.Sorted(slices.Values(largestFirst))
	if len(got) != len(emitters) {
		t.Fatalf("largestFirst = %v, want a permutation of 0..%d", largestFirst, len(emitters)-1)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("largestFirst = %v, want a permutation of 0..%d", largestFirst, len(emitters)-1)
		}
	}
}

// TestGenerateRefusesSchemaThatDoesNotCompile: a pattern Go's regexp
// refuses, in a schema nested in a payload, is a generation error that
// says where, not a generated package that panics when it loads. The
// check runs alongside naming (GenerateDocument), so this also runs it
// under the race detector in CI.
func TestGenerateRefusesSchemaThatDoesNotCompile(t *testing.T) {
	doc := `asyncapi: 3.0.0
info: {title: Bad pattern, version: 1.0.0}
channels:
  readings:
    address: sensors/{room}
    parameters:
      room: {}
    messages:
      reading:
        payload:
          $ref: '#/components/schemas/Reading'
operations:
  sendReading:
    action: send
    channel: {$ref: '#/channels/readings'}
components:
  schemas:
    Reading:
      type: object
      properties:
        sensor: {$ref: '#/components/schemas/SensorID'}
    SensorID:
      type: string
      pattern: '^(?!x)'
`
	_, err := Generate(context.Background(), Config{Spec: "bad.yaml", Input: []byte(doc), Package: "bad", Role: RoleBoth})
	if err == nil {
		t.Fatal("a schema whose pattern does not compile was accepted")
	}
	for _, want := range []string{"bad.yaml:", "does not compile", "regex"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

// TestEmitIsGofmtAndDeterministic: files formatted from the single parse
// are exactly what go/format makes of them, and concurrent emitting gives
// the same bytes in the same order on every run.
func TestEmitIsGofmtAndDeterministic(t *testing.T) {
	cfg := Config{Spec: "synthetic.yaml", Input: syntheticDoc(30), Package: "synthetic", Role: RoleBoth}
	first, err := Generate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 7 {
		t.Fatalf("%d files, want the 7 non-empty ones", len(first))
	}
	for _, f := range first {
		want, err := format.Source(f.Data)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s is not gofmt-clean", f.Name)
		}
	}
	for range 3 {
		again, err := Generate(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(first, again, func(a, b File) bool { return a.Name == b.Name && bytes.Equal(a.Data, b.Data) }) {
			t.Fatal("a second run produced different files")
		}
	}
}

// TestHelperNamesLeaveRoomForDocumentNames: the helpers emitted once per
// package must not be named like what a document's names make
// (fill<Type>, encode<Message>...). A payload schema named Filter on a
// channel whose address has a parameter once made fillFilter twice (the
// fast decoder's and the address helper's), a message named bytes beside
// an operation without a message made encodeBytes twice, and a message
// named format1 with a format in its schema made decodeFormat1 twice (its
// decoder and the fast decoder's format checker).
func TestHelperNamesLeaveRoomForDocumentNames(t *testing.T) {
	docs := map[string]string{
		"filter": `asyncapi: 3.0.0
info: {title: Names, version: 1.0.0}
channels:
  filters:
    address: filters/{id}
    parameters: {id: {}}
    messages:
      filter: {payload: {$ref: '#/components/schemas/Filter'}}
operations:
  sendFilter: {action: send, channel: {$ref: '#/channels/filters'}}
  onFilter: {action: receive, channel: {$ref: '#/channels/filters'}}
components:
  schemas:
    Filter:
      type: object
      required: [name]
      properties: {name: {type: string}}
`,
		"bytes": `asyncapi: 3.0.0
info: {title: Names, version: 1.0.0}
channels:
  a:
    address: a
    messages:
      bytes: {payload: {type: object, properties: {n: {type: integer}}}}
  b:
    address: b
operations:
  sendA: {action: send, channel: {$ref: '#/channels/a'}}
  sendB: {action: send, channel: {$ref: '#/channels/b'}}
`,
		"format1": `asyncapi: 3.0.0
info: {title: Names, version: 1.0.0}
channels:
  a:
    address: a
    messages:
      format1:
        payload:
          type: object
          required: [mail]
          properties: {mail: {type: string, format: email}}
operations:
  sendA: {action: send, channel: {$ref: '#/channels/a'}}
`,
	}
	want := map[string][]string{
		"filter":  {"func fillFilter(", "func addressFilter("},
		"bytes":   {"func encodeBytes(", "func bytesAsPayload("},
		"format1": {"func decodeFormat1(", "decodingFormat1 = "},
	}
	for name, doc := range docs {
		files, err := Generate(context.Background(), Config{Spec: name + ".yaml", Input: []byte(doc), Package: "names", Role: RoleApp})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var all []byte
		for _, f := range files {
			all = append(all, f.Data...)
		}
		for _, w := range want[name] {
			if !bytes.Contains(all, []byte(w)) {
				t.Errorf("%s: no %s…: the test no longer has both names to tell apart", name, w)
			}
		}
	}
}
