package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./internal/gent2s -o t2s_table.go

// Folder folds text for matching: Normalize, then Traditional characters to
// Simplified and letters to lower case, so that 助學金 matches 助学金. The
// folded form is only ever compared, never shown. A Folder is safe for
// concurrent use; the zero value and nil are ready to use too.
type Folder struct{}

// NewFolder returns a Folder. The 繁→简 table is compiled into the program
// (t2s_table.go, generated from OpenCC's dictionaries by go generate), so
// nothing is read or derived at start-up.
func NewFolder() *Folder { return &Folder{} }

// Fold returns the matching form of s.
func (*Folder) Fold(s string) string { return Fold(s) }

// Fold returns the matching form of s: Normalize, 繁→简, lower case.
func Fold(s string) string {
	if isFolded(s) {
		return s // a question's words are often folded already: nothing to copy
	}
	if f, ok := foldPlain(s); ok {
		return f
	}
	return normalize(s, true)
}

// foldPlain is Fold in one pass for the text documents and questions are
// mostly made of — ASCII, CJK ideographs, full-width forms, Chinese marks
// and spaces, none of which NFKC changes past the full-width mapping — and
// reports false, having done nothing, for anything else.
func foldPlain(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if isSpace(r) {
				space = true
				continue
			}
			if r < ' ' || r == 0x7f {
				continue // a control character is dropped
			}
		case r >= 0x4E00 && r <= 0x9FFF, nfkcInert(r):
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0 // full-width ASCII
		case isSpace(r):
			space = true
			continue
		default:
			return "", false
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(FoldRune(r))
	}
	return b.String(), true
}

// isFolded reports whether s is its own matching form, so that Fold can
// return it as it is: printable ASCII without capitals, CJK ideographs and
// Chinese marks that fold to themselves, and single spaces between
// characters. Anything else (an invalid byte, a full-width or
// Traditional character, a combining mark) takes the full path.
func isFolded(s string) bool {
	space := true // a leading space is dropped
	for _, r := range s {
		switch {
		case r == ' ':
			if space {
				return false
			}
			space = true
			continue
		case r < utf8.RuneSelf:
			if r < ' ' || r == 0x7f || 'A' <= r && r <= 'Z' {
				return false
			}
		case r >= 0x4E00 && r <= 0x9FFF || nfkcInert(r):
			if FoldRune(r) != r {
				return false
			}
		default:
			return false
		}
		space = false
	}
	return !space || s == ""
}

// FoldRune folds one character of normalised text: a Traditional character
// to its Simplified form, a letter to lower case.
func FoldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if t, ok := toSimplified(r); ok {
		return t
	}
	if r >= t2sFirst && r <= t2sLast {
		return r // CJK ideographs have no case
	}
	return unicode.ToLower(r)
}
