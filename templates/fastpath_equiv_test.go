package templates_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

// TestFastPathEquivalence proves the emitted one-pass checks (validX) agree
// with the compiled schemas they shortcut. It generates the types and
// validation of every per-rule case and every document in ../specs into a
// throwaway module, with a test that takes each message's samples (the
// case's valid and invalid samples and random valid instances), mutates
// them into many near-misses (null, wrong type, out of range, too long,
// missing or extra property, escapes, white space, a member repeated or
// renamed under a name differing only in case...) and checks every mutant
// with both. The fast check must never accept what the schema refuses, nor
// a payload whose decoded Go value the schema refuses, and must accept
// what the schema accepts except for the forms it documents as left to the
// schema (integers written 1.0, huge exponents, names that fold to a
// property's). Where the schema decides, ValidateDecoded must refuse a
// case-variant payload whose decoded value breaks the schema, and nothing
// else.
func TestFastPathEquivalence(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	mod := t.TempDir()
	writeModule(t, mod)
	rng := rand.New(rand.NewSource(9))
	covered, decoders := 0, 0
	write := func(dir, pkg string, doc *model.Document, given samples) {
		for _, m := range doc.Messages {
			if templates.SchemaVar(m) == "" {
				continue
			}
			if templates.HasFastCheck(m) {
				covered++
			}
			if templates.HasFastDecode(m) {
				decoders++
			}
			e := given[messageKey(m)]
			e.Valid = append(e.Valid, randomValid(t, m, rng, 6)...)
			given[messageKey(m)] = e
		}
		writeEquivCase(t, dir, pkg, doc, given)
	}
	for _, name := range typeCases(t) {
		data, err := os.ReadFile(filepath.Join(typesDir, name+".samples.json"))
		if err != nil {
			t.Fatal(err)
		}
		smp := samples{}
		if err := json.Unmarshal(data, &smp); err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(mod, "cases", name), name, mustLoadNamed(t, filepath.Join(typesDir, name+".yaml")), smp)
	}
	specs, err := filepath.Glob("../specs/*.yaml")
	if err != nil || len(specs) == 0 {
		t.Fatalf("no specs: %v", err)
	}
	for _, p := range specs {
		pkg := strings.NewReplacer("-", "", ".", "").Replace(strings.TrimSuffix(filepath.Base(p), ".yaml"))
		write(filepath.Join(mod, "specs", pkg), pkg, mustLoadNamed(t, p), samples{})
	}
	if covered < 10 {
		t.Fatalf("only %d messages have a fast check; the test would prove little", covered)
	}
	run(t, mod, "go", "vet", "./...")
	out := run(t, mod, "go", "test", "-count=1", "-v", "-run", "TestFastEquivalence", "./...")
	caught, filled, encoded, encoderRefused := 0, 0, 0, 0
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "mutants") {
			t.Log(strings.TrimSpace(line))
		}
		if m := caughtLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			caught += n
		}
		if m := filledLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			filled += n
		}
		if m := encodedLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			encoded += n
		}
		if m := encoderRefusedLine.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			encoderRefused += n
		}
	}
	// Case-variant keys whose decoded value the schema refuses must occur,
	// or the test proves nothing about them.
	if caught == 0 {
		t.Error("no case-variant mutant was refused by the decoded-value check")
	}
	// The fast decoders must have filled values, or the DeepEqual
	// comparison proves nothing.
	if decoders == 0 || filled == 0 || encoded == 0 {
		t.Errorf("%d fast decoders filled %d mutants, encoded %d", decoders, filled, encoded)
	}
	// The encoder's checks must have refused invalid values, or the
	// "vouches only for valid values" comparison proves nothing.
	if encoderRefused == 0 {
		t.Error("the fast encoder refused no value the schema refuses")
	}
	t.Logf("%d messages with a fast check, %d with a fast decoder and encoder, %d mutants filled and compared, %d values encoded and compared, %d invalid values refused by the encoder", covered, decoders, filled, encoded, encoderRefused)
}

// caughtLine reads the count TestFastEquivalence logs.
var caughtLine = regexp.MustCompile(`(\d+) case-variant mutants refused after decoding`)

// encoderRefusedLine reads the count of invalid values the fast encoder
// refused.
var encoderRefusedLine = regexp.MustCompile(`(\d+) values the schema refuses, refused by the fast encoder`)

// encodedLine reads the count of values the fast encoder wrote.
var encodedLine = regexp.MustCompile(`(\d+) values encoded by the fast encoder`)

// filledLine reads the count of fast-decoded mutants TestFastEquivalence logs.
var filledLine = regexp.MustCompile(`(\d+) mutants filled by the fast decoder`)

// writeEquivCase writes one package: types and validation, a table of the
// messages with a fast check, the samples and the equivalence test.
func writeEquivCase(t *testing.T, dir, pkg string, doc *model.Document, smp samples) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := renderTypes(doc, pkg)
	if err != nil {
		t.Fatalf("%s: %v", pkg, err)
	}
	table := jen.NewFile(pkg)
	table.ImportAlias("github.com/mqttgen/mqttgen/runtime", "mqttrt")
	table.Var().Id("fastChecks").Op("=").Map(jen.String()).Id("fastCheck").Values(jen.DictFunc(func(d jen.Dict) {
		for _, m := range doc.Messages {
			if !templates.HasFastCheck(m) && !templates.HasFastDecode(m) {
				continue
			}
			entry := jen.Dict{jen.Id("schema"): jen.Id(templates.SchemaVar(m))}
			text := false
			switch {
			case templates.HasFastDecode(m):
				// No check of the bytes alone: the fast decoder is the
				// fast path's verdict.
				entry[jen.Id("json")] = jen.Func().Params(jen.Id("b").Index().Byte()).Bool().Block(
					jen.Return(jen.Id(templates.FastDecodeName(m)).Call(jen.Id("b"), jen.New(templates.TypeOf(m.Payload)))),
				)
			case strings.HasSuffix(templates.FastCheckName(m), "Text"):
				entry[jen.Id("text")] = jen.Id(templates.FastCheckName(m))
				text = true
			default:
				entry[jen.Id("json")] = jen.Id(templates.FastCheckName(m))
			}
			if !text {
				// What a generated decoder does after the checks.
				entry[jen.Id("decode")] = jen.Func().Params(jen.Id("b").Index().Byte()).Params(jen.Any(), jen.Error()).Block(
					jen.Var().Id("v").Add(templates.TypeOf(m.Payload)),
					jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("v")),
					jen.Return(jen.Id("v"), jen.Err()),
				)
			}
			if templates.HasFastDecode(m) {
				// The emitted decoder that checks and fills in one pass.
				entry[jen.Id("fill")] = jen.Func().Params(jen.Id("b").Index().Byte()).Params(jen.Any(), jen.Bool()).Block(
					jen.Var().Id("v").Add(templates.TypeOf(m.Payload)),
					jen.Id("ok").Op(":=").Id(templates.FastDecodeName(m)).Call(jen.Id("b"), jen.Op("&").Id("v")),
					jen.Return(jen.Id("v"), jen.Id("ok")),
				)
				// The emitted encoder, for byte equality with json.Marshal.
				entry[jen.Id("enc")] = jen.Func().Params(jen.Id("x").Any()).Params(jen.Index().Byte(), jen.Bool()).Block(
					jen.Id("v").Op(":=").Id("x").Assert(templates.TypeOf(m.Payload)),
					jen.Return(jen.Id(templates.FastEncodeName(m)).Call(jen.Nil(), jen.Op("&").Id("v"))),
				)
			}
			d[jen.Lit(messageKey(m))] = jen.Values(entry)
		}
	}))
	var tb bytes.Buffer
	if err := table.Render(&tb); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(smp)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"types.go":      src,
		"table_test.go": tb.Bytes(),
		"equiv_test.go": []byte("package " + pkg + "\n" + equivTest),
		"samples.json":  data,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// equivTest runs in every generated package.
const equivTest = `
import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

type fastCheck struct {
	schema *mqttrt.Schema
	json   func([]byte) bool
	text   func(string) bool
	decode func([]byte) (any, error)
	fill   func([]byte) (any, bool)
	enc    func(any) ([]byte, bool)
}

func TestFastEquivalence(t *testing.T) {
	data, err := os.ReadFile("samples.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]struct{ Valid, Invalid, Undecodable []json.RawMessage }
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(fastChecks))
	for name := range fastChecks {
		names = append(names, name)
	}
	sort.Strings(names)
	var mutants, valid, conservative, leftUndecodable, caught, filled, encoded, encodeRefused int
	for _, name := range names {
		c := fastChecks[name]
		s := all[name]
		seeds := append(append(append([]json.RawMessage{}, s.Valid...), s.Invalid...), s.Undecodable...)
		if len(seeds) == 0 {
			seeds = append(seeds, json.RawMessage("{}"), json.RawMessage("\"x\""))
		}
		for _, seed := range seeds {
			if c.text != nil {
				var str string
				if json.Unmarshal(seed, &str) != nil {
					continue
				}
				for _, v := range textMutants(str) {
					mutants++
					slow := c.schema.Validate(v) == nil
					if slow {
						valid++
					}
					if fast := c.text(v); fast != slow {
						t.Errorf("%s: text %q: fast path says %v, schema says %v", name, v, fast, slow)
					}
				}
				continue
			}
			for _, m := range jsonMutants(t, seed) {
				mutants++
				err := c.schema.ValidateJSON(m.data)
				slow := err == nil
				if slow {
					valid++
				} else if !errors.Is(err, mqttrt.ErrValidation) && !errors.Is(err, mqttrt.ErrDecode) {
					t.Errorf("%s: schema error %v wraps neither sentinel", name, err)
				}
				fast := c.json(m.data)
				// The handler gets the decoded value: when the fast path
				// vouches for the payload, that value must satisfy the
				// schema too (a key differing only in case fills a field
				// the schema saw under another name). When the schema
				// decides, ValidateDecoded must refuse exactly those.
				if v, derr := c.decode(m.data); derr == nil && (fast || slow) {
					err := c.schema.ValidateDecoded(m.data, v)
					switch {
					case err != nil && fast:
						t.Errorf("%s: fast path accepts a payload whose decoded value breaks the schema (%v):\n%s", name, err, m.data)
					case err != nil && !m.variant:
						t.Errorf("%s: the decoded-value check refuses a payload without case-variant keys (%v):\n%s", name, err, m.data)
					case err != nil && !errors.Is(err, mqttrt.ErrValidation):
						t.Errorf("%s: decoded-value error %v does not wrap ErrValidation", name, err)
					case err != nil:
						caught++
					}
				}
				// The fast decoder must fill exactly what json.Unmarshal
				// fills, only for payloads the fast check vouches for, and
				// for every one of those encoding/json decodes.
				if c.fill != nil {
					got, ok := c.fill(m.data)
					want, derr := c.decode(m.data)
					switch {
					case ok && !fast:
						t.Errorf("%s: fast decoder accepts what the fast check refuses:\n%s", name, m.data)
					case ok && derr != nil:
						t.Errorf("%s: fast decoder accepts what json.Unmarshal refuses (%v):\n%s", name, derr, m.data)
					case ok && !reflect.DeepEqual(got, want):
						t.Errorf("%s: fast decoder value differs from json.Unmarshal's:\n%s\nfast: %#v\njson: %#v", name, m.data, got, want)
					case !ok && fast && derr == nil:
						t.Errorf("%s: fast decoder gives up on a payload the fast check accepts and json.Unmarshal decodes:\n%s", name, m.data)
					case ok:
						filled++
					}
					// The encoder writes every value it vouches for exactly
					// as json.Marshal does, and only values the schema
					// accepts; it gives up on a valid one only for the
					// forms it documents (encodeChecks).
					if derr == nil {
						want, merr := json.Marshal(want)
						valid := merr == nil && c.schema.ValidateJSON(want) == nil
						got, ok := c.enc(mustDecode(t, c, m.data))
						switch {
						case ok && merr != nil:
							t.Errorf("%s: encoder accepts what json.Marshal refuses (%v):\n%s", name, merr, m.data)
						case ok && !bytes.Equal(got, want):
							t.Errorf("%s: encoder bytes differ from json.Marshal's:\n%s\nfast: %s\njson: %s", name, m.data, got, want)
						case ok && !valid:
							t.Errorf("%s: encoder vouches for a value the schema refuses:\n%s", name, want)
						case ok:
							encoded++
						case valid:
							t.Errorf("%s: encoder gives up on a value json.Marshal writes and the schema accepts:\n%s", name, want)
						case merr == nil:
							encodeRefused++
						}
					}
				}
				// Where the fast decoder is the verdict, a payload
				// json.Unmarshal cannot decode (an integer written 1e2 or
				// past int64) is the schema's to refuse or accept: the
				// handler could not get it either way.
				undecodable := false
				if c.fill != nil {
					_, derr := c.decode(m.data)
					undecodable = derr != nil
				}
				switch {
				case fast && !slow:
					t.Errorf("%s: fast path accepts what the schema refuses (%v):\n%s", name, err, m.data)
				case slow && !fast && (m.conservative || m.variant):
					conservative++
				case slow && !fast && undecodable:
					leftUndecodable++
				case slow && !fast:
					t.Errorf("%s: fast path refuses a valid payload:\n%s", name, m.data)
				}
			}
		}
	}
	t.Logf("%d messages, %d mutants, %d valid, %d valid left to the schema by design", len(names), mutants, valid, conservative)
	t.Logf("%d case-variant mutants refused after decoding", caught)
	t.Logf("%d mutants filled by the fast decoder", filled)
	t.Logf("%d values encoded by the fast encoder", encoded)
	t.Logf("%d values the schema refuses, refused by the fast encoder", encodeRefused)
	t.Logf("%d valid payloads json.Unmarshal cannot decode, left to the schema", leftUndecodable)
}

func mustDecode(t *testing.T, c fastCheck, data []byte) any {
	v, err := c.decode(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type mutant struct {
	data         []byte
	conservative bool // a form the fast path leaves to the schema
	variant      bool // holds a key that differs from another only in case
}

// jsonMutants returns the seed itself, re-encodings of it (indented,
// escaped names and strings, integers written 1.0) and every single-node
// mutation of it.
func jsonMutants(t *testing.T, seed []byte) []mutant {
	out := []mutant{{data: seed}}
	v, err := mqttrt.DecodeValue(seed)
	if err != nil {
		return append(out, mutant{data: append([]byte(" "), seed...)})
	}
	enc := func(x any) []byte {
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b, err := json.MarshalIndent(v, " ", "\t"); err == nil {
		out = append(out, mutant{data: b})
	}
	out = append(out, mutant{data: escapeLetters(enc(v))})
	out = append(out, mutant{data: append(enc(v), " x"...)}, mutant{data: append(enc(v), ","...)})
	if b := enc(v); len(b) > 1 {
		out = append(out, mutant{data: b[:len(b)-1]})
	}
	if b := enc(v); strings.Contains(string(b), ":1") {
		out = append(out, mutant{data: []byte(strings.Replace(string(b), ":1", ":1.0", 1)), conservative: true})
	}
	var paths [][]any
	walk(v, nil, &paths)
	for _, p := range paths {
		for _, r := range replacements(get(v, p)) {
			out = append(out, mutant{data: enc(set(v, p, r.value)), conservative: r.conservative})
		}
		if len(p) > 0 {
			if _, isKey := p[len(p)-1].(string); isKey {
				out = append(out, mutant{data: enc(set(v, p, deleted{}))})
			}
		}
	}
	// Each member again under a name that differs only in case, written
	// after it (encoding/json keeps the last), and alone.
	for _, p := range paths {
		if len(p) == 0 {
			continue
		}
		k, isKey := p[len(p)-1].(string)
		if !isKey {
			continue
		}
		parent := p[:len(p)-1]
		obj := get(v, parent).(map[string]any)
		for _, alias := range caseVariants(k) {
			for _, r := range replacements(obj[k]) {
				out = append(out,
					mutant{data: enc(set(v, parent, withLast{obj, alias, r.value, ""})), variant: true},
					mutant{data: enc(set(v, parent, withLast{obj, alias, r.value, k})), variant: true})
			}
		}
	}
	return out
}

// caseVariants are names equal to k under case folding, not to k.
func caseVariants(k string) []string {
	var out []string
	for _, v := range []string{strings.ToUpper(k), strings.ToLower(k),
		strings.Replace(k, "s", "\u017f", 1), strings.Replace(k, "k", "\u212a", 1)} {
		if v != k && !contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// withLast is an object written with one more member at its end, and
// without the member drop (when set).
type withLast struct {
	obj        map[string]any
	name       string
	value      any
	drop       string
}

func (w withLast) MarshalJSON() ([]byte, error) {
	rest := make(map[string]any, len(w.obj))
	for k, v := range w.obj {
		if k != w.drop {
			rest[k] = v
		}
	}
	head, err := json.Marshal(rest)
	if err != nil {
		return nil, err
	}
	name, err := json.Marshal(w.name)
	if err != nil {
		return nil, err
	}
	value, err := json.Marshal(w.value)
	if err != nil {
		return nil, err
	}
	out := append([]byte{}, head[:len(head)-1]...)
	if len(rest) > 0 {
		out = append(out, ',')
	}
	out = append(append(append(out, name...), ':'), value...)
	return append(out, '}'), nil
}

// escapeLetters writes every lower-case ASCII letter inside strings and
// names as a \u escape, so that decoding of escapes is exercised.
func escapeLetters(b []byte) []byte {
	var out []byte
	in := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"' && (i == 0 || b[i-1] != '\\'):
			in = !in
			out = append(out, c)
		case in && c >= 'a' && c <= 'z' && b[i-1] != '\\':
			out = append(out, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			out = append(out, c)
		}
	}
	return out
}

type replacement struct {
	value        any
	conservative bool
}

type deleted struct{}

func replacements(v any) []replacement {
	out := []replacement{{value: nil}, {value: true}, {value: "x"}, {value: json.Number("0")}, {value: []any{}}, {value: map[string]any{}}}
	num := func(s string) replacement { return replacement{value: json.Number(s)} }
	switch x := v.(type) {
	case json.Number:
		for _, s := range []string{"-1", "1", "-50", "-51", "-50.5", "100", "100.5", "101", "3600", "3601", "5", "4", "4.999", "0.5", "-0", "12345678901234567890", "100.000000000000000000001", "99.99999999999999999999"} {
			out = append(out, num(s))
		}
		for _, s := range []string{"1e2", "-2E+1", "150e-2", "100e-2", "1.0", "0e-5", "1e-400"} {
			out = append(out, num(s))
		}
		// Exponents beyond float64 are left to the schema.
		out = append(out, replacement{value: json.Number("1e400"), conservative: true})
		out = append(out, num(string(x)+"e1"), num("-"+strings.TrimPrefix(string(x), "-")))
	case string:
		for _, s := range []string{"", "a", "A-1", "ABC-123", "abc", "é", "😀", strings.Repeat(x, 20) + strings.Repeat("y", 300),
			"2024-01-02T03:04:05Z", "2024-13-02T03:04:05Z", "0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c", "not-a-uuid",
			"user@example.com", "192.168.1.1", "https://example.com/x", "online", "offline", "metric", "reboot",
			// What an encoder must escape as json.Marshal does.
			"a<b>&c", "\u2028\u2029", "\x01\x1f\x7f\b\f\n\r\t\"\\/"} {
			out = append(out, replacement{value: s})
		}
		if len(x) > 0 {
			out = append(out, replacement{value: x[1:]}, replacement{value: "!" + x[1:]}, replacement{value: x + "!"}, replacement{value: strings.ToUpper(x)})
		}
	case []any:
		if len(x) > 0 {
			out = append(out, replacement{value: append(append([]any{}, x...), x[0])}, replacement{value: x[1:]}, replacement{value: append(append([]any{}, x...), nil)})
		}
	case map[string]any:
		extra := map[string]any{"zzExtra": json.Number("1")}
		for k, w := range x {
			extra[k] = w
		}
		out = append(out, replacement{value: extra})
	}
	return out
}

// walk lists the path of every node: object keys (string) and array
// indexes (int).
func walk(v any, path []any, out *[][]any) {
	*out = append(*out, append([]any{}, path...))
	switch x := v.(type) {
	case map[string]any:
		for k, w := range x {
			walk(w, append(path, k), out)
		}
	case []any:
		for i, w := range x {
			walk(w, append(path, i), out)
		}
	}
}

func get(v any, path []any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v
}

// set returns a copy of v with the node at path replaced (or, for
// deleted{}, removed from its object).
func set(v any, path []any, r any) any {
	if len(path) == 0 {
		return r
	}
	switch x := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, w := range x {
			c[k] = w
		}
		k := path[0].(string)
		if _, del := r.(deleted); del && len(path) == 1 {
			delete(c, k)
		} else {
			c[k] = set(x[k], path[1:], r)
		}
		return c
	case []any:
		c := append([]any{}, x...)
		i := path[0].(int)
		c[i] = set(x[i], path[1:], r)
		return c
	}
	return v
}

func textMutants(s string) []string {
	out := []string{s, "", "a", "é", strings.Repeat("x", 300), "online", "offline", "ONLINE", s + "!", "\xff"}
	if len(s) > 0 {
		out = append(out, s[1:], strings.ToUpper(s))
	}
	return out
}
`
