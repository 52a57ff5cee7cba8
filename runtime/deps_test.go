package runtime_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goListDeps lists the packages pkg depends on.
func goListDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	deps := strings.Fields(string(out))
	require.Greater(t, len(deps), 10, "implausible dependency list: %v", deps)
	return deps
}

// The runtime packages are imported by every generated SDK: they must not
// drag in the generator, its templates or jennifer.
func TestRuntimeDependencies(t *testing.T) {
	for _, pkg := range []string{"github.com/mqttgen/mqttgen/runtime", "github.com/mqttgen/mqttgen/runtime/gen", "github.com/mqttgen/mqttgen/runtime/mqtttest"} {
		deps := goListDeps(t, pkg)
		for _, d := range deps {
			for _, banned := range []string{"github.com/dave/jennifer", "github.com/mqttgen/mqttgen/generator", "github.com/mqttgen/mqttgen/templates",
				"github.com/mqttgen/mqttgen/cmd"} {
				assert.False(t, strings.HasPrefix(d, banned), "%s depends on %s", pkg, d)
			}
		}
	}
}

// TestDecisionsInOnePackage is issue 14's check: the naming and type
// decisions live in generator/ir, which the templates import, and nothing
// the templates import below it imports the templates.
func TestDecisionsInOnePackage(t *testing.T) {
	const ir, templates = "github.com/mqttgen/mqttgen/generator/ir", "github.com/mqttgen/mqttgen/templates"
	assert.True(t, slices.Contains(goListDeps(t, templates), ir), "templates must render generator/ir's package")
	assert.NotContains(t, goListDeps(t, ir), templates, "generator/ir must not ask the templates anything")
}
