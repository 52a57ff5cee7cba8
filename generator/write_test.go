package generator

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/templates"
)

func genFile(name, body string) File {
	return File{Name: name, Data: []byte("// " + templates.Header + "\n\npackage p\n" + body)}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(data)
	}
	return out
}

func TestWriteCreatesSkipsAndRemoves(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "pkg")
	v1 := []File{genFile("a.go", "// a1\n"), genFile("b.go", "// b1\n")}
	ch, err := Write(dir, v1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Written) != 2 || len(ch.Removed) != 0 {
		t.Fatalf("first write: %+v", ch)
	}
	// A file of the user's stays, whatever it holds.
	user := filepath.Join(dir, "user.go")
	if err := os.WriteFile(user, []byte("package p\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "a.go"), old, old); err != nil {
		t.Fatal(err)
	}

	// a.go unchanged, b.go dropped, c.go new.
	v2 := []File{genFile("a.go", "// a1\n"), genFile("c.go", "// c\n")}
	stale, err := Check(dir, v2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"b.go", "c.go"}; !reflect.DeepEqual(stale, want) {
		t.Errorf("Check = %v, want %v", stale, want)
	}
	ch, err = Write(dir, v2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "c.go")}; !reflect.DeepEqual(ch.Written, want) {
		t.Errorf("written %v, want %v", ch.Written, want)
	}
	if want := []string{filepath.Join(dir, "b.go")}; !reflect.DeepEqual(ch.Removed, want) {
		t.Errorf("removed %v, want %v", ch.Removed, want)
	}
	st, err := os.Stat(filepath.Join(dir, "a.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(old) {
		t.Errorf("unchanged a.go was rewritten (mtime %v)", st.ModTime())
	}
	got := readDir(t, dir)
	want := map[string]string{"a.go": string(v2[0].Data), "c.go": string(v2[1].Data), "user.go": "package p\n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dir holds %v, want %v", got, want)
	}
	if stale, err := Check(dir, v2); err != nil || len(stale) != 0 {
		t.Errorf("Check after Write = %v, %v; want nothing stale", stale, err)
	}
	if ch, err := Write(dir, v2); err != nil || len(ch.Written)+len(ch.Removed) != 0 {
		t.Errorf("second Write = %+v, %v; want no change", ch, err)
	}
}

// TestWriteFailureChangesNothing: when any file cannot be written the
// directory keeps its old content, new files included.
func TestWriteFailureChangesNothing(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, []File{genFile("a.go", "// a1\n")}); err != nil {
		t.Fatal(err)
	}
	before := readDir(t, dir)
	// b.go exists as a directory: it cannot be read or replaced by a file.
	if err := os.MkdirAll(filepath.Join(dir, "b.go", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir, []File{genFile("a.go", "// a2\n"), genFile("b.go", "// b\n"), genFile("c.go", "// c\n")})
	if err == nil {
		t.Fatal("Write succeeded over a directory named b.go")
	}
	after := readDir(t, dir)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("failed Write changed the directory: %v -> %v", before, after)
	}
	if _, err := Write(dir, []File{{Name: "../escape.go", Data: []byte("x")}}); err == nil {
		t.Error("Write accepted a file name outside dir")
	}
}

func TestWriteFailureInNewDirLeavesNoDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	if _, err := Write(dir, []File{{Name: "sub/a.go", Data: []byte("x")}}); err == nil {
		t.Fatal("Write accepted a nested name")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("failed Write left %s behind (%v)", dir, err)
	}
}

func TestCheckMissingDir(t *testing.T) {
	stale, err := Check(filepath.Join(t.TempDir(), "none"), []File{genFile("b.go", ""), genFile("a.go", "")})
	if err != nil || !reflect.DeepEqual(stale, []string{"a.go", "b.go"}) {
		t.Errorf("Check(missing dir) = %v, %v", stale, err)
	}
}
