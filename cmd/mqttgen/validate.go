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

const validateUsage = `usage: mqttgen validate SPEC

Loads the AsyncAPI document SPEC (YAML or JSON; "-" reads stdin), resolves
its $refs, checks it and the Go names it would produce. Prints nothing and
exits 0 when it is valid; otherwise prints every problem to stderr as
"file:line:col: /json/pointer: what is wrong" and exits 1.

Example:

  mqttgen validate api/asyncapi.yaml
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
	doc, err := loadSpecArg(fs.Arg(0), stdin)
	if err == nil {
		err = generator.AssignNames(doc)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// loadSpecArg loads a document from a path, or from stdin for "-".
func loadSpecArg(spec string, stdin io.Reader) (*model.Document, error) {
	if spec != "-" {
		return loader.Load(spec)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxStdin+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(data) > maxStdin {
		return nil, fmt.Errorf("stdin holds more than %d bytes: %w", maxStdin, loader.ErrLimit)
	}
	return loader.LoadBytes("<stdin>", data)
}
