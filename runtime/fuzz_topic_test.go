package runtime_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mqttgen/mqttgen/runtime"
)

// The fuzz targets below compare the runtime's topic rules with reference
// implementations written differently on purpose (a byte scan instead of
// splitting, recursion instead of a loop), so a shared mistake is unlikely.
// Run one for longer with e.g.
//
//	go test ./runtime -run '^$' -fuzz FuzzTopicValidation -fuzztime 5m -parallel 1

// topicSeeds are the seeds shared by the topic fuzz targets: the edge cases
// of MQTT 3.1.1 section 4.7.
var topicSeeds = []string{
	"", "a", "/", "//", "a/b", "/a", "a/", "a//b", "+", "#", "a/+", "a/#", "+/+", "#/a", "a/#/b", "a#", "a+",
	"a/b#", "a/+b", "$SYS", "$SYS/x", "$SYS/#", "$share/g/a/#", "$share/g/#", "$share//a", "$share/g", "$share/g/",
	"$share/g+/a", "$share/g/a#", "$sharex/a", "a\x00b", "\xff", "\xc3", "é/ü", "sensors/+/temperature",
	"sensors/kitchen/temperature", "sensors/kitchen", "sensors/#", "a/b\n", "\x7f", "a\u0085", "\ufdd0/a", "a/\uffff",
	"\U0010fffe", "\ufeff",
}

// refRuneAllowed is the reference for the code points a topic may hold
// besides NUL: no control characters (C0 and C1, DEL) and no Unicode
// non-characters (MQTT 3.1.1 section 1.5.3; Mosquitto closes the
// connection on them).
func refRuneAllowed(r rune) bool {
	switch {
	case r <= 0x1f, r >= 0x7f && r <= 0x9f, r >= 0xfdd0 && r <= 0xfdef:
		return false
	case r%0x10000 == 0xfffe, r%0x10000 == 0xffff:
		return false
	}
	return true
}

func refRunesAllowed(s string) bool {
	for _, r := range s {
		if !refRuneAllowed(r) {
			return false
		}
	}
	return true
}

// refTopicValid is the reference for ValidateTopic.
func refTopicValid(s string) bool {
	if s == "" || len(s) > 65535 || !utf8.ValidString(s) || !refRunesAllowed(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] == '+' || s[i] == '#' {
			return false
		}
	}
	return true
}

// refFilterValid is the reference for ValidateFilter: a byte scan that
// checks the neighbours of every wildcard.
func refFilterValid(s string) bool {
	if s == "" || len(s) > 65535 || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 || !refRunesAllowed(s) {
		return false
	}
	if strings.HasPrefix(s, "$share/") {
		rest := s[len("$share/"):]
		slash := strings.IndexByte(rest, '/')
		if slash <= 0 || strings.ContainsAny(rest[:slash], "+#") || slash == len(rest)-1 {
			return false
		}
		s = rest[slash+1:]
	}
	for i := 0; i < len(s); i++ {
		startsLevel := i == 0 || s[i-1] == '/'
		endsLevel := i == len(s)-1 || s[i+1] == '/'
		switch s[i] {
		case '+':
			if !startsLevel || !endsLevel {
				return false
			}
		case '#':
			if !startsLevel || i != len(s)-1 {
				return false
			}
		}
	}
	return true
}

// refMatch is the reference for MatchTopic on valid input: recursion over
// levels, where # matches zero or more remaining levels.
func refMatch(filter, topic string) bool {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		_, filter, _ = strings.Cut(rest, "/")
	}
	if strings.HasPrefix(topic, "$") && (filter[0] == '+' || filter[0] == '#') {
		return false // [MQTT-4.7.2-1]
	}
	return refMatchLevels(strings.Split(filter, "/"), strings.Split(topic, "/"))
}

func refMatchLevels(f, t []string) bool {
	switch {
	case len(f) == 0:
		return len(t) == 0
	case f[0] == "#":
		return true
	case len(t) == 0:
		return false
	case f[0] == "+" || f[0] == t[0]:
		return refMatchLevels(f[1:], t[1:])
	}
	return false
}

// FuzzTopicValidation checks ValidateTopic and ValidateFilter against the
// references, and that every refusal wraps ErrInvalidTopic.
func FuzzTopicValidation(f *testing.F) {
	for _, s := range topicSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := runtime.ValidateTopic(s)
		if want := refTopicValid(s); (err == nil) != want {
			t.Fatalf("ValidateTopic(%q) = %v, reference says valid=%v", s, err, want)
		}
		if err != nil && !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Fatalf("ValidateTopic(%q) = %v, does not wrap ErrInvalidTopic", s, err)
		}
		err = runtime.ValidateFilter(s)
		if want := refFilterValid(s); (err == nil) != want {
			t.Fatalf("ValidateFilter(%q) = %v, reference says valid=%v", s, err, want)
		}
		if err != nil && !errors.Is(err, runtime.ErrInvalidTopic) {
			t.Fatalf("ValidateFilter(%q) = %v, does not wrap ErrInvalidTopic", s, err)
		}
		// Every valid topic is also a valid filter that matches itself
		// (unless it starts with $share/, which makes it a shared filter).
		if refTopicValid(s) && !strings.HasPrefix(s, "$share/") {
			if runtime.ValidateFilter(s) != nil || !runtime.MatchTopic(s, s) {
				t.Fatalf("valid topic %q is not a filter matching itself", s)
			}
		}
	})
}

// FuzzMatchTopic checks MatchTopic against the reference for every valid
// filter and topic, and that it never panics on invalid ones.
func FuzzMatchTopic(f *testing.F) {
	for _, fl := range topicSeeds {
		f.Add(fl, "sensors/kitchen/temperature")
		f.Add("sensors/+/temperature", fl)
		f.Add(fl, fl)
	}
	f.Add("a/#", "a")
	f.Add("#", "$SYS/x")
	f.Add("+/x", "$SYS/x")
	f.Add("$SYS/#", "$SYS/x")
	f.Add("+/+", "/")
	f.Add("/+", "/")
	f.Add("+", "")
	f.Fuzz(func(t *testing.T, filter, topic string) {
		got := runtime.MatchTopic(filter, topic) // must not panic, whatever the input
		if runtime.ValidateFilter(filter) != nil || runtime.ValidateTopic(topic) != nil {
			return
		}
		if want := refMatch(filter, topic); got != want {
			t.Fatalf("MatchTopic(%q, %q) = %v, reference says %v", filter, topic, got, want)
		}
	})
}

// FuzzCheckTopicParam checks that a value CheckTopicParam accepts fills
// exactly one level of a topic, so that no value can address another topic,
// and that it accepts every value that does.
func FuzzCheckTopicParam(f *testing.F) {
	for _, s := range topicSeeds {
		f.Add(s)
	}
	f.Add("kitchen")
	f.Add("..")
	f.Add(" ")
	f.Add("$SYS")
	f.Fuzz(func(t *testing.T, v string) {
		err := runtime.CheckTopicParam("p", v)
		refOK := v != "" && utf8.ValidString(v) && !strings.ContainsAny(v, "/+#\x00") && refRunesAllowed(v)
		if (err == nil) != refOK {
			t.Fatalf("CheckTopicParam(%q) = %v, reference says valid=%v", v, err, refOK)
		}
		if err != nil {
			if !errors.Is(err, runtime.ErrInvalidTopic) {
				t.Fatalf("CheckTopicParam(%q) = %v, does not wrap ErrInvalidTopic", v, err)
			}
			return
		}
		topic := "dev/" + v + "/state"
		if len(topic) > 65535 {
			return // too long for MQTT, refused by ValidateTopic when published
		}
		if err := runtime.ValidateTopic(topic); err != nil {
			t.Fatalf("accepted value %q makes an invalid topic: %v", v, err)
		}
		levels := strings.Split(topic, "/")
		if len(levels) != 3 || levels[1] != v {
			t.Fatalf("accepted value %q does not fill exactly one level: %q", v, levels)
		}
		if !runtime.MatchTopic("dev/+/state", topic) || runtime.MatchTopic("dev/other/state", topic) && v != "other" {
			t.Fatalf("accepted value %q: topic %q matched wrongly", v, topic)
		}
	})
}
