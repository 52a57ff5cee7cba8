package contract

import (
	"context"
	"fmt"
	"testing"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
)

// FuzzMockSchema: whatever payload schema a document holds, NewMock
// plans within its bounds without a panic, and every payload it sends is
// valid against that schema as the watcher checks it.
func FuzzMockSchema(f *testing.F) {
	for _, s := range []string{
		`{"type":"object","required":["a"],"properties":{"a":{"type":"string","pattern":"^[a-f0-9]{8}$"}}}`,
		`{"oneOf":[{"type":"number"},{"type":"integer"}]}`,
		`{"type":"array","minItems":2,"uniqueItems":true,"items":{"enum":[1,2]}}`,
		`{"not":{"type":"string"}}`,
		`{"type":"string","pattern":"(a|b)*c{2,3}\\d+$","minLength":5,"maxLength":9}`,
		`{"if":{"required":["x"]},"then":{"properties":{"y":{"const":1}},"required":["y"]}}`,
		`{"type":"number","multipleOf":0.01,"exclusiveMinimum":0.015,"maximum":0.02}`,
		`{"type":"object","minProperties":2,"propertyNames":{"pattern":"^x"},"additionalProperties":{"type":"boolean"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		doc := fmt.Sprintf(`{"asyncapi":"3.0.0","info":{"title":"t","version":"1"},
			"channels":{"c":{"address":"c","messages":{"m":{"payload":%s}}}},
			"operations":{"s":{"action":"send","channel":{"$ref":"#/channels/c"}}}}`, schema)
		d, err := loader.LoadBytes("fuzz.json", []byte(doc))
		if err != nil {
			return
		}
		m, err := NewMock(d, MockConfig{Role: generator.RoleApp})
		if err != nil {
			return
		}
		w, err := NewWatcher(d, WatchConfig{Role: generator.RoleBoth})
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Plan()) == 0 {
			return
		}
		_, err = m.Run(context.Background(), &recorder{}, MockRun{Count: 3}, func(s Sent) {
			if r := w.Check(s.Topic, s.Payload); r.Status != StatusOK {
				t.Fatalf("schema %s: mock sent %s: %s", schema, s.Payload, r)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
