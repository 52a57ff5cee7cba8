package contract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/generator"
	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// bigDocument has n channels dev/{id}/m<i>, each with an object payload.
func bigDocument(n int) string {
	var b strings.Builder
	b.WriteString("asyncapi: 3.0.0\ninfo: {title: big, version: '1'}\nchannels:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d: {address: 'dev/{id}/m%d', parameters: {id: {}}, messages: {m: {payload: {type: object}}}}\n", i, i)
	}
	return b.String()
}

// BenchmarkCheckManyChannels: the verdict on one message of a document
// with many channels, the last of which the topic belongs to.
func BenchmarkCheckManyChannels(b *testing.B) {
	for _, n := range []int{10, 300, 3000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w, err := NewWatcher(loadTextB(b, bigDocument(n)), WatchConfig{Role: generator.RoleBoth})
			if err != nil {
				b.Fatal(err)
			}
			topic := fmt.Sprintf("dev/1/m%d", n-1)
			b.ReportAllocs()
			for b.Loop() {
				if r := w.Check(topic, []byte(`{}`)); r.Status != StatusOK {
					b.Fatal(r)
				}
			}
		})
	}
}

func loadTextB(b *testing.B, text string) *model.Document {
	b.Helper()
	doc, err := loader.LoadBytes("bench.yaml", []byte(text))
	if err != nil {
		b.Fatal(err)
	}
	return doc
}
