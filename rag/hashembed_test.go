package rag

import (
	"context"
	"hash/fnv"
	"math"
	"testing"
	"unicode"

	"github.com/gonghui/qa/corpus"
)

// vectorByStrings is HashEmbedder.vector as first written, an n-gram string
// each: the reference the substring version must match.
func vectorByStrings(dim int, folded string) []float32 {
	counts := map[string]float64{}
	var rs []rune
	for _, r := range folded {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, r)
			continue
		}
		rs = append(rs, ' ')
	}
	for i := range rs {
		if rs[i] == ' ' {
			continue
		}
		counts[string(rs[i:i+1])] += 0.5
		if i+1 < len(rs) && rs[i+1] != ' ' {
			counts[string(rs[i:i+2])] += 1
			if i+2 < len(rs) && rs[i+2] != ' ' {
				counts[string(rs[i:i+3])] += 1
			}
		}
	}
	v := make([]float32, dim)
	for g, c := range counts {
		f := fnv.New64a()
		f.Write([]byte(g))
		x := f.Sum64()
		w := float32(1 + math.Log(c))
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(dim)] += w
	}
	normalize(v)
	return v
}

func TestHashEmbedderMatchesReference(t *testing.T) {
	f, _ := testAnalyzer(t)
	h := NewHashEmbedder(f, DefaultHashDim)
	texts := []string{"", "工", "工会 助学金 2000元", "ab12 cd", "孩子考上大学，工会有助学金吗？"}
	for _, d := range defaultDocs(t) {
		for _, p := range corpus.Split(d) {
			texts = append(texts, indexText(d, p))
		}
	}
	got, _ := h.Embed(context.Background(), texts)
	for i, text := range texts {
		want := vectorByStrings(DefaultHashDim, f.Fold(text))
		for j := range want {
			// The sums run in map order, so they agree to rounding.
			if d := got[i][j] - want[j]; d > 1e-6 || d < -1e-6 {
				t.Fatalf("%q: dimension %d is %v, want %v", text, j, got[i][j], want[j])
			}
		}
	}
}
