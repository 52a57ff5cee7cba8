package contract

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is the verdict on one received message.
type Status string

// The verdicts. Only StatusOK and StatusUnchecked conform.
const (
	// StatusOK: a message of the channel accepts the payload and the topic
	// parameters are valid.
	StatusOK Status = "ok"
	// StatusInvalid: the payload is JSON (or text) but no message of the
	// channel accepts it, or a topic parameter is invalid.
	StatusInvalid Status = "invalid"
	// StatusUndecodable: the payload is not JSON (or not UTF-8 text) while
	// every message of the channel expects it to be.
	StatusUndecodable Status = "undecodable"
	// StatusUnchecked: the payload can only be a message whose schema is
	// not JSON Schema (Avro...), which watch cannot check.
	StatusUnchecked Status = "unchecked"
	// StatusUnknown: no channel of the document matches the topic.
	StatusUnknown Status = "unknown"
)

// Violation is one thing wrong with a received message.
type Violation struct {
	// Against names the message the payload was checked against; empty
	// for a topic parameter.
	Against string `json:"against,omitempty"`
	// Parameter names the topic parameter at fault; empty for the payload.
	Parameter string `json:"parameter,omitempty"`
	// Pointer is the JSON pointer of the failing value in the payload
	// ("" is the whole payload, or the parameter's value).
	Pointer string `json:"pointer"`
	// Rule is the JSON Schema keyword that failed (maximum, required,
	// type...), "decode" for a payload that is not JSON, "enum" or
	// "topic" for a parameter, "channel" for a topic under no channel.
	Rule string `json:"rule"`
	// Message explains it.
	Message string `json:"message"`
}

// String renders e.g. `temperatureReading /celsius maximum: must be <= 100 but found 150`,
// with what is not printable escaped (see Printable).
func (v Violation) String() string {
	var b strings.Builder
	switch {
	case v.Parameter != "":
		fmt.Fprintf(&b, "parameter %s ", v.Parameter)
	case v.Against != "":
		b.WriteString(v.Against + " ")
	}
	ptr := v.Pointer
	if ptr == "" {
		ptr = `""`
	}
	fmt.Fprintf(&b, "%s %s: %s", ptr, v.Rule, v.Message)
	return Printable(b.String())
}

// Report is the verdict on one received message, as watch prints it.
type Report struct {
	Time  time.Time `json:"time"`
	Topic string    `json:"topic"`
	// Channel is the key of the channel whose address matches the topic
	// (the most specific one when several do); "" for none.
	Channel string `json:"channel"`
	// Params are the topic parameters read from the topic.
	Params map[string]string `json:"params,omitempty"`
	// Message names the message that accepts the payload; "" for none.
	Message  string      `json:"message"`
	Valid    bool        `json:"valid"`
	Status   Status      `json:"status"`
	Errors   []Violation `json:"errors"`
	QoS      byte        `json:"qos"`
	Retained bool        `json:"retained"`
	// Note says why a payload was not checked, or that the channel
	// declares no message.
	Note string `json:"note,omitempty"`

	order []string // parameter names in address order, for String
}

// String renders the report as one line: topic, channel, parameters in
// address order, message, then ok or the violations, with what is not
// printable escaped (see Printable), e.g.
//
//	sensors/kitchen/temperature channel=temperature room=kitchen message=none invalid: temperatureReading /celsius maximum: must be <= 100 but found 150
func (r Report) String() string {
	var b strings.Builder
	b.WriteString(r.Topic)
	if r.Channel == "" {
		b.WriteString(" channel=none")
	} else {
		fmt.Fprintf(&b, " channel=%s", r.Channel)
	}
	for _, name := range r.order {
		fmt.Fprintf(&b, " %s=%s", name, r.Params[name])
	}
	message := r.Message
	if message == "" {
		message = "none"
	}
	fmt.Fprintf(&b, " message=%s %s", message, r.Status)
	for i, v := range r.Errors {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		b.WriteString(sep + v.String())
	}
	if r.Note != "" {
		fmt.Fprintf(&b, " (%s)", r.Note)
	}
	return Printable(b.String())
}

// ChannelSummary counts what watch saw on one channel.
type ChannelSummary struct {
	Channel     string `json:"channel"`
	Messages    int    `json:"messages"`
	Invalid     int    `json:"invalid"`
	Undecodable int    `json:"undecodable"`
	Unchecked   int    `json:"unchecked"`
}

// Summary counts what watch saw, per watched channel in document order.
type Summary struct {
	Channels []ChannelSummary `json:"channels"`
	// Unknown counts messages on topics no channel matches (reported
	// with -unknown only).
	Unknown int `json:"unknown"`
	// Ignored counts messages a wider subscription let in (see
	// Watcher.Filters) on channels the role does not watch, or on unknown
	// topics without Unknown; they are neither reported nor checked.
	Ignored int `json:"ignored"`
}

// Conformed reports whether every reported message conformed: none
// invalid, none undecodable, none on an unknown topic.
func (s Summary) Conformed() bool {
	for _, c := range s.Channels {
		if c.Invalid+c.Undecodable > 0 {
			return false
		}
	}
	return s.Unknown == 0
}

// Write prints the summary as a table.
func (s Summary) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "channel\tmessages\tinvalid\tnot decodable\tnot checked")
	total := ChannelSummary{}
	for _, c := range s.Channels {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\n", Printable(c.Channel), c.Messages, c.Invalid, c.Undecodable, c.Unchecked)
		total.Messages += c.Messages
		total.Invalid += c.Invalid
		total.Undecodable += c.Undecodable
		total.Unchecked += c.Unchecked
	}
	if s.Unknown > 0 {
		fmt.Fprintf(tw, "(no channel)\t%d\t%d\t-\t-\n", s.Unknown, s.Unknown)
	}
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\n", total.Messages+s.Unknown, total.Invalid+s.Unknown, total.Undecodable, total.Unchecked)
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Ignored > 0 {
		_, err := fmt.Fprintf(w, "%d message(s) outside the watched channels were not checked\n", s.Ignored)
		return err
	}
	return nil
}
