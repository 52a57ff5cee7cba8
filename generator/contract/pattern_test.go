package contract

import (
	"regexp"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPatternString(t *testing.T) {
	cases := []struct {
		pattern        string
		minLen, maxLen int
		want           string
	}{
		{`^[A-Z]+-[0-9]+$`, 0, -1, "A-0"},
		{`^\d{3}-\d{2}$`, 0, -1, "000-00"},
		{`^[a-f0-9]{8}$`, 0, -1, "aaaaaaaa"},
		{`^(GET|POST)$`, 0, -1, "GET"},
		{`^x*$`, 4, -1, "xxxx"},
		{`^[a-z]{2,10}$`, 6, -1, "aaaaaa"},
		{`^ab?c$`, 3, -1, "abc"},
		{`^[^/+#]+$`, 0, -1, "a"},
		{`^\w+@\w+\.com$`, 0, -1, "a@a.com"},
		{`\.json$`, 0, -1, ".json"},
		{`^[\p{L}]+$`, 0, -1, "a"},
		{`^\S+$`, 0, -1, "a"},
		{`^(?i)abc$`, 0, -1, "abc"},
		{`^$`, 0, 0, ""},
	}
	for _, tc := range cases {
		got, err := patternString(tc.pattern, tc.minLen, tc.maxLen)
		require.NoError(t, err, tc.pattern)
		assert.Equal(t, tc.want, got, tc.pattern)
		assert.Regexp(t, regexp.MustCompile(tc.pattern), got)
		assert.GreaterOrEqual(t, utf8.RuneCountInString(got), tc.minLen, tc.pattern)
	}
}

func TestPatternStringSaysWhenItCannot(t *testing.T) {
	for _, tc := range []struct {
		pattern        string
		minLen, maxLen int
		want           string
	}{
		{`^(?=a)a$`, 0, -1, "invalid or unsupported Perl syntax"}, // lookahead: not Go syntax
		{`^a\bb$`, 0, -1, "cannot make a string matching"},        // a word boundary inside a word
		{`^ab$`, 3, -1, "of 3 to -1 characters"},
		{`^abcd$`, 0, 2, "of 0 to 2 characters"},
		{`[`, 0, -1, "missing closing ]"},
	} {
		_, err := patternString(tc.pattern, tc.minLen, tc.maxLen)
		if assert.Error(t, err, tc.pattern) {
			assert.Contains(t, err.Error(), tc.want, tc.pattern)
		}
	}
}
