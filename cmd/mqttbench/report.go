package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Targets of issue 7: throughput ratios to paho in the same run, and the
// latency p99 ratio.
var (
	minRatioValidated = map[byte]float64{0: 0.90, 1: 0.95, 2: 0.95}
	minRatioNoValQoS0 = 0.95
	maxP99Ratio       = 1.2
)

// benchRun runs the throughput trials and the latency rounds and prints
// them with the targets.
func (r *runner) benchRun() error {
	var lostErr error
	for _, qos := range r.qos {
		trials := make(map[string][]trial)
		for round := range r.rounds {
			for _, v := range rotated(r.variants, round) {
				t, err := r.runTrial(v, qos, r.n[qos])
				if err != nil {
					return fmt.Errorf("qos %d %s round %d: %w", qos, v, round+1, err)
				}
				trials[v] = append(trials[v], t)
				if qos > 0 && t.lost() != 0 {
					lostErr = errors.Join(lostErr, fmt.Errorf("qos %d %s round %d: %d of %d messages lost", qos, v, round+1, t.lost(), t.sent))
				}
			}
		}
		r.printThroughput(qos, trials)
	}
	if r.latency > 0 {
		lat, err := r.runLatencyBlocks()
		if err != nil {
			return err
		}
		r.printLatency(lat)
	}
	return lostErr
}

// runLatencyBlocks takes each variant's round trips in r.blocks blocks,
// the variants interleaved block by block and their order rotated: the
// machine's state drifts (other work, CPU frequency, the broker's
// memory), and a p99 is the tail that drift moves most, so every variant
// must sample it alike. Rounds of thousands of round trips per variant
// had the variants' p99 ranked by their place in the round, not by what
// they are.
func (r *runner) runLatencyBlocks() (map[string]*latency, error) {
	lat := make(map[string]*latency)
	for _, v := range r.variants {
		lat[v] = &latency{variant: v}
	}
	for block := range r.blocks {
		n := r.latency / r.blocks
		if block < r.latency%r.blocks {
			n++
		}
		for _, v := range rotated(r.variants, block) {
			l, err := r.runLatency(v, n, max(n/10, 10))
			if err != nil {
				return nil, fmt.Errorf("latency %s: %w", v, err)
			}
			lat[v].samples = append(lat[v].samples, l.samples...)
			lat[v].lost += l.lost
		}
	}
	for _, l := range lat {
		slices.Sort(l.samples) // each block's samples are sorted, not their concatenation
	}
	return lat, nil
}

// rotated is xs starting at index i (mod their number), so that no
// variant always runs first or last.
func rotated[T any](xs []T, i int) []T {
	i %= len(xs)
	return append(slices.Clone(xs[i:]), xs[:i]...)
}

func (r *runner) printThroughput(qos byte, trials map[string][]trial) {
	fmt.Fprintf(r.out, "\nthroughput, QoS %d, channel %s, %d messages per trial, %d publishers, %d rounds (load %s)\n",
		qos, channelFor(qos).name, r.n[qos], r.workers, r.rounds, loadAverage())
	w := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "variant\tmsg/s per round\tmedian msg/s\tratio to paho\tlost\trejected\tpub µs CPU/msg\tsub µs CPU/msg\tCPU ratio\tbroker CPU %\t")
	ref := trials[variantPaho]
	refCPU := clientCPUPerMessage(ref)
	for _, v := range r.variants {
		ts := trials[v]
		var rates, ratios []float64
		var lost, rejected int64
		var pub, sub, brok, secs float64
		var msgs int64
		for i, t := range ts {
			rates = append(rates, t.rate)
			if ref[i].rate > 0 {
				ratios = append(ratios, t.rate/ref[i].rate)
			}
			lost += t.lost()
			rejected += t.rejected
			pub, sub, brok = pub+t.pubCPU, sub+t.subCPU, brok+t.brokCPU
			secs += t.elapsed.Seconds()
			msgs += t.sent
		}
		fmt.Fprintf(w, "%s\t%s\t%.0f\t%.3f\t%d\t%d\t%.2f\t%.2f\t%.3f\t%.0f\t\n", v, joinRates(rates), median(rates), median(ratios),
			lost, rejected, pub/float64(msgs)*1e6, sub/float64(msgs)*1e6, refCPU/clientCPUPerMessage(ts), brok/secs*100)
	}
	w.Flush()
	if ratios := ratiosOf(trials, variantTyped); ratios != nil {
		target(r.out, fmt.Sprintf("target 1: typed (validation on) / paho at QoS %d", qos), median(ratios), minRatioValidated[qos], true)
	}
	if ratios := ratiosOf(trials, variantTypedNoValidation); ratios != nil && qos == 0 {
		target(r.out, "target 1: typed (validation off) / paho at QoS 0", median(ratios), minRatioNoValQoS0, true)
	}
}

// clientCPUPerMessage is the CPU publisher and subscriber spent per
// message over trials. Its ratio to paho's ("CPU ratio") is the
// throughput ratio to expect when the clients' CPU is the limit; unlike
// msg/s it hardly moves with the machine's load.
func clientCPUPerMessage(trials []trial) float64 {
	var cpu float64
	var msgs int64
	for _, t := range trials {
		cpu += t.pubCPU + t.subCPU
		msgs += t.sent
	}
	if msgs == 0 {
		return 0
	}
	return cpu / float64(msgs)
}

func ratiosOf(trials map[string][]trial, v string) []float64 {
	ts, ref := trials[v], trials[variantPaho]
	if ts == nil {
		return nil
	}
	var out []float64
	for i := range ts {
		if ref[i].rate > 0 {
			out = append(out, ts[i].rate/ref[i].rate)
		}
	}
	return out
}

func (r *runner) printLatency(lat map[string]*latency) {
	fmt.Fprintf(r.out, "\nround trip, QoS 0, one message at a time, %d per variant in %d interleaved blocks (load %s)\n",
		r.latency, r.blocks, loadAverage())
	w := tabwriter.NewWriter(r.out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "variant\tsamples\tlost\tp50 µs\tp90 µs\tp99 µs\tp99 / paho p99\t")
	refP99 := percentile(lat[variantPaho].samples, 99)
	for _, v := range r.variants {
		l := lat[v]
		p99 := percentile(l.samples, 99)
		fmt.Fprintf(w, "%s\t%d\t%d\t%s\t%s\t%s\t%.3f\t\n", v, len(l.samples), l.lost, micros(percentile(l.samples, 50)),
			micros(percentile(l.samples, 90)), micros(p99), float64(p99)/float64(refP99))
	}
	w.Flush()
	if l := lat[variantTyped]; l != nil {
		target(r.out, "target 3: typed p99 / paho p99", float64(percentile(l.samples, 99))/float64(refP99), maxP99Ratio, false)
	}
}

// target prints whether got meets bound (at least it when atLeast, else
// at most).
func target(w io.Writer, what string, got, bound float64, atLeast bool) {
	met := got >= bound
	op := ">="
	if !atLeast {
		met, op = got <= bound, "<="
	}
	verdict := "MET"
	if !met {
		verdict = "MISSED"
	}
	fmt.Fprintf(w, "%s: %.3f (want %s %.2f) %s\n", what, got, op, bound, verdict)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func joinRates(rates []float64) string {
	parts := make([]string, len(rates))
	for i, r := range rates {
		parts[i] = fmt.Sprintf("%.0f", r)
	}
	return strings.Join(parts, " ")
}

func micros(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d)/float64(time.Microsecond)) }

// loadAverage is the 1-minute load average: the machine is shared, so
// every figure is printed with it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Fields(string(b))[0]
}

func printMachine(w io.Writer, url string) {
	fmt.Fprintf(w, "mqttbench: %s, %d CPUs, GOMAXPROCS %d, broker %s, load %s, %s\n",
		runtime.Version(), runtime.NumCPU(), runtime.GOMAXPROCS(0), url, loadAverage(), time.Now().Format(time.RFC3339))
}
