package mqtttest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// process is a broker process started in a process group of its own, so
// that what it spawns (RabbitMQ's Erlang VM and its helpers) is stopped
// with it, by the group's id and nothing broader.
type process struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd has been reaped
}

// startProcess runs bin with args in dir, with env added to the test's
// environment and stdout and stderr appended to outPath.
func startProcess(name, dir, outPath string, env []string, bin string, args ...string) (*process, error) {
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s output: %w", name, err)
	}
	defer out.Close() // the child holds its own copy
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	p := &process{name: name, cmd: cmd, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait() // the exit status is in the log; reaping is what matters
		close(p.exited)
	}()
	return p, nil
}

// pid returns the process id (also its process group's id).
func (p *process) pid() int { return p.cmd.Process.Pid }

// hasExited reports whether the process has exited.
func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// stop ends the process: SIGKILL to its group when kill is set, else
// SIGTERM to the process and, if it has not exited within grace, SIGKILL
// to its group. Whatever of the group is left once the process has exited
// is killed too. It returns once the process has been reaped.
func (p *process) stop(kill bool, grace time.Duration) error {
	defer p.killGroup() // helpers the process left behind
	if !kill {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
			return nil
		case <-time.After(grace):
		}
	}
	p.killGroup()
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.pid())
	}
	if !kill {
		return fmt.Errorf("%s (pid %d) ignored SIGTERM for %v and was killed", p.name, p.pid(), grace)
	}
	return nil
}

// killGroup sends SIGKILL to the process group; a group that no longer
// exists is not an error.
func (p *process) killGroup() {
	if err := syscall.Kill(-p.pid(), syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		_ = p.cmd.Process.Kill()
	}
}

// startRetrying calls start with attempt 1, 2, ... until it succeeds; an
// attempt that fails is undone with stop. Only a port taken by someone else
// between freePort and the broker's bind is worth another attempt (with
// new ports), at most bindAttempts in all; any other failure fails the test.
func startRetrying(t testing.TB, what string, start func(attempt int) error, stop func()) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		err := start(attempt)
		if err == nil {
			return
		}
		stop()
		if !errors.Is(err, errAddrInUse) || attempt == bindAttempts {
			t.Fatalf("mqtttest: start %s: %v", what, err)
		}
	}
}
