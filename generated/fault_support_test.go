package generated_test

import (
	"io"
	"log/slog"
	"sync"
	"testing"
)

// quietLogger logs warnings and errors to the test's output until the test
// ends; later lines (a reconnection being stopped) are dropped instead of
// panicking the test binary.
func quietLogger(t testing.TB) *slog.Logger {
	w := &endingWriter{w: t.Output()}
	t.Cleanup(w.end)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type endingWriter struct {
	mu    sync.Mutex
	w     io.Writer
	ended bool
}

func (e *endingWriter) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ended {
		return len(p), nil
	}
	return e.w.Write(p)
}

func (e *endingWriter) end() {
	e.mu.Lock()
	e.ended = true
	e.mu.Unlock()
}

// slogDiscard is a logger for child processes, whose stdout is a protocol.
func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
