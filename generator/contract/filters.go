package contract

import (
	"slices"
	"strings"
)

// disjointFilters turns the channels' filters into a set of filters no
// topic matches twice. A broker may deliver a message once per matching
// subscription (MQTT 3.1.1 allows it, [MQTT-3.3.5-1]), and the runtime
// hands a message to every matching route: overlapping filters would
// report one message several times. Two overlapping filters are replaced
// by one that covers both (a/+/c and a/b/+ by a/+/+; a/b and a/b/c by
// a/b/#); topics the wider filter lets in that no watched channel matches
// are sorted out by Check.
func disjointFilters(filters []string) []string {
	set := slices.Clone(filters)
	slices.Sort(set)
	set = slices.Compact(set)
	for {
		merged := false
		for i := 0; i < len(set) && !merged; i++ {
			for j := i + 1; j < len(set); j++ {
				if overlap(set[i], set[j]) {
					wider := cover(set[i], set[j])
					set = slices.Delete(set, j, j+1)
					set[i] = wider
					merged = true
					break
				}
			}
		}
		if !merged {
			slices.Sort(set)
			return slices.Compact(set)
		}
	}
}

// overlap reports whether some topic matches both filters.
func overlap(a, b string) bool {
	al, bl := strings.Split(a, "/"), strings.Split(b, "/")
	if dollarVersusWildcard(al[0], bl[0]) || dollarVersusWildcard(bl[0], al[0]) {
		return false
	}
	for i := 0; ; i++ {
		switch {
		case i < len(al) && al[i] == "#", i < len(bl) && bl[i] == "#":
			return true
		case i == len(al) && i == len(bl):
			return true
		case i == len(al):
			return bl[i] == "#" // "a/#" matches "a" [MQTT-4.7.1-2]
		case i == len(bl):
			return al[i] == "#"
		case al[i] != bl[i] && al[i] != "+" && bl[i] != "+":
			return false
		}
	}
}

// cover is a filter matching every topic either filter matches: equal
// levels are kept, differing ones become +, and where the lengths differ
// (or a # is reached) the rest becomes #.
func cover(a, b string) string {
	al, bl := strings.Split(a, "/"), strings.Split(b, "/")
	var out []string
	for i := 0; ; i++ {
		if i == len(al) && i == len(bl) {
			return strings.Join(out, "/")
		}
		if i == len(al) || i == len(bl) || al[i] == "#" || bl[i] == "#" {
			return strings.Join(append(out, "#"), "/")
		}
		if al[i] == bl[i] {
			out = append(out, al[i])
		} else {
			out = append(out, "+")
		}
	}
}

// dollarVersusWildcard reports whether first levels a and b share no
// topic because a starts with $ and b is a wildcard: a filter starting
// with a wildcard does not match a topic starting with $ [MQTT-4.7.2-1].
func dollarVersusWildcard(a, b string) bool {
	return strings.HasPrefix(a, "$") && (b == "+" || b == "#")
}

// dollarFilters are the filters starting with $, which # does not cover
// [MQTT-4.7.2-1].
func dollarFilters(filters []string) []string {
	var out []string
	for _, f := range filters {
		if strings.HasPrefix(f, "$") {
			out = append(out, f)
		}
	}
	return out
}
