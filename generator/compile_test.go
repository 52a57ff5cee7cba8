package generator_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
)

// checkout is the module root (this package's parent directory).
func checkout(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// tempModule makes a module in dir that uses this checkout through a
// replace directive, as a consumer's module would.
func tempModule(t *testing.T, dir, name string) {
	t.Helper()
	root := checkout(t)
	mod := fmt.Sprintf("module %s\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => %s\n", name, root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

// goCmd runs the go command in dir with a deadline and returns its output.
func goCmd(t *testing.T, dir string, timeout time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	primeModuleCache(t, checkout(t))
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	// GOPROXY=off: everything is in the module cache (primeModuleCache),
	// and the unpublished github.com/mqttgen/mqttgen must come from the
	// replace.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// primeModuleCache downloads, once per test binary, every module in the
// checkout's module graph, so that go commands in temporary modules can
// run with GOPROXY=off (the unpublished github.com/mqttgen/mqttgen must
// come from their replace directive, never from a proxy). A fresh
// machine's cache holds only what building needed, not the modules whose
// go.mod files -mod=mod also reads, such as gopkg.in/check.v1 (required
// by yaml.v3's go.mod).
func primeModuleCache(t *testing.T, root string) {
	t.Helper()
	primeOnce.Do(func() {
		// A copy of go.mod as -modfile, so the checkout's go.sum is
		// never rewritten by a test.
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
	if primeErr != nil {
		t.Fatal(primeErr)
	}
}

var (
	primeOnce sync.Once
	primeErr  error
)

// corpusDocs lists the corpus documents from its manifest; nil when the
// corpus is not beside the checkout.
func corpusDocs(t *testing.T) (string, []string) {
	dir := filepath.Join(checkout(t), "..", "shared", "asyncapi-corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return "", nil
	}
	defer f.Close()
	var docs []string
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		if path, _, ok := strings.Cut(sc.Text(), "\t"); ok && path != "" {
			docs = append(docs, path)
		}
	}
	return dir, docs
}

// TestEverySpecAndCorpusDocumentBuilds generates every spec of specs/ and
// every corpus document that loads (and names cleanly, as "mqttgen
// validate" checks) with -role both, and builds and vets all the packages
// in one module with one go vet run. A document whose send and receive
// operations share a name cannot have both sides in one package (that is
// ErrNameCollision, tested in generate_test.go): it is generated with
// -role app instead and counted.
func TestEverySpecAndCorpusDocumentBuilds(t *testing.T) {
	mod := t.TempDir()
	tempModule(t, mod, "corpus.test")
	specs, err := filepath.Glob(filepath.Join(checkout(t), "specs", "*.yaml"))
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs: %v", err)
	}
	inputs := append([]string{}, specs...)
	corpusDir, docs := corpusDocs(t)
	for _, d := range docs {
		inputs = append(inputs, filepath.Join(corpusDir, d))
	}
	var loaded, notLoaded, generated, appOnly int
	var genFailures []string
	pkgOf := map[string]string{}
	for i, in := range inputs {
		doc, err := loader.Load(in)
		if err == nil {
			err = generator.AssignNames(doc)
		}
		if err != nil {
			notLoaded++
			continue
		}
		loaded++
		pkg := fmt.Sprintf("p%03d", i)
		files, err := generator.GenerateDocument(context.Background(), doc, generator.Config{Spec: in, Package: pkg, Role: generator.RoleBoth})
		if errors.Is(err, generator.ErrNameCollision) {
			appOnly++
			files, err = generator.GenerateDocument(context.Background(), doc, generator.Config{Spec: in, Package: pkg, Role: generator.RoleApp})
		}
		if err != nil {
			genFailures = append(genFailures, fmt.Sprintf("%s: %v", in, err))
			continue
		}
		if _, err := generator.Write(filepath.Join(mod, pkg), files); err != nil {
			t.Fatal(err)
		}
		pkgOf[pkg] = in
		generated++
	}
	out, err := goCmd(t, mod, 8*time.Minute, "vet", "./...")
	failedPkgs := map[string]bool{}
	if err != nil {
		for _, line := range strings.Split(out, "\n") {
			if p, ok := strings.CutPrefix(line, "# corpus.test/"); ok {
				failedPkgs[p] = true
			}
		}
		t.Errorf("go vet over the generated packages failed:\n%s", out)
		if len(failedPkgs) == 0 {
			for p := range pkgOf {
				failedPkgs[p] = true // the whole run failed: none is known clean
			}
		}
		for p := range failedPkgs {
			t.Errorf("package %s comes from %s", p, pkgOf[p])
		}
	}
	for _, f := range genFailures {
		t.Errorf("generation failed: %s", f)
	}
	t.Logf("tally: %d documents (%d specs, %d corpus); %d load, %d do not; %d generated (%d with -role app because both sides collide), %d failed to generate; %d build and vet clean",
		len(inputs), len(specs), len(docs), loaded, notLoaded, generated, appOnly, len(genFailures), generated-len(failedPkgs))
	if len(docs) == 0 {
		t.Log("the corpus (../shared/asyncapi-corpus) is absent: only specs/ were checked")
	}
}
