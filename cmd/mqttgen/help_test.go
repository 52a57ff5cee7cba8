package main

import (
	"strings"
	"testing"
)

// Every subcommand answers -h (and "mqttgen help COMMAND") on stdout with
// exit 0 and shows at least one example invocation of itself.
func TestEverySubcommandHelpHasExamples(t *testing.T) {
	for _, cmd := range []string{"validate", "generate"} {
		code, out, errs := runCLI("", cmd, "-h")
		if code != 0 || errs != "" {
			t.Errorf("%s -h: exit %d, stderr %q", cmd, code, errs)
		}
		if !strings.Contains(out, "Example") || !strings.Contains(out, "\n  mqttgen "+cmd+" ") {
			t.Errorf("%s -h shows no example of itself:\n%s", cmd, out)
		}
		if code, viaHelp, _ := runCLI("", "help", cmd); code != 0 || viaHelp != out {
			t.Errorf("help %s: exit %d, output differs from %s -h", cmd, code, cmd)
		}
	}
	code, out, _ := runCLI("", "-h")
	if code != 0 {
		t.Errorf("-h: exit %d", code)
	}
	for _, cmd := range []string{"validate", "generate", "version", "help"} {
		if !strings.Contains(out, "mqttgen "+cmd) {
			t.Errorf("top-level help does not list %s:\n%s", cmd, out)
		}
	}
}

// Every way of calling mqttgen wrongly exits non-zero and says what to do.
func TestMisuseExitsNonZero(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{nil, "mqttgen COMMAND -h"},
		{[]string{"generat"}, `unknown command "generat"`},
		{[]string{"help", "nonsense"}, `unknown command "nonsense"`},
		{[]string{"validate"}, "want exactly one SPEC"},
		{[]string{"validate", "-x", "a.yaml"}, "usage: mqttgen validate [-ref-root DIR] SPEC"},
		{[]string{"validate", "no-such-file.yaml"}, "no-such-file.yaml"},
		{[]string{"generate"}, "-i SPEC is required"},
	}
	for _, tc := range cases {
		code, out, errs := runCLI("", tc.args...)
		if code == 0 || !strings.Contains(errs, tc.want) {
			t.Errorf("mqttgen %q: exit %d, stderr %q; want non-zero and %q", tc.args, code, errs, tc.want)
		}
		if out != "" {
			t.Errorf("mqttgen %q printed to stdout on failure: %q", tc.args, out)
		}
	}
	if code, out, _ := runCLI("", "version"); code != 0 || !strings.HasPrefix(out, "mqttgen v") {
		t.Errorf("version: exit %d, %q", code, out)
	}
}
