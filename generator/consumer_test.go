package generator_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

const consumerMain = `package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	mqttrt "github.com/mqttgen/mqttgen/runtime"

	"example.com/consumer/sdk"
)

func main() {
	if err := run(os.Getenv("MQTT_BROKER"), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run publishes one typed reading and prints it as the typed handler got it.
func run(broker string, out io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mqttrt.New(mqttrt.WithBroker(broker), mqttrt.WithClientID("consumer-"+strconv.Itoa(os.Getpid())))
	if err != nil {
		return err
	}
	if err := c.Connect(ctx); err != nil {
		return err
	}
	defer c.Disconnect(context.Background())
	api := sdk.NewClient(c)
	got := make(chan sdk.TemperatureMessage, 1)
	_, err = api.SubscribeTemperature(ctx, sdk.TemperatureParams{}, func(_ context.Context, m sdk.TemperatureMessage) error {
		got <- m
		return nil
	})
	if err != nil {
		return err
	}
	if err := api.PublishTemperature(ctx, sdk.TemperatureParams{Room: "lab"}, sdk.TemperatureReading{SensorID: "c-1", Celsius: 18}); err != nil {
		return err
	}
	select {
	case m := <-got:
		fmt.Fprintf(out, "%s %s %.1f\n", m.Topic, m.Params.Room, m.Payload.Celsius)
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
`

const consumerTest = `package main

import (
	"bytes"
	"testing"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

func TestRun(t *testing.T) {
	b := mqtttest.NewBroker(t)
	var out bytes.Buffer
	if err := run(b.URL(), &out); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "sensors/lab/temperature lab 18.0\n" {
		t.Errorf("got %q", got)
	}
}
`

// TestConsumerModule plays a user's module outside the repository: it
// wires mqttgen into go generate (with go run, and with Go's tool
// directive), generates, builds, runs against a broker and runs the
// module's own test that uses mqtttest.
func TestConsumerModule(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join(checkout(t), "specs", "sensor-gateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b := mqtttest.NewBroker(t)
	for _, tc := range []struct{ name, directive string }{
		{"go run", "//go:generate go run github.com/mqttgen/mqttgen/cmd/mqttgen generate -i ../api/asyncapi.yaml -o . -role both"},
		{"go tool", "//go:generate go tool mqttgen generate -i ../api/asyncapi.yaml -o . -role both"},
	} {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			mod := t.TempDir()
			tempModule(t, mod, "example.com/consumer")
			write := func(name, content string) {
				t.Helper()
				p := filepath.Join(mod, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("api/asyncapi.yaml", string(spec))
			write("sdk/gen.go", "// Package sdk is generated from ../api/asyncapi.yaml.\npackage sdk\n\n"+tc.directive+"\n")
			write("main.go", consumerMain)
			write("main_test.go", consumerTest)
			step := func(timeout time.Duration, args ...string) string {
				t.Helper()
				out, err := goCmd(t, mod, timeout, args...)
				if err != nil {
					t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return out
			}
			if tc.name == "go tool" {
				step(2*time.Minute, "get", "-tool", "github.com/mqttgen/mqttgen/cmd/mqttgen")
				gomod, _ := os.ReadFile(filepath.Join(mod, "go.mod"))
				if !strings.Contains(string(gomod), "tool github.com/mqttgen/mqttgen/cmd/mqttgen") {
					t.Fatalf("go get -tool left no tool directive:\n%s", gomod)
				}
			}
			step(3*time.Minute, "generate", "./...")
			if _, err := os.Stat(filepath.Join(mod, "sdk", "client.go")); err != nil {
				t.Fatalf("go generate wrote no sdk/client.go: %v", err)
			}
			step(3*time.Minute, "build", "-o", filepath.Join(mod, "consumer"), ".")
			cmd := exec.Command(filepath.Join(mod, "consumer"))
			cmd.Env = append(os.Environ(), "MQTT_BROKER="+b.URL())
			out, err := cmd.Output()
			if err != nil || string(out) != "sensors/lab/temperature lab 18.0\n" {
				t.Fatalf("consumer printed %q, %v", out, err)
			}
			step(3*time.Minute, "test", "-count=1", "./...")
			step(time.Minute, "vet", "./...")
		})
	}
}
