package contract

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// FuzzCheck: whatever a publisher sends, Check gives a verdict without
// panicking, its text is one printable line, and its JSON is JSON.
func FuzzCheck(f *testing.F) {
	w, err := NewWatcher(loadFuzz(f), WatchConfig{Role: generator.RoleBoth, Unknown: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("sensors/kitchen/temperature", []byte(`{"sensorId":"t","celsius":21.5}`))
	f.Add("sensors/a\x1b[2J\n/temperature", []byte("{\"sensorId\":\"\\u001b\",\"celsius\":150}"))
	f.Add("sensors/\xff/humidity", []byte("\xff\xfe"))
	f.Add("alerts/critical", []byte(`{"code":"x","message":"\n"}`))
	f.Add("gateway/gw/status", []byte("online\r\nforged"))
	f.Add("devices/d/config", []byte(`[[[[[[[[[[`))
	f.Add("", []byte(nil))
	f.Fuzz(func(t *testing.T, topic string, payload []byte) {
		r := w.Check(topic, payload)
		line := r.String()
		if !utf8.ValidString(line) || strings.ContainsFunc(line, unprintable) {
			t.Fatalf("not one printable line: %q", line)
		}
		data, err := json.Marshal(r)
		if err != nil || !json.Valid(data) {
			t.Fatalf("JSON %s: %v", data, err)
		}
	})
}

func loadFuzz(f *testing.F) *model.Document {
	f.Helper()
	doc, err := loader.Load(sensorGateway)
	if err != nil {
		f.Fatal(err)
	}
	return doc
}
