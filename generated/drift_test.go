package generated_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/generator"
)

// generateLine is one //go:generate line of generate.go, parsed with the
// flags of "mqttgen generate".
type generateLine struct {
	spec, dir, pkg string
	role           generator.Role
}

// readGenerateLines reads generate.go so the test checks exactly what
// "go generate ./..." produces.
func readGenerateLines(t *testing.T) []generateLine {
	t.Helper()
	f, err := os.Open("generate.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []generateLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "//go:generate go run ../cmd/mqttgen generate ")
		if !ok {
			continue
		}
		fs := flag.NewFlagSet("generate", flag.ContinueOnError)
		spec := fs.String("i", "", "")
		dir := fs.String("o", "", "")
		pkg := fs.String("package", "", "")
		role := fs.String("role", "app", "")
		fs.Bool("q", false, "")
		if err := fs.Parse(strings.Fields(line)); err != nil {
			t.Fatalf("generate.go: %q: %v", line, err)
		}
		r, err := generator.ParseRole(*role)
		if err != nil {
			t.Fatal(err)
		}
		if *pkg == "" {
			*pkg = filepath.Base(*dir)
		}
		out = append(out, generateLine{spec: *spec, dir: *dir, pkg: *pkg, role: r})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGeneratedIsUpToDate fails when any checked-in package differs from
// what the generator makes of its spec now, or when a spec in specs/ has no
// package here.
func TestGeneratedIsUpToDate(t *testing.T) {
	lines := readGenerateLines(t)
	covered := map[string]bool{}
	for _, l := range lines {
		covered[filepath.Clean(l.spec)] = true
		t.Run(l.dir, func(t *testing.T) {
			files, err := generator.Generate(context.Background(), generator.Config{Spec: l.spec, Package: l.pkg, Role: l.role})
			if err != nil {
				t.Fatalf("generate %s: %v", l.spec, err)
			}
			stale, err := generator.Check(l.dir, files)
			if err != nil {
				t.Fatal(err)
			}
			if len(stale) > 0 {
				t.Errorf("generated/%s is stale (%s); run: go generate ./...", l.dir, strings.Join(stale, ", "))
			}
		})
	}
	specs, err := filepath.Glob("../specs/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) == 0 {
		t.Fatal("no specs found in ../specs")
	}
	for _, s := range specs {
		if !covered[filepath.Clean(s)] {
			t.Errorf("%s has no //go:generate line in generate.go", s)
		}
	}
}
