package generated_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generated/deviceevents"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Issue 13, item 7: two operations of device-events.yaml receive from one
// channel (onEvent: every event; onFault: only faults). Subscribing both
// used to leave SubscribeEvent's handler with nothing (the second handler
// replaced the first), and UnsubscribeFaultOnly ended the broker
// subscription SubscribeEvent still needed. Each now gets its messages,
// and each Unsubscribe method ends its own operation only.
func TestTwoOperationsOnOneChannel(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx := ctxT(t)
	rt := connect(t, b)
	failures := make(chan error, 16)
	de := deviceevents.NewClient(rt, deviceevents.WithErrorHandler(func(_ string, err error) { failures <- err }))
	events := make(chan deviceevents.EventMessage, 16)
	faults := make(chan deviceevents.FaultOnlyMessage, 16)
	onEvent := func(_ context.Context, m deviceevents.EventMessage) error { events <- m; return nil }
	onFault := func(_ context.Context, m deviceevents.FaultOnlyMessage) error { faults <- m; return nil }
	dev := deviceevents.EventsParams{DeviceID: "sn-7"}
	publishFault := func(code int64) {
		t.Helper()
		require.NoError(t, de.PublishEvent(ctx, dev, deviceevents.EventsPayload{DeviceFault: &deviceevents.DeviceFault{Event: "fault", Code: code}}))
	}
	eventCode := func() int64 {
		t.Helper()
		m := receive(t, events, "event on SubscribeEvent's handler")
		require.NotNil(t, m.Payload.DeviceFault, "event %+v", m.Payload)
		return m.Payload.DeviceFault.Code
	}
	faultCode := func() int64 {
		t.Helper()
		return receive(t, faults, "fault on SubscribeFaultOnly's handler").Payload.Code
	}
	noMessage := func(what string) {
		t.Helper()
		select {
		case m := <-events:
			t.Errorf("%s: SubscribeEvent's handler got %+v", what, m)
		case m := <-faults:
			t.Errorf("%s: SubscribeFaultOnly's handler got %+v", what, m)
		case <-time.After(300 * time.Millisecond):
		}
	}

	require.NoError(t, de.SubscribeEvent(ctx, onEvent))
	require.NoError(t, de.SubscribeFaultOnly(ctx, onFault))
	publishFault(3)
	assert.Equal(t, int64(3), eventCode())
	assert.Equal(t, int64(3), faultCode())
	noMessage("after one fault")
	assert.Len(t, rt.GetSubscriptions(), 1, "one broker subscription for the channel")

	require.NoError(t, de.UnsubscribeFaultOnly(ctx))
	publishFault(4)
	assert.Equal(t, int64(4), eventCode(), "SubscribeEvent's handler after UnsubscribeFaultOnly")
	noMessage("after UnsubscribeFaultOnly")

	// The other way round.
	require.NoError(t, de.SubscribeFaultOnly(ctx, onFault))
	require.NoError(t, de.UnsubscribeEvent(ctx))
	publishFault(5)
	assert.Equal(t, int64(5), faultCode(), "SubscribeFaultOnly's handler after UnsubscribeEvent")
	noMessage("after UnsubscribeEvent")

	// Subscribing an operation again replaces its handler; unsubscribing
	// the last one ends the broker subscription.
	again := make(chan deviceevents.FaultOnlyMessage, 16)
	require.NoError(t, de.SubscribeFaultOnly(ctx, func(_ context.Context, m deviceevents.FaultOnlyMessage) error { again <- m; return nil }))
	publishFault(6)
	assert.Equal(t, int64(6), receive(t, again, "fault on the replacing handler").Payload.Code)
	noMessage("after replacing SubscribeFaultOnly's handler")
	require.NoError(t, de.UnsubscribeFaultOnly(ctx))
	require.NoError(t, de.UnsubscribeFaultOnly(ctx), "unsubscribing twice")
	assert.Empty(t, rt.GetSubscriptions())
	select {
	case err := <-failures:
		t.Errorf("error handler: %v", err)
	default:
	}
}
