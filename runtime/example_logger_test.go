package runtime_test

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/mqttgen/mqttgen/runtime"
)

// Code built on a client logs where the client does: generated packages
// log a handler's error (when no error handler is set) to Logger.
func ExampleClient_Logger() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable output for the example
			}
			return a
		},
	}))
	c, err := runtime.New(runtime.WithBroker("tcp://127.0.0.1:1883"), runtime.WithClientID("example"), runtime.WithLogger(logger))
	if err != nil {
		fmt.Println(err)
		return
	}
	c.Logger().Info("ready", "client_id", c.ClientID())
	// Output: level=INFO msg=ready client_id=example
}
