package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// Schemas is the JSON Schema bundle of one generated package: one draft-07
// document, {"$schema": "http://json-schema.org/draft-07/schema#",
// "definitions": {"<Name>": {...}, ...}}, holding every payload schema and
// every schema they share, referenced as {"$ref": "#/definitions/<Name>"}
// (recursion included). Any draft-07 document works; its nodes are named by
// JSON pointers ("" is the whole document).
//
// NewSchemas only stores the text; it is parsed and compiled on first use,
// so a package with a thousand payloads does not pay at program start. A
// Schemas is safe for concurrent use.
type Schemas struct {
	text string
	load func() (*bundle, error)
}

// bundle is the parsed and compiled form of a Schemas.
type bundle struct {
	root any // the document, numbers as json.Number
	// mu guards the compiler and the maps below: plans are built once per
	// codec, so contention is rare.
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	slow     map[string]*mqttrt.Schema // jsonschema/v5, by pointer
	fast     map[string]*vnode         // the fast validator's nodes, by pointer
	plans    map[planKey]*plan         // the codecs' plans, by Go type and node
}

// bundleURL names the bundle inside the jsonschema compiler.
const bundleURL = "mqttgen:///bundle.json"

// NewSchemas stores bundle, a JSON Schema document, for the codecs bound to
// it. A bundle that does not parse or compile is reported by the first
// Decode or Encode of each codec (a generator bug: the generator compiles
// every bundle it writes).
func NewSchemas(bundle string) *Schemas {
	s := &Schemas{text: bundle}
	s.load = sync.OnceValues(s.parse)
	return s
}

func (s *Schemas) parse() (*bundle, error) {
	dec := json.NewDecoder(strings.NewReader(s.text))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("schema bundle: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7
	c.AssertFormat = true
	// Bundles are self-contained: refusing to load anything keeps
	// validation free of file or network access.
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema bundle: external reference %q is not allowed", u)
	}
	if err := c.AddResource(bundleURL, strings.NewReader(s.text)); err != nil {
		return nil, fmt.Errorf("schema bundle: %w", err)
	}
	return &bundle{root: root, compiler: c, slow: map[string]*mqttrt.Schema{}, fast: map[string]*vnode{}}, nil
}

// slowSchema is jsonschema/v5's compiled schema at pointer: the oracle.
func (b *bundle) slowSchema(pointer string) (*mqttrt.Schema, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if s, ok := b.slow[pointer]; ok {
		return s, nil
	}
	compiled, err := b.compiler.Compile(bundleURL + "#" + escapeFragment(pointer))
	if err != nil {
		return nil, fmt.Errorf("schema %q: %w", pointer, err)
	}
	s := mqttrt.SchemaOf(pointer, compiled)
	b.slow[pointer] = s
	return s, nil
}

// escapeFragment writes a JSON pointer as a URL fragment.
func escapeFragment(pointer string) string {
	var b strings.Builder
	for i := 0; i < len(pointer); i++ {
		c := pointer[i]
		if c == '%' || c == '#' || c == ' ' || c == '"' || c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Validate checks data, a JSON document, against the schema at pointer with
// jsonschema/v5, as the codecs' slow path does: an error wrapping
// mqttrt.ErrDecode when data is not JSON (invalid UTF-8 included), a
// *mqttrt.ValidationError listing the violations, or nil. It is meant for
// tools and tests; codecs validate faster through JSON.Decode.
func (s *Schemas) Validate(pointer string, data []byte) error {
	b, err := s.load()
	if err != nil {
		return err
	}
	schema, err := b.slowSchema(pointer)
	if err != nil {
		return err
	}
	return slowValidate(schema, data)
}

// slowValidate is the slow path's verdict on data. jsonschema/v5 panics
// on numbers math/big cannot parse (an exponent past a million, such as
// 1E1000001): such a payload is refused as undecodable, never a crash.
func slowValidate(schema *mqttrt.Schema, data []byte) error {
	if err := checkSyntax(data); err != nil {
		return err
	}
	v, err := mqttrt.DecodeValue(data)
	if err != nil {
		return err
	}
	return validateValue(schema, v)
}

// validateValue is schema.Validate(v), with jsonschema/v5's panics turned
// into a DecodeError.
func validateValue(schema *mqttrt.Schema, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &DecodeError{Offset: -1, Reason: fmt.Sprintf("the validator cannot evaluate this payload: %v", r)}
		}
	}()
	return schema.Validate(v)
}

// checkSyntax refuses what is not one well-formed JSON value in UTF-8.
func checkSyntax(data []byte) error {
	sc := newScanner(data)
	if sc.skip(0) && sc.end() {
		return nil
	}
	return sc.decodeError("")
}

// decodeValue decodes one JSON value (syntax already checked) as the
// validator sees it, numbers kept as json.Number.
func decodeValue(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, &DecodeError{Reason: err.Error()}
	}
	return v, nil
}

// resolve finds the value at a JSON pointer in the document.
func (b *bundle) resolve(pointer string) (any, bool) {
	if pointer == "" {
		return b.root, true
	}
	if pointer[0] != '/' {
		return nil, false
	}
	v := b.root
	for _, tok := range strings.Split(pointer[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, ok := arrayIndex(tok)
			if !ok || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 1 && tok[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range tok {
		if c < '0' || c > '9' || n > 1<<20 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// escapeToken escapes a name for a JSON pointer (RFC 6901).
func escapeToken(name string) string {
	if !strings.ContainsAny(name, "~/") {
		return name
	}
	return strings.ReplaceAll(strings.ReplaceAll(name, "~", "~0"), "/", "~1")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
