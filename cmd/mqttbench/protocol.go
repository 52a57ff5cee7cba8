package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// childEnv set to 1 makes the program the subscriber process: the
// benchmark re-executes itself so that publisher and subscriber are two
// processes, as they are in production.
const childEnv = "MQTTBENCH_CHILD"

// command is what the publisher process asks the subscriber process, one
// JSON object per line on the child's stdin.
type command struct {
	// Op is "recv" (subscribe and count), "wait" (until N messages or
	// IdleMS without one), "echo" (answer each message of Channel with one
	// of Reply), "stop" (end the recv or echo) or "exit".
	Op      string `json:"op"`
	Variant string `json:"variant,omitempty"`
	Broker  string `json:"broker,omitempty"`
	Channel string `json:"channel,omitempty"`
	Reply   string `json:"reply,omitempty"`
	N       int64  `json:"n,omitempty"`
	IdleMS  int64  `json:"idle_ms,omitempty"`
	// Measure asks "wait" for the heap after GC and the goroutine count.
	Measure bool `json:"measure,omitempty"`
}

// reply is the subscriber's answer to each command.
type reply struct {
	Err        string  `json:"err,omitempty"`
	Count      int64   `json:"count"`
	Rejected   int64   `json:"rejected"`
	First      int64   `json:"first"` // Unix ns of the first message
	Last       int64   `json:"last"`  // Unix ns of the last message
	CPU        float64 `json:"cpu"`   // the process's CPU seconds so far
	HeapAlloc  uint64  `json:"heap_alloc,omitempty"`
	Goroutines int     `json:"goroutines,omitempty"`
}

// child is the publisher's handle on the subscriber process.
type child struct {
	cmd   *exec.Cmd
	in    io.WriteCloser
	out   chan reply
	ended chan struct{}
	err   error // why out closed
}

// replyTimeout bounds the wait for any answer of the subscriber.
const replyTimeout = 3 * time.Minute

func startChild() (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start subscriber process: %w", err)
	}
	c := &child{cmd: cmd, in: in, out: make(chan reply), ended: make(chan struct{})}
	go func() {
		defer close(c.out)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var r reply
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				c.err = fmt.Errorf("subscriber wrote %q: %w", sc.Text(), err)
				return
			}
			c.out <- r
		}
		c.err = errors.New("subscriber process ended")
	}()
	go func() { _ = cmd.Wait(); close(c.ended) }()
	return c, nil
}

// do sends cmd and returns the answer; an answer carrying Err is an error.
func (c *child) do(cmd command) (reply, error) {
	if err := c.send(cmd); err != nil {
		return reply{}, err
	}
	return c.receive()
}

func (c *child) send(cmd command) error {
	b, err := json.Marshal(cmd)
	if err != nil {
		return err
	}
	if _, err := c.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("subscriber process: %w", err)
	}
	return nil
}

func (c *child) receive() (reply, error) {
	select {
	case r, ok := <-c.out:
		if !ok {
			return reply{}, c.err
		}
		if r.Err != "" {
			return r, fmt.Errorf("subscriber: %s", r.Err)
		}
		return r, nil
	case <-time.After(replyTimeout):
		return reply{}, fmt.Errorf("subscriber did not answer within %v", replyTimeout)
	}
}

// stop asks the subscriber to exit and waits for it (killing it after 10 s).
func (c *child) stop() {
	_ = c.send(command{Op: "exit"})
	c.in.Close()
	select {
	case <-c.ended:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.ended
	}
}

// cpuSeconds is the CPU time (user + system) this process used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
}

func tvSeconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}

// procCPUSeconds is the CPU time of another process (the broker), from
// /proc/<pid>/stat; 0 when it cannot be read.
func procCPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may
	// contain spaces: state is field 3, utime 14, stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	var state string
	var f [10]int64
	var utime, stime int64
	_, err = fmt.Sscan(s[i+1:], &state, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &utime, &stime)
	if err != nil {
		return 0
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return float64(utime+stime) / ticksPerSecond
}
