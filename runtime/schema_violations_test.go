package runtime_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

func TestValidationErrorListsEveryViolation(t *testing.T) {
	s := mqttrt.MustCompileSchema("reading", readingSchema)
	err := s.ValidateJSON([]byte(`{"id":"nope","reading":{"celsius":-80}}`))
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, mqttrt.ErrValidation)
	got := map[string]string{}
	for _, v := range ve.Violations {
		got[v.Field] = v.Rule
	}
	assert.Equal(t, map[string]string{"/id": "format", "/reading/celsius": "minimum"}, got)
	assert.Equal(t, ve.Violations[0], mqttrt.Violation{Field: ve.Field, Rule: ve.Rule, Message: ve.Message})
	assert.Contains(t, err.Error(), "payload: 2 violations: ")
	assert.Contains(t, err.Error(), `field "/reading/celsius": minimum: must be >= -50 but found -80`)
}

func TestValidationErrorCapsViolations(t *testing.T) {
	s := mqttrt.MustCompileSchema("ints", `{"type":"array","items":{"type":"integer"}}`)
	items := make([]string, mqttrt.MaxViolations+3)
	for i := range items {
		items[i] = fmt.Sprintf(`"x%d"`, i)
	}
	err := s.ValidateJSON([]byte("[" + strings.Join(items, ",") + "]"))
	var ve *mqttrt.ValidationError
	require.True(t, errors.As(err, &ve), "got %v", err)
	assert.Len(t, ve.Violations, mqttrt.MaxViolations)
	assert.Equal(t, 3, ve.Omitted)
	assert.True(t, strings.HasSuffix(err.Error(), "; and 3 more"), err.Error())
	assert.Equal(t, "/0", ve.Field)
}

func TestValidationErrorSaysWhyEachVariantFailed(t *testing.T) {
	s := mqttrt.MustCompileSchema("location", `{"oneOf":[
		{"type":"object","required":["lat"],"properties":{"lat":{"type":"number","maximum":90}}},
		{"type":"object","required":["room"],"properties":{"room":{"type":"string"}}}]}`)
	err := s.ValidateJSON([]byte(`{"lat":100}`))
	var ve *mqttrt.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "oneOf", ve.Rule)
	assert.Len(t, ve.Violations, 1)
	assert.Contains(t, ve.Message, `variant 0: field "/lat": maximum:`)
	assert.Contains(t, ve.Message, `variant 1: required: missing properties: 'room'`)
}
