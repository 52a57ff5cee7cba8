package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/generator/contract"
)

const mockUsage = `usage: mqttgen mock -i SPEC [-broker URL | -serve ADDR] [-role app|client|both] [-rate R] [-count N] [-for DURATION] [-operations a,b] [-q]

Plays one side of the AsyncAPI document SPEC: publishes, on every channel
that side sends to, messages made from the document. A payload is the
message's examples; else the schema's examples, default, const or enum;
else a value generated from the schema (types, bounds, lengths, patterns,
formats, required properties, items, allOf/oneOf/anyOf). Topic parameters
take their examples, enum or default, else a placeholder such as room-1.
Every payload is validated against its schema before it is sent; a
message that cannot be made valid is never sent, and mock says why on
stderr. QoS and retain come from the operation's MQTT binding.

It sends each message of each operation in turn, then again with the
next payload and topic of each, one per 1/R seconds, until -count
messages were sent, -for is over, or Ctrl-C.

Exit status: 0 sent, 1 nothing could be made valid (or the document,
connection or a publish failed), 2 usage error (a flag or MQTT_*
variable the runtime refuses included).

Flags:
  -i SPEC          the AsyncAPI document (YAML or JSON); "-" reads stdin
  -role ROLE       the side to play: client (default) the app's counterpart,
                   which sends what the app receives; app the application
                   itself; both every operation
  -rate R          messages per second (default 1; 0: as fast as the broker
                   takes them)
  -count N         stop after N messages (default: no limit)
  -for DURATION    stop after this long
  -operations A,B  only these operations (3.0 operation keys, 2.x operationIds)
  -q               do not print each message sent

` + brokerFlagsHelp + `
Examples:

  mqttgen mock -i specs/sensor-gateway.yaml -broker tcp://localhost:1883
  mqttgen mock -i api.yaml -broker tcp://broker:1883 -role app -rate 10 -count 100
  mqttgen mock -i api.yaml -operations receiveTemperature -count 1
`

// runMock implements "mqttgen mock".
func runMock(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newContractCommand("mock", mockUsage, "client", stderr)
	rate := c.fs.Float64("rate", 1, "")
	count := c.fs.Int("count", 0, "")
	duration := c.duration()
	operations := c.fs.String("operations", "", "")
	quiet := c.fs.Bool("q", false, "")
	doc, role, cfg, code := c.parse(args, stdin, stdout, stderr, func() string {
		if *count < 0 || *duration < 0 || *rate < 0 || math.IsNaN(*rate) {
			return "-count, -for and -rate must not be negative (nor -rate NaN)"
		}
		return ""
	})
	if code >= 0 {
		return code
	}
	var ops []string
	if *operations != "" {
		for _, op := range strings.Split(*operations, ",") {
			ops = append(ops, strings.TrimSpace(op))
		}
	}
	m, err := contract.NewMock(doc, contract.MockConfig{Role: role, Operations: ops})
	if err != nil {
		return c.usageErr(stderr, "%v", err)
	}
	printPlan(m, stderr)

	ctx, client, done, err := c.connect(&cfg, *duration, stderr)
	if err != nil {
		return exitCode(err)
	}
	defer done()
	n, err := m.Run(ctx, client, contract.MockRun{Rate: *rate, Count: *count}, func(s contract.Sent) {
		if !*quiet {
			fmt.Fprintf(stdout, "sent %s message=%s qos=%d retained=%t %s\n",
				contract.Printable(s.Topic), contract.Printable(s.Message), s.QoS, s.Retained, clipPayload(s.Payload))
		}
	})
	fmt.Fprintf(stderr, "mqttgen mock: sent %d message(s)\n", n)
	if err != nil {
		fmt.Fprintf(stderr, "mqttgen mock: %v\n", err)
		return 1
	}
	return 0
}

// printPlan says on stderr what the mock sends and what it cannot. The
// names, topics and examples come from the document: what is not
// printable in them is escaped.
func printPlan(m *contract.Mock, stderr io.Writer) {
	line := func(format string, a ...any) {
		fmt.Fprintln(stderr, contract.Printable(fmt.Sprintf(format, a...)))
	}
	for _, p := range m.Plan() {
		qos := "the client's default QoS"
		if p.QoS != nil {
			qos = fmt.Sprintf("qos %d", *p.QoS)
		}
		line("mqttgen mock: %s sends %s on %s (%s, retain %t; payloads: %s)",
			p.Operation, p.Message, strings.Join(p.Topics, ", "), qos, p.Retain, strings.Join(p.Sources, ", "))
		for _, r := range p.Rejected {
			line("mqttgen mock:   not sent, invalid: %s", r)
		}
	}
	for _, s := range m.Skipped() {
		what := s.Operation
		if s.Message != "" {
			what += " " + s.Message
		}
		line("mqttgen mock: cannot send %s: %s", what, s.Reason)
	}
}

// maxPrinted bounds the payload shown per sent line.
const maxPrinted = 200

// clipPayload shows a payload on one line: as text when it is UTF-8
// without control characters (a line break, an escape sequence), else
// quoted; long ones cut, at a character's boundary.
func clipPayload(p []byte) string {
	s := string(p)
	if len(s) > maxPrinted {
		cut := maxPrinted
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	if contract.Printable(s) != s {
		return fmt.Sprintf("%q", s)
	}
	return s
}
