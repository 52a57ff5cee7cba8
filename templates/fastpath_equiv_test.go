package templates_test

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
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
// missing or extra property, escapes, white space...) and checks every
// mutant with both. The fast check must never accept what the schema
// refuses, and must accept what the schema accepts except for the forms
// it documents as left to the schema (integers written 1.0, huge
// exponents).
func TestFastPathEquivalence(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	mod := t.TempDir()
	writeModule(t, mod)
	rng := rand.New(rand.NewSource(9))
	covered := 0
	write := func(dir, pkg string, doc *model.Document, given samples) {
		for _, m := range doc.Messages {
			if templates.SchemaVar(m) == "" {
				continue
			}
			if templates.HasFastCheck(m) {
				covered++
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
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "mutants") {
			t.Log(strings.TrimSpace(line))
		}
	}
	t.Logf("%d messages with a fast check", covered)
}

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
			if !templates.HasFastCheck(m) {
				continue
			}
			entry := jen.Dict{jen.Id("schema"): jen.Id(templates.SchemaVar(m))}
			if strings.HasSuffix(templates.FastCheckName(m), "Text") {
				entry[jen.Id("text")] = jen.Id(templates.FastCheckName(m))
			} else {
				entry[jen.Id("json")] = jen.Id(templates.FastCheckName(m))
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
	"encoding/json"
	"errors"
	"os"
	"sort"
	"strings"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

type fastCheck struct {
	schema *mqttrt.Schema
	json   func([]byte) bool
	text   func(string) bool
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
	var mutants, valid, conservative int
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
				switch {
				case fast && !slow:
					t.Errorf("%s: fast path accepts what the schema refuses (%v):\n%s", name, err, m.data)
				case slow && !fast && m.conservative:
					conservative++
				case slow && !fast:
					t.Errorf("%s: fast path refuses a valid payload:\n%s", name, m.data)
				}
			}
		}
	}
	t.Logf("%d messages, %d mutants, %d valid, %d valid left to the schema by design", len(names), mutants, valid, conservative)
}

type mutant struct {
	data         []byte
	conservative bool // a form the fast path leaves to the schema
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
	return out
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
			"user@example.com", "192.168.1.1", "https://example.com/x", "online", "offline", "metric", "reboot"} {
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
