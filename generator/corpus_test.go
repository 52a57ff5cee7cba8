package generator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
)

// TestCorpusEveryRole is the contract with real documents: every spec of
// specs/, every document of testdata/roles and every corpus document the official meta-schema accepts
// generates in every role; for every document and role, validate accepts
// exactly what generate accepts (same errors, same warnings); and every
// generated package builds and vets, all in one module with one go vet.
func TestCorpusEveryRole(t *testing.T) {
	if testing.Short() {
		t.Skip("builds hundreds of packages")
	}
	specs, err := filepath.Glob(filepath.Join(checkout(t), "specs", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, specs)
	own, err := filepath.Glob(filepath.Join("testdata", "roles", "*.yaml"))
	require.NoError(t, err)
	var docs []corpusDoc
	for _, s := range append(specs, own...) {
		abs, err := filepath.Abs(s)
		require.NoError(t, err)
		docs = append(docs, corpusDoc{Path: abs, Rel: filepath.Base(filepath.Dir(s)) + "/" + filepath.Base(s), MetaValid: true})
	}
	corpus := corpusDocs(t)
	docs = append(docs, corpus...)

	mod := t.TempDir()
	tempModule(t, mod, "corpus.test")
	pkgOf := map[string]string{}
	var mustFail []string
	tally := map[string]int{}
	for i, d := range docs {
		for _, role := range ir.Roles {
			cfg := generator.Config{Spec: d.Path, Package: fmt.Sprintf("p%03d%s", i, role), Role: role, RefRoot: d.Root}
			warnings, verr := generator.Validate(context.Background(), cfg)
			out, gerr := generator.Generate(context.Background(), cfg)
			if !assert.Equal(t, errText(verr), errText(gerr), "%s -role %s: validate and generate disagree", d.Rel, role) {
				continue
			}
			if gerr != nil {
				tally["refused "+role.String()]++
				switch {
				case d.Refused != "":
					assert.Contains(t, gerr.Error(), d.Mentions, "%s is refused, but not because %s", d.Rel, d.Refused)
					tally["meta-schema valid, refused as corpus-refusals.tsv says "+role.String()]++
				case d.MetaValid:
					mustFail = append(mustFail, fmt.Sprintf("%s -role %s:\n%v", d.Rel, role, gerr))
				}
				continue
			}
			assert.Empty(t, d.Refused, "%s generates, but is listed in loader/testdata/corpus-refusals.tsv", d.Rel)
			assert.Equal(t, warnings.Error(), out.Warnings.Error(), "%s -role %s: validate and generate warn differently", d.Rel, role)
			tally["generated "+role.String()]++
			if len(out.Warnings) > 0 {
				tally["with warnings "+role.String()]++
			}
			_, err := generator.Write(filepath.Join(mod, cfg.Package), out.Files)
			require.NoError(t, err)
			pkgOf[cfg.Package] = d.Rel + " -role " + role.String()
		}
	}
	for _, f := range mustFail {
		t.Errorf("a meta-schema-valid document is refused: %s", f)
	}
	start := time.Now()
	out, err := goCmd(t, mod, 15*time.Minute, "vet", "./...")
	failed := map[string]bool{}
	if err != nil {
		for _, line := range strings.Split(out, "\n") {
			if p, ok := strings.CutPrefix(line, "# corpus.test/"); ok {
				failed[p] = true
			}
		}
		t.Errorf("go vet over the generated packages failed:\n%s", out)
		for p := range failed {
			t.Errorf("package %s comes from %s", p, pkgOf[p])
		}
		if len(failed) == 0 {
			failed["(all)"] = true
		}
	}
	if len(failed) == 0 {
		initAll(t, mod, pkgOf)
	}
	var keys []string
	for k := range tally {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, tally[k]))
	}
	metaValid := 0
	for _, d := range corpus {
		if d.MetaValid {
			metaValid++
		}
	}
	t.Logf("tally: %d documents (%d specs, %d own, %d corpus, %d of them meta-schema valid); %s; %d packages vetted in %s, %d failed",
		len(docs), len(specs), len(own), len(corpus), metaValid, strings.Join(parts, ", "), len(pkgOf), time.Since(start).Round(time.Second), len(failed))
}

// initAll runs one program that imports every generated package: what a
// package does when it is loaded (its codecs, topics and several-message
// types are made then, and a type that does not fit its codec panics)
// runs for all of them, where building and vetting runs nothing.
func initAll(t *testing.T, mod string, pkgOf map[string]string) {
	var pkgs []string
	for p := range pkgOf {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "\t_ %q\n", "corpus.test/"+p)
	}
	b.WriteString(")\n\nfunc main() { println(\"initialized\") }\n")
	require.NoError(t, os.MkdirAll(filepath.Join(mod, "initall"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "initall", "main.go"), []byte(b.String()), 0o644))
	out, err := goCmd(t, mod, 10*time.Minute, "run", "./initall")
	require.NoError(t, err, "loading every generated package:\n%s", out)
	require.Contains(t, out, "initialized")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
