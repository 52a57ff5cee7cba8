package loader

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/generator/model"
)

// seedCorpus adds the small documents of ../shared/asyncapi-corpus as
// fuzz seeds (when the corpus is present), plus the repository's testdata.
func seedCorpus(f *testing.F, add func(data []byte)) {
	paths, _ := filepath.Glob("testdata/*/*.yaml")
	if dir := findCorpus(); dir != "" {
		var docs []string
		for _, v := range []string{"2.0.0", "2.6.0", "3.0.0"} {
			more, _ := filepath.Glob(filepath.Join(dir, "official", v, "*.yml"))
			docs = append(docs, more...)
		}
		paths = append(paths, docs...)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err == nil && len(data) < 16<<10 {
			add(data)
		}
	}
}

// findCorpus is corpusDir without a testing.TB, for seeding.
func findCorpus() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "..", "shared", "asyncapi-corpus")
			if _, err := os.Stat(corpus); err == nil {
				return corpus
			}
			return ""
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// FuzzLoad: any input loads into a document that keeps the model's
// invariants, or fails with positioned diagnostics; never a panic or hang.
// Other files are never read, so the target is hermetic.
func FuzzLoad(f *testing.F) {
	seedCorpus(f, func(data []byte) { f.Add(data) })
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc *model.Document
		var ds Diagnostics
		within(t, func() { doc, ds = newLoader(noFiles{}, ".").load("fuzz.yaml", data) })
		if (doc == nil) != ds.HasErrors() {
			t.Fatalf("document %v with diagnostics:\n%v", doc != nil, ds)
		}
		if doc == nil {
			if len(ds) == 0 {
				t.Fatal("refused without diagnostics")
			}
			for _, d := range ds {
				if d.Pos.File == "" || d.Pos.Line < 1 || d.Message == "" {
					t.Fatalf("diagnostic without position or message: %#v", d)
				}
			}
			return
		}
		checkDocument(t, doc)
	})
}

// FuzzResolve: resolving any $ref against any document, and converting
// what it names as a schema, ends (loops and cycles included) without a
// panic.
func FuzzResolve(f *testing.F) {
	refs := []string{"#", "#/components/schemas/a", "#/channels/a~1b", "#/x/0/y", "#/%7Bid%7D", "other.yaml#/a", "http://x/y", "#/a~2", "#//", "#/components/messages/m/payload"}
	i := 0
	seedCorpus(f, func(data []byte) {
		f.Add(data, refs[i%len(refs)])
		i++
	})
	f.Add([]byte("a: {$ref: '#/b'}\nb: {$ref: '#/a'}\n"), "#/a")
	f.Add([]byte("a: {$ref: '#/a/b'}\n"), "#/a/b/c")
	f.Add([]byte("s: {properties: {n: {$ref: '#/s'}}, items: {$ref: '#/s'}}\n"), "#/s")
	f.Fuzz(func(t *testing.T, data []byte, ref string) {
		l := newLoader(noFiles{}, ".")
		root, err := l.parser.parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		l.files["fuzz.yaml"] = &fileEntry{root: root}
		l.doc = nil
		holder := &node{kind: mapNode, file: "fuzz.yaml", line: 1, col: 1}
		holder.keys = []*node{{kind: scalarNode, tag: "!!str", value: "$ref", file: "fuzz.yaml", line: 1, col: 1}}
		holder.vals = []*node{{kind: scalarNode, tag: "!!str", value: ref, file: "fuzz.yaml", line: 1, col: 1, ptr: "/$ref"}}
		within(t, func() {
			target := l.deref(holder)
			if target == nil && len(l.diags) == 0 {
				t.Errorf("ref %q: no target and no diagnostic", ref)
			}
			if target != nil {
				l.schema(holder)
			}
		})
	})
}

// within fails the fuzz input when fn runs longer than a few seconds, so
// that a hang is saved as a failing input instead of stalling the fuzzer.
func within(t *testing.T, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("took more than 5s")
	}
}
