package generated_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/generated/sensorgateway"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// Bad input of issue 6: hostile payloads published raw (by a plain runtime
// client, bypassing the generated encoders) through Mosquitto to a
// generated subscriber. Each gets a precise error in the error handler and
// is counted; nothing panics; the good messages around them keep flowing.

const payloadLimit = 64 << 10

// badCase is a raw payload and what the error handler must get for it.
type badCase struct {
	name, topic string
	payload     []byte
	want        error  // sentinel the error wraps
	mention     string // text the error must contain
}

func badCases() []badCase {
	nested := func(depth int) []byte {
		return []byte(`{"sensorId":"n","celsius":1,"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
	}
	temp := "sensors/lab/temperature"
	return []badCase{
		{"not JSON", temp, []byte("celsius=20"), mqttrt.ErrDecode, "invalid character"},
		{"truncated", temp, []byte(`{"sensorId":"t","celsius":2`), mqttrt.ErrDecode, "unexpected EOF"},
		{"empty", temp, nil, mqttrt.ErrDecode, "EOF"},
		{"trailing data", temp, []byte(`{"sensorId":"t","celsius":2} {}`), mqttrt.ErrDecode, "after the JSON value"},
		{"wrong types", temp, []byte(`{"sensorId":5,"celsius":"hot"}`), mqttrt.ErrValidation, "type"},
		{"null", temp, []byte(`null`), mqttrt.ErrValidation, "type"},
		{"out of range", temp, []byte(`{"sensorId":"t","celsius":1e400}`), mqttrt.ErrValidation, "/celsius"},
		{"integer with a fraction", temp, []byte(`{"sensorId":"t","celsius":2,"battery":50.5}`), mqttrt.ErrValidation, "/battery"},
		{"deeply nested", temp, nested(20000), mqttrt.ErrDecode, "depth"},
		{"huge", temp, []byte(`{"sensorId":"` + strings.Repeat("x", payloadLimit) + `","celsius":1}`), mqttrt.ErrPayloadTooLarge, "limit"},
		{"bad enum text", "gateway/gw-1/status", []byte("maybe"), mqttrt.ErrValidation, "enum"},
		{"invalid UTF-8 text", "gateway/gw-1/status", []byte("on\xffline"), mqttrt.ErrDecode, "UTF-8"},
	}
}

type reported struct {
	topic string
	err   error
}

// hostileSetup connects a raw publisher and a generated subscriber (on
// temperature and status) whose errors and messages are recorded.
func hostileSetup(t *testing.T, rtOpts []mqttrt.Option, sgOpts ...sensorgateway.ClientOption) (
	raw, subRT *mqttrt.Client, errs chan reported, good chan string) {
	b := mqtttest.NewBroker(t)
	raw = faultClient(t, b.URL(), fmt.Sprintf("raw-%d", time.Now().UnixNano()), t.TempDir())
	subRT = faultClient(t, b.URL(), fmt.Sprintf("hostile-sub-%d", time.Now().UnixNano()), t.TempDir(), rtOpts...)
	errs = make(chan reported, 64)
	good = make(chan string, 64)
	sgOpts = append(sgOpts, sensorgateway.WithErrorHandler(func(topic string, err error) { errs <- reported{topic, err} }))
	sg := sensorgateway.NewClient(subRT, sgOpts...)
	ctx := context.Background()
	if err := sg.SubscribeTemperature(ctx, func(_ context.Context, m sensorgateway.TemperatureMessage) error {
		good <- m.Payload.SensorID
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := sg.SubscribeStatus(ctx, func(_ context.Context, m sensorgateway.StatusMessage) error {
		good <- "status:" + string(m.Payload)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return raw, subRT, errs, good
}

func TestHostilePayloads(t *testing.T) {
	for _, limit := range []string{"generated client limit", "runtime limit"} {
		t.Run(limit, func(t *testing.T) {
			var rtOpts []mqttrt.Option
			var sgOpts []sensorgateway.ClientOption
			if limit == "runtime limit" {
				// The generated client takes the runtime's limit too.
				rtOpts = append(rtOpts, mqttrt.WithMaxPayloadSize(payloadLimit))
			} else {
				sgOpts = append(sgOpts, sensorgateway.WithMaxPayloadSize(payloadLimit))
			}
			testHostilePayloads(t, rtOpts, sgOpts)
		})
	}
}

func testHostilePayloads(t *testing.T, rtOpts []mqttrt.Option, sgOpts []sensorgateway.ClientOption) {
	raw, subRT, errs, good := hostileSetup(t, rtOpts, sgOpts...)
	ctx := context.Background()
	cases := badCases()
	var missing []string
	for i, tc := range cases {
		if err := raw.PublishContext(ctx, tc.topic, 1, false, tc.payload); err != nil {
			t.Fatalf("%s: raw publish: %v", tc.name, err)
		}
		// A good message after each bad one must still arrive, after the
		// error (one ordered handler goroutine).
		id := fmt.Sprintf("good-%d", i)
		if err := raw.PublishContext(ctx, "sensors/lab/temperature", 1, false,
			fmt.Appendf(nil, `{"sensorId":%q,"celsius":21}`, id)); err != nil {
			t.Fatal(err)
		}
		// The error and the good message travel on different topics, so
		// their order is not guaranteed: wait for both, bounded.
		var got *reported
		seenGood := false
		deadline := time.After(5 * time.Second)
		for !seenGood || got == nil {
			select {
			case g := <-good:
				if g != id {
					t.Errorf("%s: the typed handler got %q, want %q", tc.name, g, id)
				}
				seenGood = true
				if got == nil { // give the error a moment more
					deadline = time.After(time.Second)
				}
			case r := <-errs:
				got = &r
			case <-deadline:
				if !seenGood {
					t.Fatalf("%s: the next good message did not arrive within 5s", tc.name)
				}
				missing = append(missing, tc.name)
				t.Errorf("%s: %d-byte payload: no error reported to the error handler", tc.name, len(tc.payload))
				got = &reported{}
			}
		}
		if got.err == nil {
			continue
		}
		if got.topic != tc.topic || !errors.Is(got.err, tc.want) || !strings.Contains(got.err.Error(), tc.mention) {
			t.Errorf("%s: error handler got (%q, %v), want an error wrapping %v that mentions %q", tc.name, got.topic, got.err, tc.want, tc.mention)
		}
		t.Logf("%-24s -> %.150v", tc.name, got.err)
	}
	s := subRT.GetStats()
	t.Logf("hostile payloads: %d bad and %d good sent; rejected %d, good received %d, panics %d, errors not reported %v",
		len(cases), len(cases), s.MessagesRejected, s.MessagesReceived-s.MessagesRejected, s.HandlerPanics, missing)
	if s.MessagesRejected != uint64(len(cases)) || s.HandlerPanics != 0 || !subRT.IsConnected() {
		t.Errorf("stats %+v: want %d rejected, no panic, still connected", s, len(cases))
	}
}

// A JSON object may repeat a key in another case: encoding/json matches
// keys case-insensitively (the last one wins), while the schema sees two
// different properties. A payload must not reach the typed handler with a
// value its schema forbids.
func TestHostileCaseVariantKeys(t *testing.T) {
	raw, subRT, errs, good := hostileSetup(t, nil)
	ctx := context.Background()
	payloads := []string{
		`{"sensorId":"case-1","celsius":21,"CELSIUS":500}`,
		`{"sensorId":"case-2","celsius":21,"Battery":-7}`,
		`{"sensorId":"case-3","celsius":21,"SensorID":""}`,
	}
	var mu sync.Mutex
	var passed []string
	for _, p := range payloads {
		if err := raw.PublishContext(ctx, "sensors/lab/temperature", 1, false, []byte(p)); err != nil {
			t.Fatal(err)
		}
		select {
		case g := <-good:
			mu.Lock()
			passed = append(passed, p)
			mu.Unlock()
			t.Errorf("%s reached the typed handler (as %q) although its schema forbids the decoded value", p, g)
		case r := <-errs:
			if !errors.Is(r.err, mqttrt.ErrValidation) && !errors.Is(r.err, mqttrt.ErrDecode) {
				t.Errorf("%s: %v", p, r.err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no outcome within 5s", p)
		}
	}
	t.Logf("case-variant keys: %d sent, %d reached the handler with forbidden values, rejected %d",
		len(payloads), len(passed), subRT.GetStats().MessagesRejected)
}
