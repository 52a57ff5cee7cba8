package runtime

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts the environment variables read by ConfigFromEnv and
// LoadConfig: MQTT_ plus the YAML key in upper case, e.g. MQTT_CLIENT_ID,
// MQTT_KEEP_ALIVE=30s, MQTT_BROKERS=tcp://a:1883,tcp://b:1883.
const EnvPrefix = "MQTT_"

// LoadConfig reads the YAML file at path over DefaultConfig, then applies
// the MQTT_* environment variables, which win over the file. Keys are the
// yaml tags of Config (client_id, keep_alive: 30s, clean_session: false,
// ...). Unknown keys, durations without a unit and ill-typed values are
// errors that name the file, line, column and key, wrapping
// ErrInvalidConfig. Options given to New still win over the result.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if err := decodeYAML(path, data, &cfg); err != nil {
		return Config{}, err
	}
	if err := applyEnv(&cfg, os.LookupEnv); err != nil {
		return Config{}, err
	}
	return cfg, cfg.withDefaults().validate(false)
}

// ConfigFromEnv returns DefaultConfig with the MQTT_* environment variables
// applied. An empty variable counts as unset.
func ConfigFromEnv() (Config, error) {
	cfg := DefaultConfig()
	if err := applyEnv(&cfg, os.LookupEnv); err != nil {
		return Config{}, err
	}
	return cfg, cfg.withDefaults().validate(false)
}

// configField ties a Config field to its YAML key and environment variable.
type configField struct {
	name, key, env string
	index          int
}

var configFields = func() []configField {
	t := reflect.TypeFor[Config]()
	fields := make([]configField, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("yaml")
		fields = append(fields, configField{
			name: f.Name, key: key, env: EnvPrefix + strings.ToUpper(key), index: i,
		})
	}
	return fields
}()

var (
	durationType = reflect.TypeFor[time.Duration]()
	boolPtrType  = reflect.TypeFor[*bool]()
)

func decodeYAML(path string, data []byte, cfg *Config) error {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidConfig, path, err)
	}
	if len(root.Content) == 0 {
		return nil // an empty file changes nothing
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return yamlError(path, doc, "", "the document must be a mapping of config keys")
	}
	byKey := make(map[string]configField, len(configFields))
	for _, f := range configFields {
		byKey[f.key] = f
	}
	seen := make(map[string]bool)
	v := reflect.ValueOf(cfg).Elem()
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, val := doc.Content[i], doc.Content[i+1]
		f, ok := byKey[k.Value]
		if !ok {
			return yamlError(path, k, "", fmt.Sprintf("unknown key %q", k.Value))
		}
		if seen[k.Value] {
			return yamlError(path, k, "", fmt.Sprintf("duplicate key %q", k.Value))
		}
		seen[k.Value] = true
		if err := decodeField(val, v.Field(f.index)); err != nil {
			return yamlError(path, val, f.key+" ("+f.name+")", err.Error())
		}
	}
	return nil
}

func decodeField(n *yaml.Node, field reflect.Value) error {
	switch field.Type() {
	case durationType:
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
			return errors.New(`a duration needs a unit, e.g. "30s" or "500ms"`)
		}
		d, err := time.ParseDuration(n.Value)
		if err != nil {
			return err
		}
		field.SetInt(int64(d))
		return nil
	case boolPtrType:
		if n.ShortTag() == "!!null" {
			// yaml decodes null into false: "clean_session:" left empty
			// would switch off a default that is true.
			return errors.New("want a boolean, got no value (leave the key out for the default)")
		}
		var b bool
		if err := n.Decode(&b); err != nil {
			return typeError(n, "a boolean")
		}
		field.Set(reflect.ValueOf(&b))
		return nil
	}
	if err := n.Decode(field.Addr().Interface()); err != nil {
		return typeError(n, "a "+field.Type().String())
	}
	return nil
}

// typeError replaces yaml's wordy "cannot unmarshal" message.
func typeError(n *yaml.Node, want string) error {
	return fmt.Errorf("want %s, got %q", want, n.Value)
}

func yamlError(path string, n *yaml.Node, key, why string) error {
	if key != "" {
		why = key + ": " + why
	}
	return fmt.Errorf("%w: %s:%d:%d: %s", ErrInvalidConfig, path, n.Line, n.Column, why)
}

// applyEnv sets the fields whose MQTT_* variable lookup finds non-empty.
func applyEnv(cfg *Config, lookup func(string) (string, bool)) error {
	v := reflect.ValueOf(cfg).Elem()
	for _, f := range configFields {
		s, ok := lookup(f.env)
		if !ok || s == "" {
			continue
		}
		if err := setFromString(v.Field(f.index), s); err != nil {
			return fmt.Errorf("%w: %s (%s): %w", ErrInvalidConfig, f.env, f.name, err)
		}
	}
	return nil
}

func setFromString(field reflect.Value, s string) error {
	switch field.Type() {
	case durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf(`a duration needs a unit, e.g. "30s": %w`, err)
		}
		field.SetInt(int64(d))
		return nil
	case boolPtrType:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want a boolean, got %q", s)
		}
		field.Set(reflect.ValueOf(&b))
		return nil
	}
	switch field.Kind() {
	case reflect.String:
		field.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want a boolean, got %q", s)
		}
		field.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("want an integer, got %q", s)
		}
		field.SetInt(int64(n))
	case reflect.Uint8:
		n, err := strconv.ParseUint(s, 10, 8)
		if err != nil {
			return fmt.Errorf("want an integer 0-255, got %q", s)
		}
		field.SetUint(n)
	case reflect.Slice: // []string: comma-separated
		var list []string
		for item := range strings.SplitSeq(s, ",") {
			if item = strings.TrimSpace(item); item != "" {
				list = append(list, item)
			}
		}
		field.Set(reflect.ValueOf(list))
	default:
		// Reached only if a field of a new type is added to Config without
		// teaching this function about it; the config test catches that.
		return fmt.Errorf("unsupported field type %s", field.Type())
	}
	return nil
}
