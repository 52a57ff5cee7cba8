package gen

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// suiteDir holds the JSON-Schema-Test-Suite's draft-07 cases.
const suiteDir = "../../../shared/json-schema-test-suite/draft7"

type suiteGroup struct {
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
	Tests       []suiteCase     `json:"tests"`
}

type suiteCase struct {
	Description string          `json:"description"`
	Data        json.RawMessage `json:"data"`
	Valid       bool            `json:"valid"`
}

// suiteGroups reads every group of the suite but those that need a remote
// reference, which a bundle cannot hold; each skip is returned with its
// reason.
func suiteGroups(t testing.TB) (groups map[string][]suiteGroup, skipped []string) {
	files, err := filepath.Glob(filepath.Join(suiteDir, "*.json"))
	require.NoError(t, err)
	if len(files) == 0 {
		t.Skip("the JSON-Schema-Test-Suite is not in ../shared")
	}
	groups = map[string][]suiteGroup{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if name == "refRemote" {
			skipped = append(skipped, "refRemote.json: every group references http://localhost:1234/")
			continue
		}
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		var gs []suiteGroup
		require.NoError(t, json.Unmarshal(data, &gs), f)
		for _, g := range gs {
			if err := remoteRef(g.Schema); err != nil {
				skipped = append(skipped, name+".json: "+g.Description+": "+err.Error())
				continue
			}
			groups[name] = append(groups[name], g)
		}
	}
	return groups, skipped
}

// remoteRef says why jsonschema/v5 cannot compile a schema as a bundle:
// it references a document of the suite's remote server.
func remoteRef(schema json.RawMessage) error {
	b, err := NewSchemas(string(schema)).load()
	if err != nil {
		return err
	}
	_, err = b.slowSchema("")
	return err
}

// TestSuiteValidation runs every instance of the suite through a codec of
// json.RawMessage bound to its group's schema: the verdict must be the
// suite's and jsonschema/v5's, the fast validator's (when it decides) the
// same, and a valid instance must come back byte for byte.
func TestSuiteValidation(t *testing.T) {
	groups, skipped := suiteGroups(t)
	for _, s := range skipped {
		t.Logf("skipped %s", s)
	}
	var instances, fast int
	for file, gs := range groups {
		for _, g := range gs {
			s := NewSchemas(string(g.Schema))
			c := NewJSON[json.RawMessage](s, "")
			_, err := c.impl.(*jsonCodec).load()
			require.NoError(t, err, "%s: %s: bind", file, g.Description)
			for _, tc := range g.Tests {
				instances++
				where := file + ": " + g.Description + ": " + tc.Description
				slow := s.Validate("", tc.Data)
				require.Equal(t, tc.Valid, slow == nil, "%s: jsonschema/v5 disagrees with the suite: %v", where, slow)
				got, err := Decode[json.RawMessage](c, tc.Data, true)
				if tc.Valid {
					require.NoError(t, err, where)
					require.Equal(t, string(tc.Data), string(got), where)
				} else {
					var ve *mqttrt.ValidationError
					require.True(t, errors.As(err, &ve), "%s: want a ValidationError, got %v", where, err)
					// jsonschema/v5 finds violations in map order: compare sets.
					require.ElementsMatch(t, slow.(*mqttrt.ValidationError).Violations, ve.Violations, where)
				}
				if v := fastVerdict(t, s, "", tc.Data); v != unsure {
					fast++
					require.Equal(t, tc.Valid, v == valid, "%s: the fast validator says %v", where, v)
				}
			}
		}
	}
	t.Logf("%d instances, %d decided by the fast validator, %d by jsonschema/v5; %d groups skipped",
		instances, fast, instances-fast, len(skipped))
}

// fastVerdict is the fast validator's answer alone.
func fastVerdict(t testing.TB, s *Schemas, pointer string, data []byte) verdict {
	b, err := s.load()
	require.NoError(t, err)
	b.mu.Lock()
	n, err := b.compileAt(pointer)
	b.mu.Unlock()
	require.NoError(t, err)
	sc := newScanner(data)
	v := n.check(&sc, 0)
	if v == valid && !sc.end() {
		return unsure
	}
	return v
}
