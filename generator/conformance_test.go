package generator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/ir"
	"github.com/mqttgen/mqttgen/generator/loader"
)

// The official JSON Schema test suite, draft 7 (../shared/json-schema-test-suite),
// run through generated packages: each group's schema is a message payload
// on its own (operation g<n>) and as the required property p of an object
// payload (operation w<n>); every instance goes through the generated
// decoder with validation on.

// suiteGroup is one group of a suite file.
type suiteGroup struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []struct {
		Description string          `json:"description"`
		Data        json.RawMessage `json:"data"`
		Valid       bool            `json:"valid"`
	} `json:"tests"`
}

// conformanceCase is one instance for one operation, as the harness in
// the generated package reads it.
type conformanceCase struct {
	Op    string          `json:"op"`
	Group int             `json:"group"`
	Test  int             `json:"test"`
	Data  json.RawMessage `json:"data"`
	Valid bool            `json:"valid"`
}

// conformanceResult is what the harness prints for a case.
type conformanceResult struct {
	Op        string `json:"op"`
	Group     int    `json:"group"`
	Test      int    `json:"test"`
	Accepted  bool   `json:"accepted"`
	Kind      string `json:"kind"` // decode, validation or other, when refused
	Error     string `json:"error"`
	Roundtrip string `json:"roundtrip"` // "" when re-encoding and decoding again gave the same value
}

// rewriteRefs points the group's own "#..." references at its place in
// the document, components/schemas/G<n>. References under an $id that
// sets a base URI resolve against that $id and stay as they are.
func rewriteRefs(v any, base string) any {
	switch x := v.(type) {
	case map[string]any:
		if id, ok := x["$id"].(string); ok && !strings.HasPrefix(id, "#") && x["$ref"] == nil {
			return v
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if k == "enum" || k == "const" || k == "default" || k == "examples" {
				out[k] = e // data, not schemas
				continue
			}
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, "#") && !strings.HasPrefix(s, "#/") && s != "#" {
				out[k] = s // an anchor (#foo): left to $id resolution
				continue
			}
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, "#") {
				out[k] = base + strings.TrimPrefix(s, "#")
				continue
			}
			out[k] = rewriteRefs(e, base)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = rewriteRefs(e, base)
		}
		return out
	}
	return v
}

// conformanceDoc is an AsyncAPI document with the given groups.
func conformanceDoc(title string, groups map[int]suiteGroup) []byte {
	channels := map[string]any{}
	operations := map[string]any{}
	schemas := map[string]any{}
	for i, g := range groups {
		var schema any
		if err := json.Unmarshal(g.Schema, &schema); err != nil {
			panic(err)
		}
		key := fmt.Sprintf("G%d", i)
		schemas[key] = rewriteRefs(schema, "#/components/schemas/"+key)
		ref := map[string]any{"$ref": "#/components/schemas/" + key}
		for _, v := range []struct {
			op      string
			payload any
		}{
			{fmt.Sprintf("g%d", i), ref},
			{fmt.Sprintf("w%d", i), map[string]any{"type": "object", "required": []any{"p"}, "properties": map[string]any{"p": ref}}},
		} {
			channels[v.op] = map[string]any{"address": v.op, "messages": map[string]any{"m": map[string]any{"name": strings.ToUpper(v.op[:1]) + v.op[1:], "payload": v.payload}}}
			operations[v.op] = map[string]any{"action": "send", "channel": map[string]any{"$ref": "#/channels/" + v.op}}
		}
	}
	doc := map[string]any{"asyncapi": "3.0.0", "info": map[string]any{"title": title, "version": "1"},
		"channels": channels, "operations": operations, "components": map[string]any{"schemas": schemas}}
	data, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return data
}

// harnessSource is the test file put into each generated package: it runs
// every case through the operation's codec and prints one result per line.
var harnessSource = template.Must(template.New("harness").Parse(`package {{.Package}}

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

type harnessCase struct {
	Op    string          ` + "`json:\"op\"`" + `
	Group int             ` + "`json:\"group\"`" + `
	Test  int             ` + "`json:\"test\"`" + `
	Data  json.RawMessage ` + "`json:\"data\"`" + `
}

type harnessResult struct {
	Op        string ` + "`json:\"op\"`" + `
	Group     int    ` + "`json:\"group\"`" + `
	Test      int    ` + "`json:\"test\"`" + `
	Accepted  bool   ` + "`json:\"accepted\"`" + `
	Kind      string ` + "`json:\"kind\"`" + `
	Error     string ` + "`json:\"error\"`" + `
	Roundtrip string ` + "`json:\"roundtrip\"`" + `
}

func probe[P gen.Params, T any](op *gen.Operation[P, T]) func([]byte) harnessResult {
	return func(data []byte) (r harnessResult) {
		defer func() {
			if p := recover(); p != nil {
				r.Accepted, r.Kind, r.Error = false, "panic", fmt.Sprint(p)
			}
		}()
		v, err := gen.Decode[T](op.Codec, data, true)
		if err != nil {
			r.Kind = "other"
			switch {
			case errors.Is(err, mqttrt.ErrValidation):
				r.Kind = "validation"
			case errors.Is(err, mqttrt.ErrDecode):
				r.Kind = "decode"
			}
			r.Error = err.Error()
			return r
		}
		r.Accepted = true
		again, err := gen.Encode(op.Codec, &v, true)
		if err != nil {
			r.Roundtrip = "encode: " + err.Error()
			return r
		}
		w, err := gen.Decode[T](op.Codec, again, true)
		if err != nil {
			r.Roundtrip = "decode " + string(again) + ": " + err.Error()
			return r
		}
		if !reflect.DeepEqual(v, w) {
			r.Roundtrip = fmt.Sprintf("%s decodes to %#v, not %#v", again, w, v)
		}
		return r
	}
}

var probes = map[string]func([]byte) harnessResult{
{{- range .Ops}}
	{{printf "%q" .Key}}: probe({{.Var}}),
{{- end}}
}

func TestMain(m *testing.M) {
	data, err := os.ReadFile("cases.json")
	if err != nil {
		panic(err)
	}
	var cases []harnessCase
	if err := json.Unmarshal(data, &cases); err != nil {
		panic(err)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, c := range cases {
		r := probes[c.Op](c.Data)
		r.Op, r.Group, r.Test = c.Op, c.Group, c.Test
		fmt.Print("RESULT ")
		enc.Encode(r)
	}
	os.Exit(0)
}
`))

// TestJSONSchemaSuite runs the suite and prints the tally. No invalid
// instance may be accepted; no valid instance may be refused unless the
// generator warned that the Go type cannot hold it (ir.ErrGoTypeLimit);
// every package builds; an accepted value re-encodes to a valid payload
// that decodes to the same value.
func TestJSONSchemaSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package per suite file")
	}
	suite := filepath.Join(checkout(t), "..", "shared", "json-schema-test-suite", "draft7")
	files, err := filepath.Glob(filepath.Join(suite, "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("the JSON Schema test suite (../shared/json-schema-test-suite) is not beside the checkout")
	}
	mod := t.TempDir()
	tempModule(t, mod, "suite.test")
	type groupKey struct {
		file  string
		group int
	}
	groupsOf := map[string][]suiteGroup{}
	limited := map[groupKey][]string{} // groups with a Go type limit warning
	var skipped []string
	var packages []string
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var groups []suiteGroup
		require.NoError(t, json.Unmarshal(data, &groups))
		groupsOf[name] = groups
		kept := map[int]suiteGroup{}
		for i, g := range groups {
			_, err := generator.Validate(context.Background(), generator.Config{Spec: name + ".json", Input: conformanceDoc(name, map[int]suiteGroup{i: g}), Package: "p", Role: ir.RoleBoth})
			if errors.Is(err, loader.ErrRemoteRef) {
				skipped = append(skipped, fmt.Sprintf("%s: %q: a remote $ref (nothing is fetched)", name, g.Description))
				continue
			}
			if !assert.NoError(t, err, "%s: %q: the generator refuses the group", name, g.Description) {
				continue
			}
			kept[i] = g
		}
		if len(kept) == 0 {
			continue
		}
		pkg := "suite" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
		doc := conformanceDoc(name, kept)
		cfg := generator.Config{Spec: name + ".json", Input: doc, Package: pkg, Role: ir.RoleBoth}
		out, err := generator.Generate(context.Background(), cfg)
		if !assert.NoError(t, err, name) {
			continue
		}
		for _, w := range out.Warnings {
			if !errors.Is(w.Err, ir.ErrGoTypeLimit) {
				continue
			}
			var i int
			if _, err := fmt.Sscanf(w.Pointer, "/components/schemas/G%d", &i); err == nil {
				limited[groupKey{name, i}] = append(limited[groupKey{name, i}], w.String())
			}
		}
		dir := filepath.Join(mod, pkg)
		_, err = generator.Write(dir, out.Files)
		require.NoError(t, err)
		loaded, err := loader.LoadBytes(cfg.Spec, doc)
		require.NoError(t, err)
		model, _ := ir.Build(loaded, ir.Config{Package: pkg, Source: cfg.Spec, Role: ir.RoleBoth})
		var ops []map[string]string
		var cases []conformanceCase
		for _, o := range model.Operations {
			ops = append(ops, map[string]string{"Key": o.Model.Key, "Var": o.DescriptorVar})
			var i int
			fmt.Sscanf(o.Model.Key[1:], "%d", &i)
			for j, tc := range kept[i].Tests {
				data := tc.Data
				if o.Model.Key[0] == 'w' {
					data = json.RawMessage(`{"p":` + string(tc.Data) + `}`)
				}
				cases = append(cases, conformanceCase{Op: o.Model.Key, Group: i, Test: j, Data: data, Valid: tc.Valid})
			}
		}
		f, err := os.Create(filepath.Join(dir, "harness_test.go"))
		require.NoError(t, err)
		require.NoError(t, harnessSource.Execute(f, map[string]any{"Package": pkg, "Ops": ops}))
		require.NoError(t, f.Close())
		casesJSON, err := json.Marshal(cases)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.json"), casesJSON, 0o644))
		packages = append(packages, name)
	}

	out, err := goCmd(t, mod, 20*time.Minute, "test", "-count=1", "-v", "./...")
	if err != nil {
		t.Errorf("the generated packages do not build or their harness fails:\n%s", out)
	}
	var tally struct{ instances, acceptedValid, refusedInvalid, acceptedInvalid, refusedValid, refusedValidWarned, roundtrip int }
	var problems, warnedRefusals []string
	// Results are matched back to their files through the package output:
	// go test prints each package's lines before its "ok" line.
	results := map[string][]conformanceResult{}
	var pending []conformanceResult
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		text := sc.Text()
		if line, ok := strings.CutPrefix(text, "RESULT "); ok {
			var r conformanceResult
			require.NoError(t, json.Unmarshal([]byte(line), &r))
			pending = append(pending, r)
			continue
		}
		if fields := strings.Fields(text); len(fields) >= 2 && (fields[0] == "ok" || fields[0] == "FAIL") && strings.HasPrefix(fields[1], "suite.test/") {
			results[strings.TrimPrefix(fields[1], "suite.test/")] = pending
			pending = nil
		}
	}
	for _, name := range packages {
		pkg := "suite" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
		for _, r := range results[pkg] {
			g := groupsOf[name][r.Group]
			tc := g.Tests[r.Test]
			where := fmt.Sprintf("%s: %q: %q (%s)", name, g.Description, tc.Description, r.Op)
			tally.instances++
			switch {
			case tc.Valid && r.Accepted:
				tally.acceptedValid++
			case !tc.Valid && !r.Accepted:
				tally.refusedInvalid++
				if r.Kind == "panic" {
					problems = append(problems, where+": panicked: "+r.Error)
				}
			case !tc.Valid && r.Accepted:
				tally.acceptedInvalid++
				problems = append(problems, where+": an invalid instance is accepted")
			case len(limited[groupKey{name, r.Group}]) > 0 && r.Kind == "decode":
				tally.refusedValidWarned++
				warnedRefusals = append(warnedRefusals, where+": "+r.Error)
			default:
				tally.refusedValid++
				problems = append(problems, where+": a valid instance is refused: "+r.Error)
			}
			if r.Accepted && r.Roundtrip != "" {
				tally.roundtrip++
				problems = append(problems, where+": re-encoding: "+r.Roundtrip)
			}
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
	sort.Strings(skipped)
	for _, s := range skipped {
		t.Log("skipped: " + s)
	}
	for _, w := range warnedRefusals {
		t.Log("refused, as warned: " + w)
	}
	t.Logf("tally: %d instances in %d packages; valid accepted %d, invalid refused %d; invalid accepted %d, valid refused %d (and %d refused as the generator warned); %d failed to round-trip; %d groups skipped",
		tally.instances, len(packages), tally.acceptedValid, tally.refusedInvalid, tally.acceptedInvalid, tally.refusedValid, tally.refusedValidWarned, tally.roundtrip, len(skipped))
}
