// Package ir is the resolved model of one generated package: the Go
// identity of every declaration the package will hold and every type
// decision, made once, from a loaded AsyncAPI document and a role.
//
// The generator's pipeline is load → Build → render → format → write.
// Build (this package) decides; the templates only walk the Package it
// returns and never choose a name, a Go type or which operations exist.
// `mqttgen validate` is Build without rendering, so a document validate
// accepts is one generate accepts, for the same role.
//
// # One namespace, one clash policy
//
// Every package-level identifier (types, constants, functions, variables,
// exported or not) is claimed in one namespace, and every method in the
// namespace of its receiver, through a Namespace. Claims are made in a
// fixed order: the package's fixed declarations (Client, NewClient, the
// options…), then every explicit x-go-name, then derived names in
// document order: channels, operations, payload and component types (and
// the types nested in them), enum constants, servers.
//
// An element's name comes from the first source of its naming chain
// (README, "Naming rules") whose identifiers are all free. A derived name
// that is taken falls through to the next source of the chain, and past
// the last to the first source with the smallest free suffix from 2
// ("Location2"); each such rename is a warning that names what it
// collided with. Only two explicit x-go-names that want the same
// identifier are an error. Nothing is ever checked by parsing the output.
package ir
