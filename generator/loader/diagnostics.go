package loader

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/generator/model"
)

// Sentinel causes carried by some diagnostics; errors.Is(err, ErrX) holds
// for the Diagnostics error that Load returns when one of its diagnostics
// has that cause.
var (
	// ErrUnsupportedVersion: the asyncapi field names a version mqttgen
	// does not read (it reads 2.0.0 to 2.6.0 and 3.0.0).
	ErrUnsupportedVersion = errors.New("unsupported asyncapi version")
	// ErrNotAsyncAPI: the input is not an AsyncAPI document at all.
	ErrNotAsyncAPI = errors.New("not an asyncapi document")
	// ErrRemoteRef: a $ref points at an http(s) or other URL; nothing is fetched.
	ErrRemoteRef = errors.New("remote $ref not supported")
	// ErrRefLoop: a $ref leads, through other $refs only, back to itself;
	// or a schema reaches itself through allOf, anyOf, oneOf, not,
	// if/then/else or dependencies with no property or item in between,
	// so that checking a value against it would never end.
	ErrRefLoop = errors.New("$ref loop")
	// ErrLimit: the input exceeds a safety bound (file size, nesting depth,
	// alias expansion, number of files).
	ErrLimit = errors.New("input exceeds a safety limit")
	// ErrRefOutsideRoot: a $ref names a file outside the directory tree
	// $refs may read (Options.Root, by default the document's directory),
	// once symlinks are resolved. Nothing outside it is read.
	ErrRefOutsideRoot = errors.New("$ref outside the allowed directory")
)

// SupportedVersions lists the asyncapi versions the loader reads.
var SupportedVersions = []string{"2.0.0", "2.1.0", "2.2.0", "2.3.0", "2.4.0", "2.5.0", "2.6.0", "3.0.0"}

// Severity says whether a diagnostic stops the document from loading.
type Severity int

const (
	// Error: the document is refused. It is the zero value, so a
	// Diagnostic built without a Severity is an error.
	Error Severity = iota
	// Warning: the document loads; something in it is probably not what
	// its author meant (a parameter the address does not use...).
	Warning
)

// String is "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem in a document, printed as
// "file:line:col: /json/pointer: message" (an error) or
// "file:line:col: /json/pointer: warning: message".
type Diagnostic struct {
	Pos      model.Pos
	Pointer  string // JSON pointer inside Pos.File; "" for the whole document
	Severity Severity
	Message  string
	// Err is the sentinel cause (ErrUnsupportedVersion, ErrRemoteRef...)
	// when the problem has one; nil otherwise.
	Err error
}

// String renders the diagnostic on one line; the pointer part is left out
// for problems that concern the whole document, and the position for a
// file that could not be read at all (Line 0: the message names the file).
// Keys and values of the document reach pointers and messages as they are
// written, so control and format characters (newlines, escape sequences,
// bidirectional overrides, U+2028) and invalid UTF-8 are escaped: a key
// cannot break the line, forge a diagnostic or drive a terminal.
func (d Diagnostic) String() string {
	msg := d.Message
	if d.Severity == Warning {
		msg = "warning: " + msg
	}
	var line string
	switch {
	case d.Pos.Line == 0:
		line = msg
	case d.Pointer == "":
		line = fmt.Sprintf("%s:%d:%d: %s", d.Pos.File, d.Pos.Line, d.Pos.Col, msg)
	default:
		line = fmt.Sprintf("%s:%d:%d: %s: %s", d.Pos.File, d.Pos.Line, d.Pos.Col, d.Pointer, msg)
	}
	return printable(line)
}

// printable escapes what would not print as itself in s, as Go writes it
// in a quoted string (\n, \x1b, \u202e, \xff); s comes back unchanged
// when there is nothing to escape.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || escaped(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && escaped(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0xFFFF && escaped(r):
			fmt.Fprintf(&b, `\U%08x`, r)
		case escaped(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// escaped reports whether printable escapes r: control characters,
// format characters (bidirectional overrides, zero-width ones) and line
// and paragraph separators.
func escaped(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// Diagnostics is every problem found in a document. Load returns it (sorted
// by file, line and column) as its error when the document is bad.
type Diagnostics []Diagnostic

// Error prints one diagnostic per line.
func (ds Diagnostics) Error() string {
	lines := make([]string, len(ds))
	for i, d := range ds {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

// Errors returns the diagnostics that are errors, in order; nil when there
// are none.
func (ds Diagnostics) Errors() Diagnostics { return ds.only(Error) }

// Warnings returns the diagnostics that are warnings, in order; nil when
// there are none.
func (ds Diagnostics) Warnings() Diagnostics { return ds.only(Warning) }

// HasErrors reports whether any diagnostic is an error, that is whether
// the document was refused.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

func (ds Diagnostics) only(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Unwrap returns the sentinel causes, so errors.Is sees through Diagnostics.
func (ds Diagnostics) Unwrap() []error {
	var errs []error
	for _, d := range ds {
		if d.Err != nil {
			errs = append(errs, d.Err)
		}
	}
	return errs
}

// Sort orders the diagnostics by file, line, column, pointer and message,
// so output is stable whatever order the checks ran in.
func (ds Diagnostics) Sort() {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Col != b.Pos.Col {
			return a.Pos.Col < b.Pos.Col
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		if a.Severity != b.Severity {
			return a.Severity < b.Severity
		}
		return a.Message < b.Message
	})
}

// At builds a diagnostic at a model location, for later stages (naming)
// that report against model elements.
func At(loc model.Loc, format string, args ...any) Diagnostic {
	return Diagnostic{Pos: loc.Pos, Pointer: loc.Pointer, Message: fmt.Sprintf(format, args...)}
}
