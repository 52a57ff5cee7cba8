package main

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
)

// TestFleetLinesPerChannel checks issue 16's size target (at most 120
// generated lines per channel) on 100 channels of the fleet document; the
// figures for 1,000 are in BENCHMARKS.md (mqttbench -fleet 1000).
func TestFleetLinesPerChannel(t *testing.T) {
	const n = 100
	out, err := generator.Generate(context.Background(), fleetConfig(fleetDoc(n)))
	require.NoError(t, err)
	perChannel := float64(lineCount(out.Files)) / n
	t.Logf("%d channels: %d lines, %.1f per channel", n, lineCount(out.Files), perChannel)
	require.LessOrEqual(t, perChannel, 120.0, "lines per channel")
}
