package gen_test

import (
	"encoding/json"
	"syscall"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// The reference payload of BENCHMARKS.md: generated/sensorgateway's
// TemperatureReading, written here by hand as the generator emits it.
//
//	go test -run '^$' -bench JSON -benchmem ./runtime/gen/

type reading struct {
	SensorID string  `json:"sensorId"`
	Celsius  float64 `json:"celsius"`
	Battery  *int64  `json:"battery,omitempty"`
}

const readingSchema = `{"maximum":100,"minimum":0,"type":"integer"}`

var (
	benchSchemas = gen.NewSchemas(`{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"TemperatureReading":` +
		`{"properties":{"battery":{"maximum":100,"minimum":0,"type":"integer"},"celsius":{"maximum":100,"minimum":-50,"type":"number"},` +
		`"sensorId":{"minLength":1,"type":"string"}},"required":["sensorId","celsius"],"type":"object"}}}`)
	benchCodec   = gen.NewJSON[reading](benchSchemas, "/definitions/TemperatureReading")
	benchPayload = []byte(`{"sensorId":"sensor-kitchen-0001","celsius":21.5,"battery":87}`)
	// The slow path alone: jsonschema/v5 through runtime.Schema.
	benchSlow = mqttrt.MustCompileSchema("TemperatureReading", `{"$schema":"http://json-schema.org/draft-07/schema#",`+
		`"properties":{"battery":`+readingSchema+`,"celsius":{"maximum":100,"minimum":-50,"type":"number"},`+
		`"sensorId":{"minLength":1,"type":"string"}},"required":["sensorId","celsius"],"type":"object"}`)
)

func benchReading() reading {
	battery := int64(87)
	return reading{SensorID: "sensor-kitchen-0001", Celsius: 21.5, Battery: &battery}
}

func BenchmarkJSONDecode(b *testing.B) {
	for _, validate := range []bool{true, false} {
		b.Run(map[bool]string{true: "validate", false: "novalidate"}[validate], func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := gen.Decode[reading](benchCodec, benchPayload, validate); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkJSONEncode(b *testing.B) {
	v := benchReading()
	for _, validate := range []bool{true, false} {
		b.Run(map[bool]string{true: "validate", false: "novalidate"}[validate], func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if _, err := gen.Encode(benchCodec, &v, validate); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONStdlib is what the codec replaces: encoding/json, and
// encoding/json with jsonschema/v5 validation (runtime.Schema).
func BenchmarkJSONStdlib(b *testing.B) {
	v := benchReading()
	b.Run("unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			var r reading
			if err := json.Unmarshal(benchPayload, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unmarshal+schema", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			var r reading
			if err := benchSlow.ValidateJSON(benchPayload); err != nil {
				b.Fatal(err)
			}
			if err := json.Unmarshal(benchPayload, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			if _, err := json.Marshal(&v); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshal+schema", func(b *testing.B) {
		b.ReportAllocs()
		defer reportCPU(b)()
		for b.Loop() {
			data, err := json.Marshal(&v)
			if err != nil {
				b.Fatal(err)
			}
			if err := benchSlow.ValidateJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// reportCPU adds the process's CPU time per operation, steadier than wall
// time on a machine shared with other work (as generated/bench_test.go).
func reportCPU(b *testing.B) func() {
	start := cpuNanos()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpuNanos()-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
