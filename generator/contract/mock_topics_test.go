package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
)

// Parameter values a broker would refuse, or topics it keeps to itself,
// are not chosen: the document may allow them, but Mosquitto closes the
// connection of a client publishing a control character in a topic, and
// a watcher's + does not match a $ topic.
func TestMockPicksTopicsBrokersTake(t *testing.T) {
	m := mock(t, `
asyncapi: 2.6.0
info: {title: t, version: '1'}
channels:
  'b/{ctl}':
    parameters:
      ctl: {schema: {type: string, enum: ["x\u0001y", "ok\u001b[31m", "del\u007f", "c1\u0085", "nc\uffff", "plain"]}}
    subscribe: {operationId: onB, message: {payload: {type: string}}}
  '{level}/g':
    parameters:
      level: {schema: {type: string, enum: ["$SYS", "$x", "ok"]}}
    subscribe: {operationId: onG, message: {payload: {type: string}}}
  '{only}/h':
    parameters:
      only: {schema: {type: string, enum: ["$SYS"]}}
    subscribe: {operationId: onH, message: {payload: {type: string}}}
`, MockConfig{Role: generator.RoleApp})
	plan := m.Plan()
	require.Len(t, plan, 2)
	assert.Equal(t, []string{"b/plain"}, plan[0].Topics)
	assert.Equal(t, []string{"ok/g"}, plan[1].Topics)
	skipped := m.Skipped()
	require.Len(t, skipped, 1)
	assert.Equal(t, "onH", skipped[0].Operation)
	assert.Contains(t, skipped[0].Reason, `parameter only = "$SYS" starts the topic and must not start with $`)
}
