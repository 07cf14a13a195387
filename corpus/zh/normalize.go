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
func Normalize(s string) string { return normalize(s, false) }

// normalize is Normalize, with each character folded (FoldRune) as it is
// written when fold is set: Fold in one pass less.
func normalize(s string, fold bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	plain := true // every character is one NFKC leaves alone (nfkcInert)
	s = strings.Map(func(r rune) rune {
		switch {
		case r < utf8.RuneSelf && r >= ' ' && r != 0x7f:
			return r
		case r >= 0x4E00 && r <= 0x9FFF:
			return r
		case r >= 0xFF01 && r <= 0xFF5E:
			// A full-width letter, digit or mark (，？１) is its ASCII
			// form under NFKC; mapped here, a question of Chinese text
			// and such marks is already NFKC and the pass below only
			// checks it.
			return r - 0xFEE0
		case isSpace(r):
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		plain = plain && nfkcInert(r)
		return r
	}, s)
	if !plain {
		s = norm.NFKC.String(s)
	}
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
		if fold {
			r = FoldRune(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// nfkcInert reports whether r is one of the marks of Chinese text that
// NFKC leaves alone and that combine with nothing around them, so that text
// made only of them, ASCII and CJK ideographs needs no NFKC pass (a test
// checks each against the norm package).
func nfkcInert(r rune) bool {
	switch r {
	case '、', '。', '〃', '〈', '〉', '《', '》', '「', '」', '『', '』', '【', '】', '〔', '〕', '〖', '〗', '〜',
		'‘', '’', '“', '”', '—', '–', '·', '•', '×', '÷', '°', '±', '‰', '※':
		return true
	}
	return false
}

// isSpace reports whether r separates words: Unicode white space, and the
// invisible zero-width space and byte-order mark that copied text carries.
func isSpace(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r == ' ' || r >= '\t' && r <= '\r'
	case r >= 0x4E00 && r <= 0x9FFF:
		return false
	}
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
}
