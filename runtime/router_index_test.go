package runtime

import (
	"fmt"
	"testing"

	mqttclient "github.com/eclipse/paho.mqtt.golang"
)

// The router keeps wildcard-free filters in a map and scans the others;
// these tests pin that the index changes nothing a linear scan with
// MatchTopic would decide.

// namedHandler returns a handler that records name into got.
func namedHandler(got *[]string, name string) MessageHandler {
	return func(mqttclient.Client, mqttclient.Message) { *got = append(*got, name) }
}

func TestRouterIndexMatchesInInsertionOrder(t *testing.T) {
	var got []string
	var r router
	r.add("a/+", namedHandler(&got, "a/+"))
	r.add("a/b", namedHandler(&got, "a/b"))
	r.add("$share/g/a/b", namedHandler(&got, "$share/g/a/b"))
	r.add("#", namedHandler(&got, "#"))
	r.add("a/c", namedHandler(&got, "a/c"))

	rd := r.handlersFor("a/b", false)
	for _, h := range rd.handlers {
		h(nil, nil)
	}
	want := []string{"a/+", "a/b", "$share/g/a/b", "#"}
	if fmt.Sprint(got) != fmt.Sprint(want) || !rd.matched || rd.refused {
		t.Fatalf("a/b went to %v (matched %v, refused %v), want %v", got, rd.matched, rd.refused, want)
	}

	got = got[:0]
	r.remove("a/b")
	r.remove("#")
	for _, h := range r.handlersFor("a/b", false).handlers {
		h(nil, nil)
	}
	if want := []string{"a/+", "$share/g/a/b"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after removing a/b and #, a/b went to %v, want %v", got, want)
	}
	if rd := r.handlersFor("$SYS/x", false); rd.matched || len(rd.handlers) != 0 {
		t.Fatalf("$SYS/x matched %d handlers", len(rd.handlers))
	}
}

func TestRouterIndexReplacesAndRemovesExactRoutes(t *testing.T) {
	var got []string
	var r router
	r.add("x/y", namedHandler(&got, "old"))
	old := r.handlersFor("x/y", false).handlers
	r.add("x/y", namedHandler(&got, "new"))
	old[0](nil, nil) // a delivery in flight keeps the handler it was given
	for _, h := range r.handlersFor("x/y", false).handlers {
		h(nil, nil)
	}
	if want := []string{"old", "new"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	r.add("x/y", nil)
	if rd := r.handlersFor("x/y", false); rd.matched || len(rd.handlers) != 0 || len(r.exact) != 0 || len(r.routes) != 0 {
		t.Fatalf("removed route still found: %+v, %d exact, %d routes", rd, len(r.exact), len(r.routes))
	}
}

func TestRouterIndexOversized(t *testing.T) {
	var got []string
	var r router
	r.add("s/+", namedHandler(&got, "plain"))
	r.addTarget("s/t", namedHandler(&got, "limits"), true)
	rd := r.handlersFor("s/t", true)
	for _, h := range rd.handlers {
		h(nil, nil)
	}
	if fmt.Sprint(got) != "[limits]" || !rd.matched || !rd.refused {
		t.Fatalf("oversized s/t went to %v (matched %v, refused %v), want [limits], refused", got, rd.matched, rd.refused)
	}
	if rd := r.handlersFor("s/u", true); len(rd.handlers) != 0 || !rd.matched || !rd.refused {
		t.Fatalf("oversized s/u: %+v, want refused", rd)
	}

	var def router
	def.setDefault(namedHandler(&got, "default"))
	if rd := def.handlersFor("z", true); len(rd.handlers) != 0 || !rd.matched || !rd.refused {
		t.Fatalf("oversized message to the default handler: %+v, want refused", rd)
	}
	if rd := def.handlersFor("z", false); len(rd.handlers) != 1 || !rd.matched || rd.refused {
		t.Fatalf("message to the default handler: %+v", rd)
	}
	def.setDefault(nil)
	if rd := def.handlersFor("z", false); len(rd.handlers) != 0 || rd.matched {
		t.Fatalf("default handler removed, still: %+v", rd)
	}
}

func TestRouterIndexSingleMatchAllocatesNothing(t *testing.T) {
	var r router
	h := func(mqttclient.Client, mqttclient.Message) {}
	r.add("sensors/kitchen/temperature", h)
	r.add("devices/+/status", h)
	for _, topic := range []string{"sensors/kitchen/temperature", "devices/d1/status"} {
		if n := testing.AllocsPerRun(100, func() { r.handlersFor(topic, false) }); n != 0 {
			t.Errorf("%s: %v allocations per message, want 0", topic, n)
		}
	}
}
