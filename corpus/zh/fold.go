package zh

import (
	"unicode"
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
	return normalize(s, true)
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
