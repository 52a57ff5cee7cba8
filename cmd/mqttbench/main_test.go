package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary play the subscriber process: the
// benchmark re-executes its own executable, which here is the test.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild(os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

func needMosquitto(t *testing.T) {
	t.Helper()
	_, err := exec.LookPath("mosquitto")
	require.NoError(t, err, "the mosquitto binary is required")
}

// TestBenchSmall runs every variant at every QoS through a Mosquitto of
// its own, with few messages: the figures mean nothing, but every message
// at QoS 1 and 2 must arrive (exit status 0) and every table and target
// line must be printed.
func TestBenchSmall(t *testing.T) {
	needMosquitto(t)
	var out, errOut bytes.Buffer
	code := run([]string{"-n0", "300", "-n1", "300", "-n2", "200", "-rounds", "1", "-workers", "4", "-latency", "40", "-latency-blocks", "2"}, &out, &errOut)
	t.Log(out.String())
	require.Zero(t, code, "exit status; stderr: %s", errOut.String())
	for _, want := range []string{
		"throughput, QoS 0", "throughput, QoS 1", "throughput, QoS 2", "round trip",
		"target 1: typed (validation on) / paho at QoS 2", "target 1: typed (validation off) / paho at QoS 0", "target 3",
	} {
		assert.Contains(t, out.String(), want)
	}
	rows := map[string]int{}
	for _, line := range strings.Split(out.String(), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		rows[f[0]]++
		// A latency row: variant samples lost p50 p90 p99 ratio.
		if len(f) == 7 && strings.Contains(out.String(), "round trip") {
			p50, err1 := strconv.ParseFloat(f[3], 64)
			p90, err2 := strconv.ParseFloat(f[4], 64)
			p99, err3 := strconv.ParseFloat(f[5], 64)
			if err1 == nil && err2 == nil && err3 == nil {
				assert.True(t, p50 <= p90 && p90 <= p99, "latency percentiles out of order: %q", line)
			}
		}
	}
	for _, v := range allVariants {
		// Three throughput tables and the latency table.
		assert.Equal(t, 4, rows[v], "rows of variant %s", v)
	}
}

// TestSoakSmall runs the soak with small steps: the subscriber must get
// every message and report its heap at each step.
func TestSoakSmall(t *testing.T) {
	needMosquitto(t)
	var out, errOut bytes.Buffer
	code := run([]string{"-soak", "3000", "-soak-step", "1000", "-workers", "4"}, &out, &errOut)
	t.Log(out.String())
	if code != 0 {
		require.Contains(t, out.String(), "target 5: MISSED", "exit %d; stderr: %s", code, errOut.String())
	}
	assert.GreaterOrEqual(t, strings.Count(out.String(), "\n"), 6, "soak lines: want a row per step")
	for _, want := range []string{"1000", "2000", "3000", "target 5"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestFlags(t *testing.T) {
	bad := [][]string{
		{"-qos", "3"},
		{"-variants", "typed,paho"},
		{"-variants", "paho,nope"},
		{"-rounds", "0"},
		{"-latency", "5", "-latency-blocks", "6"},
		{"-latency-blocks", "0"},
		{"-soak", "150", "-soak-step", "100"},
		{"-soak", "5"}, // a tenth of it is no step
		{"extra"},
	}
	for _, args := range bad {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		assert.Equal(t, 2, code, "run(%q); stderr %q", args, errOut.String())
	}
}

// TestSoakStepDefault: without -soak-step the soak is measured ten times,
// so a short -soak 20000 runs as the documented -soak 1000000 does.
func TestSoakStepDefault(t *testing.T) {
	for soak, step := range map[string]int64{"20000": 2000, "1000000": 100000} {
		o, err := parseFlags([]string{"-soak", soak}, io.Discard)
		require.NoError(t, err, "-soak %s", soak)
		assert.Equal(t, step, o.soakStep, "step of -soak %s", soak)
	}
	o, err := parseFlags([]string{"-soak", "20000", "-soak-step", "5000"}, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, int64(5000), o.soakStep, "an explicit -soak-step")
}

func TestRotated(t *testing.T) {
	vs := []string{"a", "b", "c"}
	for i, want := range []string{"abc", "bca", "cab", "abc"} {
		assert.Equal(t, want, strings.Join(rotated(vs, i), ""), "rotated(%d)", i)
	}
	assert.Equal(t, []string{"a", "b", "c"}, vs, "rotated changed its argument")
}

func TestPercentileAndMedian(t *testing.T) {
	assert.Equal(t, 2.0, median([]float64{3, 1, 2}), "median odd")
	assert.Equal(t, 2.5, median([]float64{4, 1, 2, 3}), "median even")
	var s []time.Duration
	for i := 1; i <= 200; i++ {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 100, 99: 198, 100: 200, 0: 1} {
		assert.Equal(t, want, percentile(s, p), "p%v", p)
	}
	assert.Zero(t, percentile(nil, 99), "p99 of nothing")
}
