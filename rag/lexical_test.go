package rag

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
)

// searchByMap is the plain form of lexicalIndex.search (a map of scores and
// a full sort), which the pooled array and the bounded heap must match.
func searchByMap(ix *lexicalIndex, terms map[string]float64, k int) []scored {
	acc := map[int32]float32{}
	for t, w := range terms {
		idf := float32(ix.idf(t) * w)
		docs, first := ix.postings(t)
		for k, doc := range docs {
			tf := ix.tfAt(first + uint32(k))
			norm := tf + bm25K1*(1-bm25B+bm25B*ix.docLen[doc]/ix.avgLen)
			acc[doc] += idf * tf * (bm25K1 + 1) / norm
		}
	}
	var out []scored
	for d, s := range acc {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out[:min(k, len(out))]
}

// randomLexicalIndex has n passages over a small vocabulary, so that many
// passages tie.
func randomLexicalIndex(rng *rand.Rand, n, vocab int) *lexicalIndex {
	texts := make([][]string, n)
	for d := range texts {
		for range 1 + rng.IntN(6) {
			texts[d] = append(texts[d], fmt.Sprintf("t%d", rng.IntN(vocab)))
		}
	}
	return newLexicalIndex(texts, make([]string, n))
}

func TestLexicalSearchMatchesPlainRanking(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, tc := range []struct{ n, vocab, k int }{
		{1, 1, 5}, {10, 3, 1}, {10, 3, 50}, {200, 8, 5}, {200, 40, 50}, {3000, 300, 50},
	} {
		ix := randomLexicalIndex(rng, tc.n, tc.vocab)
		for q := range 20 {
			// One term (beside an absent one) has a sum in one order only,
			// so the ranking must match exactly, ties included; more terms
			// are summed in map order, so scores match to rounding.
			terms := map[string]float64{"absent": 1, fmt.Sprintf("t%d", rng.IntN(tc.vocab)): 0.7}
			if q%2 == 1 {
				for range 1 + rng.IntN(4) {
					terms[fmt.Sprintf("t%d", rng.IntN(tc.vocab))] = []float64{1, 0.7}[rng.IntN(2)]
				}
			}
			got, want := ix.search(terms, tc.k), searchByMap(ix, terms, tc.k)
			if len(terms) == 2 && !slices.Equal(got, want) {
				t.Fatalf("n=%d k=%d %v:\n got %v\nwant %v", tc.n, tc.k, terms, got, want)
			}
			if len(got) != len(want) {
				t.Fatalf("n=%d k=%d %v: %d results, want %d", tc.n, tc.k, terms, len(got), len(want))
			}
			seen := map[int32]bool{}
			for i, g := range got {
				if d := g.score - want[i].score; d > 1e-4 || d < -1e-4 || seen[g.doc] || (i > 0 && better(g, got[i-1])) {
					t.Fatalf("n=%d k=%d %v: result %d is %v, want %v (all: %v)", tc.n, tc.k, terms, i, g, want[i], got)
				}
				seen[g.doc] = true
			}
		}
	}
}

func TestLexicalSearchEdges(t *testing.T) {
	ix := randomLexicalIndex(rand.New(rand.NewPCG(1, 1)), 20, 4)
	for _, tc := range []struct {
		name  string
		terms map[string]float64
		k     int
	}{
		{"no terms", nil, 5},
		{"unknown term", map[string]float64{"zz": 1}, 5},
		{"k zero", map[string]float64{"t1": 1}, 0},
	} {
		if got := ix.search(tc.terms, tc.k); len(got) != 0 {
			t.Errorf("%s: got %v, want nothing", tc.name, got)
		}
	}
	if got := newLexicalIndex(nil, nil).search(map[string]float64{"t1": 1}, 5); got != nil {
		t.Errorf("empty index: got %v", got)
	}
}

// TestLexicalSearchConcurrent checks that pooled accumulators are neither
// shared nor left dirty: every search, in any goroutine, sees clean scores.
func TestLexicalSearchConcurrent(t *testing.T) {
	ix := randomLexicalIndex(rand.New(rand.NewPCG(3, 3)), 500, 30)
	queries := []map[string]float64{{"t1": 1}, {"t2": 0.7}, {"t3": 1, "absent": 1}}
	want := make([][]scored, len(queries))
	for i, q := range queries {
		want[i] = searchByMap(ix, q, 10)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for r := range 200 {
				i := (g + r) % len(queries)
				if got := ix.search(queries[i], 10); !slices.Equal(got, want[i]) {
					t.Errorf("query %d: got %v, want %v", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestLexicalBuildMatchesMaps builds indexes on one and on several
// goroutines and checks each term's postings against plain maps: the same
// passages in passage order, the same counts (one past a byte's range too),
// the same lengths and character counts.
func TestLexicalBuildMatchesMaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const n = 700
	texts := make([][]string, n)
	folded := make([]string, n)
	for d := range texts {
		for range rng.IntN(12) {
			texts[d] = append(texts[d], fmt.Sprintf("t%d", rng.IntN(90)))
		}
		folded[d] = fmt.Sprintf("工%c会 %d", rune(0x4e00+rng.IntN(50)), d%7)
	}
	for range 300 { // a count that does not fit in a byte
		texts[5] = append(texts[5], "t1")
	}
	want := map[string]map[int32]float32{}
	for d, ts := range texts {
		for _, term := range ts {
			if want[term] == nil {
				want[term] = map[int32]float32{}
			}
			want[term][int32(d)]++
		}
	}
	for _, workers := range []int{1, 2, 3, 8} {
		ix := buildLexicalIndex(n, workers, func(i int, buf []string) (string, []string) { return folded[i], append(buf, texts[i]...) })
		if ix.dict.len() != len(want) {
			t.Fatalf("workers=%d: %d terms, want %d", workers, ix.dict.len(), len(want))
		}
		for term, byDoc := range want {
			docs, first := ix.postings(term)
			if len(docs) != len(byDoc) || !slices.IsSorted(docs) {
				t.Fatalf("workers=%d: %s has postings %v, want %d passages in order", workers, term, docs, len(byDoc))
			}
			for k, d := range docs {
				if got := ix.tfAt(first + uint32(k)); got != byDoc[d] {
					t.Fatalf("workers=%d: %s in passage %d counted %v, want %v", workers, term, d, got, byDoc[d])
				}
				if !ix.has(term, d) || ix.has(term, int32(n+d)) {
					t.Fatalf("workers=%d: has(%s, %d) wrong", workers, term, d)
				}
			}
		}
		for d, ts := range texts {
			if ix.docLen[d] != float32(len(ts)) {
				t.Fatalf("workers=%d: passage %d has length %v, want %d", workers, d, ix.docLen[d], len(ts))
			}
		}
		chars := map[rune]int32{}
		for _, f := range folded {
			seen := map[rune]bool{}
			for _, r := range f {
				if !seen[r] {
					seen[r] = true
					chars[r]++
				}
			}
		}
		if !maps.Equal(chars, ix.charDF) {
			t.Fatalf("workers=%d: character counts differ", workers)
		}
		if ix.known("absent") || ix.df("absent") != 0 {
			t.Fatalf("workers=%d: an absent term is known", workers)
		}
	}
}
