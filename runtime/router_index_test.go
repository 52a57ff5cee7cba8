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
	if rd := r.handlersFor("x/y", false); rd.matched || len(rd.handlers) != 0 || len(r.exact) != 0 || len(r.byFilter) != 0 {
		t.Fatalf("removed route still found: %+v, %d exact, %d routes", rd, len(r.exact), len(r.byFilter))
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
	r.set("fleet/+/events", []target{{handler: h}, {handler: h, limitsSize: true}, {handler: h}}) // several handlers, one route
	for _, topic := range []string{"sensors/kitchen/temperature", "devices/d1/status", "fleet/d1/events"} {
		if n := testing.AllocsPerRun(100, func() { r.handlersFor(topic, false) }); n != 0 {
			t.Errorf("%s: %v allocations per message, want 0", topic, n)
		}
	}
}

// add routes filter to h alone (nil removes the route), as the tests and
// benchmarks of the router use it.
func (r *router) add(filter string, h MessageHandler) { r.addTarget(filter, h, false) }

// addTarget is add with the handler's limitsSize.
func (r *router) addTarget(filter string, h MessageHandler, limitsSize bool) {
	if h == nil {
		r.set(filter, nil)
		return
	}
	r.set(filter, []target{{handler: h, limitsSize: limitsSize}})
}

// Several handlers of one filter each get a message once, in the order
// given, next to the handlers of other matching filters; an oversized
// message goes only to those that limit sizes themselves.
func TestRouterSeveralHandlersPerFilter(t *testing.T) {
	var got []string
	var r router
	r.set("e/+", []target{{handler: namedHandler(&got, "wide")}})
	r.set("e/x", []target{
		{handler: namedHandler(&got, "first"), limitsSize: true},
		{handler: namedHandler(&got, "second")},
		{handler: namedHandler(&got, "third"), limitsSize: true},
	})
	run := func(rd routed) {
		got = got[:0]
		for _, h := range rd.handlers {
			h(nil, nil)
		}
	}
	rd := r.handlersFor("e/x", false)
	run(rd)
	if want := "[wide first second third]"; fmt.Sprint(got) != want || rd.refused {
		t.Fatalf("e/x went to %v (refused %v), want %s", got, rd.refused, want)
	}
	rd = r.handlersFor("e/x", true)
	run(rd)
	if want := "[first third]"; fmt.Sprint(got) != want || !rd.refused {
		t.Fatalf("oversized e/x went to %v (refused %v), want %s, refused", got, rd.refused, want)
	}
	r.remove("e/+")
	rd = r.handlersFor("e/x", true)
	run(rd)
	if want := "[first third]"; fmt.Sprint(got) != want || !rd.refused {
		t.Fatalf("oversized e/x alone went to %v (refused %v), want %s, refused", got, rd.refused, want)
	}
	r.set("e/x", []target{{handler: namedHandler(&got, "second")}})
	run(r.handlersFor("e/x", false))
	if want := "[second]"; fmt.Sprint(got) != want {
		t.Fatalf("after replacing the handlers e/x went to %v, want %s", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { r.handlersFor("e/x", true) }); n != 0 {
		t.Errorf("oversized single match: %v allocations per message, want 0", n)
	}
}
