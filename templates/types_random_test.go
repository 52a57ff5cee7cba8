package templates_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

func loadOnly(path string) (*model.Document, error) { return loader.Load(path) }

// compileForTest compiles a bundled schema the way the runtime does and
// returns a validity check for JSON documents.
func compileForTest(t *testing.T, js string) func([]byte) bool {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	if err := c.AddResource("mem:///s.json", strings.NewReader(js)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("mem:///s.json")
	if err != nil {
		t.Fatalf("bundled schema does not compile: %v\n%s", err, js)
	}
	return func(b []byte) bool {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		return dec.Decode(&v) == nil && s.Validate(v) == nil
	}
}

// randomInstance builds a random JSON value meant to satisfy s: required
// properties always, optional ones at random, values inside the numeric
// and length bounds, formats honoured for the common ones. Depth bounds
// recursion.
func randomInstance(s *model.Schema, rng *rand.Rand, depth int) any {
	core, nullable := templates.Unwrap(s)
	if core == nil || core.Bool != nil {
		return randomScalar(rng)
	}
	if nullable && rng.Intn(5) == 0 {
		return nil
	}
	if core.HasConst {
		return core.Const
	}
	if len(core.Enum) > 0 {
		return core.Enum[rng.Intn(len(core.Enum))]
	}
	switch templates.KindOf(core) {
	case templates.KindSum:
		plan := templates.PlanSum(core)
		return randomInstance(plan.Variants[rng.Intn(len(plan.Variants))], rng, depth+1)
	case templates.KindStruct:
		obj, _ := templates.MergeObject(core)
		out := map[string]any{}
		for _, p := range obj.Properties {
			if obj.Required[p.Name] || (depth < 4 && rng.Intn(2) == 0) {
				v := randomInstance(p.Schema, rng, depth+1)
				if v == nil && !obj.Required[p.Name] {
					// Known limit: an optional, nullable property has no Go
					// value that tells null from absent (both are nil), so
					// an explicit null is dropped on encode; see README.
					continue
				}
				out[p.Name] = v
			}
		}
		if obj.Extra != nil && rng.Intn(2) == 0 {
			out[fmt.Sprintf("extra%d", rng.Intn(100))] = randomInstance(obj.Extra, rng, depth+1)
		}
		return out
	case templates.KindMap:
		out := map[string]any{}
		if core.AdditionalProperties != nil && depth < 4 {
			for i := rng.Intn(3); i > 0; i-- {
				out[fmt.Sprintf("k%d", rng.Intn(100))] = randomInstance(core.AdditionalProperties, rng, depth+1)
			}
		}
		return out
	case templates.KindArray, templates.KindTuple:
		var out []any
		for _, p := range core.PrefixItems {
			out = append(out, randomInstance(p, rng, depth+1))
		}
		n := rng.Intn(3)
		if core.MinItems != nil && n < *core.MinItems {
			n = *core.MinItems
		}
		if core.MaxItems != nil && n > *core.MaxItems {
			n = *core.MaxItems
		}
		if depth > 4 && (core.MinItems == nil || *core.MinItems == 0) {
			n = 0
		}
		if len(core.PrefixItems) == 0 {
			for i := 0; i < n; i++ {
				out = append(out, randomInstance(core.Items, rng, depth+1))
			}
		}
		if out == nil {
			out = []any{}
		}
		return out
	case templates.KindBool:
		return rng.Intn(2) == 0
	case templates.KindInteger:
		lo, hi := bounds(core, -1000, 1000)
		return int64(lo) + rng.Int63n(int64(hi-lo)+1)
	case templates.KindNumber:
		lo, hi := bounds(core, -1000, 1000)
		return lo + float64(rng.Intn(int(hi-lo)*100+1))/100
	case templates.KindTime:
		return time.Unix(rng.Int63n(2e9), 0).UTC().Format(time.RFC3339)
	case templates.KindBytes:
		b := make([]byte, rng.Intn(8))
		rng.Read(b)
		return base64.StdEncoding.EncodeToString(b)
	case templates.KindString:
		return randomString(core, rng)
	}
	return randomScalar(rng)
}

func bounds(s *model.Schema, lo, hi float64) (float64, float64) {
	if s.Minimum != nil {
		lo = *s.Minimum
	}
	if s.ExclusiveMinimum != nil {
		lo = *s.ExclusiveMinimum + 1
	}
	if s.Maximum != nil {
		hi = *s.Maximum
	}
	if s.ExclusiveMaximum != nil {
		hi = *s.ExclusiveMaximum - 1
	}
	if hi < lo {
		hi = lo
	}
	if hi-lo > 1e6 {
		hi = lo + 1e6
	}
	return lo, hi
}

func randomString(s *model.Schema, rng *rand.Rand) string {
	switch s.Format {
	case "date":
		return time.Unix(rng.Int63n(2e9), 0).UTC().Format("2006-01-02")
	case "time":
		return time.Unix(rng.Int63n(2e9), 0).UTC().Format("15:04:05Z")
	case "email":
		return fmt.Sprintf("user%d@example.com", rng.Intn(1000))
	case "uuid":
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", rng.Uint32(), rng.Intn(1<<16), rng.Intn(1<<12), rng.Intn(1<<12), rng.Int63n(1<<48))
	case "uri", "url", "iri":
		return fmt.Sprintf("https://example.com/p%d", rng.Intn(1000))
	case "hostname":
		return fmt.Sprintf("host%d.example.com", rng.Intn(1000))
	case "ipv4":
		return fmt.Sprintf("10.%d.%d.%d", rng.Intn(256), rng.Intn(256), rng.Intn(256))
	}
	n := 1 + rng.Intn(8)
	if s.MinLength != nil && n < *s.MinLength {
		n = *s.MinLength
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		n = *s.MaxLength
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	for i := range b {
		b[i] = letters[rng.Intn(len(letters))]
	}
	return string(b)
}

func randomScalar(rng *rand.Rand) any {
	switch rng.Intn(4) {
	case 0:
		return fmt.Sprintf("s%d", rng.Intn(100))
	case 1:
		return int64(rng.Intn(1000))
	case 2:
		return map[string]any{"k": []any{true, nil, 1.5}}
	}
	return nil
}
