package main

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDemoRunsEndToEnd runs the demo against its embedded broker and
// checks that every kind of message arrived and both refusals happened
// (run itself fails when a refusal is not the expected kind of error).
func TestDemoRunsEndToEnd(t *testing.T) {
	t.Setenv("MQTT_BROKER", "")
	var out bytes.Buffer
	require.NoError(t, run(&out), out.String())
	for _, want := range []string{
		"gateway <- sensors/kitchen/temperature: 22.5 °C in the kitchen",
		"gateway <- sensors/office/humidity: 35 % in the office",
		"sensors <- alerts/warning: TEMP-001 31.0 °C (QoS 2)",
		"sensors <- gateway/gw-1/status: gateway gw-1 is online",
		`room "+" refused`,
		"done: gateway received 4 messages, refused 0",
	} {
		assert.Contains(t, out.String(), want)
	}
	// The refusal names the field and the rule it breaks.
	assert.Regexp(t, regexp.MustCompile(`invalid reading refused: .*/celsius.*maximum`), out.String())
}
