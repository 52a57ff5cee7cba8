package loader_test

import (
	"fmt"

	"github.com/mqttgen/mqttgen/generator/loader"
)

func ExampleLoad() {
	doc, err := loader.Load("testdata/good/v3-full.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range doc.Operations {
		fmt.Printf("%s %s on %q\n", op.Action, op.Key, op.Channel.Address)
	}
	// Output:
	// receive onLightMeasured on "lights/{lightId}/measured"
	// send sendCommand on "lights/command"
	// receive receiveAll on "lights/{lightId}/measured"
}

func ExampleLoadBytes() {
	_, err := loader.LoadBytes("api.yaml", []byte(`asyncapi: 3.0.0
info: {title: Rooms, version: 1.0.0}
channels:
  temperature:
    address: rooms/{roomId}/temperature
`))
	fmt.Println(err)
	// Output:
	// api.yaml:5:14: /channels/temperature/address: parameter {roomId} in address "rooms/{roomId}/temperature" is not declared under parameters
}
