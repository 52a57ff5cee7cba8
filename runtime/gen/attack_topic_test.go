package gen_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// A parameter that starts the address ("{originatorId}/gateway/events", as
// documents in the corpus have) took a value starting with $: Build made
// "$dev/masters/1/identification", Mosquitto acknowledged the publish and
// the channel's own subscribers ("+/masters/+/identification") never got
// it [MQTT-4.7.2-1]; Filter("$share", "") made
// "$share/masters/+/identification", a shared subscription to another
// filter. Such values are refused, and such topics do not parse.
func TestAttackLeadingParameterCannotStartWithDollar(t *testing.T) {
	tp := gen.NewTopic("{originatorId}/masters/{masterNumber}/identification")
	for _, v := range []string{"$dev", "$SYS", "$share", "$"} {
		_, err := tp.Build(v, "1")
		require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "Build(%q)", v)
		_, err = tp.Filter(v, "")
		require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "Filter(%q)", v)
	}
	var a, b string
	require.ErrorIs(t, tp.Parse("$dev/masters/1/identification", &a, &b), mqttrt.ErrInvalidTopic)

	// $ elsewhere is ordinary text, and a wildcard lead is still a wildcard.
	got, err := tp.Build("dev$", "$1")
	require.NoError(t, err)
	assert.Equal(t, "dev$/masters/$1/identification", got)
	f, err := tp.Filter("", "1")
	require.NoError(t, err)
	assert.Equal(t, "+/masters/1/identification", f)
	require.NoError(t, tp.Parse(got, &a, &b))
	assert.Equal(t, []string{"dev$", "$1"}, []string{a, b})

	// The same through the slow path (several parameters in the lead level)
	// and an address with literal text first.
	sep := gen.NewTopic("{site}-{floor}/t")
	_, err = sep.Build("$x", "1")
	require.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
	lit := gen.NewTopic("x{site}/t")
	got, err = lit.Build("$y")
	require.NoError(t, err)
	assert.Equal(t, "x$y/t", got)
	fixed := gen.NewTopic("a/{b}")
	got, err = fixed.Build("$b")
	require.NoError(t, err)
	assert.Equal(t, "a/$b", got)
}

// A parameter value holding a control character or a Unicode
// non-character (a device ID read with its newline) built a topic
// Mosquitto closes the connection on (see the runtime's
// TestAttackControlCharactersInTopicsRefused); Build's fast path let it
// through. Build, Filter and every path through them refuse it.
func TestAttackParameterControlCharactersRefused(t *testing.T) {
	plain := gen.NewTopic("devices/{id}/cmd")
	sep := gen.NewTopic("site/{site}-{floor}/t")
	for _, bad := range []string{"dev\n", "\tdev", "d\x7f", "d\u0085", "d\ufdd0", "é\uffff", "\x1b[31m"} {
		_, err := plain.Build(bad)
		require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "Build(%q)", bad)
		_, err = plain.Filter(bad)
		require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "Filter(%q)", bad)
		_, err = sep.Build(bad, "1")
		require.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "Build(%q, 1)", bad)
	}
	for _, ok := range []string{"dev-1", "é", "\U0001f600", "a b"} {
		got, err := plain.Build(ok)
		require.NoError(t, err, "%q", ok)
		assert.Equal(t, "devices/"+ok+"/cmd", got)
	}
}
