package loader

// The fixed fields of every AsyncAPI object kind, per version, as the
// specification and its official JSON meta-schemas (2.0.0 to 2.6.0 and
// 3.0.0) define them. check.go walks a document with these tables: a key
// that is neither a fixed field of its object in the document's version
// nor an x- extension is an error, and so is a missing required field.
// JSON Schema objects (payloads, headers, parameter schemas) are not in
// these tables: a schema may carry any keyword.

// version numbers AsyncAPI versions: 20 for 2.0.0 ... 26 for 2.6.0, 30 for
// 3.0.0; they order as the versions do.
type version int

// versions is the range of versions, inclusive, that have a field.
type versions struct{ from, to version }

var (
	all = versions{20, 30}
	v2  = versions{20, 26}
	v3  = versions{30, 30}
)

// since is every version from v on (3.0.0 included).
func since(v version) versions { return versions{v, 30} }

// v2since is the 2.x versions from v on.
func v2since(v version) versions { return versions{v, 26} }

func (vs versions) has(v version) bool { return v >= vs.from && v <= vs.to }

// objKind is an AsyncAPI object kind, or a value check.go treats
// specially (schemas, bindings, the 2.x message-or-oneOf).
type objKind int

const (
	kNone objKind = iota // a plain value: nothing to check inside
	kDocument
	kInfo
	kContact
	kLicense
	kServer
	kServerVariable
	kChannel
	kOperation
	kOperationTrait
	kMessage
	kMessageOrOneOf // 2.x operation message: a message or {oneOf: [messages]}
	kMessageTrait
	kMessageExample
	kParameter
	kComponents
	kTag
	kExternalDocs
	kCorrelationID
	kReply
	kReplyAddress
	kSecurityScheme // dispatches on its type to one of the kSec* kinds
	kSecBasic
	kSecAPIKey
	kSecHTTPAPIKey
	kSecHTTP
	kSecOAuth2
	kSecOpenIDConnect
	kOAuthFlows
	kFlowImplicit
	kFlowPassword
	kFlowClientCredentials
	kFlowAuthorizationCode
	kServerBindings
	kChannelBindings
	kOperationBindings
	kMessageBindings
	kMQTTServer
	kMQTTLastWill
	kMQTTOperation
	kMQTTMessage
	kMultiFormat    // 3.0 {schemaFormat, schema}
	kSchema         // a JSON Schema: only its examples are checked
	kAnySchema      // 3.0: a Multi Format Schema Object or a schema
	kIntOrSchema    // an MQTT binding number that may be a schema instead
	kStringOrSchema // an MQTT binding string that may be a schema instead
)

// kindInfo names a kind: name in "unknown field in <name>", item where the
// value is one entry of a list or map ("<item> must be an object").
type kindInfo struct {
	name, item string
	// lenient lists the versions whose meta-schema accepts unknown keys
	// here (the 2.x bindings objects): they are warnings there.
	lenient versions
}

var kinds = map[objKind]kindInfo{
	kDocument:              {name: "the document"},
	kInfo:                  {name: "info"},
	kContact:               {name: "contact"},
	kLicense:               {name: "license"},
	kServer:                {name: "server"},
	kServerVariable:        {name: "server variable"},
	kChannel:               {name: "channel"},
	kOperation:             {name: "operation"},
	kOperationTrait:        {name: "operation trait", item: "trait"},
	kMessage:               {name: "message"},
	kMessageOrOneOf:        {name: "message"},
	kMessageTrait:          {name: "message trait", item: "trait"},
	kMessageExample:        {name: "message example", item: "example"},
	kParameter:             {name: "parameter"},
	kComponents:            {name: "components"},
	kTag:                   {name: "tag"},
	kExternalDocs:          {name: "external docs"},
	kCorrelationID:         {name: "correlation ID"},
	kReply:                 {name: "reply"},
	kReplyAddress:          {name: "reply address"},
	kSecurityScheme:        {name: "security scheme"},
	kSecBasic:              {name: "security scheme"},
	kSecAPIKey:             {name: "apiKey security scheme"},
	kSecHTTPAPIKey:         {name: "httpApiKey security scheme"},
	kSecHTTP:               {name: "http security scheme"},
	kSecOAuth2:             {name: "oauth2 security scheme"},
	kSecOpenIDConnect:      {name: "openIdConnect security scheme"},
	kOAuthFlows:            {name: "OAuth flows"},
	kFlowImplicit:          {name: "implicit OAuth flow"},
	kFlowPassword:          {name: "password OAuth flow"},
	kFlowClientCredentials: {name: "clientCredentials OAuth flow"},
	kFlowAuthorizationCode: {name: "authorizationCode OAuth flow"},
	kServerBindings:        {name: "server bindings", item: "bindings", lenient: v2},
	kChannelBindings:       {name: "channel bindings", item: "bindings", lenient: v2},
	kOperationBindings:     {name: "operation bindings", item: "bindings", lenient: v2},
	kMessageBindings:       {name: "message bindings", item: "bindings", lenient: v2},
	kMQTTServer:            {name: "MQTT server binding"},
	kMQTTLastWill:          {name: "MQTT last will"},
	kMQTTOperation:         {name: "MQTT operation binding"},
	kMQTTMessage:           {name: "MQTT message binding"},
	kMultiFormat:           {name: "multi-format schema"},
}

// shape is how a field holds its child kind.
type shape int

const (
	one    shape = iota // the value is a child
	listOf              // a list of children
	mapOf               // a map from names to children
)

// field is one fixed field of an object kind.
type field struct {
	name     string
	in       versions
	required bool
	child    objKind // kNone: a plain value
	shape    shape
}

func f(name string, in versions) field { return field{name: name, in: in} }

func (x field) req() field                     { x.required = true; return x }
func (x field) of(k objKind) field             { x.child = k; return x }
func (x field) listOf(k objKind) field         { x.child, x.shape = k, listOf; return x }
func (x field) mapOf(k objKind) field          { x.child, x.shape = k, mapOf; return x }
func fields(fs ...field) []field               { return fs }
func with(base []field, more ...field) []field { return append(append([]field{}, base...), more...) }

// Fields several kinds share.
var (
	tagsAndDocs = fields(
		f("tags", all).listOf(kTag),
		f("externalDocs", all).of(kExternalDocs),
	)
	// messageTraitFields are a message's fields but payload and traits.
	messageTraitFields = with(tagsAndDocs,
		f("schemaFormat", v2),
		f("messageId", v2since(24)),
		f("contentType", all),
		f("headers", v2).of(kSchema),
		f("headers", v3).of(kAnySchema),
		f("correlationId", all).of(kCorrelationID),
		f("summary", all),
		f("name", all),
		f("title", all),
		f("description", all),
		f("deprecated", all),
		f("examples", all).listOf(kMessageExample),
		f("bindings", all).of(kMessageBindings),
	)
	operationTraitFields = with(tagsAndDocs,
		f("operationId", v2),
		f("title", v3),
		f("summary", all),
		f("description", all),
		f("security", v2since(24)), // security requirements: name -> scopes
		f("security", v3).listOf(kSecurityScheme),
		f("bindings", all).of(kOperationBindings),
	)
	securityBase = fields(f("type", all).req(), f("description", all))
	// flowFields builds an OAuth flow: each flow kind has its own required
	// URLs and leaves out the URL it must not have.
	flowFields = func(names ...string) []field {
		fs := fields(f("refreshUrl", all), f("scopes", v2).req(), f("availableScopes", v3).req())
		for _, n := range names {
			fs = append(fs, f(n, all).req())
		}
		return fs
	}
	// v2Protocols are the bindings a 2.x bindings object names (the 2.x
	// meta-schemas accept others, so unknown ones are warnings there).
	v2Protocols = []string{"amqp", "amqp1", "anypointmq", "googlepubsub", "http", "ibmmq", "jms", "kafka", "mqtt", "mqtt5", "nats", "pulsar", "redis", "sns", "solace", "sqs", "stomp", "ws"}
	// v3Protocols are the bindings a 3.0 message or operation bindings
	// object may name; servers and channels also have pulsar.
	v3Protocols = []string{"amqp", "amqp1", "anypointmq", "googlepubsub", "http", "ibmmq", "jms", "kafka", "mqtt", "nats", "redis", "sns", "solace", "sqs", "stomp", "ws"}
	// mqttVersion is every MQTT binding's bindingVersion. The MQTT binding
	// fields are those of bindings 0.1.0 and 0.2.0 together: documents
	// often leave bindingVersion out, and the loader reads them all.
	mqttVersion = f("bindingVersion", all)
)

// bindingFields lists the protocols of a bindings object; mqtt is checked
// as kind mqtt, the others are left alone (their fields are not known here).
func bindingFields(mqtt objKind, pulsar bool) []field {
	var fs []field
	for _, p := range v2Protocols {
		if p == "mqtt" {
			continue
		}
		fs = append(fs, f(p, v2))
	}
	for _, p := range v3Protocols {
		if p != "mqtt" {
			fs = append(fs, f(p, v3))
		}
	}
	if pulsar {
		fs = append(fs, f("pulsar", v3))
	}
	return append(fs, f("mqtt", all).of(mqtt))
}

var objects = map[objKind][]field{
	kDocument: with(nil,
		f("asyncapi", all).req(),
		f("id", all),
		f("info", all).req().of(kInfo),
		f("servers", all).mapOf(kServer),
		f("defaultContentType", all),
		f("channels", v2).req().mapOf(kChannel),
		f("channels", v3).mapOf(kChannel),
		f("operations", v3).mapOf(kOperation),
		f("components", all).of(kComponents),
		f("tags", v2).listOf(kTag),
		f("externalDocs", v2).of(kExternalDocs),
	),
	kInfo: fields(
		f("title", all).req(),
		f("version", all).req(),
		f("description", all),
		f("termsOfService", all),
		f("contact", all).of(kContact),
		f("license", all).of(kLicense),
		f("tags", v3).listOf(kTag),
		f("externalDocs", v3).of(kExternalDocs),
	),
	kContact: fields(f("name", all), f("url", all), f("email", all)),
	kLicense: fields(f("name", all).req(), f("url", all)),
	kServer: fields(
		f("url", v2).req(),
		f("host", v3).req(),
		f("pathname", v3),
		f("protocol", all).req(),
		f("protocolVersion", all),
		f("title", v3),
		f("summary", v3),
		f("description", all),
		f("variables", all).mapOf(kServerVariable),
		f("security", v2),
		f("security", v3).listOf(kSecurityScheme),
		f("tags", since(25)).listOf(kTag),
		f("externalDocs", v3).of(kExternalDocs),
		f("bindings", all).of(kServerBindings),
	),
	kServerVariable: fields(f("enum", all), f("default", all), f("description", all), f("examples", all)),
	kChannel: fields(
		f("address", v3),
		f("messages", v3).mapOf(kMessage),
		f("title", v3),
		f("summary", v3),
		f("description", all),
		f("servers", v2since(22)),
		f("servers", v3).listOf(kServer),
		f("subscribe", v2).of(kOperation),
		f("publish", v2).of(kOperation),
		f("parameters", all).mapOf(kParameter),
		f("deprecated", v2),
		f("tags", v3).listOf(kTag),
		f("externalDocs", v3).of(kExternalDocs),
		f("bindings", all).of(kChannelBindings),
	),
	kOperation: with(operationTraitFields,
		f("action", v3).req(),
		f("channel", v3).req().of(kChannel),
		f("message", v2).of(kMessageOrOneOf),
		f("messages", v3).listOf(kMessage),
		f("reply", v3).of(kReply),
		f("traits", all).listOf(kOperationTrait),
	),
	kOperationTrait: operationTraitFields,
	kMessage: with(messageTraitFields,
		f("payload", v2), // its schema format is the message's: see checkMessage
		f("payload", v3).of(kAnySchema),
		f("traits", all).listOf(kMessageTrait),
	),
	kMessageTrait: messageTraitFields,
	kMessageExample: fields(
		f("name", since(21)),
		f("summary", since(21)),
		f("headers", all),
		f("payload", all),
	),
	kParameter: fields(
		f("description", all),
		f("location", all),
		f("schema", v2).of(kSchema),
		f("enum", v3),
		f("default", v3),
		f("examples", v3),
	),
	kComponents: fields(
		f("schemas", v2).mapOf(kSchema),
		f("schemas", v3).mapOf(kAnySchema),
		f("servers", since(23)).mapOf(kServer),
		f("channels", since(23)).mapOf(kChannel),
		f("operations", v3).mapOf(kOperation),
		f("messages", all).mapOf(kMessage),
		f("securitySchemes", all).mapOf(kSecurityScheme),
		f("serverVariables", since(24)).mapOf(kServerVariable),
		f("parameters", all).mapOf(kParameter),
		f("correlationIds", all).mapOf(kCorrelationID),
		f("replies", v3).mapOf(kReply),
		f("replyAddresses", v3).mapOf(kReplyAddress),
		f("externalDocs", v3).mapOf(kExternalDocs),
		f("tags", v3).mapOf(kTag),
		f("operationTraits", all).mapOf(kOperationTrait),
		f("messageTraits", all).mapOf(kMessageTrait),
		f("serverBindings", all).mapOf(kServerBindings),
		f("channelBindings", all).mapOf(kChannelBindings),
		f("operationBindings", all).mapOf(kOperationBindings),
		f("messageBindings", all).mapOf(kMessageBindings),
	),
	kTag:           fields(f("name", all).req(), f("description", all), f("externalDocs", all).of(kExternalDocs)),
	kExternalDocs:  fields(f("description", all), f("url", all).req()),
	kCorrelationID: fields(f("description", all), f("location", all).req()),
	kReply: fields(
		f("address", v3).of(kReplyAddress),
		f("channel", v3).of(kChannel),
		f("messages", v3).listOf(kMessage),
	),
	kReplyAddress:     fields(f("description", v3), f("location", v3).req()),
	kSecBasic:         securityBase,
	kSecAPIKey:        with(securityBase, f("in", all).req()),
	kSecHTTPAPIKey:    with(securityBase, f("name", all).req(), f("in", all).req()),
	kSecHTTP:          with(securityBase, f("scheme", all).req(), f("bearerFormat", all)),
	kSecOAuth2:        with(securityBase, f("flows", all).req().of(kOAuthFlows), f("scopes", v3)),
	kSecOpenIDConnect: with(securityBase, f("openIdConnectUrl", all).req(), f("scopes", v3)),
	kOAuthFlows: fields(
		f("implicit", all).of(kFlowImplicit),
		f("password", all).of(kFlowPassword),
		f("clientCredentials", all).of(kFlowClientCredentials),
		f("authorizationCode", all).of(kFlowAuthorizationCode),
	),
	kFlowImplicit:          flowFields("authorizationUrl"),
	kFlowPassword:          flowFields("tokenUrl"),
	kFlowClientCredentials: flowFields("tokenUrl"),
	kFlowAuthorizationCode: flowFields("authorizationUrl", "tokenUrl"),
	kServerBindings:        bindingFields(kMQTTServer, true),
	kChannelBindings:       bindingFields(kNone, true),
	kOperationBindings:     bindingFields(kMQTTOperation, false),
	kMessageBindings:       bindingFields(kMQTTMessage, false),
	kMQTTServer: fields(
		f("clientId", all),
		f("cleanSession", all),
		f("lastWill", all).of(kMQTTLastWill),
		f("keepAlive", all),
		f("sessionExpiryInterval", all).of(kIntOrSchema),
		f("maximumPacketSize", all).of(kIntOrSchema),
		mqttVersion,
	),
	kMQTTLastWill: fields(f("topic", all), f("qos", all), f("message", all), f("retain", all)),
	kMQTTOperation: fields(
		f("qos", all),
		f("retain", all),
		f("messageExpiryInterval", all).of(kIntOrSchema),
		mqttVersion,
	),
	kMQTTMessage: fields(
		f("contentType", all),
		f("payloadFormatIndicator", all),
		f("correlationData", all).of(kSchema),
		f("responseTopic", all).of(kStringOrSchema),
		mqttVersion,
	),
	kMultiFormat: fields(f("schemaFormat", v3).req(), f("schema", v3).req()),
}

// securityTypes maps a security scheme's type to the kind that lists its
// fields, with the versions that know the type.
var securityTypes = map[string]struct {
	kind objKind
	in   versions
}{
	"userPassword":         {kSecBasic, all},
	"X509":                 {kSecBasic, all},
	"symmetricEncryption":  {kSecBasic, all},
	"asymmetricEncryption": {kSecBasic, all},
	"plain":                {kSecBasic, since(21)},
	"scramSha256":          {kSecBasic, since(21)},
	"scramSha512":          {kSecBasic, since(21)},
	"gssapi":               {kSecBasic, since(21)},
	"apiKey":               {kSecAPIKey, all},
	"httpApiKey":           {kSecHTTPAPIKey, all},
	"http":                 {kSecHTTP, all},
	"oauth2":               {kSecOAuth2, all},
	"openIdConnect":        {kSecOpenIDConnect, all},
}
