package templates

import "github.com/mqttgen/mqttgen/generator/model"

// FastPathsOf exposes fastPathsOf to the external tests.
func FastPathsOf(m *model.Message) (check, decode bool) {
	p := fastPathsOf(m)
	return p.check, p.decode
}
