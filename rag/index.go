package rag

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"

	chromem "github.com/philippgille/chromem-go"

	"github.com/gonghui/qa/corpus"
)

// Index is one immutable snapshot of the corpus, ready to search: passages,
// their vectors (one matrix, and chromem-go collections over it), and a BM25
// index beside them. A corpus update builds a new Index and swaps it in whole.
type Index struct {
	docs     []corpus.Document
	docByID  map[string]int
	passages []corpus.Passage
	byID     map[string]int32
	vectors  *vectorSet // row i belongs to passages[i]
	embedder string     // Embedder.Name() the vectors came from
	lex      *lexicalIndex
	an       *Analyzer
	file     fileID // the saved file the index was loaded from or saved to
}

// Stats says what happened in an index build, for `ingest` to print.
type Stats struct {
	Added, Changed, Removed, Unchanged []string // document paths
	Embedded, Reused                   int      // passages
}

// indexText is what retrieval sees of a passage: its document's title, its
// heading path, its article label when the text does not start with it (a
// later 款 of an article), the sentence that leads it, then its text.
func indexText(d corpus.Document, p corpus.Passage) string {
	label := ""
	if p.Article != "" && !strings.HasPrefix(p.Text, p.Article) {
		label = p.Article
	}
	return strings.Join([]string{d.Title, p.Heading, label, p.Lead, p.Text}, " ")
}

// BuildIndex indexes docs, embedding only the passages whose vectors are not
// already in prev (an earlier snapshot, possibly loaded from disk, made with
// the same embedder). prev may be nil.
func BuildIndex(ctx context.Context, docs []corpus.Document, emb Embedder, an *Analyzer, prev *Index) (*Index, Stats, error) {
	var st Stats
	cache := map[string][]float32{}
	prevDocs := map[string]string{}
	if prev != nil && prev.embedder == emb.Name() && prev.Len() > 0 {
		// A persisted index's vectors are read now, if they can be; else
		// every passage is embedded again.
		if data, err := prev.vectors.matrix(); err == nil {
			for i, p := range prev.passages {
				cache[p.ID] = prev.vectors.row(data, i)
			}
		}
	}
	if prev != nil {
		for _, d := range prev.docs {
			prevDocs[d.Path] = d.Hash
		}
	}
	ix := &Index{docs: docs, docByID: map[string]int{}, byID: map[string]int32{}, embedder: emb.Name()}
	// Cutting, folding and the hashed embedding are per passage: on all
	// cores.
	split := make([][]corpus.Passage, len(docs))
	parallel(len(docs), func(i int) { split[i] = shareText(docs[i].Body, corpus.Split(docs[i])) })
	var vectors [][]float32
	var missing []int
	var missingText []string
	seen := map[string]bool{}
	for di, d := range docs {
		ix.docByID[d.ID] = di
		seen[d.Path] = true
		switch h, ok := prevDocs[d.Path]; {
		case !ok:
			st.Added = append(st.Added, d.Path)
		case h != d.Hash:
			st.Changed = append(st.Changed, d.Path)
		default:
			st.Unchanged = append(st.Unchanged, d.Path)
		}
		for _, p := range split[di] {
			if _, dup := ix.byID[p.ID]; dup {
				return nil, st, fmt.Errorf("passage ID %s occurs twice (document %s)", p.ID, d.Path)
			}
			ix.byID[p.ID] = int32(len(ix.passages))
			ix.passages = append(ix.passages, p)
			v, ok := cache[p.ID]
			if !ok {
				missing = append(missing, len(ix.passages)-1)
			}
			vectors = append(vectors, v)
		}
	}
	split = nil
	for p := range prevDocs {
		if !seen[p] {
			st.Removed = append(st.Removed, p)
		}
	}
	folded := make([]string, len(ix.passages))
	parallel(len(folded), func(i int) {
		p := ix.passages[i]
		folded[i] = an.Fold(indexText(docs[ix.docByID[p.DocID]], p))
	})
	if h, ok := emb.(*HashEmbedder); ok {
		// The hashed embedding folds as the analyzer does: embed the text
		// folded once for both.
		parallel(len(missing), func(k int) { vectors[missing[k]] = h.vector(folded[missing[k]]) })
	} else {
		for _, i := range missing {
			p := ix.passages[i]
			missingText = append(missingText, indexText(docs[ix.docByID[p.DocID]], p))
		}
		const batch = 256
		for start := 0; start < len(missing); start += batch {
			end := min(start+batch, len(missing))
			vs, err := emb.Embed(ctx, missingText[start:end])
			if err != nil {
				return nil, st, fmt.Errorf("embed passages: %w", err)
			}
			if len(vs) != end-start {
				return nil, st, fmt.Errorf("embed passages: got %d vectors for %d texts", len(vs), end-start)
			}
			for k, v := range vs {
				vectors[missing[start+k]] = v
			}
		}
	}
	st.Embedded = len(missing)
	st.Reused = len(ix.passages) - len(missing)
	var err error
	if ix.vectors, err = newVectorSet(vectors); err != nil {
		return nil, st, fmt.Errorf("embed passages: %w", err)
	}
	ix.finish(an, folded)
	return ix, st, nil
}

// parallel runs f(0) … f(n-1) on all cores, in runs of neighbouring i.
func parallel(n int, f func(i int)) {
	workers := min(runtime.NumCPU(), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := n * w / workers; i < n*(w+1)/workers; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}

// shareText makes each passage's text a substring of its document's body
// where it stands there as it is (as in a report's paragraphs), so that the
// text is held once, not twice.
func shareText(body string, ps []corpus.Passage) []corpus.Passage {
	from := 0
	for i := range ps {
		t := ps[i].Text
		if t == "" {
			continue
		}
		j := strings.Index(body[from:], t)
		if j >= 0 {
			j += from
		} else if j = strings.Index(body, t); j < 0 {
			continue
		}
		ps[i].Text = body[j : j+len(t)]
		from = j + len(t)
	}
	return ps
}

// denseShardSize is the most passages one chromem-go collection holds: a
// query of several collections runs them concurrently (41 ms a query at 100k
// passages in one, 33 ms in four, 256 dimensions, 2 cores). Retrieval scans
// the matrix itself (vectorSet.nearest); the collections are what it is
// measured against.
const denseShardSize = 25_000

// finish builds the lexical index from the passages' folded texts, on all
// cores.
func (ix *Index) finish(an *Analyzer, folded []string) {
	workers := runtime.NumCPU()
	if len(ix.passages) < 2000 {
		workers = 1
	}
	ix.lex = buildLexicalIndex(len(ix.passages), workers, func(i int, buf []string) (string, []string) {
		return folded[i], appendTerms(buf, folded[i])
	})
	ix.an = an
}

// dense ranks passages by cosine similarity to vec, best first (ties by
// passage order), with the similarities chromem-go gives.
func (ix *Index) dense(ctx context.Context, vec []float32, k int) ([]scored, error) {
	return ix.vectors.nearest(ctx, vec, k)
}

// denseChromem is dense through chromem-go's own QueryEmbedding, on
// collections of at most shardSize passages queried concurrently and merged:
// what dense is held to and measured against.
func (ix *Index) denseChromem(ctx context.Context, vec []float32, k, shardSize int) ([]scored, error) {
	ids := make([]string, len(ix.passages))
	for i, p := range ix.passages {
		ids[i] = p.ID
	}
	cols, err := ix.vectors.collections(ctx, ids, shardSize)
	if err != nil {
		return nil, err
	}
	res := make([][]chromem.Result, len(cols))
	errs := make([]error, len(cols))
	query := func(s int) {
		if n := min(k, cols[s].Count()); n > 0 {
			res[s], errs[s] = cols[s].QueryEmbedding(ctx, vec, n, nil, nil)
		}
	}
	var wg sync.WaitGroup
	for s := range cols {
		wg.Go(func() { query(s) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("query collection: %w", err)
	}
	var out []scored
	for _, rs := range res {
		for _, r := range rs {
			out = append(out, scored{doc: ix.byID[r.ID], score: r.Similarity})
		}
	}
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out[:min(k, len(out))], nil
}

// Len is the number of passages.
func (ix *Index) Len() int { return len(ix.passages) }

// Documents are the indexed documents, sorted by ID.
func (ix *Index) Documents() []corpus.Document { return ix.docs }

// citation describes passage i for a reader; n is its marker number.
func (ix *Index) citation(i int32, n int) Citation {
	p := ix.passages[i]
	d := ix.docs[ix.docByID[p.DocID]]
	return Citation{
		N: n, PassageID: p.ID, DocID: d.ID, DocTitle: d.Title, Kind: d.Kind, ShortTitle: d.ShortTitle,
		Source: d.Source, Date: d.Date, Page: d.Page, Version: d.VersionLabel, DocNumber: d.DocNumber,
		Issuer: d.Issuer, Heading: p.Heading, Article: p.Article, Place: p.Place, Text: p.Text,
	}
}

// original is passage i as the 原文 button shows it: a part of a cut
// article is shown as the whole article.
func (ix *Index) original(i int32) Citation {
	c := ix.citation(i, 0)
	if text, ok := corpus.WholeArticle(ix.passages, int(i)); ok {
		c.Text, c.Place = text, c.Article
	}
	return c
}
