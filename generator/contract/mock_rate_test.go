package contract

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// A very slow rate waits between messages: its interval (1e12 s) does
// not fit a Duration, and once overflowed it read as no wait at all, so
// the mock sent as fast as it could.
func TestMockRunVerySlowRateWaits(t *testing.T) {
	m, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleClient})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	rec := &recorder{}
	n, err := m.Run(ctx, rec, MockRun{Rate: 1e-12, Count: 3}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the first message goes at once, the next in 31,000 years")
}

func TestMockRunRefusesABadRate(t *testing.T) {
	m, err := NewMock(load(t, sensorGateway), MockConfig{Role: generator.RoleClient})
	require.NoError(t, err)
	for _, run := range []MockRun{{Rate: math.NaN(), Count: 1}, {Rate: -1, Count: 1}, {Count: -1}} {
		rec := &recorder{}
		n, err := m.Run(context.Background(), rec, run, nil)
		require.ErrorIs(t, err, mqttrt.ErrInvalidConfig, "%+v", run)
		assert.Zero(t, n)
		assert.Empty(t, rec.records)
	}
}
