package runtime

import "strings"

// routeTrie indexes wildcard routes by filter level, so that matching a
// topic costs its number of levels (times the few branches + and # open),
// not the number of routes. Each node is one filter prefix; a route sits on
// the node of its whole filter (end) or, for a filter ending in "#", on the
// node before the "#" (hash).
type routeTrie struct {
	children map[string]*routeTrie // literal next levels
	plus     *routeTrie            // the "+" next level
	end      []*route              // filters that end at this node
	hash     []*route              // filters that end with "/#" here ("#" at the root)
}

// insert adds rt under its filter. The filter is taken as MatchTopic takes
// it (routeFilter applied), so that both decide alike.
func (t *routeTrie) insert(rt *route) {
	n := t
	filter := routeFilter(rt.match)
	for {
		level, rest, more := strings.Cut(filter, "/")
		if level == "#" {
			n.hash = append(n.hash, rt)
			return
		}
		n = n.child(level)
		if !more {
			n.end = append(n.end, rt)
			return
		}
		filter = rest
	}
}

// child returns the node for level under n, making it.
func (t *routeTrie) child(level string) *routeTrie {
	if level == "+" {
		if t.plus == nil {
			t.plus = &routeTrie{}
		}
		return t.plus
	}
	c := t.children[level]
	if c == nil {
		if t.children == nil {
			t.children = map[string]*routeTrie{}
		}
		c = &routeTrie{}
		t.children[level] = c
	}
	return c
}

// remove deletes rt and the nodes left without routes.
func (t *routeTrie) remove(rt *route) {
	t.removeFilter(routeFilter(rt.match), rt)
}

func (t *routeTrie) removeFilter(filter string, rt *route) {
	level, rest, more := strings.Cut(filter, "/")
	if level == "#" {
		t.hash = deleteRoute(t.hash, rt)
		return
	}
	var c *routeTrie
	if level == "+" {
		c = t.plus
	} else {
		c = t.children[level]
	}
	if c == nil {
		return
	}
	if more {
		c.removeFilter(rest, rt)
	} else {
		c.end = deleteRoute(c.end, rt)
	}
	if c.empty() {
		if level == "+" {
			t.plus = nil
		} else {
			delete(t.children, level)
		}
	}
}

func (t *routeTrie) empty() bool {
	return len(t.children) == 0 && t.plus == nil && len(t.end) == 0 && len(t.hash) == 0
}

func deleteRoute(list []*route, rt *route) []*route {
	for i, o := range list {
		if o == rt {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}

// match adds to m every route whose filter matches topic. first is set at
// the root: a topic starting with "$" matches no filter starting with a
// wildcard [MQTT-4.7.2-1].
func (t *routeTrie) match(topic string, first bool, m *matches) {
	wild := !first || !strings.HasPrefix(topic, "$")
	if wild {
		for _, rt := range t.hash {
			m.add(rt)
		}
	}
	level, rest, more := strings.Cut(topic, "/")
	if c := t.children[level]; c != nil {
		c.matchAfter(rest, more, m)
	}
	if t.plus != nil && wild {
		t.plus.matchAfter(rest, more, m)
	}
}

// matchAfter goes on below a node that took one level of the topic: the
// topic ends here (its routes, and "#" also matching the parent level
// [MQTT-4.7.1-2]) or its next level follows.
func (t *routeTrie) matchAfter(rest string, more bool, m *matches) {
	if !more {
		for _, rt := range t.end {
			m.add(rt)
		}
		for _, rt := range t.hash {
			m.add(rt)
		}
		return
	}
	t.match(rest, false, m)
}

// matches collects routes without allocating for the first one.
type matches struct {
	first *route
	many  []*route
}

func (m *matches) add(rt *route) {
	switch {
	case m.first == nil && m.many == nil:
		m.first = rt
	case m.many == nil:
		m.many = []*route{m.first, rt}
	default:
		m.many = append(m.many, rt)
	}
}
