package templates_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/templates"
)

// handModel is a document built by hand, with the Go names the naming
// stage would give, and addresses that stress the topic code: several
// parameters in one level, literal wildcards, a repeated parameter.
func handModel() *model.Document {
	text := &model.Message{Key: "Note", Name: "note", ContentType: "text/plain", GoName: "Note"}
	raw := &model.Message{Key: "Blob", Name: "blob", ContentType: "application/octet-stream", GoName: "Blob"}
	param := func(name, goName string, enum ...string) *model.Parameter {
		return &model.Parameter{Name: name, GoName: goName, Enum: enum, Description: "The " + name + "."}
	}
	mixed := &model.Channel{Key: "mixed", Address: "site/{site}-{zone}/dev{id}/x", GoName: "Mixed",
		Parameters: []*model.Parameter{param("site", "Site"), param("zone", "Zone"), param("id", "ID")},
		Messages:   []*model.Message{text}}
	wild := &model.Channel{Key: "wild", Address: "logs/+/{level}/#", GoName: "Wild",
		Parameters: []*model.Parameter{param("level", "Level", "info", "warn")},
		Messages:   []*model.Message{raw}}
	repeat := &model.Channel{Key: "repeat", Address: "a/{id}/b/{id}", GoName: "Repeat",
		Parameters: []*model.Parameter{param("id", "ID")},
		Messages:   []*model.Message{raw}}
	plain := &model.Channel{Key: "plain", Address: "status", GoName: "Plain", Messages: []*model.Message{text}}
	// The same address twice: without enums its filter and parse are
	// one helper call each, with an enum they are unrolled per level, so
	// the two can be compared on the same topics.
	flat := &model.Channel{Key: "flat", Address: "fleet/{region}/v1/{device}", GoName: "Flat",
		Parameters: []*model.Parameter{param("region", "Region"), param("device", "Device")},
		Messages:   []*model.Message{raw}}
	unrolled := &model.Channel{Key: "unrolled", Address: "fleet/{region}/v1/{device}", GoName: "Unrolled",
		Parameters: []*model.Parameter{param("region", "Region"), param("device", "Device", "a", "b", "")},
		Messages:   []*model.Message{raw}}
	op := func(key, goName string, a model.Action, ch *model.Channel) *model.Operation {
		return &model.Operation{Key: key, GoName: goName, Action: a, Channel: ch, Messages: ch.Messages}
	}
	return &model.Document{
		AsyncAPI: "3.0.0", Major: 3, Title: "Hand made", Version: "1",
		Channels: []*model.Channel{mixed, wild, repeat, plain, flat, unrolled},
		Operations: []*model.Operation{
			op("sendMixed", "Mixed", model.Send, mixed),
			op("onMixed", "MixedIn", model.Receive, mixed),
			op("sendWild", "Wild", model.Send, wild),
			op("onWild", "WildIn", model.Receive, wild),
			op("onRepeat", "RepeatIn", model.Receive, repeat),
			op("sendPlain", "Plain", model.Send, plain),
			op("onFlat", "FlatIn", model.Receive, flat),
			op("onUnrolled", "UnrolledIn", model.Receive, unrolled),
		},
		Messages: []*model.Message{text, raw},
	}
}

// emitHand renders the hand model with the topic, client, publish,
// subscribe and message emitters.
func emitHand(t *testing.T) (*templates.Spec, map[string][]byte) {
	t.Helper()
	doc := handModel()
	var pub, sub []*model.Operation
	for _, op := range doc.Operations {
		if op.Action == model.Send {
			pub = append(pub, op)
		} else {
			sub = append(sub, op)
		}
	}
	spec := templates.NewSpec(doc, "hand", "hand.yaml", pub, sub)
	out := map[string][]byte{}
	for name, emit := range map[string]func(*jen.File, *templates.Spec) error{
		"client.go": templates.Client, "topics.go": templates.Topics, "publish.go": templates.Publish,
		"subscribe.go": templates.Subscribe, "messages.go": templates.Messages, "servers.go": templates.Servers,
	} {
		f := templates.NewFile(spec)
		if err := emit(f, spec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var b bytes.Buffer
		if err := f.Render(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = b.Bytes()
	}
	return spec, out
}

func TestWildcardPublishIsSkippedAndSaid(t *testing.T) {
	spec, files := emitHand(t)
	if len(spec.Skipped) != 1 || !strings.Contains(spec.Skipped[0], "PublishWild (operation sendWild)") {
		t.Fatalf("Skipped = %q", spec.Skipped)
	}
	if bytes.Contains(files["publish.go"], []byte("PublishWild(")) {
		t.Error("a publish method was generated for a wildcard address")
	}
	if !bytes.Contains(files["client.go"], []byte("holds MQTT wildcards")) {
		t.Error("the Client's godoc does not explain the skipped operation")
	}
	if bytes.Contains(files["topics.go"], []byte("func (p WildParams) Topic(")) {
		t.Error("a wildcard address got a Topic method")
	}
}

// handTest runs inside the generated package.
const handTest = `package hand

import (
	"errors"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

func TestTopics(t *testing.T) {
	p, err := ParseMixedTopic("site/eu-west-2/dev42/x")
	if err != nil || p != (MixedParams{Site: "eu", Zone: "west-2", ID: "42"}) {
		t.Errorf("ParseMixedTopic = %+v, %v", p, err)
	}
	for _, bad := range []string{"site/eu/dev42/x", "site/-n/dev1/x", "site/eu-/dev1/x", "site/eu-n/42/x", "site/eu-n/dev/x", "site/eu-n/dev1", "site/eu-n/dev1/x/y", "other/eu-n/dev1/x", ""} {
		if _, err := ParseMixedTopic(bad); !errors.Is(err, mqttrt.ErrInvalidTopic) {
			t.Errorf("ParseMixedTopic(%q) = %v, want ErrInvalidTopic", bad, err)
		}
	}
	if topic, err := (MixedParams{Site: "eu", Zone: "n", ID: "1"}).Topic(); err != nil || topic != "site/eu-n/dev1/x" {
		t.Errorf("Topic = %q, %v", topic, err)
	}
	for _, bad := range []MixedParams{{Site: "e/u", Zone: "n", ID: "1"}, {Site: "eu", Zone: "+", ID: "1"}, {Site: "eu", Zone: "n", ID: "#"}, {Site: "eu", Zone: "n"}} {
		if _, err := bad.Topic(); !errors.Is(err, mqttrt.ErrInvalidTopic) {
			t.Errorf("Topic(%+v) = %v, want ErrInvalidTopic", bad, err)
		}
	}
	for _, tc := range []struct {
		p    MixedParams
		want string
	}{
		{MixedParams{}, "site/+/+/x"},
		{MixedParams{Site: "eu"}, "site/+/+/x"},
		{MixedParams{Site: "eu", Zone: "n"}, "site/eu-n/+/x"},
		{MixedParams{ID: "7"}, "site/+/dev7/x"},
	} {
		if f, err := tc.p.filter(); err != nil || f != tc.want {
			t.Errorf("filter(%+v) = %q, %v; want %q", tc.p, f, err, tc.want)
		}
	}
	if _, err := (MixedParams{ID: "a/b"}).filter(); !errors.Is(err, mqttrt.ErrInvalidTopic) {
		t.Errorf("filter with a slash = %v", err)
	}

	for topic, want := range map[string]WildLevel{"logs/x/info/a/b": WildLevelInfo, "logs/x/warn": WildLevelWarn, "logs/x/other/z": "other"} {
		if p, err := ParseWildTopic(topic); err != nil || p.Level != want {
			t.Errorf("ParseWildTopic(%q) = %+v, %v", topic, p, err)
		}
	}
	if _, err := ParseWildTopic("logs/x"); err == nil {
		t.Error("ParseWildTopic(logs/x) accepted a topic without the level")
	}
	if !WildLevelInfo.Valid() || WildLevel("other").Valid() {
		t.Error("Valid does not follow the enum")
	}
	if f, err := (WildParams{Level: WildLevelWarn}).filter(); err != nil || f != "logs/+/warn/#" {
		t.Errorf("wild filter = %q, %v", f, err)
	}

	if p, err := ParseRepeatTopic("a/1/b/1"); err != nil || p.ID != "1" {
		t.Errorf("ParseRepeatTopic = %+v, %v", p, err)
	}
	if _, err := ParseRepeatTopic("a/1/b/2"); !errors.Is(err, mqttrt.ErrInvalidTopic) {
		t.Errorf("a repeated parameter with two values was accepted: %v", err)
	}
}

// TestPlainAgreesWithUnrolled: channel flat's parse and filter (the
// helpers matchAddress and fillFilter) give what channel unrolled's
// level-by-level code gives for the same address, on every topic of up
// to five levels made of the words below.
func TestPlainAgreesWithUnrolled(t *testing.T) {
	words := []string{"fleet", "v1", "a", "b", ""}
	topics := []string{""}
	for n, layer := 0, []string{""}; n < 5; n++ {
		var next []string
		for _, prefix := range layer {
			for _, w := range words {
				topic := w
				if n > 0 {
					topic = prefix + "/" + w
				}
				next = append(next, topic)
			}
		}
		topics, layer = append(topics, next...), next
	}
	accepted := 0
	for _, topic := range topics {
		p, err1 := ParseFlatTopic(topic)
		q, err2 := ParseUnrolledTopic(topic)
		if (err1 == nil) != (err2 == nil) || p.Region != q.Region || p.Device != string(q.Device) {
			t.Fatalf("topic %q: flat %+v, %v; unrolled %+v, %v", topic, p, err1, q, err2)
		}
		if err1 != nil && !errors.Is(err1, mqttrt.ErrInvalidTopic) {
			t.Fatalf("topic %q: %v, not ErrInvalidTopic", topic, err1)
		}
		if err1 == nil {
			accepted++
		}
	}
	if len(topics) != 3906 || accepted != 16 {
		t.Fatalf("%d topics, %d accepted; want 3906 and 16 (4 regions x 4 devices)", len(topics), accepted)
	}
	for _, region := range []string{"", "eu", "a/b", "+", "#", "x\x00"} {
		for _, device := range []string{"", "a", "b"} {
			f1, err1 := FlatParams{Region: region, Device: device}.filter()
			f2, err2 := UnrolledParams{Region: region, Device: UnrolledDevice(device)}.filter()
			if f1 != f2 || (err1 == nil) != (err2 == nil) {
				t.Fatalf("filter(%q, %q): flat %q, %v; unrolled %q, %v", region, device, f1, err1, f2, err2)
			}
			if err1 != nil && !errors.Is(err1, mqttrt.ErrInvalidTopic) {
				t.Fatalf("filter(%q, %q): %v, not ErrInvalidTopic", region, device, err1)
			}
		}
	}
}

func TestCodecs(t *testing.T) {
	data, err := encodeNote("hello", true)
	if err != nil || string(data) != "hello" {
		t.Errorf("encodeNote = %q, %v", data, err)
	}
	if _, err := decodeNote([]byte{0xff, 0xfe}, true); !errors.Is(err, mqttrt.ErrDecode) {
		t.Errorf("decodeNote(invalid UTF-8) = %v", err)
	}
	if b, err := decodeBlob([]byte{0, 1, 2}, true); err != nil || len(b) != 3 {
		t.Errorf("decodeBlob = %v, %v", b, err)
	}
	var c *Client
	_ = c.PublishPlain // a channel without parameters takes no params argument
}
`

// TestHandModelCompilesAndBehaves builds the hand model's package in a
// temporary module and runs handTest inside it.
func TestHandModelCompilesAndBehaves(t *testing.T) {
	_, files := emitHand(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	gomod := fmt.Sprintf("module hand.test\n\ngo 1.26\n\nrequire github.com/mqttgen/mqttgen v0.0.0\n\nreplace github.com/mqttgen/mqttgen => %s\n", root)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(mod, "hand")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	files["go.mod"], files["go.sum"], files["hand_test.go"] = []byte(gomod), sum, []byte(handTest)
	for name, data := range files {
		dir := pkg
		if name == "go.mod" || name == "go.sum" {
			dir = mod
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "vet", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet: %v\n%s", err, out)
	}
	cmd = exec.CommandContext(ctx, "go", "test", "-count=1", "./...")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generated package test: %v\n%s", err, out)
	}
}
