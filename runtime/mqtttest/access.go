package mqtttest

import (
	"bytes"
	"fmt"
	"strings"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
)

// accessHook gives the embedded broker Mosquitto's login and ACL rules.
// mochi's own ledger hook allows whatever no ACL rule mentions, while a
// Mosquitto acl_file denies it; a test's ACL must mean the same on both
// brokers, hence this small hook.
type accessHook struct {
	mqtt.HookBase
	users map[string]string // name → password; empty: anonymous allowed
	acl   *aclFile          // nil: everything allowed
}

func newAccessHook(users []login, acl string) (*accessHook, error) {
	h := &accessHook{users: map[string]string{}}
	for _, u := range users {
		h.users[u.name] = u.password
	}
	if acl != "" {
		a, err := parseACL(acl)
		if err != nil {
			return nil, err
		}
		h.acl = a
	}
	return h, nil
}

// ID names the hook in mochi's logs.
func (h *accessHook) ID() string { return "mqtttest-access" }

// Provides tells mochi which events the hook handles.
func (h *accessHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

// OnConnectAuthenticate accepts anyone when no user is configured, else
// only a known user with the right password.
func (h *accessHook) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	if len(h.users) == 0 {
		return true
	}
	pw, ok := h.users[string(pk.Connect.Username)]
	return ok && pk.Connect.PasswordFlag && pw == string(pk.Connect.Password)
}

// OnACLCheck applies the ACL to a publish (write) or subscribe (read).
func (h *accessHook) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if h.acl == nil {
		return true
	}
	return h.acl.allows(string(cl.Properties.Username), cl.ID, topic, write)
}

// aclAccess is what an ACL line grants.
type aclAccess int

const (
	aclRead aclAccess = 1 << iota
	aclWrite
	aclDeny
)

type aclRule struct {
	access aclAccess
	filter string
}

// aclFile is a parsed Mosquitto acl_file.
type aclFile struct {
	anonymous []aclRule            // topic lines before any user line
	users     map[string][]aclRule // topic lines after "user NAME"
	patterns  []aclRule            // pattern lines, for every client
}

func parseACL(text string) (*aclFile, error) {
	a := &aclFile{users: map[string][]aclRule{}}
	currentUser, inUser := "", false
	for n, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keyword, rest, _ := strings.Cut(line, " ")
		rest = strings.TrimSpace(rest)
		switch keyword {
		case "user":
			if rest == "" {
				return nil, fmt.Errorf("acl line %d: user without a name", n+1)
			}
			currentUser, inUser = rest, true
		case "topic", "pattern":
			rule, err := parseACLRule(rest)
			if err != nil {
				return nil, fmt.Errorf("acl line %d: %w", n+1, err)
			}
			switch {
			case keyword == "pattern":
				a.patterns = append(a.patterns, rule)
			case inUser:
				a.users[currentUser] = append(a.users[currentUser], rule)
			default:
				a.anonymous = append(a.anonymous, rule)
			}
		default:
			return nil, fmt.Errorf("acl line %d: unknown keyword %q", n+1, keyword)
		}
	}
	return a, nil
}

// parseACLRule parses "[read|write|readwrite|deny] FILTER"; without an
// access word the rule grants readwrite, as in Mosquitto.
func parseACLRule(s string) (aclRule, error) {
	access := map[string]aclAccess{"read": aclRead, "write": aclWrite, "readwrite": aclRead | aclWrite, "deny": aclDeny}
	word, rest, _ := strings.Cut(s, " ")
	rule := aclRule{access: aclRead | aclWrite, filter: s}
	if a, ok := access[word]; ok {
		rule = aclRule{access: a, filter: strings.TrimSpace(rest)}
	}
	if rule.filter == "" {
		return aclRule{}, fmt.Errorf("rule %q has no topic filter", s)
	}
	return rule, nil
}

// allows applies Mosquitto's order: a matching deny rule wins, then any
// matching grant of the needed access allows, and nothing else does.
func (a *aclFile) allows(username, clientID, topic string, write bool) bool {
	need := aclRead
	if write {
		need = aclWrite
	}
	var rules []aclRule
	if username == "" {
		rules = append(rules, a.anonymous...)
	} else {
		rules = append(rules, a.users[username]...)
	}
	for _, p := range a.patterns {
		if username == "" && strings.Contains(p.filter, "%u") {
			continue // Mosquitto skips %u patterns for anonymous clients
		}
		f := strings.NewReplacer("%c", clientID, "%u", username).Replace(p.filter)
		rules = append(rules, aclRule{access: p.access, filter: f})
	}
	allowed := false
	for _, r := range rules {
		if !aclMatches(r.filter, topic) {
			continue
		}
		if r.access&aclDeny != 0 {
			return false
		}
		if r.access&need != 0 {
			allowed = true
		}
	}
	return allowed
}

// aclMatches reports whether a topic, or a subscription filter, lies
// within the ACL filter: "+" in the ACL covers any one level (a "+" in a
// subscription too), "#" covers the rest, and a wildcard in the
// subscription needs the same or a wider one in the ACL. Topics starting
// with "$" are not matched by a leading wildcard [MQTT-4.7.2-1].
func aclMatches(filter, topic string) bool {
	if strings.HasPrefix(topic, "$") && (strings.HasPrefix(filter, "+") || strings.HasPrefix(filter, "#")) {
		return false
	}
	f, t := strings.Split(filter, "/"), strings.Split(topic, "/")
	for i, level := range f {
		if level == "#" {
			return true
		}
		if i >= len(t) {
			return false
		}
		switch {
		case t[i] == "#":
			return false
		case level == "+" || level == t[i]:
		default:
			return false
		}
	}
	return len(f) == len(t)
}
