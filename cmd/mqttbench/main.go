// Command mqttbench measures the generated typed client against
// hand-written paho, end to end through Mosquitto (issue 7).
//
// It starts its own Mosquitto on a free loopback port (or uses -broker),
// re-executes itself as the subscriber process, and runs every variant
// on both sides in turn, A/B/A/B, for -rounds rounds (each round starts
// one variant further on, so that no variant always runs first or last):
//
//	paho         hand-written paho: prebuilt bytes out, a counting handler in
//	runtime      mqttgen's runtime client with the same bytes and handler
//	typed        the generated client: encode + validate out, validate +
//	             decode + typed handler in
//	typed-noval  the generated client made WithoutValidation
//
// For each QoS it prints each variant's throughput, its ratio to paho in
// the same round (the median over rounds), lost messages and CPU use;
// then the round-trip latency p50/p99 of each variant, and whether the
// issue's targets are met. Absolute figures drift between runs; the ratios
// of one run are what the targets are about.
//
// Usage:
//
//	go run ./cmd/mqttbench                      # throughput and latency
//	go run ./cmd/mqttbench -rounds 5 -n0 500000 # longer
//	go run ./cmd/mqttbench -soak 1000000        # memory soak of the subscriber
//	go run ./cmd/mqttbench -fleet 1000 -against ../old  # generated code's size and compile time
//
// A message lost at QoS 1 or 2, or a soak outside its bounds, makes the
// exit status 1; a missed performance target only prints MISSED.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

func main() {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChild(os.Stdin, os.Stdout))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command's flags.
type options struct {
	mosquitto string
	broker    string
	qos       []byte
	n         [3]int64
	rounds    int
	workers   int
	variants  []string
	latency   int
	blocks    int
	soak      int64
	soakStep  int64
	fleet     int    // the fleet mode's channels (0: off)
	against   string // the fleet mode: another mqttgen checkout to compare with
	fleetDoc  string // the fleet mode: only write the document to this file
}

// runner holds what every measurement needs.
type runner struct {
	options
	url       string
	brokerPID int
	child     *child
	out       io.Writer
}

func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "mqttbench:", err)
		return 2
	}
	if o.fleet > 0 && o.fleetDoc != "" {
		if err := os.WriteFile(o.fleetDoc, fleetDoc(o.fleet), 0o644); err != nil {
			fmt.Fprintln(stderr, "mqttbench:", err)
			return 1
		}
		return 0
	}
	if o.fleet > 0 {
		if err := fleetRun(o, stdout); err != nil {
			fmt.Fprintln(stderr, "mqttbench:", err)
			return 1
		}
		return 0
	}
	r := &runner{options: o, url: o.broker, out: stdout}
	if r.url == "" {
		b, err := startBroker(o.mosquitto)
		if err != nil {
			fmt.Fprintln(stderr, "mqttbench:", err)
			return 1
		}
		defer b.stop()
		r.url, r.brokerPID = b.url, b.pid()
	}
	r.child, err = startChild()
	if err != nil {
		fmt.Fprintln(stderr, "mqttbench:", err)
		return 1
	}
	defer r.child.stop()
	printMachine(stdout, r.url)
	if o.soak > 0 {
		err = r.soakRun()
	} else {
		err = r.benchRun()
	}
	if err != nil {
		fmt.Fprintln(stderr, "mqttbench:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mqttbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.mosquitto, "mosquitto", "mosquitto", "the Mosquitto binary to start")
	fs.StringVar(&o.broker, "broker", "", "use this broker (tcp://host:port) instead of starting one")
	qos := fs.String("qos", "0,1,2", "the QoS levels to measure")
	fs.Int64Var(&o.n[0], "n0", 200000, "messages per QoS 0 trial")
	fs.Int64Var(&o.n[1], "n1", 50000, "messages per QoS 1 trial")
	fs.Int64Var(&o.n[2], "n2", 25000, "messages per QoS 2 trial")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every variant once, in turn")
	fs.IntVar(&o.workers, "workers", 16, "concurrent synchronous publishers")
	variants := fs.String("variants", strings.Join(allVariants, ","), "variants to run; paho is the reference")
	fs.IntVar(&o.latency, "latency", 6000, "round trips per variant (0: none)")
	fs.IntVar(&o.blocks, "latency-blocks", 12, "blocks the round trips of each variant are taken in, variants interleaved")
	fs.Int64Var(&o.soak, "soak", 0, "run the memory soak instead: this many messages through one typed subscriber")
	fs.Int64Var(&o.soakStep, "soak-step", 0, "soak: measure the subscriber's heap every this many messages (0: a tenth of -soak)")
	fs.IntVar(&o.fleet, "fleet", 0, "measure generated code instead (issue 16): lines, generation and go build time of a document with this many channels, and 10 times as many")
	fs.StringVar(&o.fleetDoc, "fleet-doc", "", "fleet: only write the -fleet document to this file (to generate and build it by hand)")
	fs.StringVar(&o.against, "against", "", "fleet: another mqttgen checkout (a previous commit) whose output is built in the same run")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*qos, ",") {
		q, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || q < 0 || q > 2 {
			return o, fmt.Errorf("-qos: %q is not 0, 1 or 2", s)
		}
		o.qos = append(o.qos, byte(q))
	}
	o.variants = strings.Split(*variants, ",")
	if o.variants[0] != variantPaho {
		return o, fmt.Errorf("-variants must start with %s, the reference", variantPaho)
	}
	for _, v := range o.variants {
		if !slices.Contains(allVariants, v) {
			return o, fmt.Errorf("-variants: unknown %q (want %s)", v, strings.Join(allVariants, ", "))
		}
	}
	if o.soakStep == 0 {
		// Ten measurements whatever the soak's length: 100,000 for the
		// documented -soak 1000000, and a short -soak 20000 works too.
		o.soakStep = o.soak / 10
	}
	switch {
	case o.rounds < 1 || o.workers < 1:
		return o, errors.New("-rounds and -workers must be at least 1")
	case o.latency > 0 && (o.blocks < 1 || o.latency < o.blocks):
		return o, errors.New("-latency-blocks must be at least 1 and at most -latency")
	case o.n[0] < 1 || o.n[1] < 1 || o.n[2] < 1:
		return o, errors.New("-n0, -n1 and -n2 must be at least 1")
	case o.soak > 0 && (o.soakStep < 1 || o.soak%o.soakStep != 0):
		return o, errors.New("-soak must be a multiple of -soak-step (by default a tenth of -soak: a multiple of 10)")
	}
	return o, nil
}
