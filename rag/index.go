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
// their vectors in a chromem-go collection, and a BM25 index beside it. A
// corpus update builds a new Index and swaps it in whole.
type Index struct {
	docs     []corpus.Document
	docByID  map[string]int
	passages []corpus.Passage
	byID     map[string]int32
	vectors  [][]float32           // vectors[i] belongs to passages[i]
	embedder string                // Embedder.Name() the vectors came from
	cols     []*chromem.Collection // passages in runs of denseShardSize
	lex      *lexicalIndex
	an       *Analyzer
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
	if prev != nil && prev.embedder == emb.Name() {
		for i, p := range prev.passages {
			cache[p.ID] = prev.vectors[i]
		}
	}
	if prev != nil {
		for _, d := range prev.docs {
			prevDocs[d.Path] = d.Hash
		}
	}
	ix := &Index{docs: docs, docByID: map[string]int{}, byID: map[string]int32{}, embedder: emb.Name()}
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
		for _, p := range corpus.Split(d) {
			if _, dup := ix.byID[p.ID]; dup {
				return nil, st, fmt.Errorf("passage ID %s occurs twice (document %s)", p.ID, d.Path)
			}
			ix.byID[p.ID] = int32(len(ix.passages))
			ix.passages = append(ix.passages, p)
			v, ok := cache[p.ID]
			if !ok {
				missing = append(missing, len(ix.passages)-1)
				missingText = append(missingText, indexText(d, p))
			}
			ix.vectors = append(ix.vectors, v)
		}
	}
	for p := range prevDocs {
		if !seen[p] {
			st.Removed = append(st.Removed, p)
		}
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
			ix.vectors[missing[start+k]] = v
		}
	}
	st.Embedded = len(missing)
	st.Reused = len(ix.passages) - len(missing)
	if err := ix.finish(ctx, an); err != nil {
		return nil, st, err
	}
	return ix, st, nil
}

// errNoQueryEmbedding guards chromem-go's default: a nil embedding function
// would silently mean OpenAI. Queries always pass their own vector.
var errNoQueryEmbedding = errors.New("the index embeds queries itself")

// denseShardSize is the most passages one chromem-go collection holds. A
// query scans the collections concurrently and merges their best: one
// collection feeds its scan from a single goroutine and leaves the second
// core idle much of the time. At 100k passages and 256 dimensions a dense
// query takes 41 ms in one collection, 35 ms in two, 33 ms in four and 35 ms
// in eight (BenchmarkRetrieve, 2 cores).
const denseShardSize = 25_000

// finish builds the chromem-go collections and the lexical index from
// passages and vectors.
func (ix *Index) finish(ctx context.Context, an *Analyzer) error {
	return ix.finishSharded(ctx, an, denseShardSize)
}

// finishSharded is finish with collections of at most shardSize passages.
func (ix *Index) finishSharded(ctx context.Context, an *Analyzer, shardSize int) error {
	db := chromem.NewDB()
	shards := max(1, (len(ix.passages)+shardSize-1)/shardSize)
	ix.cols = make([]*chromem.Collection, shards)
	for s := range ix.cols {
		col, err := db.CreateCollection(fmt.Sprintf("passages-%d", s), nil, func(context.Context, string) ([]float32, error) {
			return nil, errNoQueryEmbedding
		})
		if err != nil {
			return fmt.Errorf("create collection: %w", err)
		}
		ix.cols[s] = col
	}
	cdocs := make([]chromem.Document, len(ix.passages))
	texts := make([][]string, len(ix.passages))
	folded := make([]string, len(ix.passages))
	// Folding and cutting into terms is most of a load's work: spread it
	// over the cores.
	workers := min(runtime.NumCPU(), max(1, len(ix.passages)/1000))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ix.passages); i += workers {
				p := ix.passages[i]
				cdocs[i] = chromem.Document{ID: p.ID, Embedding: ix.vectors[i]}
				folded[i] = an.Fold(indexText(ix.docs[ix.docByID[p.DocID]], p))
				texts[i] = Terms(folded[i])
			}
		})
	}
	wg.Wait()
	for s, col := range ix.cols {
		part := cdocs[min(len(cdocs), s*shardSize):min(len(cdocs), (s+1)*shardSize)]
		if len(part) == 0 {
			continue
		}
		if err := col.AddDocuments(ctx, part, runtime.NumCPU()); err != nil {
			return fmt.Errorf("add passages to collection: %w", err)
		}
	}
	ix.lex = newLexicalIndex(texts, folded)
	ix.an = an
	return nil
}

// dense ranks passages by cosine similarity to vec, best first (ties by
// passage order): the best k of each collection, queried concurrently, merged.
func (ix *Index) dense(ctx context.Context, vec []float32, k int) ([]scored, error) {
	res := make([][]chromem.Result, len(ix.cols))
	errs := make([]error, len(ix.cols))
	query := func(s int) {
		if n := min(k, ix.cols[s].Count()); n > 0 {
			res[s], errs[s] = ix.cols[s].QueryEmbedding(ctx, vec, n, nil, nil)
		}
	}
	if len(ix.cols) == 1 {
		query(0)
	} else {
		var wg sync.WaitGroup
		for s := range ix.cols {
			wg.Go(func() { query(s) })
		}
		wg.Wait()
	}
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
