package corpus

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

// Normalize makes text comparable without changing its meaning: invalid UTF-8
// is dropped, NFKC folds full-width letters, digits and punctuation (and
// U+00A0, U+3000 spaces) to their plain forms, and runs of white space become
// one space. Documents and questions go through the same function.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			space = true
			continue
		}
		if unicode.IsControl(r) {
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

// Folder folds text for matching: Normalize, then Traditional characters to
// Simplified and Latin letters to lower case, so that 助學金 matches 助学金.
// The folded form is only ever compared, never shown. A Folder is safe for
// concurrent use.
type Folder struct {
	t2s map[rune]rune
}

// NewFolder builds the Traditional-to-Simplified character table from
// OpenCC's dictionaries (embedded in the opencc module, so no files are read).
func NewFolder() (*Folder, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load t2s dictionary: %w", err)
	}
	// Convert the CJK Unified Ideographs block one character at a time: a
	// per-character table is fast and safe to share, and matching needs no
	// phrase-level conversion.
	var b strings.Builder
	for r := rune(0x4E00); r <= 0x9FFF; r++ {
		b.WriteRune(r)
	}
	in := []rune(b.String())
	out, err := cc.Convert(b.String())
	if err != nil {
		return nil, fmt.Errorf("convert t2s table: %w", err)
	}
	outR := []rune(out)
	f := &Folder{t2s: make(map[rune]rune, 4096)}
	if len(outR) != len(in) {
		// Phrase rules changed the length; fall back to one call per character.
		for _, r := range in {
			o, err := cc.Convert(string(r))
			if err != nil {
				return nil, fmt.Errorf("convert %q: %w", r, err)
			}
			if or := []rune(o); len(or) == 1 && or[0] != r {
				f.t2s[r] = or[0]
			}
		}
		return f, nil
	}
	for i, r := range in {
		if outR[i] != r {
			f.t2s[r] = outR[i]
		}
	}
	return f, nil
}

// Fold returns the matching form of s.
func (f *Folder) Fold(s string) string {
	s = Normalize(s)
	return strings.Map(func(r rune) rune {
		if t, ok := f.t2s[r]; ok {
			return t
		}
		return unicode.ToLower(r)
	}, s)
}
