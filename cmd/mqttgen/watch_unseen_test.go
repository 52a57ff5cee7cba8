package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

// gateWriter holds every write until open is closed (or 20 s pass), like
// a reader of watch's output that has stalled.
type gateWriter struct {
	open chan struct{}
	mu   sync.Mutex
	b    bytes.Buffer
}

func (g *gateWriter) Write(p []byte) (int, error) {
	select {
	case <-g.open:
	case <-time.After(20 * time.Second):
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.b.Write(p)
}

// When watch cannot keep up (its output is read slowly), the runtime
// discards QoS 0 messages. The summary says so: the counts hold what was
// checked, and an exit status of 0 does not mean every message was. The
// runtime's warning per discarded message is shown a few times, then
// counted, so it does not bury the summary.
func TestWatchSaysWhatItCouldNotSee(t *testing.T) {
	t.Setenv("MQTT_HANDLER_QUEUE_SIZE", "1")
	t.Setenv("MQTT_KEEP_ALIVE", "2s") // the reader waits 250 ms for room
	b := mqtttest.NewBroker(t)
	out, errs := &gateWriter{open: make(chan struct{})}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run([]string{"watch", "-i", spec, "-broker", b.URL(), "-for", "6s"}, strings.NewReader(""), out, errs)
	}()
	w := &running{code: code, stderr: errs}
	w.waitStderr(t, "mqttgen watch: watching ")
	p := publisher(t, b.URL())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 200 {
		require.NoError(t, p.PublishContext(ctx, "sensors/kitchen/temperature", 0, false, []byte(`{"sensorId":"t","celsius":1}`)))
	}
	w.waitStderr(t, "QoS 0 message discarded")
	close(out.open)
	assert.Equal(t, 0, w.exit(t), "what was seen conformed")

	stderr := errs.String()
	assert.Contains(t, stderr, "QoS 0 message(s) were discarded unchecked, in no count above")
	assert.LessOrEqual(t, strings.Count(stderr, `msg="mqtt: QoS 0 message discarded`), repeatLimit)
	assert.Regexp(t, `mqttgen watch: \d+ more "mqtt: QoS 0 message discarded: the handler queue is full" warnings were not shown`, stderr)
}
