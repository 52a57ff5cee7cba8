package generator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

// Role says which side of the document the generated client plays.
type Role int

const (
	// RoleApp is the application the document describes: it publishes its
	// send operations and subscribes to its receive operations.
	RoleApp Role = iota
	// RoleClient is the app's counterpart, with send and receive swapped.
	RoleClient
	// RoleBoth emits both sides: every operation gets Publish and Subscribe.
	RoleBoth
)

// String is the role's flag value.
func (r Role) String() string {
	switch r {
	case RoleApp:
		return "app"
	case RoleClient:
		return "client"
	case RoleBoth:
		return "both"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// ErrConfig is wrapped by errors about the generator's own configuration
// (as opposed to problems in the document).
var ErrConfig = errors.New("invalid generator configuration")

// ErrNameCollision is wrapped by the error Generate returns when two
// emitted declarations would share a name, for example a send and a
// receive operation of the same name under -role both.
var ErrNameCollision = errors.New("generated names collide")

// ParseRole reads a -role flag value: app, client or both.
func ParseRole(s string) (Role, error) {
	for _, r := range []Role{RoleApp, RoleClient, RoleBoth} {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("role %q: want app, client or both: %w", s, ErrConfig)
}

// Config says what to generate.
type Config struct {
	// Spec is the path of the AsyncAPI document. With Input set, it is
	// only the name the document is reported under (and relative $refs
	// resolve against its directory).
	Spec string
	// Input, when not nil, is the document itself (e.g. read from stdin).
	Input []byte
	// Package is the Go package name of the output.
	Package string
	// Role picks the side of the document to generate; RoleApp by default.
	Role Role
}

// File is one generated file: a base name and its gofmt-ed content.
type File struct {
	Name string
	Data []byte
}

// Generate loads, names and emits: it returns the generated files and
// touches no disk beyond reading the document. Problems in the document
// come back as loader.Diagnostics ("file:line:col: /pointer: message").
func Generate(ctx context.Context, cfg Config) ([]File, error) {
	if err := checkPackage(cfg.Package); err != nil {
		return nil, err
	}
	if cfg.Spec == "" {
		return nil, fmt.Errorf("no AsyncAPI document given: %w", ErrConfig)
	}
	var doc *model.Document
	var err error
	if cfg.Input != nil {
		doc, err = loader.LoadBytes(cfg.Spec, cfg.Input)
	} else {
		doc, err = loader.Load(cfg.Spec)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return GenerateDocument(ctx, doc, cfg)
}

// GenerateDocument runs the stages after loading on doc: naming (channels,
// operations, messages, then schema types), emitting, formatting and the
// check that no two generated declarations share a name.
func GenerateDocument(ctx context.Context, doc *model.Document, cfg Config) ([]File, error) {
	if err := checkPackage(cfg.Package); err != nil {
		return nil, err
	}
	if err := AssignNames(doc); err != nil {
		return nil, err
	}
	if err := AssignTypeNames(doc); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Only the base name goes into headers: output must not depend on the
	// directory the generator ran from.
	source := filepath.Base(cfg.Spec)
	if cfg.Spec == "" {
		source = "an AsyncAPI document"
	}
	publish, subscribe := split(doc, cfg.Role)
	spec := templates.NewSpec(doc, cfg.Package, source, publish, subscribe)
	return emit(ctx, spec)
}

// split picks the operations the role publishes and subscribes to.
func split(doc *model.Document, role Role) (publish, subscribe []*model.Operation) {
	for _, op := range doc.Operations {
		send := op.Action == model.Send
		switch role {
		case RoleClient:
			send = !send
		case RoleBoth:
			publish = append(publish, op)
			subscribe = append(subscribe, op)
			continue
		}
		if send {
			publish = append(publish, op)
		} else {
			subscribe = append(subscribe, op)
		}
	}
	return publish, subscribe
}

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
	{"validation.go", func(f *jen.File, s *templates.Spec) error { return templates.Validation(f, s.Doc) }},
	{"servers.go", templates.Servers},
}

func emit(ctx context.Context, spec *templates.Spec) ([]File, error) {
	var files []File
	for _, e := range emitters {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f := templates.NewFile(spec)
		// Formatting is done here so that a failure shows numbered source.
		f.NoFormat = true
		if err := e.emit(f, spec); err != nil {
			return nil, fmt.Errorf("emit %s: %w", e.name, err)
		}
		var raw bytes.Buffer
		if err := f.Render(&raw); err != nil {
			return nil, fmt.Errorf("render %s: %w", e.name, err)
		}
		data, err := format.Source(raw.Bytes())
		if err != nil {
			return nil, fmt.Errorf("format %s (a generator bug; please report it with the document): %v\n%s", e.name, err, numbered(raw.Bytes()))
		}
		files = append(files, File{Name: e.name, Data: data})
	}
	return checkDecls(files)
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
func checkDecls(files []File) ([]File, error) {
	fset := token.NewFileSet()
	where := map[string]string{}
	var dup []string
	var kept []File
	for _, file := range files {
		af, err := parser.ParseFile(fset, file.Name, file.Data, parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("parse %s (a generator bug): %v\n%s", file.Name, err, numbered(file.Data))
		}
		if len(af.Decls) == 0 {
			continue
		}
		kept = append(kept, file)
		for _, name := range declNames(af) {
			if prev, ok := where[name]; ok {
				dup = append(dup, fmt.Sprintf("%s is declared twice (%s and %s)", name, prev, file.Name))
				continue
			}
			where[name] = file.Name
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

// checkPackage refuses package names Go would not accept.
func checkPackage(name string) error {
	if name == "" {
		return fmt.Errorf("no package name: %w", ErrConfig)
	}
	if !token.IsIdentifier(name) || name == "_" || name == "main" {
		return fmt.Errorf("package name %q is not a Go identifier usable for a library: %w", name, ErrConfig)
	}
	return nil
}
