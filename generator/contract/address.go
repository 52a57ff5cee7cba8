package contract

import (
	"fmt"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// address is a channel address compiled exactly as generated code
// compiles it (gen.Topic): the same filter, the same topics, the same
// reading of a topic back into parameter values.
type address struct {
	channel  *model.Channel
	compiled *gen.Topic
	levels   []string // the filter's levels, for a match that allocates nothing
}

// parseAddress compiles ch's address, or says why it cannot be.
func parseAddress(ch *model.Channel) (*address, error) {
	if ch.Address == "" {
		return nil, fmt.Errorf("channel %s has no address", ch.Key)
	}
	t, err := gen.ParseAddress(ch.Address)
	if err != nil {
		return nil, err
	}
	a := &address{channel: ch, compiled: t}
	a.levels = strings.Split(a.filter(), "/")
	return a, nil
}

// mayMatch reports whether topic matches the address's filter: false
// rules the address out cheaply (a watcher checks every message against
// every channel), true leaves the verdict to match.
func (a *address) mayMatch(topic string) bool {
	rest := topic
	for i, l := range a.levels {
		if l == "#" {
			return true
		}
		level, tail, more := strings.Cut(rest, "/")
		if l != "+" && l != level {
			return false
		}
		if !more {
			return i == len(a.levels)-1 || i == len(a.levels)-2 && a.levels[i+1] == "#"
		}
		rest = tail
	}
	return false
}

// filter is the subscription filter: every level holding a parameter
// becomes +.
func (a *address) filter() string {
	f, err := a.compiled.Filter(make([]string, len(a.compiled.Params()))...)
	if err != nil {
		// Empty values are wildcards: Filter has nothing to refuse.
		panic("contract: " + err.Error())
	}
	return f
}

// literals counts the levels that are plain text: among channels matching
// one topic, the one with more literal levels is the more specific.
func (a *address) literals() int {
	n := 0
	for _, l := range strings.Split(a.channel.Address, "/") {
		if l != "+" && l != "#" && !strings.Contains(l, "{") {
			n++
		}
	}
	return n
}

// match reports whether topic fits the address and returns the parameter
// values read from it.
func (a *address) match(topic string) (map[string]string, bool) {
	if !a.mayMatch(topic) {
		return nil, false
	}
	names := a.compiled.Params()
	values := make([]string, len(names))
	dst := make([]*string, len(names))
	for i := range values {
		dst[i] = &values[i]
	}
	if a.compiled.Parse(topic, dst...) != nil {
		return nil, false
	}
	out := make(map[string]string, len(names))
	for i, n := range names {
		out[n] = values[i]
	}
	return out, true
}

// topic fills the address with values; each must fill part of one level
// without changing the topic, as generated code checks them.
func (a *address) topic(values map[string]string) (string, error) {
	names := a.compiled.Params()
	vs := make([]string, len(names))
	for i, n := range names {
		vs[i] = values[n]
	}
	return a.compiled.Build(vs...)
}
