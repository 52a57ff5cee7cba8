package contract

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRepeat bounds the repetitions added to reach minLength.
const maxRepeat = maxStringLen

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
	w := &runeWriter{target: minLen}
	w.regexp(re)
	s := w.b.String()
	matcher, err := regexp.Compile(pattern)
	if err != nil || !matcher.MatchString(s) {
		return "", fmt.Errorf("cannot make a string matching pattern %q", pattern)
	}
	if n := utf8.RuneCountInString(s); n < minLen || maxLen >= 0 && n > maxLen {
		return "", fmt.Errorf("cannot make a string matching pattern %q of %d to %d characters", pattern, minLen, maxLen)
	}
	return s, nil
}

// runeWriter writes a string a regular expression matches, repeating
// more than the least while it is shorter than target characters.
type runeWriter struct {
	b      strings.Builder
	n      int // characters written
	target int
}

func (w *runeWriter) rune(r rune) {
	w.b.WriteRune(r)
	w.n++
}

func (w *runeWriter) regexp(re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = unicode.ToLower(r)
			}
			w.rune(r)
		}
	case syntax.OpCharClass:
		w.rune(classRune(re.Rune))
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		w.rune('a')
	case syntax.OpCapture:
		w.regexp(re.Sub[0])
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			w.regexp(sub)
		}
	case syntax.OpAlternate:
		w.regexp(re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		least, most := repeatBounds(re)
		for i := 0; i < least || w.n < w.target && (most < 0 || i < most) && i < maxRepeat; i++ {
			before := w.n
			w.regexp(re.Sub[0])
			if i >= least && w.n == before {
				break // the repeated part can be empty: repeating it adds nothing
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
