package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file of the user's with the name of a generated one (client.go is a
// common name) is the user's: generate refuses rather than replace it,
// and -check says so too. Earlier, generate overwrote it.
func TestGenerateNeverReplacesAUsersFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sensors")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	mine := []byte("package sensors\n\n// Hello is mine.\nfunc Hello() {}\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "client.go"), mine, 0o644))

	code, out, errs := runCLI("", "generate", "-i", spec, "-o", dir)
	assert.Equal(t, 1, code, errs)
	assert.Empty(t, out)
	assert.Contains(t, errs, filepath.Join(dir, "client.go")+" exists and was not written by mqttgen")
	assert.Contains(t, errs, "nothing in "+dir+" was changed")
	got, err := os.ReadFile(filepath.Join(dir, "client.go"))
	require.NoError(t, err)
	assert.Equal(t, string(mine), string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "nothing written beside it")

	code, _, errs = runCLI("", "generate", "-i", spec, "-o", dir, "-check")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "exists and was not written by mqttgen")
}

// A directory holding a command (package main) cannot hold the generated
// package too: the build would find two packages. Generate says so
// instead of writing a package named after the directory beside main.go;
// a main file the build ignores does not count.
func TestGenerateRefusesACommandsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "heatwatch")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
	for _, args := range [][]string{{}, {"-package", "sensors"}} {
		code, out, errs := runCLI("", append([]string{"generate", "-i", spec, "-o", dir}, args...)...)
		assert.Equal(t, 2, code, errs)
		assert.Empty(t, out)
		assert.Contains(t, errs, filepath.Join(dir, "main.go")+" is package main")
		assert.Contains(t, errs, "-o "+filepath.Join(dir, "api"))
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)

	lib := filepath.Join(t.TempDir(), "sensors")
	require.NoError(t, os.MkdirAll(lib, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(lib, "gen.go"), []byte("package sensors\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(lib, "tool.go"), []byte("//go:build ignore\n\npackage main\n\nfunc main() {}\n"), 0o644))
	code, _, errs := runCLI("", "generate", "-i", spec, "-o", lib, "-q")
	require.Equal(t, 0, code, errs)
	assert.FileExists(t, filepath.Join(lib, "client.go"))
}
