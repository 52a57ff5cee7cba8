package templates

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dave/jennifer/jen"
)

// commentWidth is where doc comments wrap: with the "// " and a tab of
// indentation they stay well under 100 columns.
const commentWidth = 80

// Doc is godoc text built from the document's titles, summaries and
// descriptions, which are anyone's text: whatever they hold, the comment
// it renders as is a run of "// " lines that cannot end a comment, start a
// directive (//go:, //line, // +build, //export) or reach the code.
type Doc struct {
	paras []string
}

// Para adds a paragraph; empty text adds nothing.
func (d *Doc) Para(text string) *Doc {
	if t := strings.TrimSpace(text); t != "" {
		d.paras = append(d.paras, text)
	}
	return d
}

// Paraf adds a paragraph made with fmt.Sprintf.
func (d *Doc) Paraf(format string, args ...any) *Doc { return d.Para(fmt.Sprintf(format, args...)) }

// Text adds document text: its blank-line-separated paragraphs, each
// folded into one.
func (d *Doc) Text(text string) *Doc {
	for _, p := range splitParas(text) {
		d.paras = append(d.paras, p)
	}
	return d
}

// Empty reports whether nothing was added.
func (d *Doc) Empty() bool { return len(d.paras) == 0 }

// Lines renders the comment's lines, each starting with "//".
func (d *Doc) Lines() []string {
	var out []string
	for i, p := range d.paras {
		if i > 0 {
			out = append(out, "//")
		}
		for _, l := range wrap(sentence(clean(p)), commentWidth) {
			out = append(out, "// "+defuse(l))
		}
	}
	return out
}

// Code renders the comment as jennifer code, to put before a struct
// field.
func (d *Doc) Code() *jen.Statement {
	st := jen.Null()
	for _, l := range d.Lines() {
		// jennifer writes a comment that starts with // as it is.
		st.Comment(l).Line()
	}
	return st
}

// To writes the comment into f, attached to the declaration that follows.
func (d *Doc) To(f *jen.File) {
	for _, l := range d.Lines() {
		f.Comment(l)
	}
}

// splitParas splits text into paragraphs at blank lines, folding each
// paragraph's lines into one.
func splitParas(text string) []string {
	var out []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.Join(cur, " "))
			cur = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		cur = append(cur, strings.TrimSpace(line))
	}
	flush()
	return out
}

// clean makes text safe inside a // comment: valid UTF-8, and every
// control character, line or paragraph separator and byte order mark
// (which Go refuses inside a file) turned into a space.
func clean(text string) string {
	text = strings.ToValidUTF8(text, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return ' '
		}
		return r
	}, text)
}

// sentence ends a paragraph with a full stop when it ends with a letter
// or digit, so that gofmt does not take a one-line paragraph (a title)
// for a heading.
func sentence(p string) string {
	p = strings.TrimSpace(p)
	if r, _ := utf8.DecodeLastRuneInString(p); unicode.IsLetter(r) || unicode.IsDigit(r) {
		return p + "."
	}
	return p
}

// defuse keeps a comment line from reading as a build constraint: go/build
// takes "// +build" (spaces included) for one.
func defuse(line string) string {
	if strings.HasPrefix(strings.TrimSpace(line), "+build") {
		return `\` + strings.TrimSpace(line)
	}
	return line
}

// wrap breaks text into lines of at most width bytes at spaces (a longer
// word gets a line of its own).
func wrap(text string, width int) []string {
	words := strings.Fields(text)
	var lines []string
	var cur strings.Builder
	for _, w := range words {
		if cur.Len() > 0 && cur.Len()+1+len(w) > width {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
