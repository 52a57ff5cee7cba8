package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// validate takes -i like every other command, and says where flags go
// when they follow SPEC (the flag package stops reading at SPEC).
func TestValidateTakesIAndPointsOutFlagsAfterSPEC(t *testing.T) {
	code, out, errs := runCLI("", "validate", "-i", spec)
	assert.Equal(t, 0, code, errs)
	assert.Empty(t, out)

	code, _, errs = runCLI("", "validate", "-strict", "-i", spec)
	assert.Equal(t, 0, code, errs)

	code, out, errs = runCLI("", "validate", spec, "-role", "app")
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, errs, "want exactly one SPEC, got 3 (flags go before SPEC: mqttgen validate -role app "+spec+")")
	assert.Contains(t, errs, `run "mqttgen validate -h"`)

	code, _, errs = runCLI("", "validate", "-i", spec, spec)
	assert.Equal(t, 2, code)
	assert.Contains(t, errs, "want exactly one SPEC, got 2\n")
}
