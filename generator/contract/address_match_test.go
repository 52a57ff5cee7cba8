package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// mayMatch, the cheap test that rules channels out before their address
// is parsed, is the runtime's filter match of the address's filter (but
// for the rule that keeps $ topics from wildcards, which a check of a
// topic already received has no use for): never false where match could
// be true.
func TestMayMatchIsTheFilterMatch(t *testing.T) {
	addresses := []*address{}
	for _, ch := range []struct {
		address string
		params  []string
	}{
		{"a", nil}, {"a/b", nil}, {"a/{x}", []string{"x"}}, {"a/#", nil}, {"{x}/b", []string{"x"}},
		{"a/b/c", nil}, {"{x}/{y}/c", []string{"x", "y"}}, {"a/b-{x}", []string{"x"}}, {"a/+/c", nil},
		{"/a", nil}, {"a/", nil}, {"{x}", []string{"x"}}, {"#", nil}, {"a/b/#", nil},
	} {
		a, err := parseAddress(channel(ch.address, ch.params...))
		require.NoError(t, err, ch.address)
		addresses = append(addresses, a)
	}
	topics := []string{"a", "b", "a/b", "a/c", "b/b", "a/b/c", "a/x/c", "a/b/d", "a/b-1", "/a", "a/", "/", "//",
		"a//c", "a/b/", "a/b/c/d", "$SYS/b", "", "ab", "a/bc"}
	for _, a := range addresses {
		for _, topic := range topics {
			if !strings.HasPrefix(topic, "$") {
				assert.Equal(t, mqttrt.MatchTopic(a.filter(), topic), a.mayMatch(topic), "address %s (filter %s), topic %q", a.channel.Address, a.filter(), topic)
			}
			if _, ok := a.match(topic); ok {
				assert.True(t, a.mayMatch(topic), "address %s matches %q", a.channel.Address, topic)
			}
		}
	}
}
