package runtime_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mqttgen/mqttgen/runtime"
)

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultConfig(t *testing.T) {
	d := runtime.DefaultConfig()
	if !*d.CleanSession || !*d.AutoReconnect || !*d.ResumeSubs || !*d.OrderMatters {
		t.Errorf("default-true fields: %v", d)
	}
	if d.DefaultQoS != 0 || d.MessageStore != runtime.StoreMemory || d.MaxReconnectAttempts != 0 || d.TLSSkipVerify {
		t.Errorf("defaults: %v", d)
	}
}

func TestLoadConfigYAML(t *testing.T) {
	path := writeFile(t, "mqtt.yaml", `
brokers: [tcp://a:1883, "ssl://b:8883"]
client_id: dev-1
username: u
password: s3cret
clean_session: false
keep_alive: 45s
default_qos: 1
max_reconnect_attempts: 5
order_matters: false
`)
	cfg, err := runtime.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Brokers) != 2 || cfg.Brokers[1] != "ssl://b:8883" || cfg.ClientID != "dev-1" || cfg.Username != "u" ||
		cfg.Password != "s3cret" || *cfg.CleanSession || cfg.KeepAlive != 45*time.Second || cfg.DefaultQoS != 1 ||
		cfg.MaxReconnectAttempts != 5 || *cfg.OrderMatters {
		t.Errorf("loaded %#v", cfg)
	}
	// Keys not in the file keep their defaults.
	if !*cfg.AutoReconnect || cfg.ConnectTimeout != 10*time.Second {
		t.Errorf("defaults lost: %v", cfg)
	}
}

func TestLoadConfigErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"keep_alive: 30\n":                      "c.yaml:3:13: keep_alive (KeepAlive): a duration needs a unit", // line 3: the header comment adds two
		"clean_session: maybe\n":                "clean_session (CleanSession): want a boolean",
		"default_qos: 3\n":                      "DefaultQoS: must be 0, 1 or 2",
		"default_qos: 300\n":                    "default_qos (DefaultQoS)",
		"bogus: 1\n":                            `unknown key "bogus"`,
		"message_store: disk\n":                 "MessageStore: must be",
		"message_store: file\n":                 "StoreDirectory: is required",
		"client_id: a\nclient_id: b\n":          `duplicate key "client_id"`,
		"- a\n":                                 "must be a mapping",
		"max_reconnect_attempts: -1\n":          "MaxReconnectAttempts: must not be negative",
		"brokers: [http://x]\n":                 "Brokers[0]",
		"password: p\n":                         "Password: is set without Username",
		"tls_cert_file: c.pem\n":                "TLSKeyFile: is required",
		"will_topic: a/#\n":                     "WillTopic",
		"keep_alive: 10ms\n":                    "KeepAlive: must be between 1s and 65535s",
		"operation_timeout: forever\n":          "operation_timeout (OperationTimeout)",
		"brokers: [tcp://h:1]\nusername: [x]\n": "username (Username): want a string",
	}
	for text, want := range cases {
		path := writeFile(t, "c.yaml", "# config\n\n"+text)
		_, err := runtime.LoadConfig(path)
		if !errors.Is(err, runtime.ErrInvalidConfig) {
			t.Errorf("%q: err = %v, want ErrInvalidConfig", text, err)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %q, want it to contain %q", text, err, want)
		}
	}
	if _, err := runtime.LoadConfig(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, runtime.ErrInvalidConfig) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	t.Setenv("MQTT_BROKERS", "tcp://a:1, tcp://b:2")
	t.Setenv("MQTT_CLIENT_ID", "env-id")
	t.Setenv("MQTT_CLEAN_SESSION", "false")
	t.Setenv("MQTT_KEEP_ALIVE", "1m")
	t.Setenv("MQTT_DEFAULT_QOS", "2")
	t.Setenv("MQTT_TLS_SKIP_VERIFY", "true")
	t.Setenv("MQTT_MAX_PAYLOAD_SIZE", "1024")
	t.Setenv("MQTT_USERNAME", "") // empty counts as unset
	cfg, err := runtime.ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cfg.Brokers) != "[tcp://a:1 tcp://b:2]" || cfg.ClientID != "env-id" || *cfg.CleanSession ||
		cfg.KeepAlive != time.Minute || cfg.DefaultQoS != 2 || !cfg.TLSSkipVerify || cfg.MaxPayloadSize != 1024 || cfg.Username != "" {
		t.Errorf("from env: %v", cfg)
	}
	for name, value := range map[string]string{
		"MQTT_KEEP_ALIVE":             "30",
		"MQTT_DEFAULT_QOS":            "x",
		"MQTT_AUTO_RECONNECT":         "perhaps",
		"MQTT_MAX_RECONNECT_ATTEMPTS": "many",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, value)
			_, err := runtime.ConfigFromEnv()
			if !errors.Is(err, runtime.ErrInvalidConfig) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%s: err = %v, want ErrInvalidConfig naming it", name, value, err)
			}
		})
	}
}

// Precedence: defaults < YAML < environment < options.
func TestConfigPrecedence(t *testing.T) {
	path := writeFile(t, "c.yaml", "client_id: from-yaml\nkeep_alive: 20s\ndefault_qos: 1\nbrokers: [tcp://yaml:1883]\n")
	t.Setenv("MQTT_KEEP_ALIVE", "40s")
	cfg, err := runtime.LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ClientID != "from-yaml" || cfg.KeepAlive != 40*time.Second {
		t.Fatalf("yaml/env: %v", cfg)
	}
	// Options win whatever their position relative to WithConfig.
	c, err := runtime.New(runtime.WithDefaultQoS(2), runtime.WithConfig(cfg), runtime.WithClientID("from-option"))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID() != "from-option" || c.DefaultQoS() != 2 {
		t.Errorf("options lost: id %q qos %d", c.ClientID(), c.DefaultQoS())
	}
}

// A Config literal that leaves the default-true fields out keeps them true.
func TestConfigLiteralKeepsDefaults(t *testing.T) {
	var logs bytes.Buffer
	c, err := runtime.New(runtime.WithConfig(runtime.Config{Brokers: []string{"tcp://127.0.0.1:1"}}),
		runtime.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if c.DefaultQoS() != 0 || !strings.HasPrefix(c.ClientID(), "mqttgen-") {
		t.Errorf("client id %q", c.ClientID())
	}
	// The paho options show what was applied: the default KeepAlive of 30s
	// makes paho ping after 15s of silence (see Config.KeepAlive).
	r := c.GetClient().OptionsReader()
	if !r.CleanSession() || r.KeepAlive() != 15*time.Second || r.PingTimeout() != 7500*time.Millisecond || r.AutoReconnect() {
		t.Errorf("clean %v keepalive %v paho-autoreconnect %v", r.CleanSession(), r.KeepAlive(), r.AutoReconnect())
	}
	c2, err := runtime.New(runtime.WithConfig(runtime.Config{Brokers: []string{"tcp://h:1"}, CleanSession: new(false)}))
	if err != nil {
		t.Fatal(err)
	}
	if r2 := c2.GetClient().OptionsReader(); r2.CleanSession() {
		t.Error("CleanSession: new(false) was ignored")
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	cases := []struct {
		opts []runtime.Option
		want string
	}{
		{nil, "Brokers: at least one"},
		{[]runtime.Option{runtime.WithBroker("ftp://x")}, "Brokers[0]"},
		{[]runtime.Option{runtime.WithBroker("tcp://")}, "no host"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithDefaultQoS(3)}, "DefaultQoS"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithKeepAlive(-time.Second)}, "KeepAlive"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithMessageStore("disk", "")}, "MessageStore"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithWill("a/+", nil, 0, false)}, "WillTopic"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithWill("w", nil, 3, false)}, "WillQoS"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithTLS("", "", "/nonexistent/ca.pem")}, "Brokers[0]: TLS is configured"},
		{[]runtime.Option{runtime.WithBroker("ssl://h:1"), runtime.WithTLS("", "", "/nonexistent/ca.pem")}, "TLSCAFile"},
		{[]runtime.Option{runtime.WithBroker("ssl://h:1"), runtime.WithTLS("c.pem", "", "")}, "TLSKeyFile"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithMaxInFlight(-1)}, "MaxInFlight"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithPublishWindow(-1)}, "PublishWindow"},
		{[]runtime.Option{runtime.WithBroker("tcp://h:1"), runtime.WithPublishWindow(65536)}, "PublishWindow"},
	}
	for _, c := range cases {
		_, err := runtime.New(c.opts...)
		if !errors.Is(err, runtime.ErrInvalidConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("err = %v, want ErrInvalidConfig naming %q", err, c.want)
		}
	}
	notPEM := writeFile(t, "ca.pem", "not a certificate")
	_, err := runtime.New(runtime.WithBroker("ssl://h:1"), runtime.WithTLS("", "", notPEM))
	if !errors.Is(err, runtime.ErrInvalidConfig) || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("bad CA file: %v", err)
	}
	// A store directory that cannot be made is refused by New, not found out later.
	file := writeFile(t, "f", "")
	_, err = runtime.New(runtime.WithBroker("tcp://h:1"), runtime.WithMessageStore(runtime.StoreFile, filepath.Join(file, "sub")))
	if !errors.Is(err, runtime.ErrInvalidConfig) || !strings.Contains(err.Error(), "StoreDirectory") {
		t.Errorf("bad store directory: %v", err)
	}
}

// Credentials never appear when a Config is printed or logged.
func TestConfigMasksSecrets(t *testing.T) {
	cfg := runtime.DefaultConfig()
	cfg.Username = "alice"
	cfg.Password = "hunter2"
	cfg.Brokers = []string{"tcp://bob:urlpass@h:1883"}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg)
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), fmt.Sprintf("%s", cfg),
		fmt.Sprintf("%v", &cfg), fmt.Sprint(struct{ C runtime.Config }{cfg}), logs.String(),
	} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "urlpass") {
			t.Errorf("secret printed: %s", s)
		}
		if !strings.Contains(s, "alice") {
			t.Errorf("username missing (the printing path was not exercised?): %s", s)
		}
	}
}
