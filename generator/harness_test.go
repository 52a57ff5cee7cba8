package generator_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// checkout is the module root (this package's parent directory).
func checkout(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	return root
}

// tempModule makes a module in dir that uses this checkout through a
// replace directive, as a consumer's module would.
func tempModule(t testing.TB, dir, name string) {
	t.Helper()
	root := checkout(t)
	mod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => %s\n", name, root)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
}

// goCmd runs the go command in a test module with a deadline. GOPROXY=off:
// everything is in the module cache (primeModuleCache), and the
// unpublished github.com/mqttgen/mqttgen must come from the replace.
// -mod=mod lets the test module's go.mod, which only requires mqttgen,
// pick up the rest of the graph; consumer modules (consumer_test.go and
// the README's) do without it.
func goCmd(t testing.TB, dir string, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	primeModuleCache(t, checkout(t))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var (
	primeOnce sync.Once
	primeErr  error
)

// primeModuleCache downloads, once per test binary, every module in the
// checkout's module graph, so that go commands in temporary modules can
// run with GOPROXY=off.
func primeModuleCache(t testing.TB, root string) {
	t.Helper()
	primeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "mqttgen-modcache")
		if err != nil {
			primeErr = err
			return
		}
		defer os.RemoveAll(dir)
		for _, name := range []string{"go.mod", "go.sum"} {
			data, err := os.ReadFile(filepath.Join(root, name))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
			}
			if err != nil {
				primeErr = err
				return
			}
		}
		cmd := exec.Command("go", "mod", "download", "-modfile="+filepath.Join(dir, "go.mod"), "all")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOWORK=off")
		if out, err := cmd.CombinedOutput(); err != nil {
			primeErr = fmt.Errorf("go mod download all: %v\n%s", err, out)
		}
	})
	require.NoError(t, primeErr)
}

// corpusDoc is one document of ../shared/asyncapi-corpus.
type corpusDoc struct {
	Path string // absolute
	Rel  string // as MANIFEST.tsv names it
	// MetaValid: VALIDATION.tsv says the official meta-schema accepts the
	// document with its references resolved.
	MetaValid bool
	// Root is the directory tree its $refs may read (-ref-root): the
	// corpus, whose documents share files in ../common folders.
	Root string
	// Refused says why a meta-schema-valid document is refused all the
	// same (loader/testdata/corpus-refusals.tsv), and Mentions what the
	// refusal must say; both empty for the others.
	Refused, Mentions string
}

// corpusDocs lists the corpus documents; nil when the corpus is not
// beside the checkout.
func corpusDocs(t testing.TB) []corpusDoc {
	dir := filepath.Join(checkout(t), "..", "shared", "asyncapi-corpus")
	valid := map[string]bool{}
	readTSV(t, filepath.Join(dir, "VALIDATION.tsv"), func(cols []string) {
		if len(cols) > 5 {
			valid[cols[0]] = cols[5] == "yes"
		}
	})
	refused := map[string][2]string{}
	readTSV(t, filepath.Join("loader", "testdata", "corpus-refusals.tsv"), func(cols []string) {
		refused[cols[0]] = [2]string{cols[1], cols[2]}
	})
	var docs []corpusDoc
	readTSV(t, filepath.Join(dir, "MANIFEST.tsv"), func(cols []string) {
		if cols[0] != "" {
			r := refused[cols[0]]
			docs = append(docs, corpusDoc{Path: filepath.Join(dir, cols[0]), Rel: cols[0], MetaValid: valid[cols[0]], Root: dir, Refused: r[0], Mentions: r[1]})
		}
	})
	return docs
}

// readTSV calls row with the columns of each line after the header; a
// missing file calls it for nothing.
func readTSV(t testing.TB, path string, row func([]string)) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan() // header
	for sc.Scan() {
		row(strings.Split(sc.Text(), "\t"))
	}
	require.NoError(t, sc.Err())
}
