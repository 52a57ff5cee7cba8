package generator_test

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
)

// hostileDoc is a document with text in every field that reaches
// generated code: titles, descriptions, summaries, names, keys, property
// names, enum values, examples, defaults, patterns, server fields, tags.
func hostileDoc(text string) []byte {
	schema := map[string]any{
		"type": "object", "title": text, "description": text,
		"required": []any{text},
		"properties": map[string]any{
			text:    map[string]any{"type": "string", "description": text, "default": text, "examples": []any{text}, "enum": []any{text, "ok"}},
			"plain": map[string]any{"type": "string", "title": text, "pattern": "^a", "format": "email", "const": text},
			"count": map[string]any{"type": "integer", "description": text, "minimum": 0},
		},
	}
	doc := map[string]any{
		"asyncapi": "3.0.0",
		"info":     map[string]any{"title": text, "version": text, "description": text, "tags": []any{map[string]any{"name": text}}},
		"servers": map[string]any{
			"prod": map[string]any{"host": "broker:1883", "protocol": "mqtt", "title": text, "description": text, "summary": text,
				"bindings": map[string]any{"mqtt": map[string]any{"clientId": text, "lastWill": map[string]any{"topic": "status", "message": text}}}},
		},
		"channels": map[string]any{
			"readings": map[string]any{
				"address": "sensors/{room}/readings", "title": text, "summary": text, "description": text,
				"parameters": map[string]any{"room": map[string]any{"description": text, "examples": []any{text}, "enum": []any{"a", "b"}}},
				"messages": map[string]any{"reading": map[string]any{"name": text, "title": text, "summary": text, "description": text,
					"payload": schema, "examples": []any{}}},
			},
			"notes": map[string]any{
				"address": "notes", "description": text,
				"messages": map[string]any{"note": map[string]any{"contentType": "text/plain", "description": text,
					"payload": map[string]any{"type": "string", "enum": []any{text, "plain"}}}},
			},
		},
		"operations": map[string]any{
			"sendReading": map[string]any{"action": "send", "channel": map[string]any{"$ref": "#/channels/readings"},
				"title": text, "summary": text, "description": text},
			"receiveNote": map[string]any{"action": "receive", "channel": map[string]any{"$ref": "#/channels/notes"},
				"summary": text},
		},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}

// injections are texts that would do harm if they reached generated code
// unescaped.
var injections = []string{
	"Title\n//go:generate sh -c \"touch /tmp/pwned\"\n",
	"a */ package evil /* b",
	"//go:generate rm -rf /",
	"x\r//go:generate echo pwned",
	"+build ignore",
	"\n// +build ignore\n\npackage evil",
	"//line evil.go:1",
	"\u2028//go:generate echo x",
	"\ufeff//go:embed *",
	"`); panic(\"pwned\"); var _ = (`",
	"\"; panic(\"pwned\"); var _ = \"",
	"\\\" + os.Getenv(\"HOME\") + \"",
	"\x00\x01\x1f",
	"}\nfunc init() { panic(1) }\nvar _ = struct{",
	"",
	"Ω≈ç√∫ 日本語",
}

// FuzzDocumentText feeds arbitrary text into every text field of a
// document: generation may refuse the document, but what it generates
// must parse, declare exactly the identifiers the resolved model claimed,
// and hold no directive or block comment that the text could have made.
func FuzzDocumentText(f *testing.F) {
	for _, s := range injections {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkGenerated(t, hostileDoc(text), ir.RoleBoth)
	})
}

func TestInjectionsStayText(t *testing.T) {
	for _, s := range injections {
		t.Run(strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "/", "-"), func(t *testing.T) {
			if !checkGenerated(t, hostileDoc(s), ir.Roles...) && s != "" {
				t.Fatalf("the document was refused; this test needs it generated")
			}
		})
	}
}

// checkGenerated generates doc in the roles and checks the output;
// false when the document was refused.
func checkGenerated(t *testing.T, doc []byte, roles ...ir.Role) bool {
	t.Helper()
	generated := false
	for _, role := range roles {
		cfg := generator.Config{Spec: "hostile.json", Input: doc, Package: "hostile", Role: role}
		out, err := generator.Generate(context.Background(), cfg)
		if err != nil {
			var ds loader.Diagnostics
			require.ErrorAs(t, err, &ds, "a refusal must be diagnostics, not %v", err)
			continue
		}
		generated = true
		loaded, err := loader.LoadBytes("hostile.json", doc)
		require.NoError(t, err)
		pkg, _ := ir.Build(loaded, ir.Config{Package: "hostile", Source: "hostile.json", Role: role})
		require.NotNil(t, pkg)
		checkFiles(t, out.Files, pkg.Names)
	}
	return generated
}

// allowedMethods are the methods generated types have besides Client's.
var allowedMethods = map[string]bool{"Topic": true, "Filter": true, "Valid": true, "MarshalJSON": true, "UnmarshalJSON": true}

func checkFiles(t *testing.T, files []generator.File, claimed []string) {
	t.Helper()
	fset := token.NewFileSet()
	var declared []string
	for _, f := range files {
		af, err := parser.ParseFile(fset, f.Name, f.Data, parser.ParseComments)
		require.NoError(t, err, "%s does not parse:\n%s", f.Name, f.Data)
		lines := strings.Split(string(f.Data), "\n")
		assert.Equal(t, "// Code generated by mqttgen. DO NOT EDIT.", lines[0], f.Name)
		for _, cg := range af.Comments {
			for _, c := range cg.List {
				assert.True(t, strings.HasPrefix(c.Text, "//"), "%s: block comment %q", f.Name, c.Text)
				assert.False(t, strings.HasPrefix(c.Text, "//go:") || strings.HasPrefix(c.Text, "//line") || strings.HasPrefix(c.Text, "//export") ||
					strings.HasPrefix(c.Text, "//extern"), "%s: directive %q", f.Name, c.Text)
				assert.False(t, strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(c.Text, "//")), "+build"), "%s: build constraint %q", f.Name, c.Text)
			}
		}
		for _, line := range lines {
			assert.False(t, strings.HasPrefix(line, "//go:") || strings.HasPrefix(line, "//line "), "%s: directive line %q", f.Name, line)
		}
		for _, d := range af.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared = append(declared, d.Name.Name)
					continue
				}
				recv := d.Recv.List[0].Type
				if star, ok := recv.(*ast.StarExpr); ok {
					recv = star.X
				}
				if id := recv.(*ast.Ident); id.Name == "Client" {
					declared = append(declared, "Client."+d.Name.Name)
				} else {
					assert.True(t, allowedMethods[d.Name.Name], "unexpected method %s.%s", id.Name, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						declared = append(declared, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.Name != "_" {
								declared = append(declared, n.Name)
							}
						}
					}
				}
			}
		}
	}
	sort.Strings(declared)
	assert.Equal(t, claimed, declared, "the package declares other identifiers than the model claimed")
}

// TestGoGenerateRunsNothingFromTheDocument is issue 13's exploit end to
// end: a document whose every text field holds //go:generate lines (after
// a newline, a carriage return, a line separator, a closing */) is
// generated into a module, and `go generate ./...` runs there. Nothing may
// run: the commands would create files.
func TestGoGenerateRunsNothingFromTheDocument(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	mod := t.TempDir()
	tempModule(t, mod, "hostile.test")
	marker := filepath.Join(mod, "pwned")
	// Each directive follows a word as long as a comment line, so that
	// wherever the text is wrapped a directive starts a line.
	long := strings.Repeat("x", 100)
	text := strings.Join([]string{
		"Title",
		long, "//go:generate touch " + marker + "1",
		long, "*/ //go:generate touch " + marker + "2",
		long + "\r//go:generate touch " + marker + "3",
		long + "\u2028//go:generate touch " + marker + "4",
	}, "\n")
	out, err := generator.Generate(context.Background(), generator.Config{Spec: "hostile.json", Input: hostileDoc(text), Package: "hostile", Role: ir.RoleBoth})
	require.NoError(t, err)
	_, err = generator.Write(filepath.Join(mod, "hostile"), out.Files)
	require.NoError(t, err)
	msg, err := goCmd(t, mod, 2*time.Minute, "generate", "-x", "./...")
	require.NoError(t, err, msg)
	assert.Empty(t, strings.TrimSpace(msg), "go generate ran something")
	matches, err := filepath.Glob(marker + "*")
	require.NoError(t, err)
	assert.Empty(t, matches, "a command from the document ran")
	msg, err = goCmd(t, mod, 5*time.Minute, "vet", "./...")
	require.NoError(t, err, msg)
}
