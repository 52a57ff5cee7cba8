package contract

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// numberValues lists a few numbers within the schema's bounds, on its
// multipleOf grid, starting from the lower bound (else from the upper one
// when it is negative, else from 0); off a grid, one that is not an
// integer too.
func numberValues(f *model.Schema, integer bool) []any {
	lo, hi := math.Inf(-1), math.Inf(1)
	loOpen, hiOpen := false, false
	if f.Minimum != nil {
		lo = *f.Minimum
	}
	if f.ExclusiveMinimum != nil && *f.ExclusiveMinimum >= lo {
		lo, loOpen = *f.ExclusiveMinimum, true
	}
	if f.Maximum != nil {
		hi = *f.Maximum
	}
	if f.ExclusiveMaximum != nil && *f.ExclusiveMaximum <= hi {
		hi, hiOpen = *f.ExclusiveMaximum, true
	}
	step, grid := 1.0, integer
	if f.MultipleOf != nil && *f.MultipleOf > 0 {
		step, grid = *f.MultipleOf, true
		if integer {
			step = integerStep(step)
		}
	}
	inside := func(v float64) bool {
		return !math.IsInf(v, 0) && !math.IsNaN(v) &&
			(v > lo || !loOpen && v == lo) && (v < hi || !hiOpen && v == hi)
	}
	var tries []float64
	switch {
	case !math.IsInf(lo, -1):
		start := lo
		if grid {
			start = math.Ceil(lo/step) * step
		}
		tries = []float64{start, start + step, start + 2*step}
	case !math.IsInf(hi, 1) && hi <= 0:
		start := hi
		if grid {
			start = math.Floor(hi/step) * step
		}
		tries = []float64{start, start - step, start - 2*step}
	default:
		tries = []float64{0, step, 2 * step}
	}
	if !grid && !math.IsInf(lo, -1) && !math.IsInf(hi, 1) {
		tries = append(tries, lo+(hi-lo)/2)
	}
	if !grid {
		// A number that is not an integer, for what tells numbers from
		// integers (oneOf [number, integer], not: {type: integer}).
		tries = append(tries, tries[0]+0.5)
	}
	var out []any
	for _, v := range tries {
		v = roundTo(v, step, grid)
		if !inside(v) {
			continue
		}
		var n any = v
		if integer && math.Abs(v) < 1<<53 {
			n = int64(v)
		}
		if !slices.ContainsFunc(out, func(w any) bool { return sameValue(w, n) }) {
			out = append(out, n)
		}
	}
	return out
}

// integerStep is the smallest integer multiple of step (for an integer
// with a fractional multipleOf such as 0.5), or step when none is near.
func integerStep(step float64) float64 {
	for k := 1.0; k <= 1000; k++ {
		if v := k * step; v == math.Trunc(v) {
			return v
		}
	}
	return step
}

// roundTo removes the binary noise of k*step (7*0.01 is 0.07000000000000001)
// by rounding to the decimals step is written with: the validator reads
// the number from its JSON text, exactly.
func roundTo(v, step float64, grid bool) float64 {
	if !grid {
		return v
	}
	s := strconv.FormatFloat(step, 'f', -1, 64)
	decimals := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		decimals = len(s) - i - 1
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', decimals, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// formatValues are valid values of the formats the validator asserts.
var formatValues = map[string]string{
	"date-time":             "2024-01-01T12:00:00Z",
	"date":                  "2024-01-01",
	"time":                  "12:00:00Z",
	"duration":              "P1D",
	"period":                "2024-01-01T00:00:00Z/P1D",
	"email":                 "user@example.com",
	"idn-email":             "user@example.com",
	"hostname":              "example.com",
	"idn-hostname":          "example.com",
	"ipv4":                  "192.0.2.1",
	"ip-address":            "192.0.2.1",
	"ipv6":                  "2001:db8::1",
	"uri":                   "https://example.com/",
	"iri":                   "https://example.com/",
	"uri-reference":         "https://example.com/",
	"uriref":                "https://example.com/",
	"iri-reference":         "https://example.com/",
	"uri-template":          "https://example.com/{id}",
	"regex":                 "^example$",
	"json-pointer":          "/example",
	"relative-json-pointer": "0",
	"uuid":                  "123e4567-e89b-42d3-a456-426614174000",
	"byte":                  "ZXhhbXBsZQ==",
}

// maxStringLen bounds the strings built for minLength.
const maxStringLen = 1 << 16

// stringValues lists strings for a string schema: its format's value, a
// string matching its pattern, or "example" (fitted to minLength and
// maxLength), then numbered variants for uniqueItems arrays. hint says
// why no string could be made for the pattern, if so.
func stringValues(f *model.Schema) (values []any, hint string) {
	minLen, maxLen := 0, -1
	if f.MinLength != nil {
		minLen = *f.MinLength
	}
	if f.MaxLength != nil {
		maxLen = *f.MaxLength
	}
	if minLen > maxStringLen {
		return nil, fmt.Sprintf("minLength %d is longer than the strings the mock builds (%d characters)", minLen, maxStringLen)
	}
	var out []string
	if v, ok := formatValues[f.Format]; ok {
		out = append(out, v)
	}
	if f.Pattern != "" {
		v, err := patternString(f.Pattern, minLen, maxLen)
		if err != nil {
			return nil, err.Error()
		}
		out = append(out, v)
	} else {
		for i := range 4 {
			word := "example"
			if i > 0 {
				word = fmt.Sprintf("example%d", i)
			}
			out = append(out, fit(word, minLen, maxLen))
		}
	}
	out = slices.Compact(out)
	values = make([]any, len(out))
	for i, s := range out {
		values[i] = s
	}
	return values, ""
}

// fit pads s with x up to minLen characters and cuts it to maxLen (-1:
// no limit).
func fit(s string, minLen, maxLen int) string {
	r := []rune(s)
	for len(r) < minLen {
		r = append(r, 'x')
	}
	if maxLen >= 0 && len(r) > maxLen {
		r = r[:maxLen]
	}
	return string(r)
}
