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

// TestDiagnosticsPrintNoControlText: text a document puts into a
// diagnostic cannot move the cursor, recolour the terminal, start a new
// line or reorder the line (bidirectional overrides).
func TestDiagnosticsPrintNoControlText(t *testing.T) {
	d := Diagnostic{
		Pos:     posAt("a\x1b[2J.yaml", 3, 4),
		Pointer: "/properties/\x1b[31mred\nforged.yaml:1:1: fine",
		Message: "pattern '\b(?!x)\u202egnp.exe' and \xff\xfe are bad\r",
	}
	got := d.String()
	assert.Equal(t, `a\x1b[2J.yaml:3:4: /properties/\x1b[31mred\x0aforged.yaml:1:1: fine: pattern '\x08(?!x)\u202egnp.exe' and \xff\xfe are bad\x0d`, got)
	assert.Equal(t, "a.yaml:1:1: /é/ü: ok «quoted» 日本", Diagnostic{Pos: posAt("a.yaml", 1, 1), Pointer: "/é/ü", Message: "ok «quoted» 日本"}.String())
}
