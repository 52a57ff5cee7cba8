package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
)

// repeatLimit is how many log records with one message are printed; the
// rest are counted. A watcher that cannot keep up with a burst gets one
// runtime warning per discarded message: tens of thousands of identical
// lines that bury the summary.
const repeatLimit = 3

// repeatLimiter is a slog.Handler that passes on the first repeatLimit
// records of each message and counts the others, for flush to report.
type repeatLimiter struct {
	slog.Handler
	counts *repeatCounts
}

type repeatCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func newRepeatLimiter(h slog.Handler) *repeatLimiter {
	return &repeatLimiter{Handler: h, counts: &repeatCounts{n: map[string]int{}}}
}

// Handle passes r on unless repeatLimit records with its message were.
func (h *repeatLimiter) Handle(ctx context.Context, r slog.Record) error {
	h.counts.mu.Lock()
	h.counts.n[r.Message]++
	n := h.counts.n[r.Message]
	h.counts.mu.Unlock()
	if n > repeatLimit {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the counts shared with h.
func (h *repeatLimiter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &repeatLimiter{Handler: h.Handler.WithAttrs(attrs), counts: h.counts}
}

// WithGroup keeps the counts shared with h.
func (h *repeatLimiter) WithGroup(name string) slog.Handler {
	return &repeatLimiter{Handler: h.Handler.WithGroup(name), counts: h.counts}
}

// flush says, per message, how many records were not printed.
func (h *repeatLimiter) flush(w io.Writer, command string) {
	h.counts.mu.Lock()
	defer h.counts.mu.Unlock()
	for _, msg := range slices.Sorted(maps.Keys(h.counts.n)) {
		if n := h.counts.n[msg]; n > repeatLimit {
			fmt.Fprintf(w, "mqttgen %s: %d more %q warnings were not shown\n", command, n-repeatLimit, msg)
		}
	}
}
