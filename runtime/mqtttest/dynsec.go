package mqtttest

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// dynsecPlugin is where Debian and Ubuntu install Mosquitto's dynamic
// security plugin.
const dynsecPlugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"

// Mosquitto 2.0's acl_file never refuses a SUBSCRIBE: it grants every
// filter and silently withholds the messages it may not read. Tests need
// the SUBACK failure (0x80) a real deployment shows, so WithACL is turned
// into an equivalent dynamic-security configuration, whose "subscribe"
// rules are checked when the SUBSCRIBE arrives.

type dynsecConfig struct {
	DefaultACLAccess map[string]bool `json:"defaultACLAccess"`
	Clients          []dynsecClient  `json:"clients"`
	Groups           []dynsecGroup   `json:"groups"`
	Roles            []dynsecRole    `json:"roles"`
	AnonymousGroup   string          `json:"anonymousGroup,omitempty"`
}

type dynsecClient struct {
	Username   string          `json:"username"`
	Password   []byte          `json:"password"` // base64 in JSON, as dynsec wants
	Salt       []byte          `json:"salt"`
	Iterations int             `json:"iterations"`
	Roles      []dynsecRoleRef `json:"roles"`
}

type dynsecGroup struct {
	Groupname string          `json:"groupname"`
	Roles     []dynsecRoleRef `json:"roles"`
}

type dynsecRoleRef struct {
	Rolename string `json:"rolename"`
}

type dynsecRole struct {
	Rolename string      `json:"rolename"`
	ACLs     []dynsecACL `json:"acls"`
}

type dynsecACL struct {
	ACLType  string `json:"acltype"`
	Topic    string `json:"topic"`
	Priority int    `json:"priority"`
	Allow    bool   `json:"allow"`
}

// writeDynsecConfig writes the dynamic-security file for users and acl.
func writeDynsecConfig(path string, users []login, acl string) error {
	a, err := parseACL(acl)
	if err != nil {
		return err
	}
	cfg := dynsecConfig{
		// What the ACL does not grant is denied, as with acl_file.
		DefaultACLAccess: map[string]bool{"publishClientSend": false, "publishClientReceive": false, "subscribe": false, "unsubscribe": true},
		Clients:          []dynsecClient{},
		Groups:           []dynsecGroup{},
	}
	for i, u := range users {
		salt := make([]byte, 12)
		_, _ = rand.Read(salt) // crypto/rand.Read never fails
		key, err := pbkdf2.Key(sha512.New, u.password, salt, mosquittoHashIterations, sha512.Size)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		role := fmt.Sprintf("user-%d", i)
		cfg.Clients = append(cfg.Clients, dynsecClient{Username: u.name, Password: key, Salt: salt,
			Iterations: mosquittoHashIterations, Roles: []dynsecRoleRef{{role}}})
		rules := append(append([]aclRule{}, a.users[u.name]...), patternsFor(a.patterns, u.name)...)
		cfg.Roles = append(cfg.Roles, dynsecRole{Rolename: role, ACLs: dynsecACLs(rules)})
	}
	if len(users) == 0 {
		rules := append(append([]aclRule{}, a.anonymous...), patternsFor(a.patterns, "")...)
		cfg.Roles = append(cfg.Roles, dynsecRole{Rolename: "anonymous", ACLs: dynsecACLs(rules)})
		cfg.Groups = append(cfg.Groups, dynsecGroup{Groupname: "anonymous", Roles: []dynsecRoleRef{{"anonymous"}}})
		cfg.AnonymousGroup = "anonymous"
	}
	data, err := json.MarshalIndent(cfg, "", "\t")
	if err != nil {
		return fmt.Errorf("encode dynamic security config: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write dynamic security config: %w", err)
	}
	return nil
}

// patternsFor keeps the pattern rules that apply to username, with %u
// replaced. %c is left to the plugin, which in Mosquitto 2.0.11 does not
// expand it in subscribe rules: a %c pattern governs publishing only.
func patternsFor(patterns []aclRule, username string) []aclRule {
	var out []aclRule
	for _, p := range patterns {
		if strings.Contains(p.filter, "%u") {
			if username == "" {
				continue
			}
			p.filter = strings.ReplaceAll(p.filter, "%u", username)
		}
		out = append(out, p)
	}
	return out
}

// dynsecACLs maps acl_file rules: read grants subscribing and receiving,
// write grants sending, deny refuses all three and outranks grants.
func dynsecACLs(rules []aclRule) []dynsecACL {
	acls := []dynsecACL{}
	add := func(kind, topic string, prio int, allow bool) {
		acls = append(acls, dynsecACL{ACLType: kind, Topic: topic, Priority: prio, Allow: allow})
	}
	for _, r := range rules {
		switch {
		case r.access&aclDeny != 0:
			add("subscribePattern", r.filter, 10, false)
			add("publishClientReceive", r.filter, 10, false)
			add("publishClientSend", r.filter, 10, false)
		default:
			if r.access&aclRead != 0 {
				add("subscribePattern", r.filter, 0, true)
				add("publishClientReceive", r.filter, 0, true)
			}
			if r.access&aclWrite != 0 {
				add("publishClientSend", r.filter, 0, true)
			}
		}
	}
	return acls
}
