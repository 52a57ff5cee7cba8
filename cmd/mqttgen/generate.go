package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/mqttgen/mqttgen/generator"
)

const generateUsage = `usage: mqttgen generate -i SPEC -o DIR [-package NAME] [-role app|client|both] [-ref-root DIR] [-strict] [-check] [-q]

Generates a typed Go package for the AsyncAPI document SPEC into DIR: a
Client with one Publish/Subscribe method per operation, parameter structs
for topics, payload types, schema validation and the document's servers.
Files are written all at once (on any error nothing in DIR changes);
unchanged files are left untouched, and earlier mqttgen output that is no
longer generated is removed. Files mqttgen did not write are never touched.

Flags:
  -i SPEC        the AsyncAPI document (YAML or JSON, 2.0-2.6 or 3.0);
                 "-" reads it from stdin
  -o DIR         the output directory, created when missing
  -package NAME  the Go package name; default: the package of the Go files
                 already in DIR, else DIR's base name in lower case without
                 characters Go does not allow
  -role ROLE     app (default): the application the document describes, which
                 publishes its send operations and subscribes to its receive
                 operations; client: its counterpart, send and receive swapped;
                 both: every operation gets Publish and Subscribe methods
  -ref-root DIR  the directory tree the document's $refs may read files from
                 (symlinks resolved); default: the document's own directory.
                 A $ref to a file outside it is refused
  -strict        treat warnings (what was renamed, left out or cannot be
                 held by a Go type) as errors
  -check         write nothing; exit 1 and list the files of DIR that are out
                 of date (for CI)
  -q             print nothing on success (warnings about the document still
                 go to stderr)

Examples:

  mqttgen generate -i api/asyncapi.yaml -o internal/sensors
  mqttgen generate -i api/asyncapi.yaml -o sdk -package sdk -role client
  mqttgen generate -i api/asyncapi.yaml -o internal/sensors -check
  mqttgen generate -i api/sensors/asyncapi.yaml -ref-root api -o internal/sensors

In a Go file, for "go generate":

  //go:generate go tool mqttgen generate -i ../../api/asyncapi.yaml -o .
`

// generateMaxStdin bounds a document read from stdin, like the loader's
// per-file limit.
const generateMaxStdin = 10 << 20

// runGenerate implements "mqttgen generate": exit 0 on success, 1 when
// generation fails or -check finds stale files, 2 on a usage error.
func runGenerate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: -h to stdout, mistakes to stderr
	spec := fs.String("i", "", "")
	dir := fs.String("o", "", "")
	pkg := fs.String("package", "", "")
	roleName := fs.String("role", "app", "")
	refRoot := fs.String("ref-root", "", "")
	check := fs.Bool("check", false, "")
	strict := fs.Bool("strict", false, "")
	quiet := fs.Bool("q", false, "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, generateUsage)
			return 0
		}
		fmt.Fprintln(stderr, "run \"mqttgen generate -h\" for the flags and examples")
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mqttgen generate: "+format+"\nrun \"mqttgen generate -h\" for the flags and examples\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q; the document is given with -i", fs.Arg(0))
	}
	if *spec == "" {
		return usageErr("-i SPEC is required: the AsyncAPI document's path, or - for stdin")
	}
	if *dir == "" {
		return usageErr("-o DIR is required: the directory to write the Go package into")
	}
	role, err := generator.ParseRole(*roleName)
	if err != nil {
		return usageErr("-role %q: use app, client or both", *roleName)
	}
	if cmd := commandFile(*dir); cmd != "" {
		return usageErr("%s is package main: the generated package cannot share %s with a command; write it into a directory of its own (e.g. -o %s)",
			filepath.Join(*dir, cmd), *dir, filepath.Join(*dir, "api"))
	}
	if *pkg == "" {
		name, err := defaultPackage(*dir)
		if err != nil {
			return usageErr("%v", err)
		}
		*pkg = name
	}

	cfg := generator.Config{Spec: *spec, Package: *pkg, Role: role, Strict: *strict, RefRoot: *refRoot}
	if *spec == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, generateMaxStdin+1))
		if err != nil {
			fmt.Fprintf(stderr, "mqttgen generate: reading stdin: %v\n", err)
			return 1
		}
		if len(data) > generateMaxStdin {
			fmt.Fprintf(stderr, "mqttgen generate: stdin holds more than %d bytes; pass the document as a file with -i\n", generateMaxStdin)
			return 1
		}
		cfg.Spec, cfg.Input = "<stdin>", data
	}
	out, err := generator.Generate(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprintf(stderr, "mqttgen generate: nothing was written to %s; fix the problems above and run it again\n", *dir)
		return 1
	}
	if len(out.Warnings) > 0 {
		fmt.Fprintln(stderr, out.Warnings)
	}
	files := out.Files

	if *check {
		stale, err := generator.Check(*dir, files)
		if err != nil {
			fmt.Fprintf(stderr, "mqttgen generate -check: %v\n", err)
			return 1
		}
		if len(stale) > 0 {
			for _, name := range stale {
				fmt.Fprintln(stdout, filepath.Join(*dir, name))
			}
			fmt.Fprintf(stderr, "mqttgen generate -check: %d file(s) in %s are out of date; run the same command without -check (or go generate ./...) and commit the result\n", len(stale), *dir)
			return 1
		}
		if !*quiet {
			fmt.Fprintf(stdout, "%s is up to date\n", *dir)
		}
		return 0
	}

	changes, err := generator.Write(*dir, files)
	if err != nil {
		fmt.Fprintf(stderr, "mqttgen generate: %v\nnothing in %s was changed\n", err, *dir)
		return 1
	}
	if *quiet {
		return 0
	}
	for _, p := range changes.Written {
		fmt.Fprintln(stdout, "wrote", p)
	}
	for _, p := range changes.Removed {
		fmt.Fprintln(stdout, "removed", p)
	}
	if len(changes.Written)+len(changes.Removed) == 0 {
		fmt.Fprintf(stdout, "%s is up to date (%d files)\n", *dir, len(files))
	}
	return 0
}

// defaultPackage picks the package name for dir: the one its Go files
// already use, else dir's base name made into an identifier.
func defaultPackage(dir string) (string, error) {
	if names := existingPackages(dir); len(names) == 1 {
		return names[0], nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("-o %q: %v", dir, err)
	}
	base := filepath.Base(abs)
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r == '_' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	name := b.String()
	if !token.IsIdentifier(name) || name == "main" || name == "_" {
		return "", fmt.Errorf("cannot make a package name from directory %q; pass -package NAME", base)
	}
	return name, nil
}

// commandFile names a non-test Go file of dir in package main, if any:
// a directory holds one package, and the generated one cannot be main.
func commandFile(dir string) string {
	pkgs := goPackages(dir)
	for _, name := range slices.Sorted(maps.Keys(pkgs)) {
		if pkgs[name] == "main" {
			return name
		}
	}
	return ""
}

// existingPackages lists the distinct package names of dir's non-test Go
// files (package main excluded: a library cannot join it).
func existingPackages(dir string) []string {
	seen := map[string]bool{}
	for _, pkg := range goPackages(dir) {
		if pkg != "main" {
			seen[pkg] = true
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// goPackages maps dir's non-test Go files that parse to their package
// names (none when dir cannot be read). Files the build leaves out (a
// "//go:build ignore" generator script in package main, say) are not
// listed.
func goPackages(dir string) map[string]string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		if built, err := build.Default.MatchFile(dir, n); err != nil || !built {
			continue
		}
		if f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.PackageClauseOnly); err == nil {
			out[n] = f.Name.Name
		}
	}
	return out
}
