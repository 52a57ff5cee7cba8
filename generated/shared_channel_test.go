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

// TestTwoOperationsOnOneChannel is issue 13 item 7 at the generated level:
// operations onEvent (every event) and onFault (faults only) both receive
// channel events, so one client subscribes fleet/+/events twice. Each
// handler gets the messages its operation accepts, and unsubscribing one
// through its handle leaves the other receiving. Before the runtime kept
// several handlers per filter, SubscribeFaultOnly's replaced
// SubscribeEvent's, so the first fault never reached SubscribeEvent.
func TestTwoOperationsOnOneChannel(t *testing.T) {
	b := mqtttest.NewBroker(t)
	ctx := ctxT(t)
	rt := connect(t, b)
	// onFault refuses the events that are not faults: they go here.
	refused := make(chan error, 8)
	de := deviceevents.NewClient(rt, deviceevents.WithErrorHandler(func(_ string, err error) { refused <- err }))
	pub := deviceevents.NewClient(connect(t, b))

	events := make(chan deviceevents.EventMessage, 8)
	subEvent, err := de.SubscribeEvent(ctx, deviceevents.EventsParams{}, func(_ context.Context, m deviceevents.EventMessage) error {
		events <- m
		return nil
	})
	require.NoError(t, err)
	faults := make(chan deviceevents.FaultOnlyMessage, 8)
	subFault, err := de.SubscribeFaultOnly(ctx, deviceevents.EventsParams{}, func(_ context.Context, m deviceevents.FaultOnlyMessage) error {
		faults <- m
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, "fleet/+/events", subEvent.Filter())
	require.Equal(t, "fleet/+/events", subFault.Filter())
	assert.Equal(t, []string{"fleet/+/events"}, subscribedFilters(rt), "one broker subscription for both")

	// A fault reaches both handlers.
	fault := deviceevents.DeviceFault{Event: "fault", Code: 3}
	require.NoError(t, pub.PublishFaultOnly(ctx, deviceevents.EventsParams{DeviceID: "sn-1"}, fault))
	e := receive(t, events, "fault at SubscribeEvent")
	assert.Equal(t, deviceevents.EventPayload{DeviceFault: &fault}, e.Payload)
	f := receive(t, faults, "fault at SubscribeFaultOnly")
	assert.Equal(t, fault, f.Payload)
	assert.Equal(t, "sn-1", f.Params.DeviceID)

	// A start reaches onEvent only.
	started := deviceevents.DeviceStarted{Event: "started", Firmware: "2.0"}
	require.NoError(t, pub.PublishEvent(ctx, deviceevents.EventsParams{DeviceID: "sn-1"}, deviceevents.EventPayload{DeviceStarted: &started}))
	e = receive(t, events, "start at SubscribeEvent")
	assert.Equal(t, deviceevents.EventPayload{DeviceStarted: &started}, e.Payload)

	// Without onFault's handler, onEvent's still gets every event.
	require.NoError(t, subFault.Unsubscribe(ctx))
	assert.Equal(t, []string{"fleet/+/events"}, subscribedFilters(rt), "onEvent's subscription after onFault's ended")
	second := deviceevents.DeviceFault{Event: "fault", Code: 4}
	require.NoError(t, pub.PublishFaultOnly(ctx, deviceevents.EventsParams{DeviceID: "sn-2"}, second))
	e = receive(t, events, "fault at SubscribeEvent after SubscribeFaultOnly's handle unsubscribed")
	assert.Equal(t, deviceevents.EventPayload{DeviceFault: &second}, e.Payload)
	select {
	case m := <-faults:
		assert.Fail(t, "an unsubscribed handler was called", "%+v", m)
	case <-time.After(200 * time.Millisecond):
	}

	require.NoError(t, subEvent.Unsubscribe(ctx))
	assert.Empty(t, subscribedFilters(rt), "filters left after both handles unsubscribed")
}

// TestTwoOperationsOnOneChannelOverPubSub is the generated half of the same
// case, over a PubSub that keeps several handlers per filter as the
// PubSub contract asks: each operation's Subscribe registers a handler of
// its own on fleet/+/events, and its handle removes that handler only.
func TestTwoOperationsOnOneChannelOverPubSub(t *testing.T) {
	p := newCapturePubSub(0)
	var refused []error
	de := deviceevents.NewClient(p, deviceevents.WithErrorHandler(func(_ string, err error) { refused = append(refused, err) }))
	var events []deviceevents.EventPayload
	var faults []deviceevents.DeviceFault
	ctx := context.Background()
	subEvent, err := de.SubscribeEvent(ctx, deviceevents.EventsParams{}, func(_ context.Context, m deviceevents.EventMessage) error {
		events = append(events, m.Payload)
		return nil
	})
	require.NoError(t, err)
	subFault, err := de.SubscribeFaultOnly(ctx, deviceevents.EventsParams{}, func(_ context.Context, m deviceevents.FaultOnlyMessage) error {
		faults = append(faults, m.Payload)
		return nil
	})
	require.NoError(t, err)

	fault := fakeMessage{topic: "fleet/sn-1/events", payload: []byte(`{"event":"fault","code":3}`), qos: 1}
	started := fakeMessage{topic: "fleet/sn-1/events", payload: []byte(`{"event":"started","firmware":"2.0"}`), qos: 1}
	require.True(t, p.deliver("fleet/+/events", fault))
	require.True(t, p.deliver("fleet/+/events", started))
	want := deviceevents.DeviceFault{Event: "fault", Code: 3}
	assert.Equal(t, []deviceevents.EventPayload{{DeviceFault: &want},
		{DeviceStarted: &deviceevents.DeviceStarted{Event: "started", Firmware: "2.0"}}}, events)
	assert.Equal(t, []deviceevents.DeviceFault{want}, faults)
	require.Len(t, refused, 1, "onFault refuses the start")

	require.NoError(t, subFault.Unsubscribe(ctx))
	require.True(t, p.deliver("fleet/+/events", fault), "onEvent's handler is gone too")
	assert.Len(t, events, 3, "onEvent's deliveries")
	assert.Len(t, faults, 1, "onFault's deliveries after its handle unsubscribed")
	require.NoError(t, subEvent.Unsubscribe(ctx))
	assert.False(t, p.deliver("fleet/+/events", fault), "a handler is left after both handles unsubscribed")
}
