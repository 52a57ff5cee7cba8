package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const validSpec = `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  temp:
    address: rooms/{room}/temperature
    parameters: {room: {}}
    messages:
      reading: {payload: {type: number}}
operations:
  onTemperature:
    action: receive
    channel: {$ref: '#/channels/temp'}
`

const invalidSpec = `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  temp:
    adress: rooms/{room}
    parameters: {room: {}}
operations:
  a: {action: send, channel: {$ref: '#/channels/nope'}}
`

// warnSpec loads, with one warning: {sensor} is not declared.
const warnSpec = `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  temp:
    address: rooms/{room}/{sensor}
    parameters: {room: {}}
    messages: {m: {payload: {type: number}}}
operations:
  onTemp: {action: receive, channel: {$ref: '#/channels/temp'}}
`

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", validSpec)
	bad := write("bad.yaml", invalidSpec)
	clash := write("clash.yaml", `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  c: {address: c, messages: {m: {payload: {type: string}}}}
operations:
  sendX: {action: send, channel: {$ref: '#/channels/c'}, x-go-name: X}
  publishX: {action: send, channel: {$ref: '#/channels/c'}, x-go-name: X}
`)
	cases := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		stdout string
		stderr string // exact, or a prefix when it ends in "..."
	}{
		{"good file", []string{good}, "", 0, "", ""},
		{"good stdin", []string{"-"}, validSpec, 0, "", ""},
		{"bad file", []string{bad}, "", 1, "", bad + `:5:5: /channels/temp/adress: unknown field "adress" in channel (did you mean "address"?)
` + bad + `:8:37: /operations/a/channel: $ref "#/channels/nope": ` + bad + `#/channels has no "nope"
`},
		{"bad stdin", []string{"-"}, invalidSpec, 1, "", `<stdin>:5:5: /channels/temp/adress: unknown field "adress" in channel (did you mean "address"?)
<stdin>:8:37: /operations/a/channel: $ref "#/channels/nope": <stdin>#/channels has no "nope"
`},
		{"warnings only", []string{"-"}, warnSpec, 0, "", `<stdin>:5:14: /channels/temp/address: warning: parameter {sensor} in address "rooms/{room}/{sensor}" is not declared under parameters; it is read as a plain string
`},
		{"name clash", []string{clash}, "", 1, "", clash + `:7:13: /operations/publishX: operation "publishX": x-go-name "X" makes Client.PublishX, which operation "sendX" also makes (` + clash + `:6:10); choose another x-go-name
`},
		{"missing file", []string{filepath.Join(dir, "nope.yaml")}, "", 1, "", filepath.Join(dir, "nope.yaml") + " does not exist\n"},
		{"no spec", nil, "", 2, "", "mqttgen validate: want exactly one SPEC, got 0\n..."},
		{"two specs", []string{good, bad}, "", 2, "", "mqttgen validate: want exactly one SPEC, got 2\n..."},
		{"bad flag", []string{"-x", good}, "", 2, "", "flag provided but not defined: -x\n..."},
		{"help", []string{"-h"}, "", 0, validateUsage, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runValidate(c.args, strings.NewReader(c.stdin), &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit code %d, want %d (stderr %q)", code, c.code, stderr.String())
			}
			if stdout.String() != c.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), c.stdout)
			}
			if prefix, ok := strings.CutSuffix(c.stderr, "..."); ok {
				if !strings.HasPrefix(stderr.String(), prefix) {
					t.Errorf("stderr %q, want it to start with %q", stderr.String(), prefix)
				}
			} else if stderr.String() != c.stderr {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), c.stderr)
			}
		})
	}
	if !strings.Contains(validateUsage, "Examples:") {
		t.Error("usage has no example")
	}
}

// TestRunDispatchesValidate checks the command is wired into run.
func TestRunDispatchesValidate(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"validate", "-"}, strings.NewReader(validSpec), &stdout, &stderr); code != 0 {
		t.Errorf("run validate: exit %d, stderr %q", code, stderr.String())
	}
}

// TestValidateRefRoot: a $ref out of the document's directory is refused
// by default and read with -ref-root naming a directory that holds it.
func TestValidateRefRoot(t *testing.T) {
	dir, spec := sharedRefTree(t, sharedRefSpec+`operations:
  sendTemp: {action: send, channel: {$ref: '#/channels/temp'}}
`)

	code, out, errs := runCLI("", "validate", spec)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errs, spec+":8:25: /channels/temp/messages/reading/payload: $ref \"../common/reading.yaml\": ")
	assert.Contains(t, errs, "is outside "+filepath.Join(dir, "api")+", the directory tree $refs may read")

	code, out, errs = runCLI("", "validate", "-ref-root", dir, spec)
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, out)
	assert.Empty(t, errs)

	// stdin: relative $refs resolve against the working directory, which
	// is not under the root given.
	code, _, errs = runCLI(sharedRefSpec, "validate", "-ref-root", dir, "-")
	assert.Equal(t, 1, code)
	assert.Contains(t, errs, "<stdin>:8:25: ")
	assert.Contains(t, errs, "is outside "+dir)
}

// sharedRefTree writes src as api/asyncapi.yaml in a new directory, beside
// common/reading.yaml, and returns the directory and the document's path.
func sharedRefTree(t *testing.T, src string) (dir, spec string) {
	t.Helper()
	dir = t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "api"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "common"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "common", "reading.yaml"), []byte("type: number\n"), 0o644))
	spec = filepath.Join(dir, "api", "asyncapi.yaml")
	require.NoError(t, os.WriteFile(spec, []byte(src), 0o644))
	return dir, spec
}

// sharedRefSpec takes its payload from a sibling folder, ../common.
const sharedRefSpec = `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  temp:
    address: temp
    messages:
      reading:
        payload: {$ref: '../common/reading.yaml'}
`
