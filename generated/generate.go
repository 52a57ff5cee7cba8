// Package generated holds mqttgen's output for each document in specs/:
// a showcase of the generated API, compiled with the module, and a golden
// corpus kept in sync by a test (drift_test.go) that regenerates every
// package in memory and compares it with what is checked in.
//
// Regenerate after changing a spec or the generator:
//
//	go generate ./...
package generated

//go:generate go run ../cmd/mqttgen generate -q -i ../specs/sensor-gateway.yaml -o sensorgateway -role both
//go:generate go run ../cmd/mqttgen generate -q -i ../specs/streetlights.yaml -o streetlights
//go:generate go run ../cmd/mqttgen generate -q -i ../specs/device-events.yaml -o deviceevents -role both
