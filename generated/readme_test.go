package generated_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// readmeBlock matches a fenced block that the README marks for this test:
//
//	<!-- readme-test: file main.go -->   (or: commands)
//	```go
//	...
//	```
var readmeBlock = regexp.MustCompile("(?s)<!-- readme-test: ([^>]*?) -->\n```[a-z]*\n(.*?)\n```")

// TestReadmeExample builds the README's complete example as a user would:
// a module outside the repository made of the README's files, wired with
// the README's commands (go get -tool, go generate, go test)
// in Go's default -mod=readonly mode, so the README cannot drift from what
// works. The one difference: "go mod init" is replaced by a go.mod that
// requires this checkout through a replace directive, since the module is
// not fetched from a proxy here; go.sum starts empty, as after go mod init.
func TestReadmeExample(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	mod := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(mod, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	var files, commands []string
	for _, m := range readmeBlock.FindAllSubmatch(readme, -1) {
		marker, body := string(m[1]), m[2]
		switch {
		case strings.HasPrefix(marker, "file "):
			name := strings.TrimPrefix(marker, "file ")
			write(name, append(body, '\n'))
			files = append(files, name)
		case marker == "commands":
			for line := range strings.Lines(string(body)) {
				if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
					commands = append(commands, line)
				}
			}
		default:
			require.FailNow(t, "unknown README test marker", marker)
		}
	}
	slices.Sort(files)
	require.Equal(t, []string{"config.yaml", "main.go", "main_test.go", "sensors/gen.go"}, files, "README test blocks")
	require.NotEmpty(t, commands, "README commands")
	require.Equal(t, "go mod init example.com/heatwatch", commands[0], "the README's first command")

	spec, err := os.ReadFile(filepath.Join(root, "specs", "sensor-gateway.yaml"))
	require.NoError(t, err)
	write("api/asyncapi.yaml", spec)
	write("go.mod", []byte("module example.com/heatwatch\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => "+root+"\n"))

	primeModuleCache(t, root)
	for _, c := range append(commands[1:], "go vet ./...") {
		args := strings.Fields(c)
		require.Equal(t, "go", args[0], "README command %q is not a go command", c)
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		cmd := exec.CommandContext(ctx, "go", args[1:]...)
		cmd.Dir = mod
		// A plain Go setup: -mod=readonly (the default, set in case the
		// environment says otherwise), so go.mod and go.sum must be made
		// by the README's commands. Everything is in the module cache
		// (primeModuleCache), checked against the checkout's go.sum when it
		// was downloaded; the checksum database is out of reach here, so
		// go.sum is filled from the cache. mqttgen itself comes from the
		// replace directive.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=readonly", "GOWORK=off", "GOPROXY=off", "GOSUMDB=off")
		out, err := cmd.CombinedOutput()
		cancel()
		require.NoError(t, err, "%s:\n%s", c, out)
		t.Logf("%s\n%s", c, out)
	}
	assert.FileExists(t, filepath.Join(mod, "sensors", "client.go"), "written by go generate")

	// The README's config.yaml is valid and says what the README says.
	cfg, err := mqttrt.LoadConfig(filepath.Join(mod, "config.yaml"))
	require.NoError(t, err)
	assert.Len(t, cfg.Brokers, 2, "brokers")
	assert.Equal(t, "heatwatch-1", cfg.ClientID)
	require.NotNil(t, cfg.CleanSession)
	assert.False(t, *cfg.CleanSession, "clean session")
}

// primeModuleCache downloads, once per test binary, every module in the
// checkout's module graph, so that go commands in temporary modules can
// run with GOPROXY=off (the unpublished github.com/mqttgen/mqttgen must
// come from their replace directive, never from a proxy). A fresh
// machine's cache holds only what building needed, not the modules whose
// go.mod files go mod tidy also reads, such as gopkg.in/check.v1 (required
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
	require.NoError(t, primeErr)
}

var (
	primeOnce sync.Once
	primeErr  error
)
