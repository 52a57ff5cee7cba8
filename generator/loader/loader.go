package loader

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mqttgen/mqttgen/generator/model"
)

// loader holds the state of one Load: files read so far, resolved
// elements (so each $ref target becomes one model value) and diagnostics.
type loader struct {
	src         source
	parser      parser
	files       map[string]*fileEntry
	totalSize   int
	lookupMemo  map[string]*lookupResult
	schemaDepth int
	diags       Diagnostics

	doc      *model.Document
	schemas  map[*node]*model.Schema
	messages map[*node]*model.Message
	seenMsg  map[*model.Message]bool

	serverNames map[*node]string // 3.0: resolved server object -> its key
}

func newLoader(src source) *loader {
	return &loader{
		src:        src,
		files:      map[string]*fileEntry{},
		lookupMemo: map[string]*lookupResult{},
		schemas:    map[*node]*model.Schema{},
		messages:   map[*node]*model.Message{},
		seenMsg:    map[*model.Message]bool{},
	}
}

// Load reads the AsyncAPI document at path (YAML or JSON), resolves its
// $refs (relative files are read relative to the file that names them),
// applies traits, validates it and returns the model. A bad document
// yields Diagnostics listing every problem found. "-" is not stdin here:
// read stdin yourself and call LoadBytes with the name "<stdin>".
func Load(path string) (*model.Document, error) {
	path = filepath.Clean(path)
	data, err := osSource{}.read(path)
	if err != nil {
		return nil, err
	}
	return newLoader(osSource{}).load(path, data)
}

// LoadBytes loads data as if it had been read from the file name: relative
// $refs resolve against filepath.Dir(name) and diagnostics name it.
func LoadBytes(name string, data []byte) (*model.Document, error) {
	return newLoader(osSource{}).load(name, data)
}

func (l *loader) load(name string, data []byte) (*model.Document, error) {
	l.totalSize = len(data)
	root, err := l.parser.parse(name, data)
	if err != nil {
		le := err.(*limitError)
		return nil, Diagnostics{{Pos: posAt(name, le.line, le.col), Pointer: le.ptr, Message: le.msg, Err: le.cause}}
	}
	l.files[name] = &fileEntry{root: root}
	major, ok := l.version(root)
	if !ok {
		return nil, l.result()
	}
	l.doc = &model.Document{Loc: root.loc(), Major: major}
	if major == 2 {
		l.buildV2(root)
	} else {
		l.buildV3(root)
	}
	if len(l.diags) > 0 {
		return nil, l.result()
	}
	return l.doc, nil
}

// result returns the sorted diagnostics.
func (l *loader) result() error {
	l.diags.Sort()
	// A shared, broken node (say a parameter $ref'd by several channels)
	// is reported once.
	out := l.diags[:0]
	for i, d := range l.diags {
		if i > 0 && d.Pos == l.diags[i-1].Pos && d.Pointer == l.diags[i-1].Pointer && d.Message == l.diags[i-1].Message {
			continue
		}
		out = append(out, d)
	}
	return out
}

// version checks the asyncapi field and returns the major version.
func (l *loader) version(root *node) (int, bool) {
	supported := strings.Join(SupportedVersions[:len(SupportedVersions)-1], ", ") + " and " + SupportedVersions[len(SupportedVersions)-1]
	if !root.isMap() {
		l.diags = append(l.diags, Diagnostic{Pos: root.pos(), Err: ErrNotAsyncAPI,
			Message: "not an AsyncAPI document: the top level must be a mapping with an asyncapi field (mqttgen reads AsyncAPI " + supported + ")"})
		return 0, false
	}
	v := root.get("asyncapi")
	if v == nil {
		what := "no asyncapi field"
		if root.get("openapi") != nil || root.get("swagger") != nil {
			what = "this is an OpenAPI document"
		}
		l.diags = append(l.diags, Diagnostic{Pos: root.pos(), Err: ErrNotAsyncAPI,
			Message: "not an AsyncAPI document: " + what + " (mqttgen reads AsyncAPI " + supported + ")"})
		return 0, false
	}
	if v.kind != scalarNode || !slices.Contains(SupportedVersions, v.value) {
		shown := v.value
		if v.kind != scalarNode {
			shown = "(not a string)"
		}
		l.diags = append(l.diags, Diagnostic{Pos: v.pos(), Pointer: v.ptr, Err: ErrUnsupportedVersion,
			Message: fmt.Sprintf("unsupported asyncapi version %q: mqttgen reads %s", shown, supported)})
		return 0, false
	}
	if v.value == "3.0.0" {
		return 3, true
	}
	return 2, true
}

func posAt(file string, line, col int) model.Pos {
	return model.Pos{File: file, Line: line, Col: col}
}

// errorf records a problem at node n.
func (l *loader) errorf(n *node, cause error, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{Pos: n.pos(), Pointer: n.ptr, Message: fmt.Sprintf(format, args...), Err: cause})
}

// diag records err (from ref resolution) at node n with pointer ptr.
func (l *loader) diag(n *node, ptr string, err error) {
	var cause error
	var re *refError
	if errors.As(err, &re) {
		cause = re.cause
	}
	l.diags = append(l.diags, Diagnostic{Pos: n.pos(), Pointer: ptr, Message: err.Error(), Err: cause})
}

// posString renders "file:line:col".
func posString(p model.Pos) string {
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}
