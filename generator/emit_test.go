package generator

import (
	"bytes"
	"context"
	"go/format"
	"slices"
	"testing"
)

// TestLargestFirstCoversEveryJob: a missing index would silently drop a
// file or the schema check, a repeated one would emit a file twice.
func TestLargestFirstCoversEveryJob(t *testing.T) {
	got := slices.Sorted(slices.Values(largestFirst))
	if len(got) != len(emitters)+1 || checkSchemasJob != len(emitters) {
		t.Fatalf("largestFirst = %v, want a permutation of 0..%d", largestFirst, len(emitters))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("largestFirst = %v, want a permutation of 0..%d", largestFirst, len(emitters))
		}
	}
}

// TestEmitIsGofmtAndDeterministic: files formatted from the single parse
// are exactly what go/format makes of them, and concurrent emitting gives
// the same bytes in the same order on every run.
func TestEmitIsGofmtAndDeterministic(t *testing.T) {
	cfg := Config{Spec: "synthetic.yaml", Input: syntheticDoc(30), Package: "synthetic", Role: RoleBoth}
	first, err := Generate(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 7 {
		t.Fatalf("%d files, want the 7 non-empty ones", len(first))
	}
	for _, f := range first {
		want, err := format.Source(f.Data)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s is not gofmt-clean", f.Name)
		}
	}
	for range 3 {
		again, err := Generate(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(first, again, func(a, b File) bool { return a.Name == b.Name && bytes.Equal(a.Data, b.Data) }) {
			t.Fatal("a second run produced different files")
		}
	}
}
