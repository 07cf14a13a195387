package rag

import (
	"math"
	"sort"
	"sync"
	"unicode/utf8"
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
	accs     sync.Pool      // of *accumulator, reused across searches
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
	tf := map[string]float32{}
	for d, terms := range texts {
		clear(tf)
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

// has reports whether passage doc holds term: postings are in passage
// order, so this is a binary search.
func (ix *lexicalIndex) has(term string, doc int32) bool {
	ps := ix.postings[term]
	lo, hi := 0, len(ps)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if ps[m].doc < doc {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(ps) && ps[lo].doc == doc
}

// Known reports whether a search term occurs in any passage; a single
// character counts when any passage holds it. It makes the index the
// Vocabulary that Analyzer.Prepare consults.
func (ix *lexicalIndex) Known(term string) bool {
	if r, size := utf8.DecodeRuneInString(term); size == len(term) && size > 0 {
		return ix.charDF[r] > 0
	}
	return ix.known(term)
}

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

// search scores passages for weighted query terms and returns the best k,
// best first (ties by passage order). Scores accumulate in a dense array
// taken from a pool, and only the best k are kept and sorted: a map and a full
// sort of every matching passage cost 17 ms a query at 100k passages.
func (ix *lexicalIndex) search(terms map[string]float64, k int) []scored {
	if len(ix.docLen) == 0 || len(terms) == 0 || k <= 0 {
		return nil
	}
	acc := ix.accumulator()
	defer ix.accs.Put(acc)
	for t, w := range terms {
		ps := ix.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := float32(ix.idf(t) * w)
		for _, p := range ps {
			if !acc.seen[p.doc] {
				acc.seen[p.doc] = true
				acc.touched = append(acc.touched, p.doc)
			}
			norm := p.tf + bm25K1*(1-bm25B+bm25B*ix.docLen[p.doc]/ix.avgLen)
			acc.score[p.doc] += idf * p.tf * (bm25K1 + 1) / norm
		}
	}
	top := make(topK, 0, min(k, len(acc.touched)))
	for _, d := range acc.touched {
		top.offer(scored{d, acc.score[d]}, k)
		acc.score[d], acc.seen[d] = 0, false
	}
	acc.touched = acc.touched[:0]
	sort.Slice(top, func(i, j int) bool { return better(top[i], top[j]) })
	return top
}

// accumulator holds one search's scores; it is reset before going back to
// the pool.
type accumulator struct {
	score   []float32 // by passage
	seen    []bool    // passages with a score, listed in touched
	touched []int32
}

func (ix *lexicalIndex) accumulator() *accumulator {
	if a, ok := ix.accs.Get().(*accumulator); ok {
		return a
	}
	n := len(ix.docLen)
	return &accumulator{score: make([]float32, n), seen: make([]bool, n)}
}

// better orders rankings: higher score first, then earlier passage.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

// topK is a min-heap (worst at the root) of at most k entries.
type topK []scored

// offer adds s if it is among the best k seen so far.
func (h *topK) offer(s scored, k int) {
	t := *h
	if len(t) < k {
		t = append(t, s)
		for i := len(t) - 1; i > 0; { // sift up
			p := (i - 1) / 2
			if !better(t[p], t[i]) {
				break
			}
			t[p], t[i] = t[i], t[p]
			i = p
		}
		*h = t
		return
	}
	if !better(s, t[0]) {
		return
	}
	t[0] = s
	for i := 0; ; { // sift down
		l, r, w := 2*i+1, 2*i+2, i
		if l < len(t) && better(t[w], t[l]) {
			w = l
		}
		if r < len(t) && better(t[w], t[r]) {
			w = r
		}
		if w == i {
			break
		}
		t[w], t[i] = t[i], t[w]
		i = w
	}
}
