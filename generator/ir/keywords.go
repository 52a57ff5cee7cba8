package ir

import (
	"sort"

	"github.com/mqttgen/mqttgen/generator/loader"
	"github.com/mqttgen/mqttgen/generator/model"
)

// Destination says where a JSON Schema keyword of a payload schema goes.
type Destination string

const (
	// ToValidation: the keyword is in the schema bundle, so validation
	// enforces it (and some also shape the Go type).
	ToValidation Destination = "validation"
	// ToDoc: an annotation; it goes into the godoc of the type or field.
	ToDoc Destination = "doc"
	// ByLoader: the loader has already acted on it ($ref resolved,
	// definitions reachable through $ref), so nothing is left to keep.
	ByLoader Destination = "loader"
	// Warned: the keyword is not enforced by draft-07 validation; Build
	// warns where a document uses it.
	Warned Destination = "warning"
)

// Draft7Keywords is where each keyword of JSON Schema draft-07 goes. The
// bundle renders the ToValidation ones (bundle.go); the generator's
// TestDraft7KeywordDestinations walks this table against a document that
// uses every keyword.
var Draft7Keywords = map[string]Destination{
	"$id": ByLoader, "$schema": ByLoader, "$ref": ByLoader, "definitions": ByLoader, "$comment": ByLoader,
	"title": ToDoc, "description": ToDoc, "default": ToDoc, "examples": ToDoc, "readOnly": ToDoc, "writeOnly": ToDoc,
	"type": ToValidation, "enum": ToValidation, "const": ToValidation, "format": ToValidation,
	"multipleOf": ToValidation, "maximum": ToValidation, "exclusiveMaximum": ToValidation,
	"minimum": ToValidation, "exclusiveMinimum": ToValidation,
	"maxLength": ToValidation, "minLength": ToValidation, "pattern": ToValidation,
	"items": ToValidation, "additionalItems": ToValidation, "maxItems": ToValidation, "minItems": ToValidation,
	"uniqueItems": ToValidation, "contains": ToValidation,
	"maxProperties": ToValidation, "minProperties": ToValidation, "required": ToValidation,
	"properties": ToValidation, "patternProperties": ToValidation, "additionalProperties": ToValidation,
	"dependencies": ToValidation, "propertyNames": ToValidation,
	"if": ToValidation, "then": ToValidation, "else": ToValidation,
	"allOf": ToValidation, "anyOf": ToValidation, "oneOf": ToValidation, "not": ToValidation,
	// Draft-07 makes these two annotations that a validator may leave
	// unchecked (the suite tests them only as optional); validation here
	// does not check them, so they are documented, not enforced.
	"contentMediaType": ToDoc, "contentEncoding": ToDoc,
}

// unenforced are validation keywords of later drafts (2019-09, 2020-12)
// that draft-07 validation ignores; dependentRequired, dependentSchemas
// and prefixItems have draft-07 equivalents and are translated instead.
var unenforced = map[string]string{
	"unevaluatedProperties": "2019-09",
	"unevaluatedItems":      "2019-09",
	"minContains":           "2019-09",
	"maxContains":           "2019-09",
	"$defs":                 "2019-09 (schemas there are reachable only through $ref, which the loader resolved)",
	"$anchor":               "2019-09",
	"$dynamicRef":           "2020-12",
	"$recursiveRef":         "2019-09",
}

// warnUnenforced warns about every later-draft keyword a schema uses that
// validation will not enforce.
func warnUnenforced(s *model.Schema, diags *loader.Diagnostics) {
	var keys []string
	for key := range s.Extra {
		if _, ok := unenforced[key]; ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	for _, key := range keys {
		if key == "$defs" {
			continue
		}
		*diags = append(*diags, warning(s.Loc, "keyword %q (JSON Schema %s) is not part of draft-07, which AsyncAPI schemas follow: it is not enforced", key, unenforced[key]))
	}
}
