package generator_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
)

// A package with more channels, operations or types than a file holds is
// written in parts (channels.go, channels_2.go, ...): the parts declare
// exactly what the single files did, and the package builds and vets.
func TestLargePackagesAreWrittenInParts(t *testing.T) {
	cfg := generator.Config{Spec: "../specs/sensor-gateway.yaml", Package: "parts", Role: generator.RoleBoth}
	whole, err := generator.Generate(context.Background(), cfg)
	require.NoError(t, err)
	restore := generator.SetPartSize(2)
	split, err := generator.Generate(context.Background(), cfg)
	restore()
	require.NoError(t, err)

	names := func(files []generator.File) (fileNames []string, decls map[string]int) {
		decls = map[string]int{}
		for _, f := range files {
			fileNames = append(fileNames, f.Name)
			af, err := parser.ParseFile(token.NewFileSet(), f.Name, f.Data, parser.SkipObjectResolution)
			require.NoError(t, err, f.Name)
			for _, d := range af.Decls {
				switch d := d.(type) {
				case *ast.FuncDecl:
					name := d.Name.Name
					if d.Recv != nil {
						name = types.ExprString(d.Recv.List[0].Type) + "." + name
					}
					decls[name]++
				case *ast.GenDecl:
					for _, spec := range d.Specs {
						switch spec := spec.(type) {
						case *ast.TypeSpec:
							decls[spec.Name.Name]++
						case *ast.ValueSpec:
							for _, n := range spec.Names {
								decls[n.Name]++
							}
						}
					}
				}
			}
		}
		return fileNames, decls
	}
	wholeFiles, wholeDecls := names(whole.Files)
	splitFiles, splitDecls := names(split.Files)
	assert.Equal(t, []string{"client.go", "channels.go", "operations.go", "types.go", "schemas.go", "servers.go"}, wholeFiles)
	assert.Subset(t, splitFiles, []string{"channels.go", "channels_2.go", "channels_3.go", "operations.go", "operations_2.go", "types.go", "types_2.go"})
	assert.Greater(t, len(splitFiles), len(wholeFiles))
	assert.Equal(t, wholeDecls, splitDecls, "the parts declare what the whole files did")

	mod := t.TempDir()
	tempModule(t, mod, "parts.test")
	_, err = generator.Write(filepath.Join(mod, "parts"), split.Files)
	require.NoError(t, err)
	out, err := goCmd(t, mod, 5*time.Minute, "vet", "./...")
	require.NoError(t, err, out)
	t.Logf("%d files: %v; go vet: ok", len(splitFiles), splitFiles)
}
