package loader

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestSeverity: the severity's rendering and the Diagnostics filters.
func TestSeverity(t *testing.T) {
	e := Diagnostic{Pos: posAt("a.yaml", 3, 4), Pointer: "/x", Message: "bad"}
	w := Diagnostic{Pos: posAt("a.yaml", 1, 2), Pointer: "/y", Message: "odd", Severity: Warning}
	whole := Diagnostic{Pos: posAt("a.yaml", 1, 1), Message: "odd", Severity: Warning}
	assert.Equal(t, "a.yaml:3:4: /x: bad", e.String())
	assert.Equal(t, "a.yaml:1:2: /y: warning: odd", w.String())
	assert.Equal(t, "a.yaml:1:1: warning: odd", whole.String())
	assert.Equal(t, "error", Error.String())
	assert.Equal(t, "warning", Warning.String())

	ds := Diagnostics{e, w}
	ds.Sort()
	assert.Equal(t, Diagnostics{w, e}, ds)
	assert.Equal(t, Diagnostics{e}, ds.Errors())
	assert.Equal(t, Diagnostics{w}, ds.Warnings())
	assert.True(t, ds.HasErrors())
	assert.False(t, ds.Warnings().HasErrors())
	assert.Nil(t, Diagnostics{w}.Errors())
}
