package main

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestMain lets a test run mqttgen as a process of its own (for signals
// sent to it alone): with MQTTGEN_TEST_MAIN=1 the test binary is mqttgen.
func TestMain(m *testing.M) {
	if os.Getenv("MQTTGEN_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// freeAddr is a loopback address with a free port, for -serve.
func freeAddr(t *testing.T) string {
	t.Helper()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := probe.Addr().String()
	require.NoError(t, probe.Close())
	return addr
}

// process is mqttgen running as a process of its own.
type process struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	exited         chan struct{}
}

// startProcess runs mqttgen with args; the test kills it if it is still
// running when the test ends.
func startProcess(t *testing.T, args ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(os.Args[0], args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "MQTTGEN_TEST_MAIN=1")
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	require.NoError(t, p.cmd.Start())
	go func() {
		_ = p.cmd.Wait() // the exit status is in ProcessState
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// waitStderr waits, bounded, until the process's stderr holds want.
func (p *process) waitStderr(t *testing.T, want string) {
	t.Helper()
	waitFor(t, p.stderr, want)
}

// wait waits, bounded, for the process to end.
func (p *process) wait(t *testing.T) *os.ProcessState {
	t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState
	case <-time.After(20 * time.Second):
		t.Fatalf("mqttgen did not end:\n%s", p.stderr.String())
		return nil
	}
}

// waitFor waits, bounded, until out holds want.
func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !strings.Contains(out.String(), want) {
		require.True(t, time.Now().Before(deadline), "no %q in time:\n%s", want, out.String())
		time.Sleep(20 * time.Millisecond)
	}
}
