package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mqttgen/mqttgen/generator/contract"
	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

const watchUsage = `usage: mqttgen watch -i SPEC [-broker URL | -serve ADDR] [-role app|client|both] [-for DURATION] [-count N] [-json] [-share GROUP] [-unknown]

Subscribes to the channels of the AsyncAPI document SPEC (a {parameter}
level as +) and checks every message received against the document: the
topic against the channel's address and parameters, the payload against
the channel's messages (JSON Schema; text/* as a string; bytes are not
checked; Avro and other schema formats are reported as not checked). No
generated code is needed: firmware in C or a gateway in Python is held to
the same document.

For each message it prints one line: topic, channel, parameters, the
message that accepts the payload (or none), then ok or every violation
with its JSON pointer and rule (what is not printable in a topic or
payload is escaped, so no message can forge a line). At the end (after
-for, -count, Ctrl-C or SIGTERM) it prints per channel the messages
seen, invalid and not decodable to stderr.

Exit status: 0 every message conformed (or none came), 1 some did not (or
the document, connection or subscription failed), 2 usage error (a flag
or MQTT_* variable the runtime refuses included).

Flags:
  -i SPEC          the AsyncAPI document (YAML or JSON); "-" reads stdin
  -role ROLE       whose incoming traffic to watch: both (default) every
                   channel of the document; app the channels of the app's
                   receive operations; client those of its send operations.
                   A message is checked against every message its channel
                   carries, whoever sent it.
  -for DURATION    stop after this long (e.g. 30s, 5m)
  -count N         stop after N messages
  -json            one JSON object per message: topic, channel, params,
                   message ("" for none), valid, status (ok, invalid,
                   undecodable, unchecked, unknown), errors (a list of
                   {against, parameter, pointer, rule, message}), qos, retained
  -share GROUP     subscribe as $share/GROUP/..., so watchers split the load
  -unknown         subscribe to # and report topics under no channel too
                   (as invalid)

` + brokerFlagsHelp + `
Examples:

  mqttgen watch -i specs/sensor-gateway.yaml -broker tcp://localhost:1883
  mqttgen watch -i api.yaml -broker tcp://broker:1883 -role app -for 10m -json > traffic.jsonl
  mqttgen watch -i api.yaml -count 100 -unknown     (broker from MQTT_BROKERS)
`

// runWatch implements "mqttgen watch".
func runWatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newContractCommand("watch", watchUsage, "both", stderr)
	duration := c.duration()
	count := c.fs.Int("count", 0, "")
	asJSON := c.fs.Bool("json", false, "")
	share := c.fs.String("share", "", "")
	unknown := c.fs.Bool("unknown", false, "")
	doc, role, cfg, code := c.parse(args, stdin, stdout, stderr, func() string {
		if *count < 0 || *duration < 0 {
			return "-count and -for must not be negative"
		}
		return ""
	})
	if code >= 0 {
		return code
	}

	// QoS 2: the broker delivers each message at the QoS it was published
	// with, so a watcher sees every message once.
	w, err := contract.NewWatcher(doc, contract.WatchConfig{Role: role, Unknown: *unknown, ShareGroup: *share, QoS: 2,
		OnSubscribed: func(filters []string) {
			fmt.Fprintf(stderr, "mqttgen watch: watching %s on %s (Ctrl-C to stop)\n", contract.Printable(strings.Join(filters, " ")), shownBrokers(cfg.Brokers))
		}})
	if err != nil {
		return c.usageErr(stderr, "%v", err)
	}
	for _, n := range w.Notes() {
		fmt.Fprintf(stderr, "mqttgen watch: %s\n", contract.Printable(n))
	}
	ctx, client, done, err := c.connect(&cfg, *duration, stderr)
	if err != nil {
		return exitCode(err)
	}
	defer done()

	// "must be <= 100" reads better than "must be \u003c= 100".
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	// Run calls show one report at a time.
	show := func(r contract.Report) {
		if !*asJSON {
			fmt.Fprintln(stdout, r)
			return
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintf(stderr, "mqttgen watch: %v\n", err)
		}
	}
	start := time.Now()
	if err := w.Run(ctx, client, *count, show); err != nil {
		fmt.Fprintf(stderr, "mqttgen watch: %v\n", err)
		return 1
	}
	sum := w.Summary()
	fmt.Fprintf(stderr, "mqttgen watch: summary after %s\n", time.Since(start).Round(time.Millisecond))
	if err := sum.Write(stderr); err != nil {
		return 1
	}
	unseen(client.GetStats(), stderr)
	if !sum.Conformed() {
		return 1
	}
	return 0
}

// unseen says what watch did not see although the broker sent it, or
// might have: the counts above hold what was checked, not what flowed.
func unseen(stats mqttrt.ClientStats, stderr io.Writer) {
	if n := stats.MessagesOverflowed; n > 0 {
		fmt.Fprintf(stderr, "mqttgen watch: %d QoS 0 message(s) were discarded unchecked, in no count above: watch could not keep up "+
			"(is its output read slowly?); MQTT_HANDLER_QUEUE_SIZE holds more of a burst\n", n)
	}
	if n := stats.ConnectionLosses; n > 0 {
		fmt.Fprintf(stderr, "mqttgen watch: the connection to the broker was lost %d time(s); what was published while it was down was not seen\n", n)
	}
}
