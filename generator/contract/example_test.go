package contract_test

import (
	"context"
	"fmt"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/contract"
	"github.com/mqttgen/mqttgen/generator/loader"
)

const example = `
asyncapi: 3.0.0
info: {title: Thermometers, version: '1'}
channels:
  temperature:
    address: 'sensors/{room}/temperature'
    parameters:
      room: {examples: [kitchen]}
    messages:
      reading:
        payload:
          type: object
          required: [celsius]
          properties:
            celsius: {type: number, minimum: -50, maximum: 100}
operations:
  receiveTemperature: {action: receive, channel: {$ref: '#/channels/temperature'}}
`

// A Watcher gives the document's verdict on a message; Run does the
// same for every message a subscription brings in.
func ExampleWatcher_Check() {
	doc, err := loader.LoadBytes("thermometers.yaml", []byte(example))
	if err != nil {
		panic(err)
	}
	w, err := contract.NewWatcher(doc, contract.WatchConfig{Role: generator.RoleApp})
	if err != nil {
		panic(err)
	}
	fmt.Println(w.Filters())
	fmt.Println(w.Check("sensors/kitchen/temperature", []byte(`{"celsius": 21.5}`)))
	fmt.Println(w.Check("sensors/kitchen/temperature", []byte(`{"celsius": 150}`)))
	fmt.Println(w.Check("sensors/kitchen/temperature", []byte(`21.5 degrees`)))
	// Output:
	// [sensors/+/temperature]
	// sensors/kitchen/temperature channel=temperature room=kitchen message=reading ok
	// sensors/kitchen/temperature channel=temperature room=kitchen message=none invalid: reading /celsius maximum: must be <= 100 but found 150
	// sensors/kitchen/temperature channel=temperature room=kitchen message=none undecodable: reading "" decode: not JSON: data after the JSON value
}

// printer is a contract.Publisher that prints instead of publishing; a
// *runtime.Client publishes for real.
type printer struct{}

func (printer) PublishContext(_ context.Context, topic string, qos byte, _ bool, payload []byte) error {
	fmt.Printf("%s qos %d: %s\n", topic, qos, payload)
	return nil
}

func (printer) DefaultQoS() byte { return 1 }

// A Mock plays a side of the document: here the thermometers, which send
// what the app receives.
func ExampleNewMock() {
	doc, err := loader.LoadBytes("thermometers.yaml", []byte(example))
	if err != nil {
		panic(err)
	}
	m, err := contract.NewMock(doc, contract.MockConfig{Role: generator.RoleClient})
	if err != nil {
		panic(err)
	}
	for _, p := range m.Plan() {
		fmt.Println(p.Operation, p.Message, p.Topics, p.Sources)
	}
	n, err := m.Run(context.Background(), printer{}, contract.MockRun{Count: 2}, nil)
	fmt.Println(n, err)
	// Output:
	// receiveTemperature reading [sensors/kitchen/temperature sensors/room-1/temperature] [generated from the schema]
	// sensors/kitchen/temperature qos 1: {"celsius":-50}
	// sensors/room-1/temperature qos 1: {"celsius":-50}
	// 2 <nil>
}

// Printable keeps a topic from a hostile publisher on one line of a
// log: the newline and the escape sequence are written as escapes.
func ExamplePrintable() {
	fmt.Println(contract.Printable("sensors/kitchen/temperature"))
	fmt.Println(contract.Printable("sensors/\x1b[2J\nforged ok/temperature"))
	// Output:
	// sensors/kitchen/temperature
	// sensors/\x1b[2J\nforged ok/temperature
}
