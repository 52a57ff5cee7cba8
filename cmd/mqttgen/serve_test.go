package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The -serve broker logs the end of each client's connection from a
// goroutine its Close does not wait for; a "use of closed network
// connection" warning reached stderr after the command's last line, or
// after run had returned (a data race on the caller's writer).
func TestServeLogsNothingOnceTheCommandEnds(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "")
	for range 5 {
		stdout, stderr := &syncBuffer{}, &syncBuffer{}
		code := run([]string{"mock", "-i", spec, "-serve", freeAddr(t), "-count", "1", "-q"}, strings.NewReader(""), stdout, stderr)
		assert.Equal(t, 0, code, stderr.String())
		atReturn := stderr.String()
		time.Sleep(100 * time.Millisecond) // what a late goroutine would write
		assert.Equal(t, atReturn, stderr.String(), "written after run returned")
		assert.True(t, strings.HasSuffix(atReturn, "mqttgen mock: sent 1 message(s)\n"), atReturn)
	}
}
