package contract

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mqttgen/mqttgen/generator"
)

// A filter starting with a wildcard does not match a topic starting with
// $ [MQTT-4.7.2-1]: a channel under $SYS must keep its own subscription,
// neither merged into +/... nor replaced by # with -unknown, or its
// messages never arrive.
func TestDollarChannelsKeepTheirSubscription(t *testing.T) {
	doc := loadText(t, `
asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  clients: {address: '$SYS/broker/clients', messages: {m: {payload: {type: string}}}}
  other: {address: '{x}/broker/clients', parameters: {x: {}}, messages: {m: {payload: {type: string}}}}
  rooms: {address: 'rooms/{room}', parameters: {room: {}}, messages: {m: {payload: {type: string}}}}
`)
	w := watcher(t, doc, WatchConfig{Role: generator.RoleBoth})
	assert.ElementsMatch(t, []string{"$SYS/broker/clients", "+/broker/clients", "rooms/+"}, w.Filters())

	unknown := watcher(t, doc, WatchConfig{Role: generator.RoleBoth, Unknown: true})
	assert.ElementsMatch(t, []string{"#", "$SYS/broker/clients"}, unknown.Filters())

	assert.False(t, overlap("$SYS/a", "+/a"))
	assert.False(t, overlap("$SYS/a", "#"))
	assert.True(t, overlap("$SYS/a", "$SYS/+"))
	assert.True(t, overlap("a/b", "+/b"))
}
