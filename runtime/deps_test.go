package runtime_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The runtime is imported by every generated SDK: it must not drag in the
// generator, its templates or jennifer.
func TestRuntimeDependencies(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/mqttgen/mqttgen/runtime").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !slices.Contains(deps, "github.com/eclipse/paho.mqtt.golang") {
		t.Fatalf("implausible dependency list: %v", deps)
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/dave/jennifer") ||
			strings.HasPrefix(d, "github.com/mqttgen/mqttgen/generator") ||
			strings.HasPrefix(d, "github.com/mqttgen/mqttgen/templates") ||
			strings.HasPrefix(d, "github.com/mqttgen/mqttgen/cmd") {
			t.Errorf("runtime depends on %s", d)
		}
	}
}
