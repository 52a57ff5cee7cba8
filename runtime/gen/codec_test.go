package gen_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// A codec works on its values through unsafe pointers: a value of another
// type must be refused before it is touched, never reinterpreted.
func TestCodecRefusesAnotherType(t *testing.T) {
	c := gen.NewJSON[label](bundle(`{"L":{"type":"object","properties":{"text":{"type":"string"}}}}`), "/definitions/L")
	assert.Equal(t, "gen_test.label", c.Type().String())

	_, err := gen.Decode[reading](c, []byte(`{"text":"x"}`), true)
	require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)
	assert.ErrorContains(t, err, "codec of gen_test.label used for gen_test.reading")
	_, err = gen.Encode(c, &reading{}, true)
	require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)
	_, err = gen.Encode[label](c, nil, true)
	require.ErrorIs(t, err, mqttrt.ErrInvalidConfig)

	for _, v := range []any{label{}, &reading{}, (*label)(nil), nil} {
		_, err = c.Marshal(v)
		require.ErrorIs(t, err, mqttrt.ErrInvalidConfig, "%T", v)
		require.ErrorIs(t, c.Unmarshal([]byte(`{"text":"x"}`), v), mqttrt.ErrInvalidConfig, "%T", v)
	}
}

func TestCodecMarshalAndUnmarshal(t *testing.T) {
	c := gen.NewJSON[label](bundle(`{"L":{"type":"object","properties":{"text":{"type":"string","maxLength":3}}}}`), "/definitions/L")
	out, err := c.Marshal(&label{Text: "long text"})
	require.NoError(t, err, "Marshal does not validate")
	assert.JSONEq(t, `{"text":"long text"}`, string(out))

	v := label{Text: "kept"}
	require.ErrorIs(t, c.Unmarshal([]byte(`{"text":1}`), &v), mqttrt.ErrDecode)
	assert.Equal(t, "kept", v.Text, "a failed Unmarshal leaves the value alone")
	require.NoError(t, c.Unmarshal([]byte(`{"text":"new"}`), &v))
	assert.Equal(t, "new", v.Text)

	// The pooled scratch value holds nothing of an earlier payload.
	got, err := gen.Decode[label](c, []byte(`{}`), true)
	require.NoError(t, err)
	assert.Equal(t, label{}, got)
}

func TestBytesCodecCopies(t *testing.T) {
	data := []byte("raw")
	got, err := gen.Decode[[]byte](gen.Bytes(), data, true)
	require.NoError(t, err)
	data[0] = 'X'
	assert.Equal(t, "raw", string(got), "the handler may keep what it got")
	out, err := gen.Encode(gen.Bytes(), &got, true)
	require.NoError(t, err)
	assert.Equal(t, "raw", string(out))
}

type twoMessages struct {
	Label *label
	Raw   []byte
}

// A payload type that is a pointer already (a nullable object) is the
// variant field's own type, not a pointer to it.
type nullableMessages struct {
	Maybe *label
	Raw   []byte
}

func TestMessagesCodec(t *testing.T) {
	s := bundle(`{"L":{"type":"object","required":["text"],"properties":{"text":{"type":"string"}}}}`)
	c := gen.NewMessages[twoMessages](gen.NewJSON[label](s, "/definitions/L"), gen.Bytes())

	got, err := gen.Decode[twoMessages](c, []byte(`{"text":"x"}`), false)
	require.NoError(t, err)
	require.NotNil(t, got.Label)
	assert.Equal(t, "x", got.Label.Text)
	assert.Nil(t, got.Raw, "the first message that accepts the payload takes it")

	got, err = gen.Decode[twoMessages](c, []byte(`not json`), false)
	require.NoError(t, err)
	assert.Nil(t, got.Label)
	assert.Equal(t, "not json", string(got.Raw))

	out, err := gen.Encode(c, &twoMessages{Raw: []byte("r")}, true)
	require.NoError(t, err)
	assert.Equal(t, "r", string(out))
	_, err = gen.Encode(c, &twoMessages{}, true)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	assert.ErrorContains(t, err, "none is set")
	_, err = gen.Encode(c, &twoMessages{Label: &label{}, Raw: []byte("r")}, true)
	assert.ErrorContains(t, err, "both Label and Raw are set")

	s = bundle(`{"N":{"type":["object","null"],"properties":{"text":{"type":"string"}}},"L":{"type":"object"}}`)
	n := gen.NewMessages[nullableMessages](gen.NewJSON[*label](s, "/definitions/N"), gen.Bytes())
	got2, err := gen.Decode[nullableMessages](n, []byte(`{"text":"y"}`), true)
	require.NoError(t, err)
	require.NotNil(t, got2.Maybe)
	assert.Equal(t, "y", got2.Maybe.Text)
	out, err = gen.Encode(n, &nullableMessages{Maybe: &label{Text: "z"}}, true)
	require.NoError(t, err)
	assert.JSONEq(t, `{"text":"z"}`, string(out))

	// null fits the nullable message's schema but would leave every field
	// nil, which reads as no message: it goes to the next message that can
	// hold it, else it is refused.
	got2, err = gen.Decode[nullableMessages](n, []byte(`null`), true)
	require.NoError(t, err, "Raw takes it")
	assert.Nil(t, got2.Maybe)
	assert.Equal(t, "null", string(got2.Raw))
	onlyNullable := gen.NewMessages[struct{ Maybe *label }](gen.NewJSON[*label](s, "/definitions/N"))
	_, err = gen.Decode[struct{ Maybe *label }](onlyNullable, []byte(`null`), true)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	assert.ErrorContains(t, err, "null cannot be told apart from no message")

	assert.Panics(t, func() { gen.NewMessages[twoMessages](gen.Bytes(), gen.Bytes()) }, "Label cannot hold []byte")
	assert.Panics(t, func() { gen.NewMessages[struct{ raw []byte }](gen.Bytes()) }, "an unexported field cannot be set")
	assert.Panics(t, func() { gen.NewMessages[twoMessages](gen.Bytes()) }, "one codec for two fields")
}

// Scratch values are pooled and shared by every caller of a codec: many
// goroutines decoding and encoding different values at once must each
// get their own back, and nothing of one payload may show up in the next
// value decoded from the same scratch value (a battery read before a
// refusal, or from the payload before).
func TestCodecConcurrentUse(t *testing.T) {
	c := gen.NewJSON[reading](benchSchemas, "/definitions/TemperatureReading")
	const workers, rounds = 64, 200
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			errs <- func() error {
				for i := range rounds {
					id := fmt.Sprintf("w%d-%d", w, i)
					battery := int64(w)
					steps := []struct {
						payload string
						want    *reading // nil: refused
					}{
						{fmt.Sprintf(`{"sensorId":%q,"battery":%d,"celsius":1}`, id, w), &reading{SensorID: id, Celsius: 1, Battery: &battery}},
						{fmt.Sprintf(`{"sensorId":%q,"celsius":2}`, id), &reading{SensorID: id, Celsius: 2}},
						{fmt.Sprintf(`{"battery":%d,"sensorId":%q,"celsius":500}`, w, id), nil},
						{fmt.Sprintf(`{"celsius":3,"sensorId":%q}`, id), &reading{SensorID: id, Celsius: 3}},
					}
					for _, step := range steps {
						got, err := gen.Decode[reading](c, []byte(step.payload), i%2 == 0 || step.want == nil)
						switch {
						case step.want == nil && err == nil:
							return fmt.Errorf("%s: accepted", step.payload)
						case step.want == nil:
						case err != nil:
							return err
						case !reflect.DeepEqual(got, *step.want):
							return fmt.Errorf("%s: decoded %+v", step.payload, got)
						}
						if step.want == nil {
							continue
						}
						data, err := gen.Encode(c, step.want, true)
						if err != nil {
							return err
						}
						again, err := gen.Decode[reading](c, data, true)
						if err != nil || !reflect.DeepEqual(again, *step.want) {
							return fmt.Errorf("%s: encoded %s, read back %+v (%v)", step.payload, data, again, err)
						}
					}
				}
				return nil
			}()
		}()
	}
	for range workers {
		require.NoError(t, <-errs)
	}
}
