package contract

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable returns s with every character a terminal or a line-based log
// could act on written as a Go escape: control characters (a newline, a
// carriage return, ESC of an ANSI sequence), format characters such as
// the right-to-left override, and bytes that are not UTF-8. A topic or
// payload comes from whoever publishes it; printed as it is, a newline in
// it would forge a line of watch's output ("... ok") and an escape
// sequence would rewrite the screen. Printable text, spaces included, is
// kept as it is.
func Printable(s string) string {
	if !strings.ContainsFunc(s, unprintable) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unprintable(r):
			q := strconv.QuoteRuneToASCII(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

// unprintable reports whether r is to be escaped: anything but graphic
// characters and the plain space.
func unprintable(r rune) bool {
	return r != ' ' && !unicode.IsPrint(r)
}
