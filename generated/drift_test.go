package generated_test

import (
	"bufio"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	require.NoError(t, err)
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
		require.NoError(t, fs.Parse(strings.Fields(line)), "generate.go: %q", line)
		r, err := generator.ParseRole(*role)
		require.NoError(t, err)
		if *pkg == "" {
			*pkg = filepath.Base(*dir)
		}
		out = append(out, generateLine{spec: *spec, dir: *dir, pkg: *pkg, role: r})
	}
	require.NoError(t, sc.Err())
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
			out, err := generator.Generate(context.Background(), generator.Config{Spec: l.spec, Package: l.pkg, Role: l.role})
			require.NoError(t, err, "generate %s", l.spec)
			stale, err := generator.Check(l.dir, out.Files)
			require.NoError(t, err)
			assert.Empty(t, stale, "generated/%s is stale; run: go generate ./...", l.dir)
		})
	}
	specs, err := filepath.Glob("../specs/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, specs, "no specs found in ../specs")
	for _, s := range specs {
		assert.True(t, covered[filepath.Clean(s)], "%s has no //go:generate line in generate.go", s)
	}
}
