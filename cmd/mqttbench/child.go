package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"
	"time"
)

// subscriber is the state of the subscriber process between commands.
type subscriber struct {
	conn     *conn
	count    atomic.Int64
	rejected atomic.Int64
	first    atomic.Int64
	last     atomic.Int64
}

func (s *subscriber) got() {
	now := time.Now().UnixNano()
	if s.count.Add(1) == 1 {
		s.first.Store(now)
	}
	s.last.Store(now)
}

// runChild is the subscriber process: it answers the commands read from
// in, one JSON reply per command on out, until "exit" or end of input.
func runChild(in io.Reader, out io.Writer) int {
	dec := json.NewDecoder(in)
	enc := json.NewEncoder(out)
	var sub *subscriber
	defer func() {
		if sub != nil {
			sub.conn.close()
		}
	}()
	for {
		var cmd command
		if err := dec.Decode(&cmd); err != nil {
			return 0 // the publisher closed our stdin
		}
		var r reply
		var err error
		switch cmd.Op {
		case "recv", "echo":
			if sub != nil {
				sub.conn.close()
			}
			sub, err = startSubscriber(cmd)
		case "wait":
			if sub == nil {
				err = fmt.Errorf("wait without recv")
				break
			}
			r = sub.wait(cmd)
		case "stop":
			if sub != nil {
				sub.conn.close()
				r = sub.snapshot()
				sub = nil
			}
		case "exit":
			return 0
		default:
			err = fmt.Errorf("unknown op %q", cmd.Op)
		}
		if err != nil {
			r.Err = err.Error()
		}
		r.CPU = cpuSeconds()
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "mqttbench subscriber:", err)
			return 1
		}
	}
}

// startSubscriber connects and subscribes; for "echo" every message is
// answered with one message of cmd.Reply at QoS 0.
func startSubscriber(cmd command) (*subscriber, error) {
	ch, err := channelNamed(cmd.Channel)
	if err != nil {
		return nil, err
	}
	c, err := dial(cmd.Variant, cmd.Broker, fmt.Sprintf("mqttbench-sub-%d", time.Now().UnixNano()))
	if err != nil {
		return nil, err
	}
	s := &subscriber{conn: c}
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	got := s.got
	if cmd.Op == "echo" {
		answer, err := channelNamed(cmd.Reply)
		if err != nil {
			c.close()
			return nil, err
		}
		got = func() {
			s.got()
			if err := c.publishFromHandler(context.Background(), answer, 0); err != nil {
				s.rejected.Add(1)
			}
		}
	}
	if err := c.subscribe(ctx, ch, got, func() { s.rejected.Add(1) }); err != nil {
		c.close()
		return nil, fmt.Errorf("subscribe %s: %w", ch.name, err)
	}
	return s, nil
}

// wait returns when cmd.N messages (received or rejected) arrived, or
// none came for cmd.IdleMS after the first one, or after replyTimeout/2.
func (s *subscriber) wait(cmd command) reply {
	idle := time.Duration(cmd.IdleMS) * time.Millisecond
	deadline := time.Now().Add(replyTimeout / 2)
	for time.Now().Before(deadline) {
		n := s.count.Load() + s.rejected.Load()
		if n >= cmd.N {
			break
		}
		if last := s.last.Load(); idle > 0 && last != 0 && time.Since(time.Unix(0, last)) > idle {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	r := s.snapshot()
	if cmd.Measure {
		// Twice: the first cycle's finalizers free more on the second.
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.HeapAlloc = ms.HeapAlloc
		r.Goroutines = runtime.NumGoroutine()
	}
	return r
}

func (s *subscriber) snapshot() reply {
	return reply{Count: s.count.Load(), Rejected: s.rejected.Load(), First: s.first.Load(), Last: s.last.Load()}
}
