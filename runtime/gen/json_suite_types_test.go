package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Go types for suite groups, written as the generator's mapping gives them
// (see the package doc of NewJSON's contract). Group keys are
// "<file>/<index of the group in the file>".

type props0 struct {
	Foo *int64  `json:"foo,omitempty"`
	Bar *string `json:"bar,omitempty"`
}

type props1 struct {
	Foo      []json.RawMessage          `json:"foo,omitempty"`
	Bar      []json.RawMessage          `json:"bar,omitempty"`
	Patterns map[string]json.RawMessage `json:"-" mqttgen:"patterns"`
	Extra    map[string]int64           `json:"-" mqttgen:"extra"`
}

type props2 struct {
	Foo json.RawMessage `json:"foo,omitempty"`
	Bar json.RawMessage `json:"bar,omitempty"`
}

type props3 struct {
	NL    *float64 `json:"-" mqttgen:"name=foo\nbar"`
	Quote *float64 `json:"-" mqttgen:"name=foo\"bar"`
	BSlsh *float64 `json:"-" mqttgen:"name=foo\\bar"`
	CR    *float64 `json:"-" mqttgen:"name=foo\rbar"`
	Tab   *float64 `json:"-" mqttgen:"name=foo\tbar"`
	FF    *float64 `json:"-" mqttgen:"name=foo\fbar"`
}

type props4 struct {
	Foo json.RawMessage `json:"foo,omitempty"`
}

type props5 struct {
	Proto       *float64        `json:"__proto__,omitempty"`
	ToString    *props5ToString `json:"toString,omitempty"`
	Constructor *float64        `json:"constructor,omitempty"`
}

type props5ToString struct {
	Length *string `json:"length,omitempty"`
}

type required0 struct {
	Foo json.RawMessage `json:"foo"`
	Bar json.RawMessage `json:"bar,omitempty"`
}

type addProps0 struct {
	Foo      json.RawMessage            `json:"foo,omitempty"`
	Bar      json.RawMessage            `json:"bar,omitempty"`
	Patterns map[string]json.RawMessage `json:"-" mqttgen:"patterns"`
}

type addProps2 struct {
	Foo   json.RawMessage `json:"foo,omitempty"`
	Bar   json.RawMessage `json:"bar,omitempty"`
	Extra map[string]bool `json:"-" mqttgen:"extra"`
}

type enum3 struct {
	Foo *string `json:"foo,omitempty"`
	Bar string  `json:"bar"`
}

type sumIntOrMin struct {
	Integer *int64           `mqttgen:"variant"`
	Min     *json.RawMessage `mqttgen:"variant"`
}

type sumNumberOrAny struct {
	Number *float64         `mqttgen:"variant"`
	Any    *json.RawMessage `mqttgen:"variant"`
}

type withBar struct {
	Bar int64 `json:"bar"`
}

type withFoo struct {
	Foo string `json:"foo"`
}

type sumBarOrFoo struct {
	Bar *withBar `mqttgen:"variant"`
	Foo *withFoo `mqttgen:"variant"`
}

type oneOf9A struct {
	Bar json.RawMessage `json:"bar"`
	Baz json.RawMessage `json:"baz,omitempty"`
}

type oneOf9B struct {
	Foo json.RawMessage `json:"foo"`
}

type sumOneOf9 struct {
	A *oneOf9A `mqttgen:"variant"`
	B *oneOf9B `mqttgen:"variant"`
}

type allOf0 struct {
	Bar int64  `json:"bar"`
	Foo string `json:"foo"`
}

type allOf1 struct {
	Bar int64           `json:"bar"`
	Foo string          `json:"foo"`
	Baz json.RawMessage `json:"baz"`
}

type ref0 struct {
	Foo *ref0 `json:"foo,omitempty"`
}

type ref1 struct {
	Foo *int64 `json:"foo,omitempty"`
	Bar *int64 `json:"bar,omitempty"`
}

type ref3 struct {
	Tilde   *int64 `json:"tilde,omitempty"`
	Slash   *int64 `json:"slash,omitempty"`
	Percent *int64 `json:"percent,omitempty"`
}

type ref5 struct {
	Foo []json.RawMessage `json:"foo,omitempty"`
}

type ref8 struct {
	Ref *string `json:"$ref,omitempty"`
}

type ref13 struct {
	FooBar *float64 `json:"-" mqttgen:"name=foo\"bar"`
}

// typedGroup runs a group's instances through a codec of one Go type.
type typedGroup struct {
	run func(t *testing.T, g suiteGroup) tally
	// std: encoding/json can decode the type (no mqttgen-only names, no
	// sum type, no extra maps), so its result is compared.
	std bool
}

type tally struct{ valid, invalid, exceptions int }

func typed[T any](std bool) typedGroup {
	return typedGroup{std: std, run: func(t *testing.T, g suiteGroup) tally {
		return runTyped[T](t, g, std)
	}}
}

var typedGroups = map[string]typedGroup{
	"properties/0":           typed[props0](true),
	"properties/1":           typed[props1](false),
	"properties/2":           typed[props2](true),
	"properties/3":           typed[props3](false),
	"properties/4":           typed[props4](true),
	"properties/5":           typed[props5](true),
	"required/0":             typed[required0](true),
	"required/1":             typed[props4](true),
	"required/2":             typed[props4](true),
	"required/3":             typed[map[string]json.RawMessage](true),
	"required/4":             typed[map[string]json.RawMessage](true),
	"additionalProperties/0": typed[addProps0](false),
	"additionalProperties/2": typed[addProps2](false),
	"additionalProperties/3": typed[map[string]bool](true),
	"additionalProperties/4": typed[props2](true),
	"additionalProperties/6": typed[map[string]json.RawMessage](true),
	"patternProperties/0":    typed[map[string]int64](false),
	"patternProperties/4":    typed[map[string]json.RawMessage](false),
	"items/0":                typed[[]int64](true),
	"items/1":                typed[[]json.RawMessage](true),
	"items/2":                typed[[]json.RawMessage](true),
	"items/3":                typed[[]json.RawMessage](true),
	"items/4":                typed[[]json.RawMessage](true),
	"items/5":                typed[[]json.RawMessage](true),
	"items/6":                typed[[][][][]float64](true),
	"items/7":                typed[[]json.RawMessage](true),
	"items/8":                typed[[]json.RawMessage](true),
	"additionalItems/0":      typed[[]json.RawMessage](true),
	"additionalItems/1":      typed[[]int64](true),
	"additionalItems/2":      typed[[]json.RawMessage](true),
	"additionalItems/3":      typed[[]json.RawMessage](true),
	"additionalItems/5":      typed[[]json.RawMessage](true),
	"additionalItems/7":      typed[[]json.RawMessage](true),
	"additionalItems/8":      typed[[]json.RawMessage](true),
	"enum/0":                 typed[int64](true),
	"enum/1":                 typed[json.RawMessage](true),
	"enum/2":                 typed[*int64](true),
	"enum/3":                 typed[enum3](true),
	"enum/4":                 typed[string](true),
	"enum/5":                 typed[bool](true),
	"enum/7":                 typed[bool](true),
	"enum/9":                 typed[int64](true),
	"enum/11":                typed[int64](true),
	"enum/13":                typed[string](true),
	"const/0":                typed[int64](true),
	"const/1":                typed[json.RawMessage](true),
	"const/3":                typed[json.RawMessage](true),
	"const/4":                typed[bool](true),
	"const/5":                typed[bool](true),
	"const/10":               typed[int64](true),
	"const/11":               typed[int64](true),
	"const/12":               typed[float64](true),
	"const/13":               typed[int64](true),
	"const/14":               typed[string](true),
	"const/15":               typed[string](true),
	"const/16":               typed[string](true),
	"type/0":                 typed[int64](true),
	"type/1":                 typed[float64](true),
	"type/2":                 typed[string](true),
	"type/3":                 typed[map[string]json.RawMessage](true),
	"type/4":                 typed[[]json.RawMessage](true),
	"type/5":                 typed[bool](true),
	"type/6":                 typed[json.RawMessage](true),
	"type/7":                 typed[json.RawMessage](true),
	"type/8":                 typed[string](true),
	"minimum/0":              typed[float64](true),
	"minimum/1":              typed[float64](true),
	"maximum/0":              typed[float64](true),
	"maximum/1":              typed[float64](true),
	"multipleOf/0":           typed[int64](true),
	"multipleOf/1":           typed[float64](true),
	"multipleOf/2":           typed[float64](true),
	"multipleOf/3":           typed[int64](true),
	"multipleOf/4":           typed[int64](true),
	"anyOf/0":                typed[sumIntOrMin](false),
	"anyOf/1":                typed[string](true),
	"anyOf/5":                typed[sumBarOrFoo](false),
	"anyOf/6":                typed[sumNumberOrAny](false),
	"oneOf/0":                typed[sumIntOrMin](false),
	"oneOf/1":                typed[string](true),
	"oneOf/6":                typed[sumBarOrFoo](false),
	"oneOf/7":                typed[sumNumberOrAny](false),
	"oneOf/9":                typed[sumOneOf9](false),
	"allOf/0":                typed[allOf0](true),
	"allOf/1":                typed[allOf1](true),
	"allOf/2":                typed[float64](true),
	"allOf/11":               typed[int64](true),
	"ref/0":                  typed[ref0](true),
	"ref/1":                  typed[ref1](true),
	"ref/2":                  typed[[]json.RawMessage](true),
	"ref/3":                  typed[ref3](true),
	"ref/4":                  typed[int64](true),
	"ref/5":                  typed[ref5](true),
	"ref/8":                  typed[ref8](true),
	"ref/9":                  typed[ref8](true),
	"ref/13":                 typed[ref13](false),
	"dependencies/0":         typed[map[string]json.RawMessage](true),
	"dependencies/1":         typed[map[string]json.RawMessage](true),
	"dependencies/2":         typed[map[string]json.RawMessage](true),
	"dependencies/3":         typed[map[string]json.RawMessage](true),
	"dependencies/4":         typed[map[string]json.RawMessage](true),
	"dependencies/5":         typed[map[string]json.RawMessage](true),
	"boolean_schema/0":       typed[json.RawMessage](true),
	"boolean_schema/1":       typed[json.RawMessage](true),
	"minLength/0":            typed[string](true),
	"minLength/1":            typed[string](true),
	"maxLength/0":            typed[string](true),
	"maxLength/1":            typed[string](true),
	"uniqueItems/0":          typed[[]json.RawMessage](true),
	"uniqueItems/1":          typed[[]json.RawMessage](true),
	"uniqueItems/2":          typed[[]json.RawMessage](true),
	"uniqueItems/3":          typed[[]json.RawMessage](true),
	"uniqueItems/4":          typed[[]json.RawMessage](true),
	"uniqueItems/5":          typed[[]json.RawMessage](true),
}

// TestSuiteTyped decodes every instance of the groups above into its Go
// type: a valid one must decode (unless the type cannot hold its kind of
// value: an exception, counted), re-encode to a valid payload and decode
// again to an equal value, and match encoding/json's result where
// encoding/json can decode the type; an invalid one must be refused with
// a ValidationError, and with validation off either decode or be refused
// with ErrDecode.
func TestSuiteTyped(t *testing.T) {
	groups, _ := suiteGroups(t)
	var total tally
	for key, tg := range typedGroups {
		var file string
		var index int
		_, err := fmt.Sscanf(key, "%s", &file)
		require.NoError(t, err)
		for i := len(key) - 1; i >= 0; i-- {
			if key[i] == '/' {
				file = key[:i]
				_, err = fmt.Sscanf(key[i+1:], "%d", &index)
				require.NoError(t, err)
				break
			}
		}
		require.Less(t, index, len(groups[file]), key)
		g := groups[file][index]
		t.Run(key, func(t *testing.T) {
			n := tg.run(t, g)
			total.valid += n.valid
			total.invalid += n.invalid
			total.exceptions += n.exceptions
		})
	}
	t.Logf("%d groups: %d valid instances decoded and re-encoded, %d invalid refused, %d exceptions (a Go type that cannot hold the instance's kind of value)",
		len(typedGroups), total.valid, total.invalid, total.exceptions)
}

func runTyped[T any](t *testing.T, g suiteGroup, std bool) tally {
	var n tally
	c := NewJSON[T](NewSchemas(string(g.Schema)), "")
	for _, tc := range g.Tests {
		where := g.Description + ": " + tc.Description
		v, err := Decode[T](c, tc.Data, true)
		plain, plainErr := Decode[T](c, tc.Data, false)
		if plainErr != nil {
			require.ErrorIs(t, plainErr, mqttrt.ErrDecode, where)
		}
		if !tc.Valid {
			var ve *mqttrt.ValidationError
			require.True(t, errors.As(err, &ve), "%s: want a ValidationError, got %v", where, err)
			n.invalid++
			continue
		}
		if k := holds[T](); k != 0 && k != kindOf(tc.Data) {
			// The Go type cannot hold this kind of value: refused, or (null
			// into a struct, as encoding/json does) left zero.
			if err != nil {
				require.ErrorIs(t, err, mqttrt.ErrDecode, where)
			}
			t.Logf("exception: %s: %T cannot hold %s", where, *new(T), tc.Data)
			n.exceptions++
			continue
		}
		var de *DecodeError
		if errors.As(err, &de) && strings.HasPrefix(de.Reason, "expected ") {
			// A value inside that the Go type cannot hold, e.g. false for
			// a property whose type is a struct.
			t.Logf("exception: %s: %v", where, err)
			n.exceptions++
			continue
		}
		require.NoError(t, err, where)
		require.NoError(t, plainErr, where)
		require.Equal(t, v, plain, where)
		n.valid++
		data, err := Encode(c, &v, true)
		require.NoError(t, err, "%s: re-encode", where)
		again, err := Decode[T](c, data, true)
		require.NoError(t, err, "%s: decode %s", where, data)
		require.Equal(t, v, again, "%s: %s", where, data)
		if std {
			var w T
			if json.Unmarshal(tc.Data, &w) == nil {
				require.Equal(t, w, v, "%s: encoding/json decodes otherwise", where)
			}
		}
	}
	return n
}

// kindOf is the JSON kind of a value: '{', '[', '"', '0', 't' or 'n'.
func kindOf(data []byte) byte {
	sc := newScanner(data)
	k := sc.next()
	if k == 'f' {
		k = 't'
	}
	return k
}

// holds is the kind of value a Go type holds, 0 for any.
func holds[T any]() byte {
	switch any(new(T)).(type) {
	case *json.RawMessage:
		return 0
	case *string:
		return '"'
	case *int64, *float64:
		return '0'
	case *bool:
		return 't'
	case **int64:
		return 0
	case *[]json.RawMessage, *[]int64, *[][][][]float64:
		return '['
	}
	return '{'
}
