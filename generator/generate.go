package generator

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"path/filepath"

	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// Role says which side of the document the generated client plays.
type Role = ir.Role

// The roles; see ir.Role.
const (
	RoleApp    = ir.RoleApp
	RoleClient = ir.RoleClient
	RoleBoth   = ir.RoleBoth
)

// ErrConfig is wrapped by errors about the generator's own configuration
// (as opposed to problems in the document).
var ErrConfig = errors.New("invalid generator configuration")

// ParseRole reads a -role flag value: app, client or both.
func ParseRole(s string) (Role, error) {
	r, err := ir.ParseRole(s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return r, nil
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
	// Strict turns warnings into errors.
	Strict bool
	// RefRoot is the directory tree the document's $refs may read files
	// from (symlinks resolved); "" means the document's own directory. A
	// $ref to a file outside it is refused (loader.ErrRefOutsideRoot).
	RefRoot string
}

// File is one generated file: a base name and its gofmt-ed content.
type File struct {
	Name string
	Data []byte
}

// Output is what Generate made: the files, and the warnings about what it
// decided or left out (each with its document position).
type Output struct {
	Files    []File
	Warnings loader.Diagnostics
}

// Generate is the pipeline: load, build the resolved package, render,
// format. It touches no disk beyond reading the document. Problems in the
// document come back as loader.Diagnostics ("file:line:col: /pointer:
// message"), all of them.
func Generate(ctx context.Context, cfg Config) (*Output, error) {
	pkg, warnings, err := build(ctx, cfg)
	if err != nil {
		return nil, err
	}
	files, err := emit(ctx, pkg)
	if err != nil {
		return nil, err
	}
	return &Output{Files: files, Warnings: warnings}, nil
}

// Validate is Generate without rendering: the document is accepted by
// Validate exactly when Generate accepts it, for the same role. It returns
// the warnings.
func Validate(ctx context.Context, cfg Config) (loader.Diagnostics, error) {
	_, warnings, err := build(ctx, cfg)
	return warnings, err
}

// GenerateDocument runs the stages after loading on doc.
func GenerateDocument(ctx context.Context, doc *model.Document, cfg Config) (*Output, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	pkg, warnings, err := resolve(doc, cfg)
	if err != nil {
		return nil, err
	}
	files, err := emit(ctx, pkg)
	if err != nil {
		return nil, err
	}
	return &Output{Files: files, Warnings: warnings}, nil
}

// build loads the document and resolves it.
func build(ctx context.Context, cfg Config) (*ir.Package, loader.Diagnostics, error) {
	if err := checkConfig(cfg); err != nil {
		return nil, nil, err
	}
	var doc *model.Document
	var loaded loader.Diagnostics
	opts := loader.Options{Root: cfg.RefRoot}
	if cfg.Input != nil {
		doc, loaded = loader.LoadData(cfg.Spec, cfg.Input, opts)
	} else {
		doc, loaded = loader.LoadFile(cfg.Spec, opts)
	}
	if loaded.HasErrors() {
		return nil, nil, loaded.Errors()
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return resolve(doc, cfg, loaded...)
}

// resolve runs ir.Build; loaded are the loader's warnings. Under Strict
// a warning is an error.
func resolve(doc *model.Document, cfg Config, loaded ...loader.Diagnostic) (*ir.Package, loader.Diagnostics, error) {
	// Only the base name goes into headers: output must not depend on the
	// directory the generator ran from.
	source := filepath.Base(cfg.Spec)
	pkg, built := ir.Build(doc, ir.Config{Package: cfg.Package, Source: source, Role: cfg.Role})
	diags := append(append(loader.Diagnostics{}, loaded...), built...)
	diags.Sort()
	if cfg.Strict && len(diags.Warnings()) > 0 {
		strict := make(loader.Diagnostics, len(diags))
		for i, d := range diags {
			d.Severity = loader.Error
			strict[i] = d
		}
		return nil, nil, strict
	}
	if diags.HasErrors() {
		return nil, nil, diags.Errors()
	}
	return pkg, diags.Warnings(), nil
}

// checkConfig refuses what is wrong with the configuration itself.
func checkConfig(cfg Config) error {
	if cfg.Spec == "" {
		return fmt.Errorf("no AsyncAPI document given: %w", ErrConfig)
	}
	return checkPackage(cfg.Package)
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
