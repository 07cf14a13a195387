package zh

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The fast paths of Normalize and StopWordAt must give what the plain
// definitions give; these are those definitions, as first written.

func normalizeReference(s string) string {
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

func stopWordAtReference(rs []rune) int {
	longest := 0
	for _, w := range stopWords {
		longest = max(longest, utf8.RuneCountInString(w))
	}
	for n := min(longest, len(rs)); n > 0; n-- {
		for _, w := range stopWords {
			if w == string(rs[:n]) {
				return n
			}
		}
	}
	return 0
}

func TestFullWidthIsASCIIUnderNFKC(t *testing.T) {
	for r := rune(0xFF01); r <= 0xFF5E; r++ {
		if got := norm.NFKC.String(string(r)); got != string(r-0xFEE0) {
			t.Errorf("NFKC(%U) = %q, want %q", r, got, string(r-0xFEE0))
		}
	}
}

// randomText draws strings from the characters where the fast paths and
// NFKC could disagree: full-width forms, combining marks, Hangul, spaces,
// controls, compatibility ideographs, stop words.
func randomText(rng *rand.Rand) string {
	pieces := []string{"Ａ", "ａ", "１", "，", "？", "\u0301", "\u0327", "\u0308", "e", "C", "\u1100", "\u1161", "가",
		" ", "\u3000", "\u00a0", "\u200b", "\ufeff", "\t", "\n", "\x18", "\x7f", "\u0085", "\uF900", "\uFA0A", "ﬁ", "①", "㍻",
		"工会", "的", "有没有", "怎么办", "多少钱", "\xff", "Ｃ\u0327", "ｅ\u0301", "＜\u0338", "="}
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	return b.String()
}

func TestNormalizeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []string{"", "孩子考上大学，工会有助学金吗？", "Ｃ\u0327", "＜\u0338", "１２３５１热线", "a\u3000b"}
	for range 20000 {
		cases = append(cases, randomText(rng))
	}
	for _, s := range cases {
		if got, want := Normalize(s), normalizeReference(s); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzNormalizeMatchesReference(f *testing.F) {
	for _, s := range []string{"孩子考上大学，工会有助学金吗？", "Ｃ\u0327", "＜\u0338"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Normalize(s), normalizeReference(s); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", s, got, want)
		}
	})
}

func TestStopWordAtMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var alphabet []rune
	for _, w := range stopWords {
		alphabet = append(alphabet, []rune(w)...)
	}
	alphabet = append(alphabet, '工', '会', ' ', utf8.RuneError, -1)
	for range 20000 {
		rs := make([]rune, rng.IntN(8))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if got, want := StopWordAt(rs), stopWordAtReference(rs); got != want {
			t.Fatalf("StopWordAt(%q) = %d, want %d", string(rs), got, want)
		}
	}
}

func TestIsNumeralIsTheTables(t *testing.T) {
	for r := rune(0); r <= 0x2FFFF; r++ {
		_, d := cnDigit[r]
		_, u := cnUnit[r]
		_, b := cnBig[r]
		if isNumeral(r) != (d || u || b) {
			t.Errorf("isNumeral(%q) = %v, the tables say %v", r, isNumeral(r), d || u || b)
		}
	}
}

// TestNFKCInert checks the characters Normalize passes without NFKC: each is
// NFKC-stable alone, with canonical combining class 0 and a boundary before
// it (it combines with nothing before it), so that a string of only them is
// NFKC already (the quick check of UAX #15).
func TestNFKCInert(t *testing.T) {
	inert := func(r rune) bool {
		p := norm.NFKC.PropertiesString(string(r))
		return norm.NFKC.IsNormalString(string(r)) && p.CCC() == 0 && p.BoundaryBefore()
	}
	for r := rune(0); r <= 0x2FFFF; r++ {
		plain := r < utf8.RuneSelf && r >= ' ' && r != 0x7f || r >= 0x4E00 && r <= 0x9FFF || nfkcInert(r)
		if plain && !inert(r) {
			t.Errorf("%U %q is passed without NFKC but NFKC may change it", r, r)
		}
	}
	rng := rand.New(rand.NewPCG(7, 8))
	alphabet := []rune("、。〃〈〉《》「」『』【】〔〕〖〗〜‘’“”—–·•×÷°±‰※№￥aZ09 ~工会\u0301\u3099\u0338\u0b47\u0b3e")
	for range 20000 {
		rs := make([]rune, rng.IntN(10))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		if got, want := Normalize(string(rs)), normalizeReference(string(rs)); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", string(rs), got, want)
		}
	}
}

func TestFoldMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []string{"孩子考上大學，工會有助學金嗎？", "ＡＢＣ工會\u3000１２", "Ç\u00a0x"}
	for range 20000 {
		cases = append(cases, randomText(rng)+"學會ÀÉ")
	}
	for r := rune(0); r <= 0x2FFFF; r += 7 {
		cases = append(cases, string(r)+" "+string(r+1)+string(r+2))
	}
	for _, s := range cases {
		if got, want := Fold(s), strings.Map(FoldRune, normalizeReference(s)); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestIsSpaceFastPath(t *testing.T) {
	for r := rune(0); r <= 0x2FFFF; r++ {
		if got, want := isSpace(r), unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'; got != want {
			t.Errorf("isSpace(%U) = %v, want %v", r, got, want)
		}
	}
}

func TestStartsSetPhrase(t *testing.T) {
	for _, p := range setPhrases {
		if r, _ := utf8.DecodeRuneInString(p); !strings.ContainsRune(setPhraseStarts, r) {
			t.Errorf("setPhraseStarts lacks the first character of %s", p)
		}
	}
	for r := rune(0); r <= 0x2FFFF; r++ {
		if startsSetPhrase(r) != strings.ContainsRune(setPhraseStarts, r) {
			t.Errorf("startsSetPhrase(%q) = %v, setPhraseStarts says otherwise", r, startsSetPhrase(r))
		}
	}
}

// FuzzFoldFastPath holds Fold's shortcut for text already folded to the
// full path: both give the same, whatever the text.
func FuzzFoldFastPath(f *testing.F) {
	for _, s := range []string{"孩子考上大学,工会有助学金吗?", "a b", " a", "a ", "a  b", "助學金", "ABC", "—《劳动法》", "\xff", "", "Ａ１，\u3000ｂ\u200b第三条\u0085", "\u00a0x\x01\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Fold(s), normalize(s, true); got != want {
			t.Fatalf("Fold(%q) = %q, want %q", s, got, want)
		}
	})
}
