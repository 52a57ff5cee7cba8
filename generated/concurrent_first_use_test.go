package generated_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/streetlights"
)

// TestConcurrentFirstUse: a Client is safe for concurrent use from its
// first call on. The first publishes and receives of several operations at
// once each prepare their payload's schema, all from one document bundle,
// and must not race (run with -race) nor panic. A schema is prepared once
// per process, so this test must be the first user of streetlights'
// codecs in the test binary: no other test here uses that package.
func TestConcurrentFirstUse(t *testing.T) {
	p := newCapturePubSub(0)
	sl := streetlights.NewClient(p)
	ctx := context.Background()
	const perKind = 4
	received := make(chan streetlights.LightMeasuredPayload, perKind)
	_, err := sl.SubscribeLightMeasurement(ctx, streetlights.TownLightsLightingMeasuredParams{},
		func(_ context.Context, m streetlights.LightMeasurementMessage) error {
			received <- m.Payload
			return nil
		})
	require.NoError(t, err)

	start := make(chan struct{})
	failures := make(chan error, 3*perKind)
	var wg sync.WaitGroup
	for i := range 3 * perKind {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					failures <- fmt.Errorf("call %d panicked: %v", i, r)
				}
			}()
			<-start
			id := fmt.Sprintf("lamp-%d", i)
			switch i % 3 {
			case 0:
				failures <- sl.PublishTurnOn(ctx, streetlights.TownLightsTurnOnParams{StreetlightID: id},
					streetlights.TurnOnOffPayload{Command: streetlights.TurnOnOffPayloadCommandOn})
			case 1:
				failures <- sl.PublishDimLight(ctx, streetlights.TownLightsDimParams{StreetlightID: id},
					streetlights.DimLightPayload{Percentage: 40})
			default:
				m := fakeMessage{topic: "town/lights/" + id + "/lighting/measured", payload: []byte(`{"lumens":300}`)}
				if !p.deliver("town/lights/+/lighting/measured", m) {
					failures <- fmt.Errorf("call %d: no subscription", i)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(failures)
	for err := range failures {
		assert.NoError(t, err)
	}
	assert.Len(t, p.published, 2*perKind, "publishes that reached the PubSub")
	assert.Len(t, received, perKind, "measurements that reached the handler")
	assert.Empty(t, p.rejected, "received messages refused")
}
