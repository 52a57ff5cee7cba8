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
	ids         schemaIDs
	src         source
	root        refRoot
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

func newLoader(src source, root string) *loader {
	return &loader{
		src:        src,
		root:       refRoot{dir: root},
		files:      map[string]*fileEntry{},
		lookupMemo: map[string]*lookupResult{},
		schemas:    map[*node]*model.Schema{},
		messages:   map[*node]*model.Message{},
		seenMsg:    map[*model.Message]bool{},
	}
}

// Options adjust a load.
type Options struct {
	// Root confines file $refs: every file read must lie inside this
	// directory tree once symlinks are resolved. "" means the directory of
	// the document itself.
	Root string
}

// LoadFile reads the AsyncAPI document at path (YAML or JSON; "-" is not
// special: read stdin yourself and call LoadData), resolves its $refs
// (relative files are read relative to the file that names them, inside
// opts.Root), applies traits, checks it and returns the model with every
// diagnostic, errors and warnings, sorted. doc is nil when any diagnostic
// is an error.
func LoadFile(path string, opts Options) (*model.Document, Diagnostics) {
	path = filepath.Clean(path)
	data, err := osSource{}.read(path)
	if err != nil {
		return nil, Diagnostics{{Pos: model.Pos{File: path}, Message: err.Error(), Err: err}}
	}
	return LoadData(path, data, opts)
}

// LoadData is LoadFile for a document already in memory, read as if from
// the file name: relative $refs resolve against filepath.Dir(name) and
// diagnostics name it.
func LoadData(name string, data []byte, opts Options) (*model.Document, Diagnostics) {
	root := opts.Root
	if root == "" {
		root = filepath.Dir(name)
	}
	return newLoader(osSource{}, root).load(name, data)
}

// Load is LoadFile with the default options, for callers that want errors
// only: it returns the model, or the error diagnostics (a Diagnostics) when
// the document is refused. Warnings are dropped. A file that cannot be read
// returns the read error itself (errors.Is(err, fs.ErrNotExist) works).
func Load(path string) (*model.Document, error) {
	path = filepath.Clean(path)
	data, err := osSource{}.read(path)
	if err != nil {
		return nil, err
	}
	return errorsOnly(LoadData(path, data, Options{}))
}

// LoadBytes is LoadData with the default options and errors only, like
// Load.
func LoadBytes(name string, data []byte) (*model.Document, error) {
	return errorsOnly(LoadData(name, data, Options{}))
}

func errorsOnly(doc *model.Document, ds Diagnostics) (*model.Document, error) {
	if errs := ds.Errors(); len(errs) > 0 {
		return nil, errs
	}
	return doc, nil
}

func (l *loader) load(name string, data []byte) (*model.Document, Diagnostics) {
	l.totalSize = len(data)
	root, err := l.parser.parse(name, data)
	if err != nil {
		le := err.(*limitError)
		return nil, Diagnostics{{Pos: posAt(name, le.line, le.col), Pointer: le.ptr, Message: le.msg, Err: le.cause}}
	}
	l.files[name] = &fileEntry{root: root}
	l.indexIDs(root)
	major, ok := l.version(root)
	if !ok {
		return nil, l.result()
	}
	l.doc = &model.Document{Loc: root.loc(), Major: major}
	l.check(root)
	if major == 2 {
		l.buildV2(root)
	} else {
		l.buildV3(root)
	}
	l.checkSchemaLoops()
	ds := l.result()
	if ds.HasErrors() {
		return nil, ds
	}
	return l.doc, ds
}

// result returns the sorted diagnostics.
func (l *loader) result() Diagnostics {
	l.diags.Sort()
	// A shared, broken node (say a parameter $ref'd by several channels)
	// is reported once.
	out := l.diags[:0]
	for _, d := range l.diags {
		if len(out) > 0 && d.Pos == out[len(out)-1].Pos && d.Pointer == out[len(out)-1].Pointer && d.Message == out[len(out)-1].Message && d.Severity == out[len(out)-1].Severity {
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

// warnf records a warning at node n: the document still loads.
func (l *loader) warnf(n *node, format string, args ...any) {
	l.diags = append(l.diags, Diagnostic{Pos: n.pos(), Pointer: n.ptr, Severity: Warning, Message: fmt.Sprintf(format, args...)})
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
