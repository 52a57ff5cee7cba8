package runtime_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/mqttgen/mqttgen/runtime"
)

func TestValidateTopic(t *testing.T) {
	ok := []string{"a", "a/b", "/a", "a/", "a//b", "$SYS/x", "é/ü", strings.Repeat("a", 65535)}
	for _, topic := range ok {
		if err := runtime.ValidateTopic(topic); err != nil {
			t.Errorf("ValidateTopic(%.20q) = %v, want nil", topic, err)
		}
	}
	bad := map[string]string{
		"":                         "empty",
		"a/+":                      "wildcards",
		"a/#":                      "wildcards",
		"a+b":                      "wildcards",
		"a\x00b":                   "NUL",
		"a\xffb":                   "UTF-8",
		strings.Repeat("a", 65536): "65536 bytes",
	}
	for topic, reason := range bad {
		err := runtime.ValidateTopic(topic)
		if !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("ValidateTopic(%.20q) = %v, want ErrInvalidTopic", topic, err)
			continue
		}
		if !strings.Contains(err.Error(), reason) {
			t.Errorf("ValidateTopic(%.20q) = %q, want the reason %q", topic, err, reason)
		}
	}
}

func TestValidateFilter(t *testing.T) {
	ok := []string{"a", "#", "+", "a/#", "a/+/b", "+/+", "/+", "$share/g/a/#", "$share/g/#", "$SYS/#"}
	for _, f := range ok {
		if err := runtime.ValidateFilter(f); err != nil {
			t.Errorf("ValidateFilter(%q) = %v, want nil", f, err)
		}
	}
	bad := map[string]string{
		"":              "empty",
		"a/#/b":         "last level",
		"a#":            "whole level",
		"a/b#":          "whole level",
		"a+/b":          "whole level",
		"a/+b":          "whole level",
		"a\x00":         "NUL",
		"\xc3":          "UTF-8",
		"$share//a":     "group must not be empty",
		"$share/g":      "needs a filter",
		"$share/g/":     "needs a filter",
		"$share/g+/a":   "must not contain",
		"$share/g/a#":   "whole level",
		"$share/g/a/#/": "last level",
	}
	for f, reason := range bad {
		err := runtime.ValidateFilter(f)
		if !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("ValidateFilter(%q) = %v, want ErrInvalidTopic", f, err)
			continue
		}
		if !strings.Contains(err.Error(), reason) {
			t.Errorf("ValidateFilter(%q) = %q, want the reason %q", f, err, reason)
		}
	}
}

func TestMatchTopic(t *testing.T) {
	cases := []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/b", "a/b/c", false},
		{"a/b/c", "a/b", false},
		{"a/+", "a/b", true},
		{"a/+", "a/", true}, // + matches an empty level
		{"a/+", "a", false},
		{"a/+", "a/b/c", false},
		{"+/+", "/x", true},
		{"+", "/x", false},
		{"a/#", "a", true}, // # includes the parent level [MQTT-4.7.1-2]
		{"a/#", "a/b/c", true},
		{"a/#", "ab", false},
		{"#", "a/b", true},
		{"#", "/", true},
		{"#", "$SYS/x", false}, // [MQTT-4.7.2-1]
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"$SYS/+", "$SYS/x", true},
		{"a/+/c", "a/b/c", true},
		{"a/+/c", "a/b/d", false},
		{"$share/g/a/+", "a/b", true},
		{"$share/g/a/+", "x/b", false},
	}
	for _, c := range cases {
		if got := runtime.MatchTopic(c.filter, c.topic); got != c.want {
			t.Errorf("MatchTopic(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}

func TestCheckTopicParam(t *testing.T) {
	for _, v := range []string{"dev-1", "é", "a.b", "$x", " "} {
		if err := runtime.CheckTopicParam("id", v); err != nil {
			t.Errorf("CheckTopicParam(%q) = %v", v, err)
		}
	}
	for _, v := range []string{"", "a/b", "/", "+", "#", "a+", "x\x00", "\xff"} {
		err := runtime.CheckTopicParam("deviceId", v)
		if !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("CheckTopicParam(%q) = %v, want ErrInvalidTopic", v, err)
			continue
		}
		if !strings.Contains(err.Error(), "deviceId") || !strings.Contains(err.Error(), fmt.Sprintf("%q", v)) {
			t.Errorf("CheckTopicParam(%q) = %q, want the name and the quoted value", v, err)
		}
	}
}

func TestSharedFilter(t *testing.T) {
	got, err := runtime.SharedFilter("workers", "jobs/+")
	if err != nil || got != "$share/workers/jobs/+" {
		t.Fatalf("SharedFilter = %q, %v", got, err)
	}
	for _, g := range []string{"", "a/b", "a+", "#"} {
		if _, err := runtime.SharedFilter(g, "x"); !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Errorf("SharedFilter(%q) = %v, want ErrInvalidTopic", g, err)
		}
	}
	if _, err := runtime.SharedFilter("g", "a/#/b"); !errors.Is(err, runtime.ErrInvalidTopic) {
		t.Errorf("SharedFilter with a bad filter = %v, want ErrInvalidTopic", err)
	}
}
