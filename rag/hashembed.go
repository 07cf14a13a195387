package rag

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gonghui/qa/corpus/zh"
)

// HashEmbedder is the offline embedding: character unigrams, bigrams and
// trigrams of the folded text, hashed with a sign into a fixed number of
// dimensions, weighted by log term frequency and scaled to unit length. It
// needs no model and no network, and is deterministic across machines.
type HashEmbedder struct {
	folder *zh.Folder
	dim    int
}

// NewHashEmbedder returns a hashing embedder of dim dimensions.
func NewHashEmbedder(folder *zh.Folder, dim int) *HashEmbedder {
	return &HashEmbedder{folder: folder, dim: dim}
}

// Name identifies the embedding and its size, for the persisted index.
func (h *HashEmbedder) Name() string { return fmt.Sprintf("hash-ngram-v1-%d", h.dim) }

// Embed embeds each text; it never fails. Many texts are embedded on all
// cores.
func (h *HashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	workers := 1
	if len(texts) >= 64 {
		workers = runtime.NumCPU()
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(texts); i += workers {
				out[i] = h.vector(h.folder.Fold(texts[i]))
			}
		})
	}
	wg.Wait()
	return out, nil
}

// vector counts the text's n-grams (substrings of it, not new strings):
// each letter or digit as a unigram (half weight), and each two and three
// in a row as bigrams and trigrams.
func (h *HashEmbedder) vector(folded string) []float32 {
	counts := make(map[string]float64, len(folded))
	p1, p2 := -1, -1 // byte offsets of the previous two letters of the run
	for i, r := range folded {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			p1, p2 = -1, -1
			continue
		}
		end := i + utf8.RuneLen(r)
		counts[folded[i:end]] += 0.5
		if p1 >= 0 {
			counts[folded[p1:end]]++
		}
		if p2 >= 0 {
			counts[folded[p2:end]]++
		}
		p1, p2 = i, p1
	}
	v := make([]float32, h.dim)
	for g, c := range counts {
		x := fnv64a(g)
		w := float32(1 + math.Log(c))
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(h.dim)] += w
	}
	normalize(v)
	return v
}

// fnv64a is FNV-1a, 64 bits (hash/fnv's New64a), over s.
func fnv64a(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}

// normalize scales v to unit length in place (a zero vector stays zero).
func normalize(v []float32) {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range v {
		v[i] *= inv
	}
}

// DefaultHashDim is the offline embedding's size: measured with `eval` and
// the retrieval benchmarks (see BENCHMARKS.md).
const DefaultHashDim = 256
