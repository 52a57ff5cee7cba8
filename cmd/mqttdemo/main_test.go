package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestDemoRunsEndToEnd runs the demo against its embedded broker and
// checks that every kind of message arrived and both refusals happened.
func TestDemoRunsEndToEnd(t *testing.T) {
	t.Setenv("MQTT_BROKER", "")
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"gateway <- sensors/kitchen/temperature: 22.5 °C in the kitchen",
		"gateway <- sensors/office/humidity: 35 % in the office",
		"sensors <- alerts/warning: TEMP-001 31.0 °C (QoS 2)",
		"sensors <- gateway/gw-1/status: gateway gw-1 is online",
		`invalid reading refused: publish temperature: payload field "/celsius": maximum`,
		`room "+" refused`,
		"done: gateway received 4 messages, refused 0",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
