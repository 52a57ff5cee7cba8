package main

import (
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
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
	if _, err := exec.LookPath("mosquitto"); err != nil {
		t.Fatalf("the mosquitto binary is required: %v", err)
	}
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
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{
		"throughput, QoS 0", "throughput, QoS 1", "throughput, QoS 2", "round trip",
		"target 1: typed (validation on) / paho at QoS 2", "target 1: typed (validation off) / paho at QoS 0", "target 3",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
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
			if err1 == nil && err2 == nil && err3 == nil && !(p50 <= p90 && p90 <= p99) {
				t.Errorf("latency percentiles out of order: %q", line)
			}
		}
	}
	for _, v := range allVariants {
		if rows[v] != 4 { // three throughput tables and the latency table
			t.Errorf("variant %s has %d rows, want one in each of the 4 tables", v, rows[v])
		}
	}
}

// TestSoakSmall runs the soak with small steps: the subscriber must get
// every message and report its heap at each step.
func TestSoakSmall(t *testing.T) {
	needMosquitto(t)
	var out, errOut bytes.Buffer
	code := run([]string{"-soak", "3000", "-soak-step", "1000", "-workers", "4"}, &out, &errOut)
	t.Log(out.String())
	if code != 0 && !strings.Contains(out.String(), "target 5: MISSED") {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if got := strings.Count(out.String(), "\n"); got < 6 {
		t.Errorf("soak printed %d lines, want a row per step", got)
	}
	for _, want := range []string{"1000", "2000", "3000", "target 5"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("soak output lacks %q", want)
		}
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
		{"extra"},
	}
	for _, args := range bad {
		var out, errOut bytes.Buffer
		if code := run(args, &out, &errOut); code != 2 {
			t.Errorf("run(%q) = %d, want 2 (stderr %q)", args, code, errOut.String())
		}
	}
}

func TestRotated(t *testing.T) {
	vs := []string{"a", "b", "c"}
	for i, want := range []string{"abc", "bca", "cab", "abc"} {
		if got := strings.Join(rotated(vs, i), ""); got != want {
			t.Errorf("rotated(%d) = %q, want %q", i, got, want)
		}
	}
	if strings.Join(vs, "") != "abc" {
		t.Errorf("rotated changed its argument: %q", vs)
	}
}

func TestPercentileAndMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	var s []time.Duration
	for i := 1; i <= 200; i++ {
		s = append(s, time.Duration(i))
	}
	for p, want := range map[float64]time.Duration{50: 100, 99: 198, 100: 200, 0: 1} {
		if got := percentile(s, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v", got)
	}
}
