package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// runCLI runs mqttgen in-process.
func runCLI(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const spec = "../../specs/sensor-gateway.yaml"

func TestGenerateHelpDocumentsEveryFlag(t *testing.T) {
	code, out, _ := runCLI("", "generate", "-h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"-i SPEC", "-o DIR", "-package NAME", "-role ROLE", "-ref-root DIR", "-check", "-q", "Examples:", "//go:generate go tool mqttgen generate"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

func TestGenerateUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"generate", "-o", dir}, "-i SPEC is required"},
		{[]string{"generate", "-i", spec}, "-o DIR is required"},
		{[]string{"generate", "-i", spec, "-o", dir, "-role", "server"}, "use app, client or both"},
		{[]string{"generate", "-i", spec, "-o", dir, "extra"}, "unexpected argument"},
		{[]string{"generate", "-i", spec, "-o", filepath.Join(dir, "9lives")}, "pass -package NAME"},
		{[]string{"generate", "-bogus"}, "mqttgen generate -h"},
	}
	for _, tc := range cases {
		code, _, errs := runCLI("", tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestGenerateWritesChecksAndIsQuiet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sensor-sdk")
	code, out, errs := runCLI("", "generate", "-i", spec, "-o", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "wrote "+filepath.Join(dir, "client.go")) {
		t.Errorf("output does not list what was written:\n%s", out)
	}
	src, err := os.ReadFile(filepath.Join(dir, "client.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("\npackage sensorsdk\n")) {
		t.Errorf("package name not derived from the directory:\n%.300s", src)
	}
	if code, out, _ := runCLI("", "generate", "-i", spec, "-o", dir); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("second run: exit %d, %q", code, out)
	}
	if code, out, errs := runCLI("", "generate", "-q", "-i", spec, "-o", dir, "-check"); code != 0 || out != "" || errs != "" {
		t.Errorf("-check -q on fresh output: exit %d, %q, %q", code, out, errs)
	}
	// Hand edits make the output stale (a file without mqttgen's header
	// is not mqttgen's: see TestGenerateNeverReplacesAUsersFile).
	edited := append(bytes.Clone(src), "\n// a hand edit\n"...)
	if err := os.WriteFile(filepath.Join(dir, "channels.go"), edited, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCLI("", "generate", "-i", spec, "-o", dir, "-check")
	if code != 1 || strings.TrimSpace(out) != filepath.Join(dir, "channels.go") || !strings.Contains(errs, "out of date") {
		t.Errorf("-check on stale output: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if code, out, errs := runCLI("", "generate", "-q", "-i", spec, "-o", dir); code != 0 || out != "" || errs != "" {
		t.Errorf("-q: exit %d, %q, %q", code, out, errs)
	}
	if code, _, _ := runCLI("", "generate", "-i", spec, "-o", dir, "-check"); code != 0 {
		t.Error("regenerating did not repair the stale file")
	}
}

func TestGenerateFromStdinIntoExistingPackage(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "doc.go"), []byte("// Package lights is mine.\npackage lights\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../../specs/streetlights.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCLI(string(data), "generate", "-i", "-", "-o", dir, "-role", "client")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	src, err := os.ReadFile(filepath.Join(dir, "operations.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(src, []byte("\npackage lights\n")) || !bytes.Contains(src, []byte("PublishLightMeasurement")) {
		t.Errorf("stdin/client-role output wrong:\n%.400s", src)
	}
	if !bytes.Contains(src, []byte("// Source: <stdin>")) {
		t.Errorf("source line does not say stdin")
	}
}

func TestGenerateBadDocumentWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	bad := "asyncapi: 3.0.0\ninfo: {title: x, version: '1'}\nchannels:\n  a:\n    address: a/{id\n"
	code, out, errs := runCLI(bad, "generate", "-i", "-", "-o", dir)
	if code != 1 || out != "" || !strings.Contains(errs, "<stdin>:") || !strings.Contains(errs, "nothing was written") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("output directory was created for a bad document")
	}
	if code, _, errs := runCLI("", "generate", "-i", "no-such.yaml", "-o", dir); code != 1 || !strings.Contains(errs, "no-such.yaml") {
		t.Errorf("missing spec: exit %d, %q", code, errs)
	}
}

// TestGenerateRefRootAndWarnings: -ref-root reaches a sibling folder the
// default root refuses, and warnings about the document go to stderr, even
// with -q, without stopping generation.
func TestGenerateRefRootAndWarnings(t *testing.T) {
	dir, spec := sharedRefTree(t, sharedRefSpec+`    parameters:
      unused: {}
operations:
  onTemp:
    action: receive
    channel: {$ref: '#/channels/temp'}
`)
	out := filepath.Join(dir, "sdk")

	code, stdout, errs := runCLI("", "generate", "-i", spec, "-o", out)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Contains(t, errs, "is outside "+filepath.Join(dir, "api"))
	assert.Contains(t, errs, "nothing was written")
	assert.NoDirExists(t, out)

	code, stdout, errs = runCLI("", "generate", "-i", spec, "-o", out, "-ref-root", dir, "-q")
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, stdout)
	assert.Equal(t, spec+`:10:7: /channels/temp/parameters/unused: warning: parameter "unused" is declared but not used in address "temp"`+"\n", errs)
	assert.FileExists(t, filepath.Join(out, "client.go"))
}
