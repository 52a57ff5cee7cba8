package mqtttest

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	paho "github.com/eclipse/paho.mqtt.golang"
)

func TestUsers(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithUser("alice", "s3cret"), WithUser("bob", "p w:x"))...)
		roundTrip(t, connect(t, clientOpts(b.URL()).SetUsername("alice").SetPassword("s3cret")), "mqtttest/users/alice")
		roundTrip(t, connect(t, clientOpts(b.URL()).SetUsername("bob").SetPassword("p w:x")), "mqtttest/users/bob")
		refused := map[string]*paho.ClientOptions{
			"anonymous":      clientOpts(b.URL()),
			"wrong password": clientOpts(b.URL()).SetUsername("alice").SetPassword("guess"),
			"unknown user":   clientOpts(b.URL()).SetUsername("mallory").SetPassword("s3cret"),
		}
		for name, o := range refused {
			if c, err := tryConnect(o); err == nil {
				c.Disconnect(0)
				t.Errorf("%s: connected, want a refused login", name)
			} else if !strings.Contains(strings.ToLower(err.Error()), "not authorized") && !strings.Contains(err.Error(), "bad user name or password") {
				t.Errorf("%s: %v, want a refused login", name, err)
			}
		}
	})
}

// TestBuiltInPasswordHash checks the hashing used when mosquitto_passwd is
// missing against mosquitto_passwd itself, and that Mosquitto accepts a
// file written without it.
func TestBuiltInPasswordHash(t *testing.T) {
	tool, err := exec.LookPath("mosquitto_passwd")
	if err != nil {
		t.Fatalf("mosquitto_passwd is installed with mosquitto: %v", err)
	}
	path := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "-b", path, "carol", "pa55 word").CombinedOutput(); err != nil {
		t.Fatalf("mosquitto_passwd: %v: %s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, stored, _ := strings.Cut(strings.TrimSpace(string(data)), ":")
	fields := strings.Split(stored, "$") // "", "7", "101", salt, hash
	if len(fields) != 5 {
		t.Fatalf("unexpected mosquitto_passwd output %q", data)
	}
	salt, err := base64.StdEncoding.DecodeString(fields[3])
	if err != nil {
		t.Fatal(err)
	}
	ours, err := mosquittoHash("pa55 word", salt)
	if err != nil || ours != stored {
		t.Fatalf("mosquittoHash = %q, %v; mosquitto_passwd wrote %q", ours, err, stored)
	}

	old := passwdTool
	passwdTool = ""
	t.Cleanup(func() { passwdTool = old })
	b := NewBroker(t, WithUser("dave", "built-in"))
	roundTrip(t, connect(t, clientOpts(b.URL()).SetUsername("dave").SetPassword("built-in")), "mqtttest/passwd")
	if _, err := tryConnect(clientOpts(b.URL()).SetUsername("dave").SetPassword("wrong")); err == nil {
		t.Fatal("wrong password accepted")
	}
}

func TestBadUserName(t *testing.T) {
	for _, name := range []string{"", "a:b", "new\nline"} {
		if err := writePasswordFile(filepath.Join(t.TempDir(), "p"), []login{{name, "x"}}); err == nil {
			t.Errorf("user name %q accepted", name)
		}
	}
}

func TestACL(t *testing.T) {
	const acl = `
# anonymous clients
topic read public/#

user alice
topic readwrite alice/#
topic read news/+
topic deny alice/secret
pattern readwrite users/%u/#
`
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithUser("alice", "pw"), WithUser("bob", "pw2"), WithACL(acl))...)
		c := connect(t, clientOpts(b.URL()).SetUsername("alice").SetPassword("pw"))
		if _, err := tryConnect(clientOpts(b.URL()).SetUsername("alice").SetPassword("bad")); err == nil {
			t.Fatal("wrong password accepted with an ACL")
		}
		// bob has no rules: he may log in and do nothing.
		bob := connect(t, clientOpts(b.URL()).SetUsername("bob").SetPassword("pw2"))
		if tok := bob.Subscribe("alice/#", 0, nil); wait(tok) != nil || tok.(*paho.SubscribeToken).Result()["alice/#"] != 0x80 {
			t.Fatalf("bob subscribed to alice/#: %v %v", tok.Error(), tok.(*paho.SubscribeToken).Result())
		}
		roundTrip(t, c, "alice/box")
		roundTrip(t, c, "users/alice/inbox")
		for filter, want := range map[string]byte{
			"alice/#":         1,
			"news/today":      1,
			"news/#":          0x80, // wider than the grant
			"private/x":       0x80,
			"alice/secret":    0x80, // deny wins
			"public/x":        0x80, // for anonymous clients only
			"users/bob/inbox": 0x80,
		} {
			tok := c.Subscribe(filter, 1, func(paho.Client, paho.Message) {})
			if err := wait(tok); err != nil {
				t.Fatalf("subscribe %q: %v", filter, err)
			}
			if got := tok.(*paho.SubscribeToken).Result()[filter]; got != want {
				t.Errorf("SUBACK for %q = 0x%02x, want 0x%02x", filter, got, want)
			}
		}
	})
}

func TestACLAnonymous(t *testing.T) {
	brokerKinds(t, func(t *testing.T, opts ...Option) {
		b := NewBroker(t, append(opts, WithACL("topic readwrite public/#"))...)
		c := connect(t, clientOpts(b.URL()))
		roundTrip(t, c, "public/x")
		tok := c.Subscribe("secret/#", 0, func(paho.Client, paho.Message) {})
		if err := wait(tok); err != nil {
			t.Fatal(err)
		}
		if got := tok.(*paho.SubscribeToken).Result()["secret/#"]; got != 0x80 {
			t.Fatalf("SUBACK = 0x%02x, want 0x80", got)
		}
	})
}

func TestParseACLErrors(t *testing.T) {
	for _, text := range []string{"user", "topic", "topic read", "grant all"} {
		if _, err := parseACL(text); err == nil {
			t.Errorf("parseACL(%q) accepted", text)
		}
	}
}

func TestACLMatches(t *testing.T) {
	for _, c := range []struct {
		filter, topic string
		want          bool
	}{
		{"a/b", "a/b", true},
		{"a/b", "a/c", false},
		{"a/+", "a/b", true},
		{"a/+", "a/+", true},
		{"a/+", "a/#", false},
		{"a/+", "a/b/c", false},
		{"a/#", "a", true},
		{"a/#", "a/b/c", true},
		{"a/#", "a/+/c", true},
		{"#", "$SYS/x", false},
		{"+/x", "$SYS/x", false},
		{"$SYS/#", "$SYS/x", true},
		{"a/b/c", "a/b", false},
	} {
		if got := aclMatches(c.filter, c.topic); got != c.want {
			t.Errorf("aclMatches(%q, %q) = %v, want %v", c.filter, c.topic, got, c.want)
		}
	}
}
