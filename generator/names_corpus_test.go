package generator

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// TestAssignNamesCorpus names every corpus document that loads: either
// every channel, parameter, operation and message gets a Go name, or the
// problems come back as positioned diagnostics. It prints how many
// documents need an x-go-name (collisions are errors, never renames).
func TestAssignNamesCorpus(t *testing.T) {
	corpus := filepath.Join("..", "..", "shared", "asyncapi-corpus")
	manifest, err := os.Open(filepath.Join(corpus, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus not found at %s: skipping", corpus)
	}
	defer manifest.Close()
	named, refused := 0, 0
	sc := bufio.NewScanner(manifest)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 5 || cols[0] == "path" || cols[4] == "-" || strings.HasPrefix(cols[0], "metaschemas/") {
			continue
		}
		doc, err := loader.Load(filepath.Join(corpus, cols[0]))
		if err != nil {
			continue // the loader's corpus test covers refusals
		}
		if err := AssignNames(doc); err != nil {
			refused++
			ds, ok := err.(loader.Diagnostics)
			if !ok || len(ds) == 0 {
				t.Errorf("%s: error is not diagnostics: %v", cols[0], err)
			}
			for _, d := range ds {
				if d.Pos.Line < 1 {
					t.Errorf("%s: diagnostic without position: %v", cols[0], d)
				}
			}
			t.Logf("%s needs x-go-name:\n%v", cols[0], err)
			continue
		}
		named++
		checkNamed(t, cols[0], doc)
	}
	t.Logf("corpus naming: %d documents named, %d need x-go-name", named, refused)
}

func checkNamed(t *testing.T, path string, doc *model.Document) {
	for _, c := range doc.Channels {
		if c.GoName == "" {
			t.Errorf("%s: channel %s has no Go name", path, c.Key)
		}
		for _, p := range c.Parameters {
			if p.GoName == "" {
				t.Errorf("%s: parameter %s has no Go name", path, p.Name)
			}
		}
	}
	for _, o := range doc.Operations {
		if o.GoName == "" {
			t.Errorf("%s: operation %s has no Go name", path, o.Key)
		}
	}
	for _, m := range doc.Messages {
		if m.GoName == "" {
			t.Errorf("%s: message %s has no Go name", path, m.Key)
		}
	}
}
