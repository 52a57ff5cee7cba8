package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

const validateUsage = `usage: mqttgen validate [-ref-root DIR] SPEC

Loads the AsyncAPI document SPEC (YAML or JSON; "-" reads stdin), resolves
its $refs, checks it and the Go names it would produce. Prints nothing and
exits 0 when it is valid; otherwise prints every problem to stderr as
"file:line:col: /json/pointer: what is wrong" and exits 1. Warnings
("file:line:col: /json/pointer: warning: ...") go to stderr too; alone,
they leave the exit code 0.

Flags:
  -ref-root DIR  the directory tree the document's $refs may read files from
                 (symlinks resolved); default: the document's own directory.
                 A $ref to a file outside it is refused

Examples:

  mqttgen validate api/asyncapi.yaml
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
	refRoot := fs.String("ref-root", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, validateUsage)
			return 0
		}
		fmt.Fprint(stderr, "\n"+validateUsage)
		return 2
	}
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "mqttgen validate: want exactly one SPEC, got %d\n\n%s", fs.NArg(), validateUsage)
		return 2
	}
	doc, diags, err := loadSpecArg(fs.Arg(0), stdin, loader.Options{Root: *refRoot})
	if err == nil && diags.HasErrors() {
		err = diags
	}
	if err == nil {
		for _, w := range diags.Warnings() {
			fmt.Fprintln(stderr, w)
		}
		err = generator.AssignNames(doc)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// loadSpecArg loads a document from a path, or from stdin for "-"; err is
// a problem reading stdin, diags what the loader found.
func loadSpecArg(spec string, stdin io.Reader, opts loader.Options) (*model.Document, loader.Diagnostics, error) {
	if spec != "-" {
		doc, diags := loader.LoadFile(spec, opts)
		return doc, diags, nil
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(data) > maxStdin {
		return nil, nil, fmt.Errorf("stdin holds more than %d bytes: %w", maxStdin, loader.ErrLimit)
	}
	doc, diags := loader.LoadData("<stdin>", data, opts)
	return doc, diags, nil
}
