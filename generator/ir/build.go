package ir

import (
	"errors"
	"sort"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
	"github.com/mqttgen/mqttgen/runtime/gen"
)

// ErrGoTypeLimit is the cause of a warning that a Go type cannot hold
// every value its schema allows: such values are refused on receipt with
// an error wrapping mqttrt.ErrDecode.
var ErrGoTypeLimit = errors.New("the Go type cannot hold every value the schema allows")

// Config says what to build.
type Config struct {
	// Package is the Go package name.
	Package string
	// Source is the document's file name as headers cite it.
	Source string
	// Role picks the side of the document.
	Role Role
}

// Build resolves doc for cfg: every name, type, codec and schema of the
// package, or the reasons it cannot be generated. Diagnostics hold errors
// and warnings, sorted; the package is nil when any is an error.
func Build(doc *model.Document, cfg Config) (*Package, loader.Diagnostics) {
	b := newBuilder(doc, cfg)
	b.reserveFixed()
	b.selectOperations()
	b.nameChannels()
	b.nameOperations()
	b.claimExplicitTypes()
	b.buildTypes()
	b.buildOperations()
	b.nameConstants()
	b.buildServers()
	b.finishSchemas()
	b.diags.Sort()
	b.diags = dedupe(b.diags)
	if b.diags.HasErrors() {
		return nil, b.diags
	}
	b.pkg.Warnings = b.diags
	b.pkg.Names = b.declaredNames()
	b.pkg.Types = sortedTypes(b.typeList)
	b.pkg.Codecs = sortedCodecs(b.codecList)
	return b.pkg, b.diags
}

// builder holds one Build's state.
type builder struct {
	doc   *model.Document
	cfg   Config
	pkg   *Package
	diags loader.Diagnostics
	ns    *namespace

	ops      []*Operation
	channels map[*model.Channel]*Channel
	topics   map[*model.Channel]*gen.Topic
	messages map[*model.Message]*Message

	types     map[*model.Schema]*Type // named types by the schema they map
	typeList  []*Type
	explicit  map[*model.Schema]string // x-go-names claimed up front
	onStack   map[*model.Schema]bool   // unnamed containers being resolved
	codecs    map[codecKey]*Codec
	codecList []*Codec
	bundle    *bundler
	// headers lists, per headers schema, the messages that have it.
	headers     map[*model.Schema][]string
	headerOrder []*model.Schema
}

// codecKey identifies a codec: one per schema and wire format.
type codecKey struct {
	schema *model.Schema
	kind   CodecKind
}

func newBuilder(doc *model.Document, cfg Config) *builder {
	b := &builder{
		doc:      doc,
		cfg:      cfg,
		pkg:      &Package{Name: cfg.Package, Source: cfg.Source, Doc: doc, Role: cfg.Role, SchemasVar: "schemas"},
		channels: map[*model.Channel]*Channel{},
		topics:   map[*model.Channel]*gen.Topic{},
		messages: map[*model.Message]*Message{},
		types:    map[*model.Schema]*Type{},
		explicit: map[*model.Schema]string{},
		onStack:  map[*model.Schema]bool{},
		codecs:   map[codecKey]*Codec{},
		headers:  map[*model.Schema][]string{},
		bundle:   newBundler(),
	}
	b.ns = newNamespace(&b.diags)
	return b
}

// FixedNames are the package-level identifiers every generated package
// declares (client.go); nothing from the document may take them.
var FixedNames = []string{
	"Client", "NewClient", "ClientOption", "WithErrorHandler", "WithoutValidation", "WithMaxPayloadSize",
	"PublishOption", "WithQoS", "WithRetain", "SubscribeOption", "WithShareGroup", "WithSubscribeQoS",
	"ServerURLs", "schemas",
}

func (b *builder) reserveFixed() {
	b.ns.reserve("the generated client API", FixedNames...)
}

// selectOperations keeps the operations that can get a method in this
// role, warning about those that cannot, and the channels they use.
func (b *builder) selectOperations() {
	for _, op := range b.doc.Operations {
		pub, sub := b.cfg.Role.sides(op.Action == model.Send)
		ch := op.Channel
		switch {
		case ch == nil:
			b.warn(op.Loc, "operation %q has no channel: no method is generated for it", op.Key)
			continue
		case ch.Address == "":
			b.warn(op.Loc, "operation %q: channel %q has no address: no method is generated for it", op.Key, ch.Key)
			continue
		}
		t, err := b.topic(ch)
		if err != nil {
			b.warn(ch.Loc, "%v: no method is generated for operation %q", err, op.Key)
			continue
		}
		if pub && !t.Publishable() {
			b.warn(op.Loc, "operation %q: address %q holds an MQTT wildcard level, so it can be subscribed to but not published to: no Publish method", op.Key, ch.Address)
			pub = false
		}
		if !pub && !sub {
			continue
		}
		if op.Reply != nil {
			b.warn(op.Reply.Loc, "operation %q: request/reply is not generated; the reply's channel and messages get no methods of their own", op.Key)
		}
		o := &Operation{Model: op, Publish: pub, Subscribe: sub}
		o.Channel = b.channel(ch)
		b.ops = append(b.ops, o)
	}
	used := map[*model.Channel]bool{}
	for _, o := range b.ops {
		used[o.Channel.Model] = true
	}
	for _, ch := range b.doc.Channels {
		if !used[ch] && b.channels[ch] == nil {
			b.warn(ch.Loc, "channel %q has no operation this role publishes or subscribes to: nothing is generated for it", ch.Key)
		}
	}
	b.pkg.Operations = b.ops
}

// topic compiles a channel's address once.
func (b *builder) topic(ch *model.Channel) (*gen.Topic, error) {
	if t, ok := b.topics[ch]; ok {
		return t, nil
	}
	t, err := gen.ParseAddress(ch.Address)
	if err != nil {
		return nil, err
	}
	b.topics[ch] = t
	return t, nil
}

// channel returns the Channel of ch, adding it to the package the first
// time (document order of first use).
func (b *builder) channel(ch *model.Channel) *Channel {
	if c, ok := b.channels[ch]; ok {
		return c
	}
	c := &Channel{Model: ch}
	b.channels[ch] = c
	b.pkg.Channels = append(b.pkg.Channels, c)
	return c
}

// declaredNames is every name the namespace handed out, less the fixed
// ones this package does not declare (ServerURLs without servers, the
// schema bundle without codecs).
func (b *builder) declaredNames() []string {
	var out []string
	for id := range b.ns.owners {
		switch {
		case id == "ServerURLs" && len(b.pkg.Servers) == 0:
		case id == b.pkg.SchemasVar && len(b.pkg.Schemas) == 0:
		default:
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// warn records a warning.
func (b *builder) warn(loc model.Loc, format string, args ...any) {
	b.diags = append(b.diags, warning(loc, format, args...))
}

// fail records an error.
func (b *builder) fail(loc model.Loc, format string, args ...any) {
	b.diags = append(b.diags, loader.At(loc, format, args...))
}

// dedupe drops repeated diagnostics (a shared schema reported from every
// place that uses it); ds must be sorted.
func dedupe(ds loader.Diagnostics) loader.Diagnostics {
	out := ds[:0]
	for i, d := range ds {
		if i > 0 && d == ds[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}
