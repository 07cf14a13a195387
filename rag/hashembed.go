package rag

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"unicode"

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

// Embed embeds each text; it never fails.
func (h *HashEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = h.vector(h.folder.Fold(t))
	}
	return out, nil
}

func (h *HashEmbedder) vector(folded string) []float32 {
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
	v := make([]float32, h.dim)
	for g, c := range counts {
		f := fnv.New64a()
		f.Write([]byte(g))
		x := f.Sum64()
		w := float32(1 + math.Log(c))
		if x>>63 == 1 {
			w = -w
		}
		v[x%uint64(h.dim)] += w
	}
	normalize(v)
	return v
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
