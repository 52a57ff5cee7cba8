package naming

import "testing"

func TestPascal(t *testing.T) {
	cases := map[string]string{
		"sensorId":         "SensorID",
		"sensor-id":        "SensorID",
		"user.signedUp":    "UserSignedUp",
		"HTTPServer":       "HTTPServer",
		"last-seen":        "LastSeen",
		"_type":            "Type",
		"2fa":              "X2fa",
		"api_url":          "APIURL",
		"streetlightId":    "StreetlightID",
		"uuid":             "UUID",
		"lightingMeasured": "LightingMeasured",
		"sensor2Temp":      "Sensor2Temp",
		"$$$":              "",
		"json":             "JSON",
		"smartylighting/streetlights/1/0/event/{streetlightId}/lighting/measured": "SmartylightingStreetlights10EventStreetlightIDLightingMeasured",
	}
	for in, want := range cases {
		if got := Pascal(in); got != want {
			t.Errorf("Pascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCamel(t *testing.T) {
	cases := map[string]string{
		"SensorID": "sensorID",
		"type":     "type_",
		"func":     "func_",
		"ID":       "id",
		"URLPath":  "urlPath",
		"range":    "range_",
		"string":   "string_",
	}
	for in, want := range cases {
		if got := Camel(in); got != want {
			t.Errorf("Camel(%q) = %q, want %q", in, got, want)
		}
	}
}
