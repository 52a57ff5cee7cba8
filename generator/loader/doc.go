// Package loader reads AsyncAPI 2.0–2.6 and 3.0 documents (YAML or JSON)
// into the version-independent model of package model.
//
// Load parses the file with positions (gopkg.in/yaml.v3 nodes), resolves
// every $ref (local JSON pointers with ~0, ~1 and %-escapes; relative files,
// resolved against the file that names them; never http(s)), applies message
// and operation traits as each version's spec says, builds the model and
// validates what a generator needs beyond the meta-schema: every {param} of
// an address declared and every declared parameter used, operations on the
// document's channels with that channel's messages, unique operation IDs.
//
// Every problem found is returned, sorted, as Diagnostics, printed one per
// line as "file:line:col: /json/pointer: what is wrong". Hostile input
// (huge files, deep nesting, YAML alias bombs, $ref mazes) is refused with
// ErrLimit within bounded time and memory.
//
// The naming stage (generator.AssignNames) runs after Load; GoName fields
// are empty until then.
package loader
