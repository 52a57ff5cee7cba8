package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// rawSchemas compiles payload schemas as the document's files write them,
// by their place in the file (draft-07, formats asserted), not as the
// model renders them: a check of the mock independent of the loader's
// model and of ir.SchemaJSON, which the mock and the watcher share.
type rawSchemas struct {
	c *jsonschema.Compiler
}

func newRawSchemas() *rawSchemas {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	// YAML files are read as the JSON they stand for.
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "file" {
			return nil, fmt.Errorf("%s: only files are read", s)
		}
		data, err := os.ReadFile(u.Path)
		if err != nil {
			return nil, err
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, err
		}
		data, err = json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	return &rawSchemas{c: c}
}

// compile compiles the schema s was read from.
func (r *rawSchemas) compile(s *model.Schema) (*jsonschema.Schema, error) {
	file, pointer := s.Pos.File, s.Pointer
	if s.Ref != "" {
		file, pointer, _ = strings.Cut(s.Ref, "#")
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	return r.c.Compile((&url.URL{Scheme: "file", Path: abs}).String() + "#" + pointer)
}

// validate checks a payload the mock sent: JSON as JSON, anything else
// (text, bytes) as the string it is.
func validate(s *jsonschema.Schema, payload []byte) error {
	var v any
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	if d.Decode(&v) != nil || d.More() {
		v = string(payload)
	}
	return s.Validate(v)
}

// TestMockMessagesPassTheDocumentsOwnSchemas plays every operation of
// specs/, the corpus and the hard schemas of testdata/, and validates what
// the mock sends against the payload schema as the document's file holds
// it. Schemas with remote $refs cannot be compiled here and are counted.
func TestMockMessagesPassTheDocumentsOwnSchemas(t *testing.T) {
	specs, corpus := corpusInputs(t)
	var docs, checked, remote int
	for _, in := range append(append(specs, filepath.Join("testdata", "hard-schemas.yaml")), corpus...) {
		doc, err := loader.Load(in)
		if err != nil {
			continue
		}
		m, err := NewMock(doc, MockConfig{Role: generator.RoleBoth})
		if err != nil || len(m.Plan()) == 0 {
			continue
		}
		docs++
		raw := newRawSchemas()
		compiled := map[string]*jsonschema.Schema{}
		for _, op := range doc.Operations {
			for _, msg := range op.Messages {
				if msg.Payload == nil || !slices.ContainsFunc(m.Plan(), func(p Planned) bool { return p.Operation == op.Key && p.Message == messageName(msg) }) {
					continue
				}
				s, err := raw.compile(msg.Payload)
				if err != nil {
					require.Contains(t, err.Error(), "only files are read", "%s: %s: %v", in, messageName(msg), err)
					remote++
					continue
				}
				compiled[op.Key+" "+messageName(msg)] = s
			}
		}
		_, err = m.Run(context.Background(), &recorder{}, MockRun{Count: 4 * len(m.Plan())}, func(s Sent) {
			if schema := compiled[s.Operation+" "+s.Message]; schema != nil {
				checked++
				assert.NoError(t, validate(schema, s.Payload), "%s: %s %s sent %s", in, s.Operation, s.Message, s.Payload)
			}
		})
		require.NoError(t, err, in)
	}
	t.Logf("%d documents; %d messages checked against their document's schema; %d schemas with remote $refs not compiled", docs, checked, remote)
	assert.Positive(t, checked)
}

// The hard schemas: what has a valid instance is sent, what has none (or
// none the search finds) is skipped with the last violation as reason.
func TestMockOnHardSchemas(t *testing.T) {
	m, err := NewMock(load(t, filepath.Join("testdata", "hard-schemas.yaml")), MockConfig{Role: generator.RoleApp})
	require.NoError(t, err)
	var sent []string
	for _, p := range m.Plan() {
		sent = append(sent, p.Channel)
	}
	assert.Subset(t, sent, []string{"c1", "c4", "c5", "c7", "c9", "c9b", "c11", "c12", "c13", "c14", "c17", "c18", "c21", "c22", "c26", "c27", "c29", "c30"})
	// Found by changing a property's value when not (or a second oneOf
	// variant) accepts the whole, a number that is not an integer,
	// schema dependencies of required members, and member names made
	// from patternProperties and propertyNames.
	assert.Subset(t, sent, []string{"c2", "c3", "c7b", "c15", "c19"})
	skipped := map[string]string{}
	for _, s := range m.Skipped() {
		skipped[strings.TrimPrefix(s.Operation, "s")] = s.Reason
	}
	// No instance exists for these.
	for _, c := range []string{"c6", "c8", "c16", "c24", "c25"} {
		assert.Contains(t, skipped, c)
		assert.Contains(t, skipped[c], "no valid instance found", c)
	}
}
