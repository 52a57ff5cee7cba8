package loader

import (
	"math"
	"strconv"
	"strings"
)

// value decodes n as JSON would: nil, bool, int64 or float64, string,
// []any, map[string]any.
func value(n *node) any {
	if n == nil {
		return nil
	}
	return jsonValue(n, false)
}

// scalar decodes a scalar by its resolved YAML tag.
func scalar(n *node) any {
	switch n.tag {
	case "!!null":
		return nil
	case "!!bool":
		b, err := strconv.ParseBool(strings.ToLower(n.value))
		if err == nil {
			return b
		}
	case "!!int":
		if i, ok := parseInt(n.value); ok {
			return i
		}
		if f, err := strconv.ParseFloat(n.value, 64); err == nil {
			return f
		}
	case "!!float":
		if f, ok := parseFloat(n.value); ok {
			return f
		}
	}
	return n.value
}

func parseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	i, err := strconv.ParseInt(s, 0, 64)
	return i, err == nil
}

func parseFloat(s string) (float64, bool) {
	switch strings.ToLower(s) {
	case ".inf", "+.inf":
		return math.Inf(1), true
	case "-.inf":
		return math.Inf(-1), true
	case ".nan":
		return math.NaN(), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	return f, err == nil
}

// number returns a numeric scalar as float64.
func number(n *node) (float64, bool) {
	if n == nil || n.kind != scalarNode {
		return 0, false
	}
	switch v := scalar(n).(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// integer returns an integral numeric scalar as int.
func integer(n *node) (int, bool) {
	f, ok := number(n)
	if !ok || f != math.Trunc(f) || f > math.MaxInt32 || f < math.MinInt32 {
		return 0, false
	}
	return int(f), true
}
