package generator

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Generator scaling (issue 7, target 4): a synthetic AsyncAPI 3.0 document
// with n channels, n operations and n schemas goes from bytes to files on
// disk. The target is ≤ 1 s for n = 1000 and ≤ 12× that for n = 10000:
//
//	go test -run '^$' -bench Generate -benchtime 3x ./generator/
//
// Timing is only measured by benchmarks; TestGenerateScalesLinearly checks
// the allocation volume instead, which does not depend on the machine's
// load.

// syntheticDoc returns a document with n channels (each with a parameter
// and one message), n operations (alternately send and receive, QoS 0-2)
// and n component schemas (an object with a string, a bounded number, an
// enum, an array and a $ref to the next schema, in chains of refChain
// schemas: nesting as deep as real documents have, not a 1000-deep chain).
// refChain is the length of the chains of schemas nesting each other.
const refChain = 5

func syntheticDoc(n int) []byte {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo:\n  title: Synthetic Fleet\n  version: 1.0.0\ndefaultContentType: application/json\n")
	b.WriteString("channels:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d:\n    address: fleet/{deviceId}/s%d/data\n    description: Channel %d.\n", i, i, i)
		fmt.Fprintf(&b, "    parameters:\n      deviceId:\n        $ref: '#/components/parameters/deviceId'\n")
		fmt.Fprintf(&b, "    messages:\n      m%d:\n        $ref: '#/components/messages/M%d'\n", i, i)
	}
	b.WriteString("operations:\n")
	for i := range n {
		action := "send"
		if i%2 == 1 {
			action = "receive"
		}
		fmt.Fprintf(&b, "  op%d:\n    action: %s\n    channel:\n      $ref: '#/channels/c%d'\n", i, action, i)
		fmt.Fprintf(&b, "    bindings:\n      mqtt:\n        qos: %d\n", i%3)
		fmt.Fprintf(&b, "    messages:\n      - $ref: '#/channels/c%d/messages/m%d'\n", i, i)
	}
	b.WriteString("components:\n  parameters:\n    deviceId:\n      description: The device.\n")
	b.WriteString("  messages:\n")
	for i := range n {
		fmt.Fprintf(&b, "    M%d:\n      name: m%d\n      payload:\n        $ref: '#/components/schemas/S%d'\n", i, i, i)
	}
	b.WriteString("  schemas:\n")
	for i := range n {
		fmt.Fprintf(&b, "    S%d:\n      type: object\n      description: Schema %d.\n      required: [id, value]\n      properties:\n", i, i)
		b.WriteString("        id:\n          type: string\n          minLength: 1\n")
		b.WriteString("        value:\n          type: number\n          minimum: -100\n          maximum: 100\n")
		b.WriteString("        unit:\n          type: string\n          enum: [metric, imperial]\n")
		b.WriteString("        tags:\n          type: array\n          items:\n            type: string\n")
		if (i+1)%refChain != 0 && i+1 < n {
			fmt.Fprintf(&b, "        next:\n          $ref: '#/components/schemas/S%d'\n", i+1)
		}
	}
	return []byte(b.String())
}

// generateToDisk is one full run: load, resolve, model, emit, format,
// write.
func generateToDisk(ctx context.Context, doc []byte, dir string) (int, error) {
	out, err := Generate(ctx, Config{Spec: "synthetic.yaml", Input: doc, Package: "synthetic", Role: RoleBoth})
	if err != nil {
		return 0, err
	}
	files := out.Files
	if _, err := Write(dir, files); err != nil {
		return 0, err
	}
	size := 0
	for _, f := range files {
		size += len(f.Data)
	}
	return size, nil
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) {
			doc := syntheticDoc(n)
			ctx := context.Background()
			peak := trackPeakHeap()
			cpu0 := cpuSeconds()
			size, i := 0, 0
			for b.Loop() {
				var err error
				size, err = generateToDisk(ctx, doc, filepath.Join(b.TempDir(), fmt.Sprint(i)))
				if err != nil {
					b.Fatal(err)
				}
				i++
			}
			// CPU seconds (all threads, GC included) say more than wall
			// time on a machine shared with other work.
			b.ReportMetric((cpuSeconds()-cpu0)/float64(i), "cpu-s/op")
			b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(len(doc))/(1<<20), "doc-MiB")
			b.ReportMetric(float64(size)/(1<<20), "out-MiB")
		})
	}
}

// BenchmarkGenerateCLI is target 4 as a user meets it: the mqttgen binary,
// built once, generating the synthetic document from a file with -role
// both, process start and the CLI's collector settings (cmd/mqttgen's
// main) included.
//
//	go test -run '^$' -bench GenerateCLI -benchtime 3x ./generator/
func BenchmarkGenerateCLI(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "mqttgen")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/mqttgen").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("channels=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			spec := filepath.Join(dir, "synthetic.yaml")
			if err := os.WriteFile(spec, syntheticDoc(n), 0o644); err != nil {
				b.Fatal(err)
			}
			var cpu time.Duration
			var peakRSS int64
			i := 0
			for b.Loop() {
				cmd := exec.Command(bin, "generate", "-q", "-i", spec, "-o", filepath.Join(dir, fmt.Sprint(i)), "-package", "synthetic", "-role", "both")
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				rss := watchPeakRSS(cmd.Process.Pid)
				if err := cmd.Wait(); err != nil {
					b.Fatalf("mqttgen generate: %v\n%s", err, out.Bytes())
				}
				peakRSS = max(peakRSS, rss())
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				i++
			}
			b.ReportMetric(cpu.Seconds()/float64(i), "cpu-s/op")
			b.ReportMetric(float64(peakRSS)/(1<<20), "peak-rss-MiB")
		})
	}
}

// watchPeakRSS samples the high-water mark of process pid's resident
// memory (VmHWM) every few milliseconds until the returned function is
// called, after the process has exited, and reports the last value read.
// The rusage of a child is no measure here: Linux counts in it the memory
// of the parent it was forked from.
func watchPeakRSS(pid int) func() int64 {
	var peak int64
	stop := sampleUntilStopped(2*time.Millisecond, func() {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			return // gone, or not Linux
		}
		for line := range strings.Lines(string(status)) {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var n int64
				if _, err := fmt.Sscan(kb, &n); err == nil {
					peak = max(peak, n<<10)
				}
			}
		}
	})
	return func() int64 {
		stop()
		return peak
	}
}

// trackPeakHeap samples the live heap (runtime/metrics, which does not
// stop the world) every millisecond until the returned function is called,
// which reports the largest value seen.
func trackPeakHeap() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop := sampleUntilStopped(time.Millisecond, func() {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
	})
	return func() uint64 {
		stop()
		return peak
	}
}

// sampleUntilStopped calls read every interval on a goroutine of its own
// until the returned function is called, which waits for that goroutine
// to end and calls read once more. read never runs twice at once, and the
// caller may use what it recorded after stop returns without a lock.
func sampleUntilStopped(interval time.Duration, read func()) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				read()
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
		read()
	}
}

// cpuSeconds is the CPU time (user + system) the process used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// TestGenerateScalesLinearly: ten times the document allocates at most 15
// times as much (a generous bound on linear). Allocation volume stands in
// for time, which a unit test must not assert on a shared machine; the
// timing is BenchmarkGenerate's.
func TestGenerateScalesLinearly(t *testing.T) {
	ctx := context.Background()
	allocated := func(n int) uint64 {
		doc := syntheticDoc(n)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := generateToDisk(ctx, doc, t.TempDir()); err != nil {
			t.Fatalf("%d channels: %v", n, err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := allocated(10), allocated(100)
	ratio := float64(large) / float64(small)
	t.Logf("10 channels: %d KiB allocated; 100: %d KiB; ratio %.2f", small>>10, large>>10, ratio)
	if ratio > 15 {
		t.Errorf("10× the document allocates %.1f× as much, want ≤ 15× (linear)", ratio)
	}
}
