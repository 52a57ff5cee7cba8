package loader

import (
	"slices"
	"testing"

	"github.com/mqttgen/mqttgen/generator/model"
)

// checkDocument asserts what emitters rely on in every loaded document.
func checkDocument(t *testing.T, doc *model.Document) {
	t.Helper()
	checkLoc(t, "document", doc.Loc)
	for _, ch := range doc.Channels {
		checkLoc(t, "channel "+ch.Key, ch.Loc)
		names, err := addressParams(ch.Address)
		if err != nil {
			t.Errorf("channel %s: loaded with a bad address: %v", ch.Key, err)
		}
		var got []string
		for _, p := range ch.Parameters {
			got = append(got, p.Name)
			checkLoc(t, "parameter "+p.Name, p.Loc)
		}
		if !slices.Equal(got, names) {
			t.Errorf("channel %s: parameters %v, address has %v", ch.Key, got, names)
		}
		for _, m := range ch.Messages {
			if !slices.Contains(doc.Messages, m) {
				t.Errorf("channel %s: message %s missing from Document.Messages", ch.Key, m.Key)
			}
		}
	}
	for _, op := range doc.Operations {
		checkLoc(t, "operation "+op.Key, op.Loc)
		if op.Channel == nil || !slices.Contains(doc.Channels, op.Channel) {
			t.Errorf("operation %s: channel %v is not one of the document's", op.Key, op.Channel)
		}
		if op.Action != model.Send && op.Action != model.Receive {
			t.Errorf("operation %s: action %v", op.Key, op.Action)
		}
		for _, m := range op.Messages {
			// A 3.0 operation may list a message of another channel (a
			// warning): it must still be one of the document's.
			if m == nil || !slices.Contains(doc.Messages, m) {
				t.Errorf("operation %s: message %v is not one of the document's messages", op.Key, m)
			}
		}
	}
	seen := map[*model.Schema]bool{}
	for i, m := range doc.Messages {
		checkLoc(t, "message "+m.Key, m.Loc)
		if slices.Index(doc.Messages, m) != i {
			t.Errorf("message %s listed twice", m.Key)
		}
		walkSchema(t, m.Payload, seen)
		walkSchema(t, m.Headers, seen)
	}
	for _, s := range doc.Schemas {
		walkSchema(t, s, seen)
	}
}

func checkLoc(t *testing.T, what string, loc model.Loc) {
	t.Helper()
	if loc.Pos.File == "" || loc.Pos.Line < 1 || loc.Pos.Col < 1 {
		t.Errorf("%s: no position: %+v", what, loc)
	}
}

// walkSchema visits every schema reachable from s once (recursive schemas
// are cycles) and checks positions.
func walkSchema(t *testing.T, s *model.Schema, seen map[*model.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	checkLoc(t, "schema "+s.Pointer, s.Loc)
	for _, p := range append(s.Properties, s.PatternProperties...) {
		walkSchema(t, p.Schema, seen)
	}
	for _, x := range []*model.Schema{s.AdditionalProperties, s.PropertyNames, s.Items, s.Contains, s.Not, s.If, s.Then, s.Else} {
		walkSchema(t, x, seen)
	}
	for _, list := range [][]*model.Schema{s.PrefixItems, s.AllOf, s.OneOf, s.AnyOf} {
		for _, x := range list {
			walkSchema(t, x, seen)
		}
	}
}
