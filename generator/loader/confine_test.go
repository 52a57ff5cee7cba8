package loader

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refTree lays out, under a temporary directory:
//
//	api/            the document's directory (the default root)
//	api/schemas/inside.yaml
//	api/alias.yaml  -> schemas/inside.yaml   (a symlink inside, to inside)
//	api/escape.yaml -> ../outside/secret.yaml (a symlink out)
//	api/linkdir     -> ../outside             (a directory symlink out)
//	common/shared.yaml                        (a sibling folder)
//	outside/secret.yaml, outside/notes.md
//
// secret.yaml is not YAML: were it read, its parse error would show.
func refTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, data string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	write("api/schemas/inside.yaml", "type: string\n")
	write("common/shared.yaml", "type: integer\n")
	write("outside/secret.yaml", "root:x:0:0: [not yaml\n")
	write("outside/notes.md", "secret notes\n")
	require.NoError(t, os.Symlink(filepath.Join("schemas", "inside.yaml"), filepath.Join(dir, "api", "alias.yaml")))
	require.NoError(t, os.Symlink(filepath.Join("..", "outside", "secret.yaml"), filepath.Join(dir, "api", "escape.yaml")))
	require.NoError(t, os.Symlink(filepath.Join("..", "outside"), filepath.Join(dir, "api", "linkdir")))
	return dir
}

// refDoc is a document whose one payload is a $ref to ref.
func refDoc(ref string) string {
	return `asyncapi: 3.0.0
info: {title: t, version: v}
channels:
  c:
    address: c
    messages:
      m:
        payload: {$ref: '` + ref + `'}
`
}

func TestRefConfinement(t *testing.T) {
	dir := refTree(t)
	api := filepath.Join(dir, "api")
	refused := []struct{ what, ref, says string }{
		{"absolute path", filepath.Join(dir, "outside", "secret.yaml"), filepath.Join(dir, "outside", "secret.yaml") + " is outside " + api},
		{"../.. out of the tree", "../../etc/passwd", filepath.Join(dir, "..", "etc", "passwd") + " is outside " + api},
		{"a sibling folder", "../common/shared.yaml", filepath.Join(dir, "common", "shared.yaml") + " is outside " + api},
		{"a symlink pointing out", "escape.yaml", "escape.yaml is outside " + api + " (through a symlink, to " + filepath.Join(dir, "outside", "secret.yaml") + ")"},
		{"a directory symlink pointing out", "linkdir/secret.yaml", "secret.yaml is outside " + api + " (through a symlink, to " + filepath.Join(dir, "outside", "secret.yaml") + ")"},
	}
	for _, c := range refused {
		t.Run(c.what, func(t *testing.T) {
			doc, ds := LoadFile(writeDoc(t, api, refDoc(c.ref)), Options{})
			require.Nil(t, doc)
			require.Len(t, ds, 1, "only the refusal: nothing outside was read\n%v", ds)
			d := ds[0]
			assert.Equal(t, Error, d.Severity)
			assert.Equal(t, 8, d.Pos.Line)
			assert.Equal(t, "/channels/c/messages/m/payload", d.Pointer)
			assert.Contains(t, d.Message, c.says)
			assert.Contains(t, d.Message, "-ref-root")
			assert.NotContains(t, d.Message, "does not exist", "no hint of what exists outside")
			assert.True(t, errors.Is(ds, ErrRefOutsideRoot))
			assert.ErrorIs(t, d.Err, ErrRefOutsideRoot)

			// Load (errors only) refuses it the same way.
			_, err := Load(filepath.Join(api, "doc.yaml"))
			assert.ErrorIs(t, err, ErrRefOutsideRoot)
		})
	}

	t.Run("a symlink inside pointing inside", func(t *testing.T) {
		doc, ds := LoadFile(writeDoc(t, api, refDoc("alias.yaml")), Options{})
		require.NotNil(t, doc, "%v", ds)
		assert.Empty(t, ds)
		assert.Equal(t, []string{"string"}, doc.Channels[0].Messages[0].Payload.Type)
	})

	t.Run("a wider root allows the sibling folder", func(t *testing.T) {
		doc, ds := LoadFile(writeDoc(t, api, refDoc("../common/shared.yaml")), Options{Root: dir})
		require.NotNil(t, doc, "%v", ds)
		assert.Empty(t, ds)
		assert.Equal(t, []string{"integer"}, doc.Channels[0].Messages[0].Payload.Type)
	})

	t.Run("the wider root still ends somewhere", func(t *testing.T) {
		doc, ds := LoadFile(writeDoc(t, api, refDoc("../../etc/passwd")), Options{Root: dir})
		assert.Nil(t, doc)
		assert.True(t, errors.Is(ds, ErrRefOutsideRoot), "%v", ds)
	})

	t.Run("LoadData confines to the directory of its name", func(t *testing.T) {
		doc, ds := LoadData(filepath.Join(api, "stdin.yaml"), []byte(refDoc("escape.yaml")), Options{})
		assert.Nil(t, doc)
		assert.True(t, errors.Is(ds, ErrRefOutsideRoot), "%v", ds)
		doc, ds = LoadData(filepath.Join(api, "stdin.yaml"), []byte(refDoc("alias.yaml")), Options{})
		assert.NotNil(t, doc, "%v", ds)
	})

	t.Run("a description read from a file outside", func(t *testing.T) {
		src := "asyncapi: 3.0.0\ninfo: {title: t, version: v, description: {$ref: ../outside/notes.md}}\n"
		doc, ds := LoadFile(writeDoc(t, api, src), Options{})
		assert.Nil(t, doc)
		require.Len(t, ds, 1, "%v", ds)
		assert.ErrorIs(t, ds[0].Err, ErrRefOutsideRoot)
		assert.NotContains(t, ds.Error(), "secret notes")
	})

	t.Run("a schema keyword the model keeps verbatim", func(t *testing.T) {
		// The model keeps dependencies as written, but the checker walks
		// every schema (for its examples) and confines its $refs too.
		src := refDoc("schemas/inside.yaml") + "components:\n  schemas:\n    s:\n      examples: [1]\n      dependencies: {a: {$ref: '../outside/secret.yaml'}}\n"
		doc, ds := LoadFile(writeDoc(t, api, src), Options{})
		require.Nil(t, doc)
		require.Len(t, ds.Errors(), 1, "%v", ds)
		assert.Equal(t, "/components/schemas/s/dependencies/a", ds.Errors()[0].Pointer)
		assert.ErrorIs(t, ds.Errors()[0].Err, ErrRefOutsideRoot)
		// The example cannot be judged without the schema it refers to.
		require.Len(t, ds.Warnings(), 1, "%v", ds)
		assert.Contains(t, ds.Warnings()[0].Message, "the examples of this schema are not checked")
	})

	t.Run("a root that does not exist", func(t *testing.T) {
		doc, ds := LoadFile(writeDoc(t, api, refDoc("alias.yaml")), Options{Root: filepath.Join(dir, "nope")})
		assert.Nil(t, doc)
		assert.Contains(t, ds.Error(), "the $ref root "+filepath.Join(dir, "nope")+" cannot be used: ")
	})
}

// writeDoc writes src as dir/doc.yaml and returns its path.
func writeDoc(t *testing.T, dir, src string) string {
	t.Helper()
	p := filepath.Join(dir, "doc.yaml")
	require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	return p
}

func TestInside(t *testing.T) {
	sep := string(filepath.Separator)
	root := sep + filepath.Join("a", "b")
	for path, want := range map[string]bool{
		root:                                 true,
		filepath.Join(root, "c"):             true,
		filepath.Join(root, "..b", "c"):      true, // a name starting with "..", still inside
		filepath.Join(root, "..", "c"):       false,
		sep + filepath.Join("a", "bc"):       false,
		sep:                                  false,
		filepath.Join(root, "c", "..", ".."): false,
	} {
		assert.Equal(t, want, inside(root, filepath.Clean(path)), path)
	}
	assert.True(t, strings.HasPrefix(root, sep))
}
