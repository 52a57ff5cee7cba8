package runtime

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxTopicBytes is the longest topic or filter MQTT can carry: the length
// prefix of a UTF-8 string is two bytes [MQTT-1.5.3].
const maxTopicBytes = 65535

// sharePrefix starts a shared subscription filter: $share/<group>/<filter>.
const sharePrefix = "$share/"

// ValidateTopic reports whether topic may be used in a PUBLISH. It refuses
// an empty topic [MQTT-4.7.3-1], wildcards [MQTT-3.3.2-2], NUL
// [MQTT-4.7.3-2], invalid UTF-8 [MQTT-1.5.3-1], control characters and
// Unicode non-characters (a broker may close the connection on them, MQTT
// 3.1.1 section 1.5.3) and topics over 65535 bytes [MQTT-4.7.3-3]. The error wraps ErrInvalidTopic and says why.
func ValidateTopic(topic string) error {
	if reason := checkUTF8String(topic); reason != "" {
		return invalidTopic("topic", topic, reason)
	}
	if strings.ContainsAny(topic, "+#") {
		return invalidTopic("topic", topic, "wildcards + and # are not allowed in a topic name [MQTT-3.3.2-2]")
	}
	return nil
}

// ValidateFilter reports whether filter may be used in a SUBSCRIBE or
// UNSUBSCRIBE. Besides the checks of ValidateTopic it requires # to be the
// whole last level [MQTT-4.7.1-2] and + to be a whole level [MQTT-4.7.1-3].
// A shared subscription $share/<group>/<filter> is accepted when the group
// is a non-empty level without wildcards and the rest is a valid filter.
func ValidateFilter(filter string) error {
	if reason := checkUTF8String(filter); reason != "" {
		return invalidTopic("filter", filter, reason)
	}
	plain := filter
	if rest, ok := strings.CutPrefix(filter, sharePrefix); ok {
		group, f, found := strings.Cut(rest, "/")
		if reason := checkShareGroup(group); reason != "" {
			return invalidTopic("filter", filter, reason)
		}
		if !found || f == "" {
			return invalidTopic("filter", filter, "a shared subscription needs a filter after $share/<group>/")
		}
		plain = f
	}
	if reason := checkFilterLevels(plain); reason != "" {
		return invalidTopic("filter", filter, reason)
	}
	return nil
}

// CheckTopicParam reports whether value may be substituted for the topic
// parameter name. A value must fill exactly one level: it may not be empty
// or contain /, + or #, so no value can change which topic is addressed.
// NUL, invalid UTF-8, control characters and non-characters are refused
// too. The error wraps ErrInvalidTopic and names the parameter and the
// value.
func CheckTopicParam(name, value string) error {
	var reason string
	switch {
	case value == "":
		reason = "must not be empty"
	case !utf8.ValidString(value):
		reason = "is not valid UTF-8 [MQTT-1.5.3-1]"
	case strings.ContainsRune(value, 0):
		reason = "must not contain NUL [MQTT-4.7.3-2]"
	case hasForbiddenRune(value):
		reason = forbiddenRuneReason(value)
	case strings.Contains(value, "/"):
		reason = "must not contain / (it would add a topic level)"
	case strings.ContainsAny(value, "+#"):
		reason = "must not contain the wildcards + or #"
	default:
		return nil
	}
	return fmt.Errorf("%w: parameter %s = %q: %s", ErrInvalidTopic, name, clip(value), reason)
}

// SharedFilter returns the shared subscription $share/<group>/<filter>, so
// that the clients of one group share the messages matching filter. The
// group must be a non-empty level without /, + or #.
func SharedFilter(group, filter string) (string, error) {
	if reason := checkShareGroup(group); reason != "" {
		return "", fmt.Errorf("%w: share group %q: %s", ErrInvalidTopic, clip(group), reason)
	}
	shared := sharePrefix + group + "/" + filter
	if err := ValidateFilter(shared); err != nil {
		return "", err
	}
	return shared, nil
}

// MatchTopic reports whether topic matches filter under MQTT 3.1.1 rules:
// + matches one level, # the rest (including the parent level itself, so
// "a/#" matches "a"), and a topic starting with $ is not matched by a filter
// starting with a wildcard [MQTT-4.7.2-1]. A shared filter matches by its
// filter part.
func MatchTopic(filter, topic string) bool {
	filter = routeFilter(filter)
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	for {
		fl, frest, fmore := strings.Cut(filter, "/")
		if fl == "#" {
			return true
		}
		tl, trest, tmore := strings.Cut(topic, "/")
		if fl != "+" && fl != tl {
			return false
		}
		switch {
		case !fmore && !tmore:
			return true
		case !tmore:
			// "a/#" matches "a": # also covers the parent level [MQTT-4.7.1-2].
			return frest == "#"
		case !fmore:
			return false
		}
		filter, topic = frest, trest
	}
}

// routeFilter strips the $share/<group>/ prefix: the broker delivers the
// messages of a shared subscription under their own topics.
func routeFilter(filter string) string {
	if rest, ok := strings.CutPrefix(filter, sharePrefix); ok {
		if _, f, found := strings.Cut(rest, "/"); found {
			return f
		}
	}
	return filter
}

// checkUTF8String applies the rules shared by topics and filters and returns
// why s is refused, or "".
func checkUTF8String(s string) string {
	if s == "" {
		return "must not be empty [MQTT-4.7.3-1]"
	}
	return checkMQTTString(s)
}

// checkMQTTString says why s cannot be an MQTT UTF-8 encoded string (a
// topic, a client ID, a user name), or "".
func checkMQTTString(s string) string {
	switch {
	case len(s) > maxTopicBytes:
		return fmt.Sprintf("is %d bytes long, the limit is %d [MQTT-1.5.3]", len(s), maxTopicBytes)
	case !utf8.ValidString(s):
		return "is not valid UTF-8 [MQTT-1.5.3-1]"
	case strings.ContainsRune(s, 0):
		return "must not contain NUL [MQTT-1.5.3-2]"
	case hasForbiddenRune(s):
		return forbiddenRuneReason(s)
	}
	return ""
}

// hasForbiddenRune reports whether valid UTF-8 s holds a control character
// (U+0001–U+001F, U+007F–U+009F) or a Unicode non-character (U+FDD0–U+FDEF,
// U+nFFFE, U+nFFFF). MQTT 3.1.1 (section 1.5.3) lets a receiver close the
// connection on them, and Mosquitto does: a QoS 0 publish was lost without
// an error, and a QoS 1/2 one in a persistent session was resent, and the
// connection closed, on every reconnection.
func hasForbiddenRune(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == 0x7f:
			return true
		case c >= utf8.RuneSelf:
			for _, r := range s[i:] {
				if forbiddenRune(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

func forbiddenRune(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}

// forbiddenRuneReason names the first code point hasForbiddenRune found.
func forbiddenRuneReason(s string) string {
	i := strings.IndexFunc(s, forbiddenRune)
	r, _ := utf8.DecodeRuneInString(s[i:])
	return fmt.Sprintf("must not contain %U, a control character or non-character a broker may close the connection on (MQTT 3.1.1, 1.5.3)", r)
}

// checkFilterLevels checks the placement of wildcards in a filter.
func checkFilterLevels(filter string) string {
	levels := strings.Split(filter, "/")
	for i, level := range levels {
		switch {
		case level == "#" && i != len(levels)-1:
			return "# must be the last level [MQTT-4.7.1-2]"
		case level != "#" && strings.Contains(level, "#"):
			return "# must occupy a whole level [MQTT-4.7.1-2]"
		case level != "+" && strings.Contains(level, "+"):
			return "+ must occupy a whole level [MQTT-4.7.1-3]"
		}
	}
	return ""
}

func checkShareGroup(group string) string {
	switch {
	case group == "":
		return "share group must not be empty"
	case strings.ContainsAny(group, "/+#"):
		return "share group must not contain /, + or #"
	case !utf8.ValidString(group) || strings.ContainsRune(group, 0) || hasForbiddenRune(group):
		return "share group must be valid UTF-8 without NUL, control characters or non-characters"
	}
	return ""
}

func invalidTopic(kind, s, reason string) error {
	return fmt.Errorf("%w: %s %q: %s", ErrInvalidTopic, kind, clip(s), reason)
}

// clip shortens s for an error message: a 64 KiB topic helps no one.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
