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
// the README's commands (go get -tool, go generate, go test), so the
// README cannot drift from what works. The one difference: "go mod init"
// is replaced by a go.mod that points at this checkout, since the module
// is not fetched from a proxy here.
func TestReadmeExample(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(mod, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
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
			t.Fatalf("unknown README test marker %q", marker)
		}
	}
	slices.Sort(files)
	if want := []string{"config.yaml", "main.go", "main_test.go", "sensors/gen.go"}; !slices.Equal(files, want) {
		t.Fatalf("README test blocks %v, want %v", files, want)
	}
	if len(commands) == 0 || commands[0] != "go mod init example.com/heatwatch" {
		t.Fatalf("README commands %q do not start with go mod init example.com/heatwatch", commands)
	}

	spec, err := os.ReadFile(filepath.Join(root, "specs", "sensor-gateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	write("api/asyncapi.yaml", spec)
	write("go.mod", []byte("module example.com/heatwatch\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => "+root+"\n"))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	write("go.sum", sum)

	primeModuleCache(t, root)
	for _, c := range append(commands[1:], "go vet ./...") {
		args := strings.Fields(c)
		if args[0] != "go" {
			t.Fatalf("README command %q is not a go command", c)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		cmd := exec.CommandContext(ctx, "go", args[1:]...)
		cmd.Dir = mod
		// Everything is in the module cache (primeModuleCache); mqttgen
		// itself comes from the replace directive.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOPROXY=off")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
		t.Logf("%s\n%s", c, out)
	}
	if _, err := os.Stat(filepath.Join(mod, "sensors", "client.go")); err != nil {
		t.Errorf("go generate wrote no sensors/client.go: %v", err)
	}

	// The README's config.yaml is valid and says what the README says.
	cfg, err := mqttrt.LoadConfig(filepath.Join(mod, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Brokers) != 2 || cfg.ClientID != "heatwatch-1" || *cfg.CleanSession {
		t.Errorf("README config.yaml loads as %v", cfg)
	}
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
