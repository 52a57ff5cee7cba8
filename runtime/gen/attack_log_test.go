package gen_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
	"github.com/mqttgen/mqttgen/runtime/gen"
	"github.com/mqttgen/mqttgen/runtime/mqtttest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A handler's error, with no error handler set, was logged with the
// global slog.Warn ("mqtt handler failed", key "error", no client ID),
// bypassing the logger the runtime client was given: an application
// that routes the client's logs somewhere lost these lines. They go to
// the client's logger now, worded as its own lines.
func TestAttackHandlerErrorLoggedToTheClientsLogger(t *testing.T) {
	b := mqtttest.NewBroker(t)
	var logs lockedBuffer
	c, err := mqttrt.New(mqttrt.WithBroker(b.URL()), mqttrt.WithClientID("gen-log"),
		mqttrt.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, c.Connect(ctx))
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })

	var global lockedBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&global, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	op := &gen.Operation[gen.NoParams, []byte]{Name: "log", Topic: gen.NewTopic("gen/log"), QoS: 1, Codec: gen.Bytes()}
	gc := gen.NewClient(c)
	done := make(chan struct{}, 1)
	_, err = gen.Subscribe(ctx, gc, op, gen.NoParams{}, func(context.Context, gen.Received[gen.NoParams, []byte]) error {
		defer func() { done <- struct{}{} }()
		return errors.New("cannot store the reading")
	}, nil)
	require.NoError(t, err)
	require.NoError(t, gen.Publish(ctx, gc, op, gen.NoParams{}, []byte("x"), nil))
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("handler not called")
	}
	require.Eventually(t, func() bool { return bytes.Contains([]byte(logs.String()), []byte("handler failed")) }, 3*time.Second, 10*time.Millisecond,
		"client's log: %s\nglobal log: %s", logs.String(), global.String())
	line := logs.String()
	assert.Contains(t, line, `msg="mqtt: handler failed"`)
	assert.Contains(t, line, "client_id=gen-log")
	assert.Contains(t, line, "topic=gen/log")
	assert.Contains(t, line, `err="cannot store the reading"`)
	assert.NotContains(t, global.String(), "handler failed")
}
