// Package naming turns names from AsyncAPI documents into Go identifiers:
// PascalCase with Go's initialisms, safe from keywords, predictable enough
// that a README can state the rules.
package naming

import (
	"go/token"
	"strings"
	"unicode"
)

// initialisms are written in upper case inside identifiers, as golint and
// the Go code review guide ask (ID, not Id).
var initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "DNS": true,
	"EOF": true, "GUID": true, "HTML": true, "HTTP": true, "HTTPS": true, "ID": true,
	"IP": true, "JSON": true, "LHS": true, "MQTT": true, "QOS": true, "QPS": true,
	"RAM": true, "RHS": true, "RPC": true, "SLA": true, "SMTP": true, "SQL": true,
	"SSH": true, "TCP": true, "TLS": true, "TTL": true, "UDP": true, "UI": true,
	"UID": true, "UUID": true, "URI": true, "URL": true, "UTF8": true, "VM": true,
	"XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// Words splits s into words at non-alphanumerics, lower-to-upper changes and
// letter-digit boundaries are kept together ("sensor2Id" -> sensor2, Id).
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			// fooBar -> foo Bar ; HTTPServer -> HTTP Server
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// Pascal returns the exported Go identifier for s: "sensor-id" -> "SensorID",
// "user.signedUp" -> "UserSignedUp". A name that starts with a digit gets a
// leading "X" ("2fa" -> "X2fa"); a name with no letters or digits returns "".
func Pascal(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		up := strings.ToUpper(w)
		if initialisms[up] {
			b.WriteString(up)
			continue
		}
		rs := []rune(strings.ToLower(w))
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	out := b.String()
	if out != "" && unicode.IsDigit([]rune(out)[0]) {
		out = "X" + out
	}
	return out
}

// Camel returns the unexported Go identifier for s ("SensorID" ->
// "sensorID", "type" -> "type_"), never a keyword or predeclared name.
func Camel(s string) string {
	p := Pascal(s)
	if p == "" {
		return ""
	}
	words := Words(p)
	first := words[0]
	var out string
	if initialisms[strings.ToUpper(first)] && strings.ToUpper(first) == first {
		out = strings.ToLower(first) + p[len(first):]
	} else {
		rs := []rune(p)
		rs[0] = unicode.ToLower(rs[0])
		out = string(rs)
	}
	if token.IsKeyword(out) || predeclared[out] {
		out += "_"
	}
	return out
}

// IsIdentifier reports whether s is already a valid Go identifier.
func IsIdentifier(s string) bool {
	return token.IsIdentifier(s)
}

var predeclared = map[string]bool{
	"any": true, "bool": true, "byte": true, "comparable": true, "complex64": true,
	"complex128": true, "error": true, "float32": true, "float64": true, "int": true,
	"int8": true, "int16": true, "int32": true, "int64": true, "rune": true,
	"string": true, "uint": true, "uint8": true, "uint16": true, "uint32": true,
	"uint64": true, "uintptr": true, "true": true, "false": true, "iota": true,
	"nil": true, "append": true, "cap": true, "clear": true, "close": true,
	"complex": true, "copy": true, "delete": true, "imag": true, "len": true,
	"make": true, "max": true, "min": true, "new": true, "panic": true,
	"print": true, "println": true, "real": true, "recover": true,
}
