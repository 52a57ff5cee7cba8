package templates_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

const corpusDir = "../../shared/asyncapi-corpus"

// samples are the payloads one generated package is tested with, by
// message name.
type samples map[string]struct {
	Valid       []json.RawMessage `json:"valid"`
	Invalid     []json.RawMessage `json:"invalid,omitempty"`
	Undecodable []json.RawMessage `json:"undecodable,omitempty"`
}

// TestTypesCompiled generates every per-rule case, and the types of every
// corpus document that loads, into packages of one throwaway module that
// uses this checkout, then runs go vet and go test there once. Each
// package's test decodes its valid samples, re-encodes them, compares the
// JSON semantically and validates the result; invalid samples must be
// refused by validation and undecodable ones by decoding. Corpus samples
// are random valid instances generated from the schemas.
func TestTypesCompiled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a module with the go command")
	}
	mod := t.TempDir()
	writeModule(t, mod)

	for _, name := range typeCases(t) {
		doc := mustLoadNamed(t, filepath.Join(typesDir, name+".yaml"))
		data, err := os.ReadFile(filepath.Join(typesDir, name+".samples.json"))
		if err != nil {
			t.Fatal(err)
		}
		writeCase(t, filepath.Join(mod, "cases", name), name, doc, data)
	}

	tally := corpusPackages(t, filepath.Join(mod, "corpus"))

	run(t, mod, "go", "vet", "./...")
	out := run(t, mod, "go", "test", "-count=1", "./...")
	t.Logf("go test in the generated module:\n%s", out)
	if tally != "" {
		fmt.Println(tally)
	}
}

// writeModule writes go.mod (replacing mqttgen with this checkout) and
// this checkout's go.sum.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	gomod := fmt.Sprintf("module h5check\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => %s\n", root)
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// writeCase writes one generated package: the types, a table of its
// messages, the shared round-trip test and the samples.
func writeCase(t *testing.T, dir, pkg string, doc *model.Document, samplesJSON []byte) {
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
	table.Var().Id("messages").Op("=").Map(jen.String()).Id("message").Values(jen.DictFunc(func(d jen.Dict) {
		for _, m := range doc.Messages {
			v := templates.SchemaVar(m)
			if v == "" {
				continue
			}
			d[jen.Lit(messageKey(m))] = jen.Values(jen.Dict{
				jen.Id("schema"): jen.Id(v),
				jen.Id("decode"): jen.Func().Params(jen.Id("b").Index().Byte()).Params(jen.Any(), jen.Error()).Block(
					jen.Var().Id("v").Add(templates.TypeOf(m.Payload)),
					jen.Err().Op(":=").Qual("encoding/json", "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("v")),
					jen.Return(jen.Id("v"), jen.Err()),
				),
			})
		}
	}))
	var tb bytes.Buffer
	if err := table.Render(&tb); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"types.go":          src,
		"table_test.go":     tb.Bytes(),
		"roundtrip_test.go": []byte("package " + pkg + "\n" + roundTripTest),
		"samples.json":      samplesJSON,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func messageKey(m *model.Message) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Key
}

// corpusPackages writes one package per corpus document that loads, with
// random valid samples, and returns the tally line.
func corpusPackages(t *testing.T, dir string) string {
	t.Helper()
	manifest, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if os.IsNotExist(err) {
		t.Log("corpus absent; only the per-rule cases run")
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	defer manifest.Close()
	var docs, loaded, named, schemas, raw, instances int
	var namingErrs []string
	rng := rand.New(rand.NewSource(5))
	sc := bufio.NewScanner(manifest)
	for i := 0; sc.Scan(); i++ {
		path := strings.Split(sc.Text(), "\t")[0]
		if i == 0 || !strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".json") {
			continue
		}
		docs++
		doc, err := loadNamed(filepath.Join(corpusDir, path))
		if err != nil {
			if _, lerr := loadOnly(filepath.Join(corpusDir, path)); lerr == nil {
				loaded++
				namingErrs = append(namingErrs, path+": "+firstLine(err.Error()))
			}
			continue
		}
		loaded++
		named++
		templates.WalkSchemas(doc, func(s *model.Schema) {
			schemas++
			if strings.Contains(jen.Var().Id("_").Add(templates.TypeOf(s)).GoString(), "json.RawMessage") {
				raw++
			}
		})
		smp := samples{}
		for _, m := range doc.Messages {
			if templates.SchemaVar(m) == "" {
				continue
			}
			valid := randomValid(t, m, rng, 4)
			instances += len(valid)
			e := smp[messageKey(m)]
			e.Valid = append(e.Valid, valid...)
			smp[messageKey(m)] = e
		}
		data, err := json.Marshal(smp)
		if err != nil {
			t.Fatal(err)
		}
		pkg := fmt.Sprintf("doc%03d", i)
		writeCase(t, filepath.Join(dir, pkg), pkg, doc, data)
	}
	for _, e := range namingErrs {
		t.Logf("corpus document loads but its names do not resolve: %s", e)
	}
	return fmt.Sprintf("corpus: %d documents, %d load, %d generate types; %d schemas: %d mapped to Go types, %d fall back to json.RawMessage; %d random valid instances round-tripped",
		docs, loaded, named, schemas, schemas-raw, raw, instances)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// randomValid generates up to n distinct random instances of m's payload
// that its schema accepts (instances the generator cannot make valid, e.g.
// for a pattern, are dropped).
func randomValid(t *testing.T, m *model.Message, rng *rand.Rand, n int) []json.RawMessage {
	t.Helper()
	js, err := templates.SchemaJSON(m.Payload)
	if err != nil {
		t.Fatal(err)
	}
	check := compileForTest(t, string(js))
	// A sum type refuses values that match several variants (the issue's
	// "ambiguous is an error"); such values are valid JSON but not
	// representable, so the property test keeps only unambiguous ones.
	var variants []func([]byte) bool
	if core, _ := templates.Unwrap(m.Payload); templates.KindOf(core) == templates.KindSum {
		for _, v := range templates.PlanSum(core).Variants {
			vj, err := templates.SchemaJSON(v)
			if err != nil {
				t.Fatal(err)
			}
			variants = append(variants, compileForTest(t, string(vj)))
		}
	}
	unambiguous := func(b []byte) bool {
		if variants == nil {
			return true
		}
		n := 0
		for _, ok := range variants {
			if ok(b) {
				n++
			}
		}
		return n == 1
	}
	var out []json.RawMessage
	seen := map[string]bool{}
	for try := 0; try < 8*n && len(out) < n; try++ {
		v := randomInstance(m.Payload, rng, 0)
		b, err := json.Marshal(v)
		if err != nil || seen[string(b)] {
			continue
		}
		if check(b) && unambiguous(b) {
			seen[string(b)] = true
			out = append(out, b)
		}
	}
	return out
}

// roundTripTest is the test every generated package runs against its
// samples.json.
const roundTripTest = `
import (
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

type message struct {
	schema *mqttrt.Schema
	decode func([]byte) (any, error)
}

func TestRoundTrip(t *testing.T) {
	data, err := os.ReadFile("samples.json")
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]struct{ Valid, Invalid, Undecodable []json.RawMessage }
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	for name, s := range all {
		m, ok := messages[name]
		if !ok {
			t.Fatalf("samples for unknown message %q", name)
		}
		for _, raw := range s.Valid {
			if err := m.schema.ValidateJSON(raw); err != nil {
				t.Errorf("%s: valid sample refused: %v\n%s", name, err, raw)
				continue
			}
			v, err := m.decode(raw)
			if err != nil {
				t.Errorf("%s: decode: %v\n%s", name, err, raw)
				continue
			}
			out, err := json.Marshal(v)
			if err != nil {
				t.Errorf("%s: encode: %v\n%s", name, err, raw)
				continue
			}
			if !sameJSON(t, raw, out) {
				t.Errorf("%s: round trip changed the payload\n in: %s\nout: %s", name, raw, out)
			}
			if err := m.schema.ValidateJSON(out); err != nil {
				t.Errorf("%s: re-encoded payload refused: %v\n%s", name, err, out)
			}
		}
		for _, raw := range s.Invalid {
			err := m.schema.ValidateJSON(raw)
			var ve *mqttrt.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, mqttrt.ErrValidation) || ve.Rule == "" || !strings.Contains(err.Error(), ve.Rule) {
				t.Errorf("%s: invalid sample not refused with a ValidationError: %v\n%s", name, err, raw)
			}
		}
		for _, raw := range s.Undecodable {
			if v, err := m.decode(raw); err == nil {
				t.Errorf("%s: undecodable sample decoded to %+v\n%s", name, v, raw)
			}
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	va, err := decodeNumbers(a)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := decodeNumbers(b)
	if err != nil {
		t.Fatal(err)
	}
	return equal(va, vb)
}

func decodeNumbers(b []byte) (any, error) {
	return mqttrt.DecodeValue(b)
}

// equal compares decoded JSON: numbers by value, date-time strings by the
// instant they name, everything else exactly.
func equal(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(x.String())
		ry, oky := new(big.Rat).SetString(y.String())
		return okx && oky && rx.Cmp(ry) == 0
	case string:
		y, ok := b.(string)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		tx, errx := time.Parse(time.RFC3339Nano, x)
		ty, erry := time.Parse(time.RFC3339Nano, y)
		return errx == nil && erry == nil && tx.Equal(ty)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equal(v, w) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
`
