package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize makes text comparable without changing its meaning: invalid UTF-8
// and control characters are dropped, NFKC folds full-width letters, digits
// and punctuation (and U+00A0, U+3000 spaces) to their plain forms, and runs
// of white space (with zero-width spaces and byte-order marks) become one
// space, trimmed at both ends. Documents and questions go through the same
// function.
//
// It is idempotent: Normalize(Normalize(s)) == Normalize(s). Control
// characters are removed before NFKC, not after, so that removing one cannot
// bring a base letter and a combining mark together for a second pass to
// compose ("C\x18\u0327" is "C\u0327" after one pass either way, and "Ç"
// after NFKC).
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case isSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if isSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// isSpace reports whether r separates words: Unicode white space, and the
// invisible zero-width space and byte-order mark that copied text carries.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}
