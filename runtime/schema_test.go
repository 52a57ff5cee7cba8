package runtime_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

const readingSchema = `{
  "type": "object",
  "required": ["id", "reading"],
  "properties": {
    "id": {"type": "string", "format": "uuid"},
    "reading": {
      "type": "object",
      "required": ["celsius"],
      "properties": {"celsius": {"type": "number", "minimum": -50}}
    }
  }
}`

func TestSchemaValidateJSON(t *testing.T) {
	s, err := mqttrt.CompileSchema("reading", readingSchema)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ValidateJSON([]byte(`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":21.5}}`)); err != nil {
		t.Fatalf("valid payload refused: %v", err)
	}
	cases := []struct {
		payload, field, rule, text string
	}{
		{`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":-80}}`, "/reading/celsius", "minimum",
			`payload field "/reading/celsius": minimum: must be >= -50 but found -80`},
		{`{"id":"nope","reading":{"celsius":1}}`, "/id", "format", `payload field "/id": format:`},
		{`{"reading":{"celsius":1}}`, "", "required", `payload: required: missing properties: 'id'`},
		{`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":"hot"}}`, "/reading/celsius", "type", `payload field "/reading/celsius": type:`},
	}
	for _, c := range cases {
		err := s.ValidateJSON([]byte(c.payload))
		var ve *mqttrt.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, mqttrt.ErrValidation) {
			t.Fatalf("%s: got %v, want a *ValidationError wrapping ErrValidation", c.payload, err)
		}
		if ve.Field != c.field || ve.Rule != c.rule || !strings.HasPrefix(err.Error(), c.text) {
			t.Errorf("%s: got field %q rule %q %q, want %q %q %q", c.payload, ve.Field, ve.Rule, err, c.field, c.rule, c.text)
		}
	}
}

func TestSchemaDecodeErrors(t *testing.T) {
	s := mqttrt.MustCompileSchema("any", `{}`)
	for _, bad := range []string{``, `{`, `{"a":1} x`, `nul`} {
		err := s.ValidateJSON([]byte(bad))
		if !errors.Is(err, mqttrt.ErrDecode) {
			t.Errorf("%q: got %v, want ErrDecode", bad, err)
		}
	}
	v, err := mqttrt.DecodeValue([]byte(`{"n": 12345678901234567890}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["n"]; got == nil || got.(interface{ String() string }).String() != "12345678901234567890" {
		t.Errorf("large integer not kept exact: %v", got)
	}
}

func TestSchemaValidateDecodedValue(t *testing.T) {
	s := mqttrt.MustCompileSchema("list", `{"type":"array","items":{"type":"integer"},"maxItems":2}`)
	if err := s.Validate([]any{1.0, 2.0}); err != nil {
		t.Fatalf("valid value refused: %v", err)
	}
	err := s.Validate([]any{1.0, 2.0, 3.0})
	var ve *mqttrt.ValidationError
	if !errors.As(err, &ve) || ve.Rule != "maxItems" {
		t.Fatalf("got %v, want a maxItems ValidationError", err)
	}
	if err := s.Validate([]any{struct{}{}}); !errors.Is(err, mqttrt.ErrValidation) {
		t.Fatalf("a non-JSON Go value: got %v, want ErrValidation", err)
	}
}

func TestCompileSchemaRefusesBadSchemas(t *testing.T) {
	if _, err := mqttrt.CompileSchema("bad", `{"type": 5}`); err == nil {
		t.Error("an invalid schema compiled")
	}
	if _, err := mqttrt.CompileSchema("remote", `{"$ref": "http://example.com/s.json"}`); err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Errorf("an external $ref: got %v, want it refused", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustCompileSchema did not panic on a bad schema")
		}
	}()
	mqttrt.MustCompileSchema("bad", `{"type": 5}`)
}

func BenchmarkValidateJSON(b *testing.B) {
	s := mqttrt.MustCompileSchema("reading", readingSchema)
	data := []byte(`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":21.5}}`)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.ValidateJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSchemaValidateDecodedCaseVariants: encoding/json fills a field from a
// key that differs only in case, which the schema took for an extra
// property; ValidateDecoded refuses when that changes the value into one
// the schema forbids, and names the key.
func TestSchemaValidateDecodedCaseVariants(t *testing.T) {
	type reading struct {
		Celsius float64 `json:"celsius"`
	}
	type wrapped struct {
		ID      string    `json:"id"`
		Reading *reading  `json:"reading,omitempty"`
		List    []reading `json:"list,omitempty"`
	}
	s := mqttrt.MustCompileSchema("wrapped", `{
	  "type": "object", "required": ["id"],
	  "properties": {
	    "id": {"type": "string", "minLength": 1},
	    "reading": {"type": "object", "properties": {"celsius": {"type": "number", "maximum": 100}}},
	    "list": {"type": "array", "items": {"type": "object", "properties": {"celsius": {"type": "number", "maximum": 100}}}}
	  }
	}`)
	cases := []struct {
		payload string
		field   string // "" when the payload must pass
	}{
		{`{"id":"a","reading":{"celsius":21}}`, ""},
		{`{"id":"a","reading":{"celsius":21,"CELSIUS":50}}`, ""}, // the decoded value is still valid
		{`{"id":"a","reading":{"celsius":21,"CELSIUS":500}}`, "/reading/CELSIUS"},
		{`{"id":"a","reading":{"CELSIUS":500,"celsius":21}}`, ""}, // the exact key comes last and wins
		{`{"id":"a","READING":{"celsius":500}}`, "/READING"},
		{`{"id":"a","list":[{"celsius":1},{"Celsius":101}]}`, "/list/1/Celsius"},
		{`{"id":"a","ID":""}`, "/ID"},
		{"{\"id\":\"a\",\"reading\":{\"\u212a\":1,\"celsiu\u017f\":500}}", "/reading/celsiu\u017f"}, // long s folds to s
	}
	for _, c := range cases {
		data := []byte(c.payload)
		if err := s.ValidateJSON(data); err != nil {
			t.Fatalf("%s: the schema refuses it (%v); the case needs a payload it accepts", c.payload, err)
		}
		var v wrapped
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		err := s.ValidateDecoded(data, v)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: refused: %v", c.payload, err)
			}
			continue
		}
		var ve *mqttrt.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, mqttrt.ErrValidation) || ve.Field != c.field {
			t.Errorf("%s: got %v, want a ValidationError at %q", c.payload, err, c.field)
			continue
		}
		t.Logf("%s -> %v", c.payload, err)
	}
}

// TestCompileOnUseCompilesOnFirstUse: making the schema does no work, so a
// schema that cannot compile is only found on its first use, where it
// panics as MustCompileSchema would at load time; one that compiles
// validates like a compiled one, from many goroutines at once.
func TestCompileOnUseCompilesOnFirstUse(t *testing.T) {
	broken := mqttrt.CompileOnUse("broken", `{"type": "object", "pattern": "(?=x)"}`)
	if broken.Name() != "broken" {
		t.Errorf("Name = %q", broken.Name())
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "does not compile") {
				t.Errorf("first use of a schema that does not compile: recovered %v, want the compile error", r)
			}
		}()
		_ = broken.ValidateJSON([]byte(`{}`))
	}()

	s := mqttrt.CompileOnUse("reading", readingSchema)
	valid := []byte(`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":21.5}}`)
	invalid := []byte(`{"id":"0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c","reading":{"celsius":-80}}`)
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			if i%2 == 0 {
				errs <- s.ValidateJSON(valid)
				return
			}
			var ve *mqttrt.ValidationError
			if err := s.ValidateJSON(invalid); !errors.As(err, &ve) || ve.Field != "/reading/celsius" {
				errs <- errors.New("invalid payload: " + err.Error())
				return
			}
			errs <- nil
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
