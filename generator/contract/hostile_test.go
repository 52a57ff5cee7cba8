package contract

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/generator"
)

// A topic or payload is whoever published it's to choose: printed as it
// is, a newline in it would forge a line of watch's output and an escape
// sequence would rewrite the terminal.
func TestReportStringEscapesWhatIsNotPrintable(t *testing.T) {
	doc := loadText(t, `
asyncapi: 3.0.0
info: {title: t, version: '1'}
channels:
  temperature:
    address: 'sensors/{room}/temperature'
    messages:
      reading:
        payload:
          type: object
          required: [contact]
          properties:
            contact: {type: string, format: email}
`)
	w := watcher(t, doc, WatchConfig{Role: generator.RoleBoth, Unknown: true})
	forged := "sensors/kitchen/temperature channel=temperature room=kitchen message=reading ok"
	// A room holding an escape sequence, a line break, a carriage return
	// and a right-to-left override; the violation quotes the payload's
	// forged line.
	topic := "sensors/a\x1b[31mRED\nsensors\r\u202e/temperature"
	r := w.Check(topic, []byte(`{"contact":"x\n`+forged+`"}`))
	require.Equal(t, StatusInvalid, r.Status)
	assert.Equal(t, topic, r.Topic, "the report keeps the topic as it was; only its rendering escapes")
	assert.Equal(t, "a\x1b[31mRED\nsensors\r\u202e", r.Params["room"])
	// Two errors: the payload's, and the room's, which holds characters
	// the runtime refuses in a topic.
	require.Len(t, r.Errors, 2)
	for _, e := range r.Errors {
		assert.NotContains(t, e.String(), "\n")
	}
	assert.Contains(t, r.Errors[0].String(), "must not contain U+001B")

	line := r.String()
	for _, bad := range []string{"\n", "\r", "\x1b", "\u202e"} {
		assert.NotContains(t, line, bad)
	}
	assert.True(t, strings.HasPrefix(line, `sensors/a\x1b[31mRED\nsensors\r\u202e/temperature channel=temperature room=a\x1b[31mRED\nsensors\r\u202e message=none invalid: `), line)

	unknown := w.Check("x\n"+forged, nil)
	require.Equal(t, StatusUnknown, unknown.Status)
	assert.Equal(t, `x\n`+forged+` channel=none message=none unknown: "" channel: no channel of the document matches this topic`, unknown.String())

	invalid := w.Check("sensors/\xff/temperature", []byte("{\"contact\":\"\x07\"}"))
	assert.NotContains(t, invalid.String(), "\xff")
	assert.NotContains(t, invalid.String(), "\x07")
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"sensors/kitchen/temperature": "sensors/kitchen/temperature",
		"with space and é, 😀":         "with space and é, 😀",
		"a\nb\r\tc":                   `a\nb\r\tc`,
		"\x1b[2J\x07":                 `\x1b[2J\a`,
		"bad \xff\xfe end":            `bad \xff\xfe end`,
		"rtl \u202e override":         `rtl \u202e override`,
		"nul \x00":                    `nul \x00`,
		`back\slash`:                  `back\slash`,
	} {
		assert.Equal(t, want, Printable(in), "%q", in)
	}
}

// JSON is UTF-8: a payload with other bytes in a string is not JSON, as
// the generated decoders say. The validator read them as U+FFFD, so watch
// called ok what no generated subscriber could decode.
func TestCheckRefusesJSONThatIsNotUTF8(t *testing.T) {
	w := watcher(t, load(t, sensorGateway), WatchConfig{Role: generator.RoleBoth})
	for _, payload := range []string{"{\"sensorId\":\"\xff\",\"celsius\":1}", "{\"sensorId\":\"a\",\"celsius\":1,\"\xc3\":0}"} {
		r := w.Check("sensors/kitchen/temperature", []byte(payload))
		assert.Equal(t, StatusUndecodable, r.Status, "%q: %s", payload, r)
		require.NotEmpty(t, r.Errors)
		assert.Equal(t, "decode", r.Errors[0].Rule)
		assert.Contains(t, r.Errors[0].Message, "not JSON: invalid UTF-8")
	}
	ok := w.Check("sensors/kitchen/temperature", []byte(`{"sensorId":"é😀","celsius":1}`))
	assert.Equal(t, StatusOK, ok.Status, "%s", ok)
}
