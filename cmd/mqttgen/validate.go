package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
)

const validateUsage = `usage: mqttgen validate [-role app|client|both] [-ref-root DIR] [-strict] SPEC
       mqttgen validate [flags] -i SPEC

Checks the AsyncAPI document SPEC (YAML or JSON; "-" reads stdin) exactly as
"mqttgen generate" would for the role, without writing anything: it loads
the document, resolves its $refs, checks it against the AsyncAPI
specification, and decides every Go name and type. Prints every problem to
stderr as "file:line:col: /json/pointer: what is wrong" (warnings as
"file:line:col: /json/pointer: warning: ..."); exits 0 when generate would
succeed (warnings alone leave it 0), 1 when it would fail, 2 on a usage
error.

Flags (before SPEC):
  -i SPEC        the document, as generate, watch and mock take it
  -role ROLE     app, client or both (default both: every operation gets
                 both methods, so every name is checked)
  -ref-root DIR  the directory tree the document's $refs may read files from
                 (symlinks resolved); default: the document's own directory.
                 A $ref to a file outside it is refused
  -strict        treat warnings as errors

Examples:

  mqttgen validate api/asyncapi.yaml
  mqttgen validate -role app -strict api/asyncapi.yaml
  mqttgen validate -ref-root api api/sensors/asyncapi.yaml
`

// maxStdin bounds what validate reads from stdin, like the loader's
// per-file limit.
const maxStdin = 10 << 20

// runValidate implements "mqttgen validate": exit 0 valid, 1 invalid,
// 2 usage error.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: -h to stdout, mistakes to stderr
	roleName := fs.String("role", "both", "")
	refRoot := fs.String("ref-root", "", "")
	strict := fs.Bool("strict", false, "")
	spec := fs.String("i", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, validateUsage)
			return 0
		}
		fmt.Fprint(stderr, "\n"+validateUsage)
		return 2
	}
	specs := fs.Args()
	if *spec != "" {
		specs = append([]string{*spec}, specs...)
	}
	if len(specs) != 1 {
		hint := ""
		if len(specs) > 1 && strings.HasPrefix(specs[1], "-") {
			// The flag package stops at the first argument that is not a
			// flag: "validate api.yaml -strict" leaves -strict unread.
			hint = fmt.Sprintf(" (flags go before SPEC: mqttgen validate %s %s)", strings.Join(specs[1:], " "), specs[0])
		}
		fmt.Fprintf(stderr, "mqttgen validate: want exactly one SPEC, got %d%s\nrun \"mqttgen validate -h\" for the flags and examples\n", len(specs), hint)
		return 2
	}
	role, err := generator.ParseRole(*roleName)
	if err != nil {
		fmt.Fprintf(stderr, "mqttgen validate: -role %q: use app, client or both\n", *roleName)
		return 2
	}
	cfg := generator.Config{Spec: specs[0], Package: "api", Role: role, Strict: *strict, RefRoot: *refRoot}
	if cfg.Spec == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
		if err != nil {
			fmt.Fprintf(stderr, "mqttgen validate: reading stdin: %v\n", err)
			return 1
		}
		if len(data) > maxStdin {
			fmt.Fprintf(stderr, "mqttgen validate: stdin holds more than %d bytes: %v\n", maxStdin, loader.ErrLimit)
			return 1
		}
		cfg.Spec, cfg.Input = "<stdin>", data
	}
	warnings, err := generator.Validate(context.Background(), cfg)
	if len(warnings) > 0 {
		fmt.Fprintln(stderr, warnings)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
