package main

import (
	"fmt"
	"runtime"
	"text/tabwriter"
	"time"
)

// Soak bounds (issue 7, target 5).
const maxHeapGrowth = 0.10

// soakRun sends r.soak messages at QoS 1 from a typed publisher to one
// typed subscriber (validation on), pausing every r.soakStep messages
// until the subscriber has them all and then reading its heap after GC
// and its goroutine count. The heap must stay within 10 % of the first
// measurement and the goroutine count must not change.
func (r *runner) soakRun() error {
	ch := temperatureChannel()
	if _, err := r.child.do(command{Op: "recv", Variant: variantTyped, Broker: r.url, Channel: ch.name}); err != nil {
		return err
	}
	pub, err := dial(variantTyped, r.url, fmt.Sprintf("mqttbench-soak-%d", time.Now().UnixNano()))
	if err != nil {
		return err
	}
	defer pub.close()
	fmt.Fprintf(r.out, "\nsoak: %d messages, QoS 1, channel %s, typed with validation on both sides, %d publishers (load %s)\n",
		r.soak, ch.name, r.workers, loadAverage())
	w := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "messages\tsub heap KiB\tsub goroutines\tpub heap KiB\tpub goroutines\tmsg/s\t")
	var first reply
	var failed []string
	for k := int64(1); k*r.soakStep <= r.soak; k++ {
		start := time.Now()
		if err := publishN(pub, ch, 1, r.soakStep, r.workers); err != nil {
			return err
		}
		res, err := r.child.do(command{Op: "wait", N: k * r.soakStep, Measure: true})
		if err != nil {
			return err
		}
		if res.Count+res.Rejected != k*r.soakStep || res.Rejected != 0 {
			return fmt.Errorf("soak: subscriber has %d messages (%d rejected), want %d", res.Count, res.Rejected, k*r.soakStep)
		}
		rate := float64(r.soakStep) / time.Since(start).Seconds()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprintf(w, "%d\t%d\t%d\t%d\t%d\t%.0f\t\n", res.Count, res.HeapAlloc/1024, res.Goroutines, ms.HeapAlloc/1024, runtime.NumGoroutine(), rate)
		if k == 1 {
			first = res
			continue
		}
		if growth := float64(res.HeapAlloc)/float64(first.HeapAlloc) - 1; growth > maxHeapGrowth {
			failed = append(failed, fmt.Sprintf("at %d messages the heap is %+.1f%% of its size at %d", res.Count, growth*100, first.Count))
		}
		if res.Goroutines != first.Goroutines {
			failed = append(failed, fmt.Sprintf("at %d messages %d goroutines, %d at %d", res.Count, res.Goroutines, first.Goroutines, first.Count))
		}
	}
	w.Flush()
	if _, err := r.child.do(command{Op: "stop"}); err != nil {
		return err
	}
	if len(failed) > 0 {
		fmt.Fprintln(r.out, "target 5: MISSED")
		return fmt.Errorf("soak: %v", failed)
	}
	fmt.Fprintf(r.out, "target 5: subscriber heap within %.0f%% of the first measurement and goroutines flat: MET\n", maxHeapGrowth*100)
	return nil
}
