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
	_, err := loader.LoadBytes("api.yaml", []byte(`asyncapi: 2.6.0
info: {title: Rooms, version: 1.0.0}
chanels:
  rooms/{roomId}/temperature:
    subscribe:
      mesage: {payload: {type: number}}
`))
	fmt.Println(err)
	// Output:
	// api.yaml:1:1: the document is missing the required field "channels"
	// api.yaml:3:1: /chanels: unknown field "chanels" in the document (did you mean "channels"?)
}

func ExampleLoadData() {
	doc, diags := loader.LoadData("api.yaml", []byte(`asyncapi: 3.0.0
info: {title: Rooms, version: 1.0.0}
channels:
  temperature:
    address: rooms/{roomId}/temperature
`), loader.Options{})
	for _, d := range diags.Warnings() {
		fmt.Println(d)
	}
	p := doc.Channels[0].Parameters[0]
	fmt.Printf("loaded: parameter %s, schema %v\n", p.Name, p.Schema)
	// Output:
	// api.yaml:5:14: /channels/temperature/address: warning: parameter {roomId} in address "rooms/{roomId}/temperature" is not declared under parameters; it is read as a plain string
	// loaded: parameter roomId, schema <nil>
}

func ExampleLoadFile() {
	// The document's $refs may read files under testdata/good only (the
	// default root is the document's directory); Root widens that.
	doc, diags := loader.LoadFile("testdata/good/refs/root.yaml", loader.Options{Root: "testdata"})
	fmt.Println(len(diags), doc.Channels[0].Messages[0].Payload.Pos.File)
	// Output:
	// 0 testdata/good/refs/schemas/tree.json
}
