package gen

import (
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestScannerSyntaxMatchesEncodingJSON: skip+end accepts exactly what
// encoding/json accepts, except invalid UTF-8 in strings, which it refuses.
func TestScannerSyntaxMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e-3`, `true`, `false`, `null`, ` {"a" : [1, {"b":null}] } `,
		`{"a":"\u00e9\n\"\\\/"}`, "\"\xff\"", `{"a":1,}`, `[1,]`, `[,1]`, `{,}`, `{"a"}`, `{"a":}`, `{"a" 1}`,
		`01`, `1.`, `.5`, `-`, `1e`, `1e+`, `+1`, `tru`, `nul`, `nullx`, `"a`, `"\x"`, `"\u12"`, "\"\x01\"",
		`{"a":1}{`, `[1 2]`, `{"a":1 "b":2}`, `{1:2}`, ``, ` `, `[[[[]]]]`, `{"a":{"b":{"c":[true,false,null]}}}`,
		"{\"k\xc3\":1}", "\"\xed\xa0\x80\"", `"\ud800"`,
	}
	for _, d := range docs {
		sc := newScanner([]byte(d))
		got := sc.skip(0) && sc.end()
		want := json.Valid([]byte(d)) && utf8.ValidString(d)
		assert.Equal(t, want, got, "%q", d)
		if !got {
			assert.NotEmpty(t, sc.why, "%q: a syntax error says why", d)
		}
	}
}

// TestDecimals checks integral and magnitude against exact arithmetic.
func TestDecimals(t *testing.T) {
	nums := []string{"0", "-0", "1", "1.0", "1.5", "1e2", "100e-2", "150e-2", "0e-5", "-2E+1", "100", "100.0", "0.00",
		"9007199254740992.0", "18446744073709551615", "18446744073709551616", "-9223372036854775808", "1e19", "1e20", "12.340e3"}
	for _, n := range nums {
		d := parseDecimal([]byte(n))
		r, _ := new(big.Rat).SetString(n)
		is, sure := d.integral()
		require.True(t, sure, n)
		assert.Equal(t, r.IsInt(), is, n)
		mag, ok := d.magnitude()
		abs := new(big.Int).Abs(r.Num())
		assert.Equal(t, r.IsInt() && abs.IsUint64(), ok, n)
		if ok {
			assert.Equal(t, abs.Uint64(), mag, n)
		}
	}
	_, sure := parseDecimal([]byte("1e99999")).integral()
	assert.False(t, sure, "huge exponents are left to the slow path")
	is, sure := parseDecimal([]byte("0e99999")).integral()
	assert.True(t, is && sure, "zero is zero whatever its exponent")
}

// TestBounds checks compare and multiple against exact arithmetic.
func TestBounds(t *testing.T) {
	nums := []string{"0", "-0", "1", "1.0", "1.5", "1e2", "100e-2", "-50", "-50.5", "0.1", "0.30000000000000004",
		"100.000000000000000000001", "99.99999999999999999999", "12345678901234567890"}
	for _, n := range nums {
		r, _ := new(big.Rat).SetString(n)
		for _, bs := range []string{"0", "100", "-50", "0.1", "1.5", "99.99999999999999", "0.0001"} {
			b, ok := newBound(bs)
			require.True(t, ok)
			c, sure := b.compare([]byte(n))
			require.True(t, sure)
			assert.Equal(t, r.Cmp(b.exact), c, "%s vs %s", n, bs)
			if b.exact.Sign() != 0 {
				m, sure := b.multiple([]byte(n), !strings.ContainsAny(n, ".eE"))
				require.True(t, sure)
				assert.Equal(t, new(big.Rat).Quo(r, b.exact).IsInt(), m, "%s multipleOf %s", n, bs)
			}
		}
	}
}

// TestStringsUnescapeAsEncodingJSON: str() is the string encoding/json
// decodes.
func TestStringsUnescapeAsEncodingJSON(t *testing.T) {
	for _, s := range []string{`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u20ac"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\udc00"`,
		`"\ud800\u0041"`, `"é€😀"`} {
		sc := newScanner([]byte(s))
		require.True(t, sc.readString(), s)
		var want string
		require.NoError(t, json.Unmarshal([]byte(s), &want))
		assert.Equal(t, want, string(sc.str()), s)
		assert.Equal(t, s, string(sc.token()))
	}
}

func TestAppendMatchesMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", "a\"b\\c", "<a&b>", "\u2028\u2029", "\x00\x1f\x7f", "é€😀", "tab\there"} {
		want, err := json.Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendString(nil, s)), "%q", s)
	}
	for _, f := range []float64{0, -0.0, 1, -1.5, 1e-7, 1e-6, 123456789, 1e20, 1e21, 1e300, math.SmallestNonzeroFloat64, 21.5, 0.1} {
		want, err := json.Marshal(f)
		require.NoError(t, err)
		got, ok := appendFloat(nil, f, 64)
		require.True(t, ok)
		assert.Equal(t, string(want), string(got), "%v", f)
		if math.Abs(f) > math.MaxFloat32 {
			continue
		}
		want, err = json.Marshal(float32(f))
		require.NoError(t, err)
		got, ok = appendFloat(nil, float64(float32(f)), 32)
		require.True(t, ok)
		assert.Equal(t, string(want), string(got), "float32 %v", f)
	}
	_, ok := appendFloat(nil, math.Inf(1), 64)
	assert.False(t, ok)
}
