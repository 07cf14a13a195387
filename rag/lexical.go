package rag

import (
	"math"
	"sort"
)

// BM25 parameters, the usual values; passages are short and of even length.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// lexicalIndex is an inverted index of passage terms scored with BM25. It is
// built once and read concurrently.
type lexicalIndex struct {
	postings map[string][]posting
	docLen   []float32
	avgLen   float32
	charDF   map[rune]int32 // passages holding each character
}

type posting struct {
	doc int32
	tf  float32
}

func newLexicalIndex(texts [][]string, folded []string) *lexicalIndex {
	ix := &lexicalIndex{
		postings: map[string][]posting{},
		docLen:   make([]float32, len(texts)),
		charDF:   map[rune]int32{},
	}
	seen := map[rune]int{}
	for d, f := range folded {
		for _, r := range f {
			if seen[r] != d+1 {
				seen[r] = d + 1
				ix.charDF[r]++
			}
		}
	}
	var total float64
	for d, terms := range texts {
		tf := map[string]float32{}
		for _, t := range terms {
			tf[t]++
		}
		for t, n := range tf {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(d), tf: n})
		}
		ix.docLen[d] = float32(len(terms))
		total += float64(len(terms))
	}
	if len(texts) > 0 {
		ix.avgLen = float32(total / float64(len(texts)))
	}
	return ix
}

// idf is BM25's inverse document frequency; a term in no passage gets the
// highest value, as the rarest possible.
func (ix *lexicalIndex) idf(term string) float64 {
	n := float64(len(ix.docLen))
	df := float64(len(ix.postings[term]))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// known reports whether term occurs in any passage.
func (ix *lexicalIndex) known(term string) bool { return len(ix.postings[term]) > 0 }

// charIDF is idf for a single character.
func (ix *lexicalIndex) charIDF(r rune) float64 {
	n := float64(len(ix.docLen))
	df := float64(ix.charDF[r])
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// scored is a passage index with a score, for rankings.
type scored struct {
	doc   int32
	score float32
}

// search scores passages for weighted query terms and returns the best k.
func (ix *lexicalIndex) search(terms map[string]float64, k int) []scored {
	if len(ix.docLen) == 0 || len(terms) == 0 {
		return nil
	}
	acc := map[int32]float32{}
	for t, w := range terms {
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := float32(ix.idf(t) * w)
		for _, p := range ps {
			norm := p.tf + bm25K1*(1-bm25B+bm25B*ix.docLen[p.doc]/ix.avgLen)
			acc[p.doc] += idf * p.tf * (bm25K1 + 1) / norm
		}
	}
	out := make([]scored, 0, len(acc))
	for d, s := range acc {
		out = append(out, scored{d, s})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].doc < out[j].doc
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
