package runtime_test

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"

	mqttrt "github.com/mqttgen/mqttgen/runtime"
)

// TestScannerSyntaxMatchesEncodingJSON: Skip+End accepts exactly the
// documents encoding/json accepts.
func TestScannerSyntaxMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`{"a":"\u00e9\n\"\\\/"}`, "\"\xff\"", `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`,
		`01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`, `tru`, `nul`, `nullx`, `"a`, `"\x"`, `"\u12"`, "\"\x01\"",
		`{"a":1}{`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, ``, ` `, `[[[[]]]]`, `{"a":{"b":{"c":[true,false,null]}}}`,
	}
	for _, d := range docs {
		sc := mqttrt.NewScanner([]byte(d))
		got := sc.Skip() && sc.End()
		if want := json.Valid([]byte(d)); got != want {
			t.Errorf("%q: scanner says %v, encoding/json says %v", d, got, want)
		}
	}
}

// TestScannerNumbers checks the integer test and the bound comparisons
// against exact rational arithmetic, as the schema validator does them.
func TestScannerNumbers(t *testing.T) {
	nums := []string{"0", "-0", "1", "1.0", "1.5", "1e2", "100e-2", "150e-2", "0e-5", "-2E+1", "100", "100.0",
		"100.000000000000000000001", "99.99999999999999999999", "-50", "-50.5", "0.1", "0.30000000000000004", "12345678901234567890"}
	bounds := []string{"0", "100", "-50", "0.1", "1.5", "99.99999999999999"}
	for _, n := range nums {
		sc := mqttrt.NewScanner([]byte(n))
		if !sc.Number() || !sc.End() {
			t.Fatalf("%s: not read as a number", n)
		}
		r, _ := new(big.Rat).SetString(n)
		if got := sc.Integer(); got != r.IsInt() {
			t.Errorf("%s: Integer() = %v, want %v", n, got, r.IsInt())
		}
		if v, ok := sc.Int(); ok != (r.IsInt() && r.Num().IsInt64()) || ok && v != r.Num().Int64() {
			t.Errorf("%s: Int() = %d, %v", n, v, ok)
		}
		for _, b := range bounds {
			br, _ := new(big.Rat).SetString(b)
			f, _ := br.Float64()
			c := r.Cmp(br)
			if sc.AtLeast(f, b) != (c >= 0) || sc.AtMost(f, b) != (c <= 0) || sc.Above(f, b) != (c > 0) || sc.Below(f, b) != (c < 0) {
				t.Errorf("%s vs %s: comparisons disagree with exact arithmetic (cmp %d)", n, b, c)
			}
			if br.Sign() != 0 && sc.MultipleOf(b) != new(big.Rat).Quo(r, br).IsInt() {
				t.Errorf("%s multipleOf %s: got %v", n, b, sc.MultipleOf(b))
			}
		}
	}
}

// TestScannerStrings: Str decodes as encoding/json does, escapes and
// invalid UTF-8 included.
func TestScannerStrings(t *testing.T) {
	for _, d := range []string{`"plain"`, `"Küche"`, `"\u00e9\ud83d\ude00"`, "\"\xffa\"", `"\ud800"`, `"a\"b"`} {
		sc := mqttrt.NewScanner([]byte(d))
		if !sc.String() || !sc.End() {
			t.Fatalf("%q: not read", d)
		}
		var want string
		if err := json.Unmarshal([]byte(d), &want); err != nil {
			t.Fatal(err)
		}
		if got := string(sc.Str()); got != want {
			t.Errorf("%q: Str() = %q, want %q", d, got, want)
		}
	}
	if mqttrt.FormatChecker("no-such-format") != nil {
		t.Error("an unknown format got a checker")
	}
	if uuid := mqttrt.FormatChecker("uuid"); uuid == nil || !uuid([]byte("0b7e2c1a-4f5e-4b8e-9a3c-2d1e0f9a8b7c")) || uuid([]byte("x")) {
		t.Error("the uuid checker does not agree with the format")
	}
}

// BenchmarkScannerReading is the emitted check's cost for the sensor
// reading, walked the way the generated code walks it.
func BenchmarkScannerReading(b *testing.B) {
	data := []byte(`{"sensorId":"sensor-kitchen-0001","celsius":21.5,"battery":87}`)
	b.ReportAllocs()
	for b.Loop() {
		sc := mqttrt.NewScanner(data)
		if !sc.Object() {
			b.Fatal("not an object")
		}
		for sc.NextKey() {
			switch string(sc.Key()) {
			case "sensorId":
				if !sc.String() || len(sc.Str()) < 1 {
					b.Fatal("sensorId")
				}
			case "celsius", "battery":
				if !sc.Number() || !sc.AtLeast(-50, "-50") || !sc.AtMost(100, "100") {
					b.Fatal("number")
				}
			default:
				sc.Skip()
			}
		}
		if !sc.End() {
			b.Fatal("end")
		}
	}
}

// TestScannerKeyFolds: KeyFolds says true for every key encoding/json would
// decode into a field of that name, exact or not, and (but for the
// Turkish i) false otherwise.
func TestScannerKeyFolds(t *testing.T) {
	type target struct {
		Celsius  *float64 `json:"celsius"`
		SensorID *float64 `json:"sensorId"`
		Kind     *float64 `json:"kind"`
	}
	names := []string{"celsius", "sensorId", "kind"}
	keys := []string{"celsius", "CELSIUS", "Celsius", "cElSiUs", "celsiu\u017f", "\u212aind", "KIND", "sensorid", "SENSORID",
		"sensor_id", "celsius ", "celsiu", "kinds", "k\u0130nd", "cel\\u0073ius", "CEL\\u0053IUS", "other", "", "\u00e9", "kınd"}
	for _, k := range keys {
		data := []byte(`{"` + k + `":1}`)
		var v target
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		decoded := v.Celsius != nil || v.SensorID != nil || v.Kind != nil
		sc := mqttrt.NewScanner(data)
		if !sc.Object() || !sc.NextKey() {
			t.Fatalf("%s: not read", data)
		}
		// Over-matching only costs time, so the dotted and dotless i
		// (equal to i under upper(lower(r)), another folding) may match.
		got := sc.KeyFolds(names...)
		if got != decoded && !(got && strings.ContainsAny(k, "\u0130\u0131")) {
			t.Errorf("key %q: KeyFolds says %v, encoding/json fills a field: %v", k, got, decoded)
		}
	}
}

// BenchmarkKeyFolds is the cost a generated check pays per member whose
// name is not a declared property.
func BenchmarkKeyFolds(b *testing.B) {
	data := []byte(`{"location":1}`)
	for b.Loop() {
		sc := mqttrt.NewScanner(data)
		if !sc.Object() || !sc.NextKey() || sc.KeyFolds("sensorId", "celsius", "battery") {
			b.Fatal("unexpected")
		}
	}
}

// TestScannerValuesMatchEncodingJSON: Float64 and Int64 give what
// json.Unmarshal stores in a float64 or int64, and fail exactly where it
// reports an error.
func TestScannerValuesMatchEncodingJSON(t *testing.T) {
	nums := []string{"0", "-0", "1", "1.0", "1.5", "1e2", "-2E+1", "0.1", "3.4028235e38", "3.5e38", "2147483647", "2147483648", "-2147483649", "0.30000000000000004", "1e308", "1e309", "-1e400",
		"4.9e-324", "1e-400", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "12345678901234567890"}
	for _, n := range nums {
		sc := mqttrt.NewScanner([]byte(n))
		if !sc.Number() || !sc.End() {
			t.Fatalf("%s: not read as a number", n)
		}
		var f float64
		ferr := json.Unmarshal([]byte(n), &f)
		if got, ok := sc.Float64(); ok != (ferr == nil) || ok && got != f {
			t.Errorf("%s: Float64() = %v, %v; encoding/json %v, %v", n, got, ok, f, ferr)
		}
		var i int64
		ierr := json.Unmarshal([]byte(n), &i)
		if got, ok := sc.Int64(); ok != (ierr == nil) || ok && got != i {
			t.Errorf("%s: Int64() = %v, %v; encoding/json %v, %v", n, got, ok, i, ierr)
		}
		var f32 float32
		ferr = json.Unmarshal([]byte(n), &f32)
		if got, ok := sc.Float32(); ok != (ferr == nil) || ok && got != f32 {
			t.Errorf("%s: Float32() = %v, %v; encoding/json %v, %v", n, got, ok, f32, ferr)
		}
		var i32 int32
		ierr = json.Unmarshal([]byte(n), &i32)
		if got, ok := sc.Int32(); ok != (ierr == nil) || ok && got != i32 {
			t.Errorf("%s: Int32() = %v, %v; encoding/json %v, %v", n, got, ok, i32, ierr)
		}
	}
}

// TestScannerStrToken: StrToken is the string as written, quotes
// included, whatever precedes or follows it.
func TestScannerStrToken(t *testing.T) {
	for _, d := range []string{`"a"`, ` "\u00e9\"x" `, `""`, "\"\xff\""} {
		sc := mqttrt.NewScanner([]byte(d))
		if !sc.String() {
			t.Fatalf("%s: not read as a string", d)
		}
		if got, want := string(sc.StrToken()), strings.TrimSpace(d); got != want {
			t.Errorf("StrToken() = %s, want %s", got, want)
		}
	}
}

// TestAppendJSONStringMatchesMarshal: every ASCII byte, HTML characters,
// line and paragraph separators, valid and invalid UTF-8, as json.Marshal
// writes them.
func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	strs := []string{"", "plain", "a<b>&c", "\u2028\u2029", "é€𝄞", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "x\u007fy", "\"\\/"}
	for c := 0; c < 0x80; c++ {
		strs = append(strs, "a"+string(rune(c))+"b")
	}
	for _, s := range strs {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := mqttrt.AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want x%s", s, got, want)
		}
	}
}

// TestAppendJSONFloatMatchesMarshal: float64 and float32 values around
// the notation switches, as json.Marshal writes them; NaN and infinities
// refused.
func TestAppendJSONFloatMatchesMarshal(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 1e-6, 9.999999e-7, 1e-7, 1.234e-10, 1e20, 1e21, 123456789012345678901234.0,
		1e100, -1e-300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.MaxFloat32, 3.4e38, 0.30000000000000004, 100, -50}
	for _, f := range vals {
		want, err := json.Marshal(f)
		if got, ok := mqttrt.AppendJSONFloat(nil, f, 64); !ok || err != nil || string(got) != string(want) {
			t.Errorf("%v: got %s %v, want %s %v", f, got, ok, want, err)
		}
		f32 := float32(f)
		if math.IsInf(float64(f32), 0) {
			continue
		}
		want, err = json.Marshal(f32)
		if got, ok := mqttrt.AppendJSONFloat(nil, float64(f32), 32); !ok || err != nil || string(got) != string(want) {
			t.Errorf("float32 %v: got %s %v, want %s %v", f32, got, ok, want, err)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := mqttrt.AppendJSONFloat(nil, f, 64); ok {
			t.Errorf("%v accepted", f)
		}
	}
}
