package contract

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// maxRepeat bounds the repetitions added to reach minLength.
const maxRepeat = 1 << 12

// patternString makes a string that pattern matches, of at least minLen
// characters when the pattern lets it grow, by walking the parsed
// expression: the first branch of each alternation, the fewest
// repetitions of each repeat (more, up to minLen, from the first repeats
// that can take them), and a plain character of each class. Patterns are
// Go regular expressions, as the validator reads them. The result is
// checked against the pattern; the error says when the walk could not
// make a matching string (word boundaries, say).
func patternString(pattern string, minLen, maxLen int) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("pattern %q: %v", pattern, err)
	}
	re = re.Simplify()
	var b strings.Builder
	writeRegexp(&b, re, new(0))
	s := b.String()
	if n := utf8.RuneCountInString(s); n < minLen {
		b.Reset()
		writeRegexp(&b, re, new(minLen-n))
		s = b.String()
	}
	matcher, err := regexp.Compile(pattern)
	if err != nil || !matcher.MatchString(s) {
		return "", fmt.Errorf("cannot make a string matching pattern %q", pattern)
	}
	if n := utf8.RuneCountInString(s); n < minLen || maxLen >= 0 && n > maxLen {
		return "", fmt.Errorf("cannot make a string matching pattern %q of %d to %d characters", pattern, minLen, maxLen)
	}
	return s, nil
}

// writeRegexp writes a string re matches. extra is how many characters
// repeats may still add to reach a minimum length.
func writeRegexp(b *strings.Builder, re *syntax.Regexp, extra *int) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteRune(classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteRune('a')
	case syntax.OpCapture:
		writeRegexp(b, re.Sub[0], extra)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			writeRegexp(b, sub, extra)
		}
	case syntax.OpAlternate:
		writeRegexp(b, re.Sub[0], extra)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		least, most := repeatBounds(re)
		for i := 0; i < least || *extra > 0 && (most < 0 || i < most) && i < maxRepeat; i++ {
			before := b.Len()
			writeRegexp(b, re.Sub[0], extra)
			added := utf8.RuneCountInString(b.String()[before:])
			if i >= least {
				if added == 0 {
					break
				}
				*extra -= added
			}
		}
	}
	// Anchors, word boundaries and empty matches write nothing.
}

// repeatBounds is how often a repeat operator may repeat (-1: no limit).
func repeatBounds(re *syntax.Regexp) (least, most int) {
	switch re.Op {
	case syntax.OpStar:
		return 0, -1
	case syntax.OpPlus:
		return 1, -1
	case syntax.OpQuest:
		return 0, 1
	}
	return re.Min, re.Max
}

// classRune picks a readable character of a character class, given as
// ranges lo-hi: a lower-case letter, a digit or an upper-case letter
// when the class has one, else its first printable character.
func classRune(ranges []rune) rune {
	for _, want := range []rune{'a', 'x', '0', 'A', '-', '_'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		if r := max(ranges[i], ' '+1); r <= ranges[i+1] {
			return r
		}
	}
	if len(ranges) > 0 {
		return ranges[0]
	}
	return 'a'
}
