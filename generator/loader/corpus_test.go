package loader

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/generator/model"
)

// corpusDir finds ../shared/asyncapi-corpus next to the module root.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	corpus := filepath.Join(dir, "..", "shared", "asyncapi-corpus")
	if _, err := os.Stat(filepath.Join(corpus, "MANIFEST.tsv")); err != nil {
		t.Skipf("corpus not found at %s: skipping the corpus walk", corpus)
	}
	return corpus
}

// readTSV returns the rows of a tab-separated file with a header, as
// maps from column name to value.
func readTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var header []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(header) {
				row[header[i]] = c
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// corpusDocs lists the AsyncAPI documents of the corpus (not the
// meta-schemas, not the JSON Schema files they refer to).
func corpusDocs(t testing.TB, corpus string) []map[string]string {
	var docs []map[string]string
	for _, row := range readTSV(t, filepath.Join(corpus, "MANIFEST.tsv")) {
		if row["asyncapi_version"] == "-" || strings.HasPrefix(row["path"], "metaschemas/") {
			continue
		}
		docs = append(docs, row)
	}
	return docs
}

// knownRefusals are documents that VALIDATION.tsv marks resolved_valid=yes
// (the official meta-schema accepts them) but that break a MUST of the
// AsyncAPI specification the meta-schema cannot check: a message example's
// payload MUST validate against the message's payload schema (Message
// Example Object). testdata/corpus-refusals.tsv lists them, with why, what
// the refusal must mention and which stage refuses them (the generator
// refuses what it cannot enforce); the generator's corpus test reads it too.
var knownRefusals = func() map[string]struct{ why, mentions string } {
	data, err := os.ReadFile(filepath.Join("testdata", "corpus-refusals.tsv"))
	if err != nil {
		panic(err)
	}
	out := map[string]struct{ why, mentions string }{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		cols := strings.Split(line, "\t")
		if cols[3] == "loader" { // the others load and are refused by the generator
			out[cols[0]] = struct{ why, mentions string }{cols[1], cols[2]}
		}
	}
	return out
}()

// TestCorpus loads every document of ../shared/asyncapi-corpus: each
// either loads (perhaps with warnings) or is refused with positioned
// diagnostics; nothing panics; no document the meta-schema accepts is
// refused unless listed above. Documents whose $refs reach above their own
// directory (../common/...) are refused by default and loaded again with
// the corpus as the root, as "mqttgen -ref-root" would.
func TestCorpus(t *testing.T) {
	corpus := corpusDir(t)
	valid := map[string]string{}
	for _, row := range readTSV(t, filepath.Join(corpus, "VALIDATION.tsv")) {
		valid[row["path"]] = row["resolved_valid"]
	}
	type tally struct{ loaded, withWarnings, warnings, widerRoot, refused int }
	tallies := map[string]*tally{}
	var validLoaded, validRefused int
	for _, row := range corpusDocs(t, corpus) {
		path, version := row["path"], row["asyncapi_version"]
		if tallies[version] == nil {
			tallies[version] = &tally{}
		}
		tl := tallies[version]
		t.Run(path, func(t *testing.T) {
			doc, ds := loadNoPanic(t, filepath.Join(corpus, path), Options{})
			if errors.Is(ds.Errors(), ErrRefOutsideRoot) {
				tl.widerRoot++
				doc, ds = loadNoPanic(t, filepath.Join(corpus, path), Options{Root: corpus})
			}
			checkDiagnostics(t, ds)
			known, isKnown := knownRefusals[path]
			if !ds.HasErrors() {
				tl.loaded++
				if valid[path] == "yes" {
					validLoaded++
				}
				if w := len(ds.Warnings()); w > 0 {
					tl.withWarnings++
					tl.warnings += w
					t.Logf("loaded with warnings:\n%v", ds)
				}
				if isKnown {
					t.Errorf("listed as a known refusal (%s) but loads: remove it from knownRefusals", known.why)
				}
				if doc.AsyncAPI != version {
					t.Errorf("asyncapi = %q, manifest says %q", doc.AsyncAPI, version)
				}
				checkDocument(t, doc)
				return
			}
			tl.refused++
			if valid[path] == "yes" {
				validRefused++
			}
			if doc != nil {
				t.Errorf("refused, but a document came back too")
			}
			switch {
			case isKnown:
				if !strings.Contains(ds.Error(), known.mentions) {
					t.Errorf("refused, but not for the known reason (%s):\n%v", known.why, ds)
				}
			case valid[path] == "yes":
				t.Errorf("the meta-schema accepts this document but mqttgen refuses it:\n%v", ds)
			default:
				t.Logf("refused (meta-schema also rejects it):\n%v", ds)
			}
		})
	}
	versions := make([]string, 0, len(tallies))
	for v := range tallies {
		versions = append(versions, v)
	}
	sort.Strings(versions)
	var b strings.Builder
	for _, v := range versions {
		tl := tallies[v]
		fmt.Fprintf(&b, "  %s: %d loaded (%d with %d warnings), %d refused; %d needed a wider $ref root\n",
			v, tl.loaded, tl.withWarnings, tl.warnings, tl.refused, tl.widerRoot)
	}
	fmt.Fprintf(&b, "  resolved_valid=yes: %d loaded, %d refused (each a known refusal)\n", validLoaded, validRefused)
	t.Logf("corpus tally:\n%s", b.String())
}

// checkDiagnostics checks every diagnostic has a position and a message.
func checkDiagnostics(t *testing.T, ds Diagnostics) {
	t.Helper()
	for _, d := range ds {
		if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 || d.Message == "" {
			t.Errorf("diagnostic without a position or message: %#v", d)
		}
	}
}

// loadNoPanic loads path and turns a panic into a test failure.
func loadNoPanic(t *testing.T, path string, opts Options) (doc *model.Document, ds Diagnostics) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("panic: %v", r)
		}
	}()
	return LoadFile(path, opts)
}
