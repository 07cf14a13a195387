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
	terms    []map[string]struct{} // per passage: its distinct terms, for coverage
}

type posting struct {
	doc int32
	tf  float32
}

func newLexicalIndex(texts [][]string) *lexicalIndex {
	ix := &lexicalIndex{
		postings: map[string][]posting{},
		docLen:   make([]float32, len(texts)),
		terms:    make([]map[string]struct{}, len(texts)),
	}
	var total float64
	for d, terms := range texts {
		tf := map[string]float32{}
		for _, t := range terms {
			tf[t]++
		}
		set := make(map[string]struct{}, len(tf))
		for t, n := range tf {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(d), tf: n})
			set[t] = struct{}{}
		}
		ix.terms[d] = set
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
