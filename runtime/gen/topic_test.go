package gen_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

func TestTopicBuildFilterParse(t *testing.T) {
	cases := []struct {
		address string
		values  []string
		topic   string
		filter  string // with the first value empty
	}{
		{"sensors/{room}/temperature", []string{"kitchen"}, "sensors/kitchen/temperature", "sensors/+/temperature"},
		{"{queue}", []string{"jobs"}, "jobs", "+"},
		{"a/{x}/b/{y}", []string{"1", "2"}, "a/1/b/2", "a/+/b/2"},
		{"dev-{id}/state", []string{"7"}, "dev-7/state", "+/state"},
		{"site/{site}-{floor}/t", []string{"paris", "3"}, "site/paris-3/t", "site/+/t"},
		{"/lead/{id}/", []string{"x"}, "/lead/x/", "/lead/+/"},
		{"r/{id}/{id}", []string{"same"}, "r/same/same", "r/+/+"},
	}
	for _, c := range cases {
		tp := gen.NewTopic(c.address)
		got, err := tp.Build(c.values...)
		require.NoError(t, err, c.address)
		assert.Equal(t, c.topic, got)
		blank := append([]string{""}, c.values[1:]...)
		f, err := tp.Filter(blank...)
		require.NoError(t, err)
		assert.Equal(t, c.filter, f, c.address)
		assert.True(t, mqttrt.MatchTopic(f, got), "%s does not match %s", f, got)
		parsed := make([]string, len(c.values))
		dst := make([]*string, len(parsed))
		for i := range parsed {
			dst[i] = &parsed[i]
		}
		require.NoError(t, tp.Parse(got, dst...))
		assert.Equal(t, c.values, parsed, c.address)
	}
}

// TestTopicRefusesValuesThatChangeTheTopic: no parameter value can add a
// level, become a wildcard, or shift where the next parameter starts.
func TestTopicRefusesValuesThatChangeTheTopic(t *testing.T) {
	tp := gen.NewTopic("site/{site}-{floor}/t")
	for _, bad := range [][]string{
		{"a/b", "1"}, {"+", "1"}, {"#", "1"}, {"a", "1/2"}, {"", "1"}, {"a\x00", "1"}, {"\xff", "1"},
		{"north-east", "1"}, // would parse back as site "north", floor "east-1"
	} {
		_, err := tp.Build(bad...)
		assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic, "%q", bad)
	}
	_, err := tp.Filter("a/b", "")
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
	_, err = tp.Build("only-one")
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
}

func TestTopicEnum(t *testing.T) {
	tp := gen.NewTopic("alerts/{severity}", gen.Enum{Param: "severity", Values: []string{"info", "critical"}})
	_, err := tp.Build("panic")
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
	got, err := tp.Build("info")
	require.NoError(t, err)
	assert.Equal(t, "alerts/info", got)
	// A received value outside the enum is the receiver's to judge.
	var v string
	require.NoError(t, tp.Parse("alerts/panic", &v))
	assert.Equal(t, "panic", v)
}

func TestTopicParseMismatch(t *testing.T) {
	tp := gen.NewTopic("sensors/{room}/temperature")
	var room string
	for _, topic := range []string{"sensors/kitchen", "sensors/kitchen/temperature/x", "sensors//temperature", "other/kitchen/temperature", "", "sensors/kitchen/humidity"} {
		assert.ErrorIs(t, tp.Parse(topic, &room), mqttrt.ErrInvalidTopic, "%q", topic)
	}
	twice := gen.NewTopic("r/{id}/{id}")
	assert.ErrorIs(t, twice.Parse("r/a/b", &room), mqttrt.ErrInvalidTopic)
	dash := gen.NewTopic("dev-{id}/state")
	assert.ErrorIs(t, dash.Parse("device-7/state", &room), mqttrt.ErrInvalidTopic)
	assert.ErrorIs(t, dash.Parse("dev-/state", &room), mqttrt.ErrInvalidTopic)
}

func TestTopicWildcardAddress(t *testing.T) {
	tp := gen.NewTopic("logs/{app}/#")
	assert.False(t, tp.Publishable())
	_, err := tp.Build("api")
	assert.ErrorIs(t, err, mqttrt.ErrInvalidTopic)
	f, err := tp.Filter("")
	require.NoError(t, err)
	assert.Equal(t, "logs/+/#", f)
	var app string
	for _, topic := range []string{"logs/api", "logs/api/x", "logs/api/x/y"} {
		require.NoError(t, tp.Parse(topic, &app), topic)
		assert.Equal(t, "api", app)
	}
}

func TestParseAddressErrors(t *testing.T) {
	for _, bad := range []string{"a/{x}{y}", "a/{x", "a/x}", "a/#/b", "a/b+", "a/{}", "a\x00b"} {
		_, err := gen.ParseAddress(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func ExampleTopic() {
	topic := gen.NewTopic("sensors/{room}/temperature")
	t, _ := topic.Build("kitchen")
	f, _ := topic.Filter("")
	var room string
	_ = topic.Parse("sensors/office/temperature", &room)
	_, err := topic.Build("kitchen/#")
	fmt.Println(t, f, room)
	fmt.Println(err)
	// Output:
	// sensors/kitchen/temperature sensors/+/temperature office
	// mqtt: invalid topic: parameter room = "kitchen/#": must not contain / (it would add a topic level)
}
