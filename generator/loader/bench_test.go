package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchDoc is a 3.0 document with n channels, each with a parameter, a
// message whose payload is a components schema, and a message example,
// and n operations: what the checker walks and the example check compiles.
func benchDoc(n int) []byte {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo: {title: bench, version: 1.0.0}\nchannels:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d:\n    address: rooms/{room}/s%d\n    parameters: {room: {description: the room}}\n", i, i)
		fmt.Fprintf(&b, "    messages:\n      m%d:\n        payload: {$ref: '#/components/schemas/s%d'}\n", i, i)
		fmt.Fprintf(&b, "        examples: [{payload: {value: %d, unit: celsius}}]\n", i)
	}
	b.WriteString("operations:\n")
	for i := range n {
		fmt.Fprintf(&b, "  op%d:\n    action: send\n    channel: {$ref: '#/channels/c%d'}\n    tags: [{name: a}, {name: b}]\n", i, i)
	}
	b.WriteString("components:\n  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    s%d:\n      type: object\n      required: [value]\n      properties:\n", i)
		b.WriteString("        value: {type: number, minimum: -1000, examples: [1, 2]}\n        unit: {type: string, enum: [celsius, kelvin]}\n")
	}
	return []byte(b.String())
}

// BenchmarkLoad loads synthetic documents of growing size and the largest
// document of the corpus (when present).
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		doc := benchDoc(n)
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := LoadBytes("bench.yaml", doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	if dir := findCorpus(); dir != "" {
		path := filepath.Join(dir, "realworld", "tanagraspace__ccsds-mo-to-asyncapi__mo-mc-check.yaml")
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("corpus-largest", func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := LoadBytes(path, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
