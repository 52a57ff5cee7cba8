package gen_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// typed gives a codec the typed Decode and Encode the tests read best
// with.
type typed[T any] struct{ c *gen.Codec }

func jsonOf[T any](s *gen.Schemas, pointer string) typed[T] {
	return typed[T]{gen.NewJSON[T](s, pointer)}
}

func textOf[T ~string](s *gen.Schemas, pointer string) typed[T] {
	return typed[T]{gen.NewText[T](s, pointer)}
}

func (t typed[T]) Decode(data []byte, validate bool) (T, error) {
	return gen.Decode[T](t.c, data, validate)
}

func (t typed[T]) Encode(v T, validate bool) ([]byte, error) { return gen.Encode(t.c, &v, validate) }

// bundle wraps definitions into a draft-07 bundle.
func bundle(definitions string) *gen.Schemas {
	return gen.NewSchemas(`{"$schema":"http://json-schema.org/draft-07/schema#","definitions":` + definitions + `}`)
}

type oddNames struct {
	Quote   *int64 `json:"-" mqttgen:"name=a\"b"`
	Slash   *int64 `json:"-" mqttgen:"name=a\\b"`
	Control *int64 `json:"-" mqttgen:"name=a\nb\x01"`
	Comma   *int64 `json:"-" mqttgen:"name=a,b"`
	Empty   *int64 `json:"-" mqttgen:"name="`
}

func TestUntaggableNamesKeepTheirMembers(t *testing.T) {
	s := bundle(`{"Odd":{"type":"object","properties":{"a\"b":{"type":"integer"},"a\\b":{"type":"integer"},` +
		`"a\nb\u0001":{"type":"integer"},"a,b":{"type":"integer"},"":{"type":"integer"}}}}`)
	c := jsonOf[oddNames](s, "/definitions/Odd")
	in := `{"a\"b":1,"a\\b":2,"a\nb\u0001":3,"a,b":4,"":5}`
	v, err := c.Decode([]byte(in), true)
	require.NoError(t, err)
	for i, p := range []*int64{v.Quote, v.Slash, v.Control, v.Comma, v.Empty} {
		require.NotNil(t, p, "field %d", i)
		assert.Equal(t, int64(i+1), *p)
	}
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))
}

type counter struct {
	N int64 `json:"n"`
	M int32 `json:"m"`
}

func TestIntegersDecodeFromEverySpelling(t *testing.T) {
	s := bundle(`{"C":{"type":"object","properties":{"n":{"type":"integer"},"m":{"type":"integer"}},"required":["n","m"]}}`)
	c := jsonOf[counter](s, "/definitions/C")
	for spelling, want := range map[string]int64{"1": 1, "1.0": 1, "1e1": 10, "-0": 0, "9007199254740992.0": 9007199254740992,
		"1.0e2": 100, "100e-2": 1, "-9223372036854775808": math.MinInt64, "50.0": 50} {
		for _, validate := range []bool{true, false} {
			v, err := c.Decode([]byte(`{"n":`+spelling+`,"m":1.0}`), validate)
			require.NoError(t, err, spelling)
			assert.Equal(t, want, v.N, spelling)
			assert.Equal(t, int32(1), v.M)
		}
	}
	for spelling, why := range map[string]string{"1.5": "not an integer", "1e400": "overflows", "9223372036854775808": "overflows"} {
		_, err := c.Decode([]byte(`{"n":`+spelling+`,"m":1}`), false)
		require.ErrorIs(t, err, mqttrt.ErrDecode, spelling)
		assert.Contains(t, err.Error(), why)
		assert.Contains(t, err.Error(), `"/n"`)
	}
	// 1.5 breaks the schema (integer): with validation that is the error.
	_, err := c.Decode([]byte(`{"n":1.5,"m":1}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "/n", ve.Field)
	// 3e9 is an integer the schema allows but an int32 cannot hold.
	_, err = c.Decode([]byte(`{"n":1,"m":3e9}`), true)
	require.ErrorIs(t, err, mqttrt.ErrDecode)
	assert.Contains(t, err.Error(), "overflows int32")
}

type label struct {
	Text string `json:"text"`
}

func TestInvalidUTF8IsADecodeError(t *testing.T) {
	s := bundle(`{"L":{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}}`)
	c := jsonOf[label](s, "/definitions/L")
	for _, in := range []string{"{\"text\":\"a\xffb\"}", "{\"text\":\"ok\",\"k\xfe\":1}", "{\"text\":\"ok\"} \xff"} {
		for _, validate := range []bool{true, false} {
			_, err := c.Decode([]byte(in), validate)
			require.ErrorIs(t, err, mqttrt.ErrDecode, "%q", in)
			assert.NotErrorIs(t, err, mqttrt.ErrValidation)
		}
	}
	for _, in := range []string{`{"text":`, `nope`, `{"text":"a"} {}`, ``} {
		_, err := c.Decode([]byte(in), true)
		require.ErrorIs(t, err, mqttrt.ErrDecode, "%q", in)
		var de *gen.DecodeError
		require.ErrorAs(t, err, &de)
	}
	_, err := c.Encode(label{Text: "a\xffb"}, false)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
}

func TestDuplicateMembersLastWins(t *testing.T) {
	s := bundle(`{"L":{"type":"object","properties":{"text":{"type":"string","minLength":2}},"required":["text"]}}`)
	c := jsonOf[label](s, "/definitions/L")
	v, err := c.Decode([]byte(`{"text":"x","text":"long"}`), true)
	require.NoError(t, err, "jsonschema/v5 sees the last value")
	assert.Equal(t, "long", v.Text)
	_, err = c.Decode([]byte(`{"text":"long","text":"x"}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "minLength", ve.Rule)
}

type versioned struct {
	Version string `json:"version"`
	Name    string `json:"name"`
}

func TestConstIsWrittenWhateverTheFieldHolds(t *testing.T) {
	s := bundle(`{"V":{"type":"object","properties":{"version":{"const":"v2"},"name":{"type":"string"}},"required":["version","name"]}}`)
	c := jsonOf[versioned](s, "/definitions/V")
	out, err := c.Encode(versioned{Name: "x"}, true)
	require.NoError(t, err)
	assert.JSONEq(t, `{"version":"v2","name":"x"}`, string(out))
	_, err = c.Decode([]byte(`{"version":"v1","name":"x"}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "const", ve.Rule)
}

type lists struct {
	Tags  []string `json:"tags"`
	Notes []string `json:"notes"`
}

func TestNilRequiredSlices(t *testing.T) {
	s := bundle(`{"L":{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}},` +
		`"notes":{"type":["array","null"],"items":{"type":"string"}}},"required":["tags","notes"]}}`)
	c := jsonOf[lists](s, "/definitions/L")
	out, err := c.Encode(lists{}, true)
	require.NoError(t, err)
	assert.Equal(t, `{"tags":[],"notes":null}`, string(out))
}

type document struct {
	ID       string            `json:"id"`
	Patterns map[string]int64  `json:"-" mqttgen:"patterns"`
	Extra    map[string]string `json:"-" mqttgen:"extra"`
}

func TestExtraAndPatternMembers(t *testing.T) {
	s := bundle(`{"D":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"],` +
		`"patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":{"type":"string"}}}`)
	c := jsonOf[document](s, "/definitions/D")
	v, err := c.Decode([]byte(`{"x-b":2,"id":"d","z":"last","x-a":1,"a":"first"}`), true)
	require.NoError(t, err)
	assert.Equal(t, document{ID: "d", Patterns: map[string]int64{"x-a": 1, "x-b": 2}, Extra: map[string]string{"a": "first", "z": "last"}}, v)
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	assert.Equal(t, `{"id":"d","x-a":1,"x-b":2,"a":"first","z":"last"}`, string(out))
	_, err = c.Decode([]byte(`{"id":"d","x-a":"no"}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "/x-a", ve.Field)
}

type circle struct {
	Kind   string  `json:"kind"`
	Radius float64 `json:"radius"`
}

type square struct {
	Kind string  `json:"kind"`
	Side float64 `json:"side"`
}

type shape struct {
	Circle *circle `mqttgen:"variant"`
	Square *square `mqttgen:"variant"`
}

const shapes = `{"circle":{"type":"object","properties":{"kind":{"const":"circle"},"radius":{"type":"number"}},"required":["kind","radius"]},` +
	`"square":{"type":"object","properties":{"kind":{"const":"square"},"side":{"type":"number"}},"required":["kind","side"]},` +
	`"Shape":{"oneOf":[{"$ref":"#/definitions/circle"},{"$ref":"#/definitions/square"}]},` +
	`"AnyShape":{"anyOf":[{"$ref":"#/definitions/circle"},{"$ref":"#/definitions/square"}]},` +
	`"MaybeShape":{"oneOf":[{"type":"null"},{"$ref":"#/definitions/Shape"}]},` +
	`"Loose":{"oneOf":[{"type":"object","required":["a"]},{"type":"object","required":["b"]}]},` +
	`"LooseAny":{"anyOf":[{"type":"object","required":["a"]},{"type":"object","required":["b"]}]}}`

func TestSumTypes(t *testing.T) {
	s := bundle(shapes)
	c := jsonOf[shape](s, "/definitions/Shape")
	v, err := c.Decode([]byte(`{"kind":"square","side":2}`), true)
	require.NoError(t, err)
	assert.Nil(t, v.Circle)
	assert.Equal(t, &square{Kind: "square", Side: 2}, v.Square)
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	assert.Equal(t, `{"kind":"square","side":2}`, string(out))

	_, err = c.Encode(shape{}, false)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	assert.Contains(t, err.Error(), "no variant")
	_, err = c.Encode(shape{Circle: &circle{}, Square: &square{}}, false)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	assert.Contains(t, err.Error(), "several variants")

	_, err = c.Decode([]byte(`{"kind":"triangle"}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "oneOf", ve.Rule)
	assert.Contains(t, ve.Message, "variant 0")
	assert.Contains(t, ve.Message, "variant 1")
	_, err = c.Decode([]byte(`{"kind":"triangle"}`), false)
	require.ErrorIs(t, err, mqttrt.ErrDecode, "the variant is still picked by validating")

	type ab struct {
		A *map[string]json.RawMessage `mqttgen:"variant"`
		B *map[string]json.RawMessage `mqttgen:"variant"`
	}
	// oneOf: a value both variants accept is refused; anyOf takes the first.
	_, err = jsonOf[ab](s, "/definitions/Loose").Decode([]byte(`{"a":1,"b":2}`), true)
	require.ErrorAs(t, err, &ve)
	got, err := jsonOf[ab](s, "/definitions/LooseAny").Decode([]byte(`{"a":1,"b":2}`), true)
	require.NoError(t, err)
	assert.NotNil(t, got.A)
	assert.Nil(t, got.B)

	maybe := jsonOf[*shape](s, "/definitions/MaybeShape")
	m, err := maybe.Decode([]byte(`null`), true)
	require.NoError(t, err)
	assert.Nil(t, m)
	m, err = maybe.Decode([]byte(`{"kind":"circle","radius":1}`), true)
	require.NoError(t, err)
	assert.Equal(t, &shape{Circle: &circle{Kind: "circle", Radius: 1}}, m)
}

type tree struct {
	Name     string `json:"name"`
	Children []tree `json:"children,omitempty"`
}

func TestRecursiveTypes(t *testing.T) {
	s := bundle(`{"Tree":{"type":"object","properties":{"name":{"type":"string","minLength":1},` +
		`"children":{"type":"array","items":{"$ref":"#/definitions/Tree"}}},"required":["name"]}}`)
	c := jsonOf[tree](s, "/definitions/Tree")
	in := `{"name":"a","children":[{"name":"b","children":[{"name":"c"}]},{"name":"d"}]}`
	v, err := c.Decode([]byte(in), true)
	require.NoError(t, err)
	var want tree
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	assert.Equal(t, want, v)
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	assert.Equal(t, in, string(out))
	_, err = c.Decode([]byte(`{"name":"a","children":[{"name":"b","children":[{"name":""}]}]}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "/children/0/children/0/name", ve.Field)
}

func TestErrorsSayWhereAndWhy(t *testing.T) {
	c := jsonOf[reading](benchSchemas, "/definitions/TemperatureReading")
	_, err := c.Decode([]byte(`{"sensorId":"","celsius":-80,"battery":"full"}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]string{}
	for _, v := range ve.Violations {
		fields[v.Field] = v.Rule
	}
	assert.Equal(t, map[string]string{"/sensorId": "minLength", "/celsius": "minimum", "/battery": "type"}, fields)

	_, err = c.Decode([]byte(`{"sensorId":"s","celsius":1,"battery":"full"}`), false)
	var de *gen.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "/battery", de.Pointer)
	assert.Equal(t, `mqtt: payload cannot be decoded: "/battery" (offset 38): expected a number, found a string`, err.Error())

	_, err = c.Encode(reading{SensorID: "s", Celsius: math.NaN()}, false)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	assert.Contains(t, err.Error(), `"/celsius"`)
	_, err = c.Encode(reading{SensorID: "s", Celsius: 500}, true)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "/celsius", ve.Field)
}

type stamped struct {
	At   time.Time `json:"at"`
	Blob []byte    `json:"blob"`
}

func TestTimesAndBytesAsEncodingJSON(t *testing.T) {
	s := bundle(`{"S":{"type":"object","properties":{"at":{"type":"string","format":"date-time"},` +
		`"blob":{"type":"string","format":"byte"}},"required":["at","blob"]}}`)
	c := jsonOf[stamped](s, "/definitions/S")
	v := stamped{At: time.Date(2024, 5, 6, 7, 8, 9, 123, time.FixedZone("x", 3600)), Blob: []byte{0, 1, 2, 250}}
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	std, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, string(std), string(out))
	got, err := c.Decode(out, true)
	require.NoError(t, err)
	assert.True(t, v.At.Equal(got.At))
	assert.Equal(t, v.Blob, got.Blob)
	_, err = c.Decode([]byte(`{"at":"yesterday","blob":""}`), true)
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "format", ve.Rule)
}

type misfit struct {
	Missing string `json:"missing"`
}

func TestABindingThatDoesNotFitIsAnError(t *testing.T) {
	c := jsonOf[misfit](benchSchemas, "/definitions/TemperatureReading")
	_, err := c.Decode([]byte(`{}`), false)
	var be *gen.BindError
	require.ErrorAs(t, err, &be)
	assert.Contains(t, err.Error(), `no property "missing"`)
	_, err = c.Encode(misfit{}, false)
	require.ErrorAs(t, err, &be)
	_, err = jsonOf[label](benchSchemas, "/definitions/Nowhere").Decode([]byte(`{}`), false)
	require.Error(t, err)
}

type units string

func TestText(t *testing.T) {
	s := bundle(`{"U":{"type":"string","enum":["metric","imperial"]}}`)
	c := textOf[units](s, "/definitions/U")
	v, err := c.Decode([]byte("metric"), true)
	require.NoError(t, err)
	assert.Equal(t, units("metric"), v)
	_, err = c.Decode([]byte("kelvin"), true)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	_, err = c.Decode([]byte("\xff"), false)
	require.ErrorIs(t, err, mqttrt.ErrDecode)
	imperial, kelvin := units("imperial"), units("kelvin")
	out, err := c.Encode(imperial, true)
	require.NoError(t, err)
	assert.Equal(t, "imperial", string(out))
	_, err = c.Encode(kelvin, true)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
}

func TestSchemasValidate(t *testing.T) {
	require.NoError(t, benchSchemas.Validate("/definitions/TemperatureReading", benchPayload))
	err := benchSchemas.Validate("/definitions/TemperatureReading", []byte(`{}`))
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	err = benchSchemas.Validate("/definitions/TemperatureReading", []byte(`{`))
	require.True(t, errors.Is(err, mqttrt.ErrDecode))
}

type sized struct {
	A int8   `json:"a"`
	B int16  `json:"b"`
	C uint8  `json:"c"`
	D uint32 `json:"d"`
	E int    `json:"e"`
}

func TestSizedIntegersAsEncodingJSON(t *testing.T) {
	s := bundle(`{"S":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"},` +
		`"d":{"type":"integer"},"e":{"type":"integer"}},"required":["a","b","c","d","e"]}}`)
	c := jsonOf[sized](s, "/definitions/S")
	v := sized{A: -128, B: -300, C: 255, D: 4000000000, E: -1}
	out, err := c.Encode(v, true)
	require.NoError(t, err)
	std, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, string(std), string(out))
	got, err := c.Decode(out, true)
	require.NoError(t, err)
	assert.Equal(t, v, got)
	for _, bad := range []string{`{"a":128,"b":0,"c":0,"d":0,"e":0}`, `{"a":0,"b":0,"c":-1,"d":0,"e":0}`, `{"a":0,"b":0,"c":256,"d":0,"e":0}`} {
		_, err := c.Decode([]byte(bad), true)
		require.ErrorIs(t, err, mqttrt.ErrDecode, bad)
	}
}
