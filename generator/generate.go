package generator

import (
	"context"
	"errors"
	"fmt"
	"go/token"
	"path/filepath"

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
	// RefRoot is the directory tree the document's $refs may read files
	// from (symlinks resolved); "" means the document's own directory. A
	// $ref to a file outside it is refused (loader.ErrRefOutsideRoot).
	RefRoot string
	// Warn, when not nil, receives each warning about the document (an
	// address parameter nobody declared...). Warnings do not stop
	// generation; without Warn they are dropped.
	Warn func(loader.Diagnostic)
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
	var diags loader.Diagnostics
	opts := loader.Options{Root: cfg.RefRoot}
	if cfg.Input != nil {
		doc, diags = loader.LoadData(cfg.Spec, cfg.Input, opts)
	} else {
		doc, diags = loader.LoadFile(cfg.Spec, opts)
	}
	if diags.HasErrors() {
		return nil, diags.Errors()
	}
	if cfg.Warn != nil {
		for _, w := range diags.Warnings() {
			cfg.Warn(w)
		}
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
	// The compile check of the payload schemas reads no Go names, so it
	// runs alongside naming, which is otherwise the one stage that keeps a
	// single core busy. Its result is always received: the channel is
	// buffered, and every return below waits for it.
	checked := make(chan error, 1)
	go func() { checked <- templates.CheckSchemas(doc) }()
	files, err := nameAndEmit(ctx, doc, cfg)
	if schemaErr := <-checked; err == nil && schemaErr != nil {
		return nil, schemaErr
	}
	return files, err
}

// nameAndEmit is GenerateDocument without the schema compile check.
func nameAndEmit(ctx context.Context, doc *model.Document, cfg Config) ([]File, error) {
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
