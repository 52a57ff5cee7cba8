// Package loader reads AsyncAPI 2.0–2.6 and 3.0 documents (YAML or JSON)
// into the version-independent model of package model.
//
// LoadFile (or LoadData, for a document in memory) parses the file with
// positions (gopkg.in/yaml.v3 nodes), resolves every $ref (local JSON
// pointers with ~0, ~1 and %-escapes; relative files, resolved against the
// file that names them; never http(s)), applies message and operation
// traits as each version's spec says, builds the model and checks it.
//
// The document is held to the specification of its own version where the
// specification is strict:
//
//   - every key of every AsyncAPI object (document, info, contact, license,
//     server, server variable, channel, operation, message, traits,
//     parameter, components, tag, external docs, correlation ID, reply,
//     reply address, security scheme, OAuth flows, the bindings objects and
//     the MQTT bindings) must be a field of that object in that version, or
//     an x- extension; a misspelled key is an error with a "did you mean";
//     JSON Schema objects may carry any keyword;
//   - required fields must be there;
//   - tag names in one tags list must differ;
//   - message examples must match their payload and headers schemas, and
//     schema examples their schema (draft-07, formats asserted, as the
//     generated code validates); schemas in other formats (Avro...) are
//     not checked.
//
// It is lenient where real documents need it: an address {parameter} that
// is not declared becomes a plain string parameter, and a declared
// parameter the address does not use is kept; both are warnings.
//
// Files that $refs name must lie inside Options.Root (by default the
// document's directory) once symlinks are resolved: a document cannot make
// the generator read, and copy into generated code, a file elsewhere
// (ErrRefOutsideRoot). The document itself is read wherever it is.
//
// Every problem found is returned, sorted, as Diagnostics, printed one per
// line as "file:line:col: /json/pointer: what is wrong" (errors) or
// "file:line:col: /json/pointer: warning: what is odd" (warnings). A
// document with errors yields no model. Load and LoadBytes are the
// errors-only forms. Hostile input (huge files, deep nesting, YAML alias
// bombs, $ref mazes) is refused with ErrLimit within bounded time and
// memory.
//
// The naming stage (generator.AssignNames) runs after loading; GoName
// fields are empty until then.
package loader
