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
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/templates"
)

// emitter fills one file.
type emitter struct {
	name string
	emit func(f *jen.File, s *templates.Spec) error
}

// emitters in output order; a file that ends up with no declarations is
// left out.
var emitters = []emitter{
	{"client.go", templates.Client},
	{"topics.go", templates.Topics},
	{"publish.go", templates.Publish},
	{"subscribe.go", templates.Subscribe},
	{"messages.go", templates.Messages},
	{"types.go", func(f *jen.File, s *templates.Spec) error { return templates.Types(f, s.Doc) }},
	{"validation.go", templates.Validation},
	{"decode.go", templates.Decoders},
	{"encode.go", templates.Encoders},
	{"servers.go", templates.Servers},
}

// emitted is one emitter's result: the formatted file, whether it has any
// declarations, and the names it declares.
type emitted struct {
	file  File
	decls bool
	names []string
	err   error
}

// emit runs the emitters on GOMAXPROCS workers (each only reads spec),
// keeps their results in emitter order so that output does not depend on
// scheduling, and refuses duplicate declarations across files. Workers take
// the jobs that cost most first, and no more files are in flight than
// there are workers: a file's syntax tree is the largest thing alive, so
// this bounds the peak heap.
func emit(ctx context.Context, spec *templates.Spec) ([]File, error) {
	results := make([]emitted, len(emitters))
	var next atomic.Int32
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(largestFirst)) {
		wg.Go(func() {
			for {
				n := int(next.Add(1)) - 1
				if n >= len(largestFirst) {
					return
				}
				i := largestFirst[n]
				if err := ctx.Err(); err != nil {
					results[i].err = err
					return
				}
				results[i] = emitOne(emitters[i], spec)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
	}
	return checkDecls(results)
}

// largestFirst is the order workers take jobs in: indexes into emitters,
// by their cost on large documents (1,000 channels, CPU: decode 0.26 s,
// topics 0.13, encode 0.17, subscribe 0.08, validation 0.05, messages
// 0.06, types 0.06, publish 0.04), so that the last job started is a
// small one.
var largestFirst = []int{7, 1, 8, 3, 4, 5, 6, 2, 0, 9}

// emitOne renders one file, parses it once, reads its declaration names
// from that syntax tree and prints the tree the way gofmt does. Jennifer's
// own formatting is off: it would parse and print the whole file a second
// time.
func emitOne(e emitter, spec *templates.Spec) emitted {
	f := templates.NewFile(spec)
	f.NoFormat = true
	if err := e.emit(f, spec); err != nil {
		return emitted{err: fmt.Errorf("emit %s: %w", e.name, err)}
	}
	var raw bytes.Buffer
	if err := f.Render(&raw); err != nil {
		return emitted{err: fmt.Errorf("render %s: %w", e.name, err)}
	}
	data, af, err := gofmt(e.name, raw.Bytes())
	if err != nil {
		// Formatting is done here so that a failure shows numbered source.
		return emitted{err: fmt.Errorf("format %s (a generator bug; please report it with the document): %v\n%s", e.name, err, numbered(raw.Bytes()))}
	}
	return emitted{file: File{Name: e.name, Data: data}, decls: len(af.Decls) > 0, names: declNames(af)}
}

// gofmtConfig is go/format's printer configuration: tabs for indentation,
// spaces for alignment, tab width 8, and number literals normalised (the
// go/printer mode bit 1<<30 that go/format sets and does not export).
var gofmtConfig = printer.Config{Mode: printer.UseSpaces | printer.TabIndent | 1<<30, Tabwidth: 8}

// gofmt is go/format.Source for a whole file, also returning the syntax
// tree, so that callers need not parse the output again.
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

// checkDecls drops files with no declarations and refuses output in which
// two declarations share a name (say, a schema called "Client"): that is
// an error to fix in the document (x-go-name), never a silent rename.
func checkDecls(results []emitted) ([]File, error) {
	where := map[string]string{}
	var dup []string
	var kept []File
	for _, r := range results {
		if !r.decls {
			continue
		}
		kept = append(kept, r.file)
		for _, name := range r.names {
			if prev, ok := where[name]; ok {
				dup = append(dup, fmt.Sprintf("%s is declared twice (%s and %s)", name, prev, r.file.Name))
				continue
			}
			where[name] = r.file.Name
		}
	}
	if len(dup) > 0 {
		sort.Strings(dup)
		return nil, fmt.Errorf("%w; rename with x-go-name in the document:\n\t%s", ErrNameCollision, strings.Join(dup, "\n\t"))
	}
	return kept, nil
}

// declNames lists a file's package-level names, methods as Type.Method.
func declNames(af *ast.File) []string {
	var out []string
	for _, d := range af.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				out = append(out, d.Name.Name)
				continue
			}
			t := d.Recv.List[0].Type
			if star, ok := t.(*ast.StarExpr); ok {
				t = star.X
			}
			if id, ok := t.(*ast.Ident); ok {
				out = append(out, id.Name+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					out = append(out, s.Name.Name)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						if n.Name != "_" {
							out = append(out, n.Name)
						}
					}
				}
			}
		}
	}
	return out
}
