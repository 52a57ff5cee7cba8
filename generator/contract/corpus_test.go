package contract

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// corpusInputs lists specs/ and the corpus documents of its manifest
// (none when ../shared/asyncapi-corpus is not beside the checkout).
func corpusInputs(t *testing.T) (specs, corpus []string) {
	specs, err := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, specs)
	dir := filepath.Join("..", "..", "..", "shared", "asyncapi-corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return specs, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		if path, _, ok := strings.Cut(sc.Text(), "\t"); ok && path != "" {
			corpus = append(corpus, filepath.Join(dir, path))
		}
	}
	require.NoError(t, sc.Err())
	return specs, corpus
}

// TestMockSendsOnlyValidMessages plays both sides of every spec and of
// every corpus document generator.Generate accepts, twice through each
// planned message (so the second payload and topic are sent too), into a
// recorder; every message recorded must be accepted by a Watcher of the
// same document, and by the schema of the message the mock says it sent
// (on a channel with several messages, the watcher names the first that
// accepts the payload, which may be another), on a topic the channel's
// filter matches.
func TestMockSendsOnlyValidMessages(t *testing.T) {
	specs, corpus := corpusInputs(t)
	var docs, planned, skipped, sent int
	for _, in := range append(specs, corpus...) {
		if _, err := generator.Generate(context.Background(), generator.Config{Spec: in, Package: "p"}); err != nil {
			continue
		}
		doc, err := loader.Load(in)
		require.NoError(t, err, in)
		m, err := NewMock(doc, MockConfig{Role: generator.RoleBoth})
		require.NoError(t, err, in)
		w, err := NewWatcher(doc, WatchConfig{Role: generator.RoleBoth})
		require.NoError(t, err, in)
		docs++
		plan := m.Plan()
		planned += len(plan)
		for _, s := range m.Skipped() {
			skipped++
			assert.NotEmpty(t, s.Reason, "%s: %s %s skipped without a reason", in, s.Operation, s.Message)
		}
		if len(plan) == 0 {
			continue
		}
		filters := map[string]string{}
		for _, ch := range doc.Channels {
			if a, err := parseAddress(ch); err == nil {
				filters[ch.Key] = a.filter()
			}
		}
		own := map[string]*payloadCheck{} // by operation and message
		for _, op := range doc.Operations {
			for _, msg := range op.Messages {
				own[op.Key+" "+messageName(msg)] = newPayloadCheck(msg, &schemaCache{})
			}
		}
		n, err := m.Run(context.Background(), &recorder{}, MockRun{Count: 2 * len(plan)}, func(s Sent) {
			r := w.Check(s.Topic, s.Payload)
			assert.Equal(t, StatusOK, r.Status, "%s: %s sent %s, watch says: %s", in, s.Operation, s.Payload, r)
			out, vs := own[s.Operation+" "+s.Message].check(s.Payload)
			assert.Equal(t, outcomeOK, out, "%s: %s %s sent %s: %v", in, s.Operation, s.Message, s.Payload, vs)
			assert.True(t, mqttrt.MatchTopic(filters[s.Channel], s.Topic), "%s: %s outside its channel %s", in, s.Topic, s.Channel)
			assert.NoError(t, mqttrt.ValidateTopic(s.Topic))
		})
		require.NoError(t, err, in)
		sent += n
	}
	t.Logf("%d documents (%d specs, %d in the corpus); %d messages planned, %d skipped; %d sent, all valid",
		docs, len(specs), len(corpus), planned, skipped, sent)
	if len(corpus) > 0 {
		// What cannot be sent is rare: channels without an address (3.0
		// replies), schemas nothing satisfies, examples-only formats.
		assert.GreaterOrEqual(t, float64(planned)/float64(planned+skipped), 0.95, "the mock skips more messages than it did")
	}
}
