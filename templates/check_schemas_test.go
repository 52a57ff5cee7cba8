package templates_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

// eachPayloadCompiles is the reference CheckSchemas is held to: every
// payload schema, as the generated package will compile it, compiles.
func eachPayloadCompiles(doc *model.Document) bool {
	for _, m := range doc.Messages {
		if templates.SchemaVar(m) == "" {
			continue
		}
		js, err := templates.SchemaJSON(m.Payload)
		if err != nil {
			return false
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft7
		c.AssertFormat = true
		if c.AddResource("mqttgen:///p.json", strings.NewReader(string(js))) != nil {
			return false
		}
		if _, err := c.Compile("mqttgen:///p.json"); err != nil {
			return false
		}
	}
	return true
}

// nestedNamed returns a components/schemas entry that a payload nests (not
// a payload itself), so that CheckSchemas renders it once for all the
// payloads that reach it; nil when the document has none.
func nestedNamed(doc *model.Document) *model.Schema {
	roots := map[*model.Schema]bool{}
	for _, m := range doc.Messages {
		if templates.SchemaVar(m) != "" {
			roots[m.Payload] = true
		}
	}
	seen := map[*model.Schema]bool{}
	var found *model.Schema
	var walk func(*model.Schema)
	walk = func(s *model.Schema) {
		if s == nil || seen[s] || found != nil {
			return
		}
		seen[s] = true
		if s.Key != "" && !roots[s] && s.Bool == nil {
			found = s
			return
		}
		for _, c := range templates.Children(s) {
			walk(c)
		}
	}
	for _, m := range doc.Messages {
		if templates.SchemaVar(m) != "" {
			for _, c := range templates.Children(m.Payload) {
				walk(c)
			}
		}
	}
	return found
}

// TestCheckSchemasAgreesWithEachPayload: over the corpus, CheckSchemas,
// which compiles the schemas together with each named schema once,
// accepts a document exactly when each payload schema compiles on its own
// as the generated package compiles it; and once a named schema nested in
// a payload is given a pattern Go's regexp refuses, both refuse it and
// CheckSchemas names the payload.
func TestCheckSchemasAgreesWithEachPayload(t *testing.T) {
	manifest, err := os.Open(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if os.IsNotExist(err) {
		t.Skip("corpus absent")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer manifest.Close()
	var checked, broken int
	sc := bufio.NewScanner(manifest)
	for i := 0; sc.Scan(); i++ {
		path := strings.Split(sc.Text(), "\t")[0]
		if i == 0 || !strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".json") {
			continue
		}
		doc, err := loadNamed(filepath.Join(corpusDir, path))
		if err != nil {
			continue
		}
		checked++
		if got, want := templates.CheckSchemas(doc) == nil, eachPayloadCompiles(doc); got != want {
			t.Errorf("%s: CheckSchemas accepts: %v, each payload compiles: %v", path, got, want)
		}
		s := nestedNamed(doc)
		if s == nil {
			continue
		}
		broken++
		s.Pattern = "(?=lookahead)"
		err = templates.CheckSchemas(doc)
		if err == nil || eachPayloadCompiles(doc) {
			t.Errorf("%s: a bad pattern in nested schema %s: CheckSchemas = %v, each payload compiles: %v", path, s.Key, err, eachPayloadCompiles(doc))
			continue
		}
		if !strings.Contains(err.Error(), "does not compile") || !strings.Contains(err.Error(), "regex") {
			t.Errorf("%s: CheckSchemas = %v, want the payload that does not compile and why", path, err)
		}
	}
	t.Logf("%d corpus documents checked; %d with a bad pattern put in a nested named schema", checked, broken)
	if checked > 0 && broken == 0 {
		t.Error("no corpus document has a named schema nested in a payload: the bad-pattern half tested nothing")
	}
}
