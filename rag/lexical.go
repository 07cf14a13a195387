package rag

import (
	"maps"
	"math"
	"runtime"
	"slices"
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
// built once and read concurrently. It is flat arrays (a term dictionary, then
// each term's postings as passage numbers in passage order and term counts),
// so that it is persisted and loaded as it is and costs five bytes a posting.
type lexicalIndex struct {
	dict termDict
	// The postings of term id are docs[start[id]:start[id+1]], with their
	// term counts in tf (tfOverflow for a count that does not fit in a
	// byte: tf holds 255 and bigTF the count, by posting).
	start  []uint32
	docs   []int32
	tf     []uint8
	bigTF  map[uint32]float32
	docLen []float32
	avgLen float32
	charDF map[rune]int32 // passages holding each character
	accs   sync.Pool      // of *accumulator, reused across searches
	// mapped is true when docs and tf are the saved file, mapped, rather
	// than memory of the heap (see load).
	mapped bool
}

// tfOverflow marks a term count kept in bigTF.
const tfOverflow = 255

// newLexicalIndex indexes passages given as their search terms (texts) and
// their folded text (folded, for the characters they hold).
func newLexicalIndex(texts [][]string, folded []string) *lexicalIndex {
	return buildLexicalIndex(len(texts), 1, func(i int, buf []string) (string, []string) { return folded[i], append(buf, texts[i]...) })
}

// lexicalPart is what one builder goroutine finds in its run of passages:
// terms numbered locally, each passage's distinct terms (by local number)
// with their counts, and how many passages hold each term and character.
type lexicalPart struct {
	lo, hi int // passages
	dict   *dictBuilder
	df     []uint32 // by local term
	posts  pending  // the passages' distinct terms with their counts, passage after passage
	pend   []int    // posts pend[i-lo-1] to pend[i-lo] are passage i's
	big    map[[2]int32]float32
	charDF map[rune]int32
	cursor []uint32 // by local term: where its next posting goes
}

// buildLexicalIndex indexes n passages on workers goroutines: passage(i, buf)
// returns passage i's folded text and its search terms (with repeats)
// appended to buf. Each goroutine numbers the terms of its run of passages
// and counts them; the numbers are merged into one dictionary; then each
// goroutine writes its postings where they go, so that every term's
// postings are in passage order as if built by one.
func buildLexicalIndex(n, workers int, passage func(i int, buf []string) (string, []string)) *lexicalIndex {
	ix := &lexicalIndex{docLen: make([]float32, n), charDF: map[rune]int32{}}
	workers = max(1, min(workers, n))
	parts := make([]*lexicalPart, workers)
	var wg sync.WaitGroup
	for w := range parts {
		p := &lexicalPart{lo: n * w / workers, hi: n * (w + 1) / workers, big: map[[2]int32]float32{}, charDF: map[rune]int32{}}
		parts[w] = p
		wg.Go(func() { p.count(ix.docLen, passage) })
	}
	wg.Wait()
	// One dictionary: terms numbered in order of first appearance.
	nTerms := 0
	for _, p := range parts {
		nTerms += p.dict.n
	}
	global := newDictBuilder(nTerms)
	remap := make([][]int32, workers)
	var df []uint32
	for w, p := range parts {
		remap[w] = make([]int32, p.dict.n)
		for lid := range p.dict.n {
			id, added := global.add(string(p.dict.d.bytes[p.dict.d.off[lid]:p.dict.d.off[lid+1]]))
			if added {
				df = append(df, 0)
			}
			remap[w][lid] = id
			df[id] += p.df[lid]
		}
		for r, c := range p.charDF {
			ix.charDF[r] += c
		}
	}
	ix.dict = global.dict()
	ix.start = make([]uint32, len(df)+1)
	for id, c := range df {
		ix.start[id+1] = ix.start[id] + c
	}
	next := slices.Clone(ix.start[:len(df)])
	for w, p := range parts {
		p.cursor = make([]uint32, p.dict.n)
		for lid, id := range remap[w] {
			p.cursor[lid] = next[id]
			next[id] += p.df[lid]
		}
	}
	total := ix.start[len(df)]
	ix.docs = make([]int32, total)
	ix.tf = make([]uint8, total)
	var mu sync.Mutex
	for _, p := range parts {
		wg.Go(func() {
			big := p.scatter(ix.docs, ix.tf)
			if len(big) > 0 {
				mu.Lock()
				if ix.bigTF == nil {
					ix.bigTF = map[uint32]float32{}
				}
				maps.Copy(ix.bigTF, big)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var sum float64
	for _, l := range ix.docLen {
		sum += float64(l)
	}
	if n > 0 {
		ix.avgLen = float32(sum / float64(n))
	}
	return ix
}

// count numbers and counts the terms of the part's passages.
func (p *lexicalPart) count(docLen []float32, passage func(int, []string) (string, []string)) {
	p.dict = newDictBuilder(1024)
	var buf []string
	var tfs []uint32 // by local term, for the passage being read
	var touched []uint32
	seen := map[rune]int{}
	for i := p.lo; i < p.hi; i++ {
		var folded string
		folded, buf = passage(i, buf[:0])
		for _, r := range folded {
			if seen[r] != i+1 {
				seen[r] = i + 1
				p.charDF[r]++
			}
		}
		docLen[i] = float32(len(buf))
		for _, t := range buf {
			lid, added := p.dict.add(t)
			if added {
				tfs = append(tfs, 0)
				p.df = append(p.df, 0)
			}
			if tfs[lid] == 0 {
				touched = append(touched, uint32(lid))
			}
			tfs[lid]++
		}
		for _, lid := range touched {
			c := tfs[lid]
			if c >= tfOverflow {
				p.big[[2]int32{int32(i), int32(lid)}] = float32(c)
				c = tfOverflow
			}
			p.posts.add(lid, uint8(c))
			p.df[lid]++
			tfs[lid] = 0
		}
		touched = touched[:0]
		p.pend = append(p.pend, p.posts.n)
	}
}

// scatter writes the part's postings at their cursors, returning the
// overflowing counts by posting.
func (p *lexicalPart) scatter(docs []int32, tf []uint8) map[uint32]float32 {
	var big map[uint32]float32
	from := 0
	for i := p.lo; i < p.hi; i++ {
		to := p.pend[i-p.lo]
		for k := from; k < to; k++ {
			lid, c := p.posts.at(k)
			at := p.cursor[lid]
			p.cursor[lid]++
			docs[at], tf[at] = int32(i), c
			if c == tfOverflow {
				if big == nil {
					big = map[uint32]float32{}
				}
				big[at] = p.big[[2]int32{int32(i), int32(lid)}]
			}
		}
		from = to
	}
	return big
}

// pending is postings being counted, in chunks, so that growing them copies
// nothing.
type pending struct {
	terms [][]uint32
	tfs   [][]uint8
	n     int
}

const pendingChunk = 1 << 16

func (p *pending) add(term uint32, tf uint8) {
	if p.n%pendingChunk == 0 {
		p.terms = append(p.terms, make([]uint32, 0, pendingChunk))
		p.tfs = append(p.tfs, make([]uint8, 0, pendingChunk))
	}
	c := len(p.terms) - 1
	p.terms[c] = append(p.terms[c], term)
	p.tfs[c] = append(p.tfs[c], tf)
	p.n++
}

func (p *pending) at(k int) (uint32, uint8) {
	return p.terms[k/pendingChunk][k%pendingChunk], p.tfs[k/pendingChunk][k%pendingChunk]
}

// postings returns term's postings: passages, in passage order, with the
// positions of their counts (see tfAt).
func (ix *lexicalIndex) postings(term string) (docs []int32, first uint32) {
	id, ok := ix.dict.lookup(term)
	if !ok {
		return nil, 0
	}
	lo, hi := ix.start[id], ix.start[id+1]
	return ix.docs[lo:hi], lo
}

// tfAt is the term count of posting k.
func (ix *lexicalIndex) tfAt(k uint32) float32 {
	if c := ix.tf[k]; c != tfOverflow {
		return float32(c)
	}
	return ix.bigTF[k]
}

// df is how many passages hold term.
func (ix *lexicalIndex) df(term string) int {
	docs, _ := ix.postings(term)
	return len(docs)
}

// The postings may be a mapped file that goes when ix does (see load):
// each method that reads them keeps ix alive until it is done with them
// (runtime.KeepAlive), since a slice of the mapping does not.

// idf is BM25's inverse document frequency; a term in no passage gets the
// highest value, as the rarest possible.
func (ix *lexicalIndex) idf(term string) float64 {
	return ix.idfOf(ix.df(term))
}

func (ix *lexicalIndex) idfOf(df int) float64 {
	n := float64(len(ix.docLen))
	d := float64(df)
	return math.Log(1 + (n-d+0.5)/(d+0.5))
}

// known reports whether term occurs in any passage.
func (ix *lexicalIndex) known(term string) bool { return ix.df(term) > 0 }

// has reports whether passage doc holds term: postings are in passage
// order, so this is a binary search.
func (ix *lexicalIndex) has(term string, doc int32) bool {
	ps, _ := ix.postings(term)
	_, found := slices.BinarySearch(ps, doc)
	runtime.KeepAlive(ix)
	return found
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
	return ix.idfOf(int(ix.charDF[r]))
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
	defer runtime.KeepAlive(ix)
	for t, w := range terms {
		docs, first := ix.postings(t)
		if len(docs) == 0 {
			continue
		}
		idf := float32(ix.idfOf(len(docs)) * w)
		for k, doc := range docs {
			if !acc.seen[doc] {
				acc.seen[doc] = true
				acc.touched = append(acc.touched, doc)
			}
			tf := ix.tfAt(first + uint32(k))
			norm := tf + bm25K1*(1-bm25B+bm25B*ix.docLen[doc]/ix.avgLen)
			acc.score[doc] += idf * tf * (bm25K1 + 1) / norm
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
