package generator

import (
	"bytes"
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/templates"
)

// emitted is one file's result: the formatted file and whether it has any
// declarations.
type emitted struct {
	file  File
	decls bool
	err   error
}

// emit renders every file of templates.Files on GOMAXPROCS workers (each
// only reads pkg) and keeps them in that order, so that output does not
// depend on scheduling. Files without declarations are left out.
func emit(ctx context.Context, pkg *ir.Package) ([]File, error) {
	jobs := parts(pkg)
	results := make([]emitted, len(jobs))
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				if err := ctx.Err(); err != nil {
					results[i].err = err
					return
				}
				results[i] = emitOne(jobs[i].file, jobs[i].pkg)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var files []File
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if r.decls {
			files = append(files, r.file)
		}
	}
	return files, nil
}

// partSize is how many channels, operations or types one file holds at
// most: a thousand channels make a file of about 35,000 lines.
var partSize = 1000

// job is one file to render, from the package or a part of it.
type job struct {
	file templates.File
	pkg  *ir.Package
}

// parts splits each file that renders a list of the package into files of
// at most partSize elements: channels.go, channels_2.go, ...
func parts(pkg *ir.Package) []job {
	var jobs []job
	for _, f := range templates.Files {
		// n is the length of the list f follows; cut narrows a copy of
		// pkg to a run of it.
		var n int
		var cut func(part *ir.Package, lo, hi int)
		switch f.Per {
		case templates.PerChannel:
			n, cut = len(pkg.Channels), func(part *ir.Package, lo, hi int) { part.Channels = pkg.Channels[lo:hi] }
		case templates.PerOperation:
			n, cut = len(pkg.Operations), func(part *ir.Package, lo, hi int) { part.Operations = pkg.Operations[lo:hi] }
		case templates.PerType:
			n, cut = len(pkg.Types), func(part *ir.Package, lo, hi int) { part.Types = pkg.Types[lo:hi] }
		}
		if n <= partSize {
			jobs = append(jobs, job{f, pkg})
			continue
		}
		for i, lo := 0, 0; lo < n; i, lo = i+1, lo+partSize {
			part := *pkg
			cut(&part, lo, min(lo+partSize, n))
			pf := f
			if i > 0 {
				pf.Name = fmt.Sprintf("%s_%d.go", strings.TrimSuffix(f.Name, ".go"), i+1)
			}
			jobs = append(jobs, job{pf, &part})
		}
	}
	return jobs
}

// emitOne renders one file and prints it the way gofmt does. Jennifer's
// own formatting is off: it would parse and print the file a second time.
func emitOne(t templates.File, pkg *ir.Package) emitted {
	f := templates.NewFile(pkg)
	f.NoFormat = true
	t.Emit(f, pkg)
	var raw bytes.Buffer
	if err := f.Render(&raw); err != nil {
		return emitted{err: fmt.Errorf("render %s: %w", t.Name, err)}
	}
	data, af, err := gofmt(t.Name, groupImports(raw.Bytes()))
	if err != nil {
		// A failure here is a generator bug: show the numbered source.
		return emitted{err: fmt.Errorf("format %s (a generator bug; please report it with the document): %v\n%s", t.Name, err, numbered(raw.Bytes()))}
	}
	return emitted{file: File{Name: t.Name, Data: data}, decls: len(af.Decls) > 0}
}

// groupImports puts the standard library's imports first and the others
// after a blank line, as goimports does; gofmt then sorts each group.
// Jennifer writes one import per line inside one import ( ... ) block.
func groupImports(src []byte) []byte {
	start := bytes.Index(src, []byte("\nimport (\n"))
	if start < 0 {
		return src
	}
	body := start + len("\nimport (\n")
	end := bytes.Index(src[body:], []byte("\n)\n"))
	if end < 0 {
		return src
	}
	var std, other [][]byte
	for _, line := range bytes.Split(src[body:body+end], []byte("\n")) {
		path := line[bytes.IndexByte(line, '"')+1:]
		if first, _, _ := bytes.Cut(path, []byte("/")); bytes.Contains(first, []byte(".")) {
			other = append(other, line)
		} else {
			std = append(std, line)
		}
	}
	if len(std) == 0 || len(other) == 0 {
		return src
	}
	var out bytes.Buffer
	out.Write(src[:body])
	out.Write(bytes.Join(std, []byte("\n")))
	out.WriteString("\n\n")
	out.Write(bytes.Join(other, []byte("\n")))
	out.Write(src[body+end:])
	return out.Bytes()
}

// gofmtConfig is go/format's printer configuration: tabs for indentation,
// spaces for alignment, tab width 8, and number literals normalised (the
// go/printer mode bit 1<<30 that go/format sets and does not export).
var gofmtConfig = printer.Config{Mode: printer.UseSpaces | printer.TabIndent | 1<<30, Tabwidth: 8}

// gofmt is go/format.Source for a whole file, also returning the syntax
// tree.
func gofmt(name string, src []byte) ([]byte, *ast.File, error) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, name, src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, nil, err
	}
	ast.SortImports(fset, af)
	var out bytes.Buffer
	out.Grow(len(src))
	if err := gofmtConfig.Fprint(&out, fset, af); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), af, nil
}

// numbered prefixes each line with its number, for error messages.
func numbered(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%5d  %s\n", i+1, line)
	}
	return b.String()
}
