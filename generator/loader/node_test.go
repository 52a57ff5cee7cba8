package loader

import (
	"fmt"
	"testing"
)

// TestGetIndexed: get answers the same with and without the index a long
// mapping gets, including the first of two equal keys and absent keys.
func TestGetIndexed(t *testing.T) {
	for _, n := range []int{indexFrom - 1, indexFrom, 3 * indexFrom} {
		m := &node{kind: mapNode}
		for i := range n {
			m.appendEntry(&node{value: fmt.Sprint("k", i)}, &node{value: fmt.Sprint("v", i)})
		}
		m.appendEntry(&node{value: "k0"}, &node{value: "second"})
		if (m.index != nil) != (len(m.keys) >= indexFrom) {
			t.Errorf("%d keys: indexed = %v", len(m.keys), m.index != nil)
		}
		for i := range n {
			if got := m.get(fmt.Sprint("k", i)); got == nil || got.value != fmt.Sprint("v", i) {
				t.Errorf("%d keys: get(k%d) = %v, want v%d", len(m.keys), i, got, i)
			}
		}
		if got := m.get("absent"); got != nil {
			t.Errorf("%d keys: get(absent) = %v, want nil", len(m.keys), got.value)
		}
	}
}
