package runtime

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// TestRouteTrieAgreesWithMatchTopic: for random filters (wildcards,
// empty levels, $ topics, shared subscriptions) added and removed in random
// order, the router's matches are exactly the routes a linear scan with
// MatchTopic finds, in insertion order; and removing every route leaves
// the trie empty.
func TestRouteTrieAgreesWithMatchTopic(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	levels := []string{"a", "b", "", "$x", "$SYS"}
	randTopic := func() string {
		n := 1 + rng.Intn(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = levels[rng.Intn(len(levels))]
		}
		return strings.Join(parts, "/")
	}
	randFilter := func() string {
		n := 1 + rng.Intn(4)
		parts := make([]string, n)
		for i := range parts {
			switch x := rng.Intn(10); {
			case x < 3:
				parts[i] = "+"
			case x < 4 && i == n-1:
				parts[i] = "#"
			default:
				parts[i] = levels[rng.Intn(len(levels))]
			}
		}
		f := strings.Join(parts, "/")
		if rng.Intn(6) == 0 {
			f = "$share/g/" + f
		}
		return f
	}
	for round := range 200 {
		var r router
		var filters []string
		handlerOf := map[string]int{}
		for range 1 + rng.Intn(30) {
			f := randFilter()
			if ValidateFilter(f) != nil || slices.Contains(filters, f) {
				continue
			}
			filters = append(filters, f)
			handlerOf[f] = len(handlerOf)
			r.add(f, nil) // removing what is not there is a no-op
			r.add(f, indexHandler(handlerOf[f]))
		}
		for i := 0; i < len(filters)/3; i++ {
			j := rng.Intn(len(filters))
			r.remove(filters[j])
			filters = slices.Delete(filters, j, j+1)
		}
		for range 50 {
			topic := randTopic()
			var want []int
			for _, f := range filters { // filters keeps insertion order
				if MatchTopic(f, topic) {
					want = append(want, handlerOf[f])
				}
			}
			var got []int
			for _, h := range r.handlersFor(topic, false).handlers {
				got = append(got, handlerIndex(h))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("round %d: topic %q with filters %q: router %v, MatchTopic %v", round, topic, filters, got, want)
			}
		}
		for _, f := range filters {
			r.remove(f)
		}
		if !r.wild.empty() || len(r.exact) != 0 || len(r.byFilter) != 0 {
			t.Fatalf("round %d: routes left after removing them all: %d exact, %d routes, trie empty %v", round, len(r.exact), len(r.byFilter), r.wild.empty())
		}
	}
}

// indexHandler and handlerIndex tell handlers apart by a number: the test
// calls each handler with a nil message and reads back what it recorded.
var lastIndex int

func indexHandler(i int) MessageHandler {
	return func(mqttclient.Client, mqttclient.Message) { lastIndex = i }
}

func handlerIndex(h MessageHandler) int {
	h(nil, nil)
	return lastIndex
}
