package rag

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"

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
	vectors  [][]float32 // vectors[i] belongs to passages[i]
	embedder string      // Embedder.Name() the vectors came from
	col      *chromem.Collection
	lex      *lexicalIndex
	an       *Analyzer
}

// Stats says what happened in an index build, for `ingest` to print.
type Stats struct {
	Added, Changed, Removed, Unchanged []string // document paths
	Embedded, Reused                   int      // passages
}

// indexText is what retrieval sees of a passage: its document's title, its
// section heading and paragraph topic, then its text.
func indexText(d corpus.Document, p corpus.Passage) string {
	return strings.Join([]string{d.Title, p.Heading, p.Lead, p.Text}, " ")
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

// finish builds the chromem-go collection and the lexical index from
// passages and vectors.
func (ix *Index) finish(ctx context.Context, an *Analyzer) error {
	db := chromem.NewDB()
	col, err := db.CreateCollection("passages", nil, func(context.Context, string) ([]float32, error) {
		return nil, errNoQueryEmbedding
	})
	if err != nil {
		return fmt.Errorf("create collection: %w", err)
	}
	cdocs := make([]chromem.Document, len(ix.passages))
	texts := make([][]string, len(ix.passages))
	folded := make([]string, len(ix.passages))
	for i, p := range ix.passages {
		cdocs[i] = chromem.Document{ID: p.ID, Embedding: ix.vectors[i]}
		folded[i] = an.Fold(indexText(ix.docs[ix.docByID[p.DocID]], p))
		texts[i] = Terms(folded[i])
	}
	if len(cdocs) > 0 {
		if err := col.AddDocuments(ctx, cdocs, runtime.NumCPU()); err != nil {
			return fmt.Errorf("add passages to collection: %w", err)
		}
	}
	ix.col = col
	ix.lex = newLexicalIndex(texts, folded)
	ix.an = an
	return nil
}

// dense ranks passages by cosine similarity to vec, best first.
func (ix *Index) dense(ctx context.Context, vec []float32, k int) ([]scored, error) {
	n := min(k, ix.col.Count())
	if n == 0 {
		return nil, nil
	}
	res, err := ix.col.QueryEmbedding(ctx, vec, n, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("query collection: %w", err)
	}
	out := make([]scored, len(res))
	for i, r := range res {
		out[i] = scored{doc: ix.byID[r.ID], score: r.Similarity}
	}
	return out, nil
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
		N: n, PassageID: p.ID, DocID: d.ID, DocTitle: d.Title, Source: d.Source,
		Date: d.Date, Page: d.Page, Heading: p.Heading, Place: p.Place, Text: p.Text,
	}
}
