package gen_test

import (
	"fmt"

	"github.com/mqttgen/mqttgen/runtime/gen"
)

// The generator emits one Schemas per package and one codec per payload
// type, as package-level variables; nothing is compiled until first use.
var (
	exampleSchemas = gen.NewSchemas(`{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"Reading":` +
		`{"type":"object","properties":{"sensorId":{"type":"string","minLength":1},"celsius":{"type":"number","maximum":100}},` +
		`"required":["sensorId","celsius"]}}}`)
	exampleCodec = gen.NewJSON[Reading](exampleSchemas, "/definitions/Reading")
)

// Reading is a payload type as the generator writes it.
type Reading struct {
	SensorID string  `json:"sensorId"`
	Celsius  float64 `json:"celsius"`
}

func ExampleDecode() {
	r, err := gen.Decode[Reading](exampleCodec, []byte(`{"sensorId":"kitchen","celsius":2.15e1}`), true)
	fmt.Println(r, err)
	_, err = gen.Decode[Reading](exampleCodec, []byte(`{"sensorId":"kitchen","celsius":300}`), true)
	fmt.Println(err)
	// Output:
	// {kitchen 21.5} <nil>
	// payload field "/celsius": maximum: must be <= 100 but found 300
}

func ExampleEncode() {
	data, err := gen.Encode(exampleCodec, &Reading{SensorID: "kitchen", Celsius: 21.5}, true)
	fmt.Println(string(data), err)
	_, err = gen.Encode(exampleCodec, &Reading{SensorID: "kitchen", Celsius: 300}, true)
	fmt.Println(err)
	// Output:
	// {"sensorId":"kitchen","celsius":21.5} <nil>
	// payload field "/celsius": maximum: must be <= 100 but found 300
}

func ExampleNewText() {
	status := gen.NewText[string](gen.NewSchemas(`{"enum":["online","offline"]}`), "")
	s, err := gen.Decode[string](status, []byte("online"), true)
	fmt.Println(s, err)
	_, err = gen.Decode[string](status, []byte("asleep"), true)
	fmt.Println(err)
	// Output:
	// online <nil>
	// payload: enum: value must be one of "online", "offline"
}
