package rag

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unicode"

	"github.com/gonghui/qa/corpus"
)

// termsByRunes is Terms as first written, over a rune slice: the reference
// the substring version must match term for term.
func termsByRunes(folded string) []string {
	var out []string
	var run []rune
	flushRun := func() {
		if len(run) == 1 {
			out = append(out, string(run))
		}
		for i := 0; i+1 < len(run); i++ {
			out = append(out, string(run[i:i+2]))
			if i+2 < len(run) {
				out = append(out, string(run[i:i+3]))
			}
		}
		run = run[:0]
	}
	rs := []rune(folded)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.Is(unicode.Han, r):
			run = append(run, r)
			i++
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			flushRun()
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) && !unicode.Is(unicode.Han, rs[j]) || unicode.IsDigit(rs[j]) ||
				(rs[j] == '.' && j > i && j+1 < len(rs) && unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1]))) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			flushRun()
			i++
		}
	}
	flushRun()
	return out
}

func TestTermsMatchReference(t *testing.T) {
	_, an := testAnalyzer(t)
	texts := []string{"", "a", "工", "工会", "54.27元", "1.", ".5", "a.b", "3..4", "v1.2.3", "第3.5条", "工 会", "ａｂｃ工会12３",
		"x\xffy工\xfe会", "٣٤.٥ 数字", "Ⅻ号", "劳动合同法第十九条：试用期1.5个月。"}
	for _, d := range defaultDocs(t) {
		for _, p := range corpus.Split(d) {
			texts = append(texts, p.Text, an.Fold(indexText(d, p)))
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("工会劳动合同a1.0 ，。Z９\u3007\U00020000é٣")
	for range 2000 {
		rs := make([]rune, rng.IntN(12))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(rs))
	}
	for _, s := range texts {
		if got, want := Terms(s), termsByRunes(s); !slices.Equal(got, want) {
			t.Fatalf("Terms(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzTerms(f *testing.F) {
	for _, s := range []string{"工会54.27元", "a.b1.2", "劳动\xff合同"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Terms(s), termsByRunes(s); !slices.Equal(got, want) {
			t.Fatalf("Terms(%q) = %q, want %q", s, got, want)
		}
	})
}
