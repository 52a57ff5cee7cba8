package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator/model"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// channel makes a channel with the given address and parameters.
func channel(address string, params ...string) *model.Channel {
	ch := &model.Channel{Key: address, Address: address}
	for _, p := range params {
		ch.Parameters = append(ch.Parameters, &model.Parameter{Name: p})
	}
	return ch
}

func TestAddressFilterAndMatch(t *testing.T) {
	cases := []struct {
		address string
		params  []string
		filter  string
		topic   string
		want    map[string]string // nil: no match
	}{
		{"sensors/{room}/temperature", []string{"room"}, "sensors/+/temperature", "sensors/kitchen/temperature", map[string]string{"room": "kitchen"}},
		{"sensors/{room}/temperature", []string{"room"}, "sensors/+/temperature", "sensors//temperature", nil},
		{"sensors/{room}/temperature", []string{"room"}, "sensors/+/temperature", "sensors/kitchen/temperature/x", nil},
		{"sensors/{room}/temperature", []string{"room"}, "sensors/+/temperature", "sensors/kitchen", nil},
		{"sensors/{room}/temperature", []string{"room"}, "sensors/+/temperature", "sensors/kitchen/humidity", nil},
		{"a/b", nil, "a/b", "a/b", map[string]string{}},
		{"a/b", nil, "a/b", "a/b/", nil},
		// Several parameters in one level: prefix, separators left to right, suffix.
		{"dev/id-{a}.{b}x", []string{"a", "b"}, "dev/+", "dev/id-1.2.3x", map[string]string{"a": "1", "b": "2.3"}},
		{"dev/id-{a}.{b}x", []string{"a", "b"}, "dev/+", "dev/id-.2x", nil},
		{"dev/id-{a}.{b}x", []string{"a", "b"}, "dev/+", "dev/id-1.x", nil},
		{"dev/id-{a}.{b}x", []string{"a", "b"}, "dev/+", "dev/1.2x", nil},
		{"dev/id-{a}.{b}x", []string{"a", "b"}, "dev/+", "dev/id-1.2", nil},
		// A parameter used twice must read the same value twice.
		{"{a}/x/{a}", []string{"a"}, "+/x/+", "p/x/p", map[string]string{"a": "p"}},
		{"{a}/x/{a}", []string{"a"}, "+/x/+", "p/x/q", nil},
		// Literal wildcard levels.
		{"logs/+/{level}", []string{"level"}, "logs/+/+", "logs/app/warn", map[string]string{"level": "warn"}},
		{"logs/#", nil, "logs/#", "logs", map[string]string{}},
		{"logs/#", nil, "logs/#", "logs/a/b", map[string]string{}},
		{"logs/#", nil, "logs/#", "other", nil},
	}
	for _, tc := range cases {
		a, err := parseAddress(channel(tc.address, tc.params...))
		require.NoError(t, err, tc.address)
		assert.Equal(t, tc.filter, a.filter(), tc.address)
		got, ok := a.match(tc.topic)
		if tc.want == nil {
			assert.False(t, ok, "%s should not match %s (got %v)", tc.address, tc.topic, got)
			continue
		}
		if assert.True(t, ok, "%s should match %s", tc.address, tc.topic) {
			assert.Equal(t, tc.want, got, "%s on %s", tc.address, tc.topic)
		}
		assert.True(t, mqttrt.MatchTopic(a.filter(), tc.topic), "the filter of %s must let %s in", tc.address, tc.topic)
	}
}

func TestAddressRefusesWhatCannotBeSplitBack(t *testing.T) {
	for address, want := range map[string]string{
		"a/{x}{y}":  "need literal text between them",
		"a/{x":      "unclosed",
		"a/#/b":     "# must be the last level",
		"a/b+c/{x}": "a wildcard must fill a whole level",
		"":          "has no address",
	} {
		_, err := parseAddress(channel(address, "x", "y"))
		if assert.Error(t, err, address) {
			assert.Contains(t, err.Error(), want, address)
		}
	}
}

func TestAddressTopic(t *testing.T) {
	a, err := parseAddress(channel("dev/{id}/{kind}-log", "id", "kind"))
	require.NoError(t, err)
	topic, err := a.topic(map[string]string{"id": "d1", "kind": "boot"})
	require.NoError(t, err)
	assert.Equal(t, "dev/d1/boot-log", topic)
	back, ok := a.match(topic)
	require.True(t, ok)
	assert.Equal(t, map[string]string{"id": "d1", "kind": "boot"}, back)

	for _, bad := range []map[string]string{{"id": "a/b", "kind": "x"}, {"id": "+", "kind": "x"}, {"id": "", "kind": "x"}, {"kind": "x"}} {
		_, err := a.topic(bad)
		assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "%v", bad)
	}
	wild, err := parseAddress(channel("logs/+/x"))
	require.NoError(t, err)
	_, err = wild.topic(nil)
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
}

func TestDisjointFilters(t *testing.T) {
	cases := []struct {
		in, want []string
	}{
		{[]string{"a/+", "b/+", "a/+"}, []string{"a/+", "b/+"}},
		{[]string{"a/+/c", "a/b/+"}, []string{"a/+/+"}},
		{[]string{"a/b", "a/b/c"}, []string{"a/b", "a/b/c"}},
		{[]string{"a/#", "a/b/c", "x"}, []string{"a/#", "x"}},
		{[]string{"a/+", "a/b/+", "a/b"}, []string{"a/+", "a/b/+"}},
		{[]string{"+/x", "y/+", "z/z"}, []string{"+/+"}},
	}
	for _, tc := range cases {
		got := disjointFilters(tc.in)
		assert.Equal(t, tc.want, got, "%v", tc.in)
		// Every input filter's topics are still covered...
		for _, f := range tc.in {
			topic := concrete(f)
			assert.True(t, coveredOnce(got, topic), "%v: topic %s of %s is not matched exactly once by %v", tc.in, topic, f, got)
		}
	}
}

// concrete is a topic the filter matches.
func concrete(filter string) string {
	out := []byte{}
	for i := 0; i < len(filter); i++ {
		switch filter[i] {
		case '+':
			out = append(out, 'q')
		case '#':
			out = append(out, "q/q"...)
		default:
			out = append(out, filter[i])
		}
	}
	return string(out)
}

func coveredOnce(filters []string, topic string) bool {
	n := 0
	for _, f := range filters {
		if mqttrt.MatchTopic(f, topic) {
			n++
		}
	}
	return n == 1
}

func TestOverlapAgreesWithMatchTopic(t *testing.T) {
	filters := []string{"a", "a/b", "a/+", "a/#", "+/b", "#", "a/b/c", "+/+/c", "b/#", "a/b/+"}
	topics := []string{"a", "b", "a/b", "a/c", "b/b", "a/b/c", "a/x/c", "b/x", "a/b/d"}
	for _, f := range filters {
		for _, g := range filters {
			both := false
			for _, tp := range topics {
				if mqttrt.MatchTopic(f, tp) && mqttrt.MatchTopic(g, tp) {
					both = true
				}
			}
			if both {
				assert.True(t, overlap(f, g), "%s and %s share a topic", f, g)
			}
			c := cover(f, g)
			for _, tp := range topics {
				if mqttrt.MatchTopic(f, tp) || mqttrt.MatchTopic(g, tp) {
					assert.True(t, mqttrt.MatchTopic(c, tp), "cover(%s, %s) = %s misses %s", f, g, c, tp)
				}
			}
		}
	}
}
